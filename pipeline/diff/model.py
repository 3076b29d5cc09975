"""The diff output (contract.md, "Diff"). Field names are public: add fields, never rename.

Contract minimum per entry: indicators `name/unit/change/old/new`, targets `metric/change/old/new`,
tasks `change/old_id/new_id/old_title/new_title/similarity/redline`, and `summary`. Everything else
here is an addition that explains the class (which cell was compared, the change in base units,
whether the move tightens the target, notes such as a unit change or an approximate synonym).
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field

from pipeline.schema import Row, Target

# `form_changed` (an addition to the contract's classes): the target changed between qualitative and
# numeric (保持稳定 → 3以上, or 1 → 稳步提高); neither a rise nor a mere qualifier change.
Change = Literal["rose", "fell", "unchanged", "qualifier_changed", "form_changed", "new", "dropped"]
TaskChange = Literal["unchanged", "reworded", "review", "new", "dropped"]
CHANGES: tuple[str, ...] = ("rose", "fell", "unchanged", "qualifier_changed", "form_changed", "new", "dropped")
# direction of a form_changed entry: to_number (定性→定量) or to_literal (定量→定性)
Form = Literal["to_number", "to_literal"]
TASK_CHANGES: tuple[str, ...] = ("unchanged", "reworded", "review", "new", "dropped")


class PlanRef(BaseModel):
    title: Optional[str] = None
    year: Optional[int] = None
    region: Optional[str] = None
    source: Optional[str] = None


class IndicatorDiff(BaseModel):
    name: str
    unit: Optional[str] = None
    change: Change
    old: Optional[Row] = None
    new: Optional[Row] = None
    compared: Optional[Literal["growth", "value"]] = None   # the cell `change` was decided on
    growth_change: Optional[Change] = None                  # None: the cell is empty in both years
    value_change: Optional[Change] = None
    growth_delta: Optional[float] = None                    # percentage points
    value_delta: Optional[float] = None                     # in `base_unit`
    base_unit: Optional[str] = None
    tightened: Optional[bool] = None
    approximate: bool = False                               # matched through an approximate synonym
    notes: list[str] = Field(default_factory=list)
    form: Optional[Form] = None                             # set when change == "form_changed"


class TargetDiff(BaseModel):
    metric: str
    change: Change
    old: Optional[Target] = None
    new: Optional[Target] = None
    delta: Optional[float] = None                           # in `base_unit`
    base_unit: Optional[str] = None
    qualifier_changed: bool = False                         # comparator, modality or scope differs
    tightened: Optional[bool] = None
    approximate: bool = False
    notes: list[str] = Field(default_factory=list)
    form: Optional[Form] = None                             # set when change == "form_changed"


class RedlineOp(BaseModel):
    op: Literal["equal", "delete", "insert", "replace"]
    old: str = ""
    new: str = ""


class TaskDiff(BaseModel):
    change: TaskChange
    old_id: Optional[str] = None
    new_id: Optional[str] = None
    old_title: Optional[str] = None
    new_title: Optional[str] = None
    similarity: Optional[float] = None
    redline: Optional[str] = None              # plain text: [-删去-]{+新增+}
    redline_ops: list[RedlineOp] = Field(default_factory=list)
    old_path: Optional[str] = None             # 二（三） style place in each plan
    new_path: Optional[str] = None
    numbers_changed: bool = False
    words_changed: bool = False
    moved: bool = False
    old_text: Optional[str] = None             # for new / dropped / review entries
    new_text: Optional[str] = None


class Summary(BaseModel):
    indicators: dict[str, int] = Field(default_factory=dict)
    targets: dict[str, int] = Field(default_factory=dict)
    tasks: dict[str, int] = Field(default_factory=dict)
    tasks_moved: int = 0
    tasks_retargeted: int = 0
    text: str = ""                             # one Chinese sentence per part, for the report head


class PlanDiff(BaseModel):
    old: PlanRef
    new: PlanRef
    indicators: list[IndicatorDiff] = Field(default_factory=list)
    targets: list[TargetDiff] = Field(default_factory=list)
    tasks: list[TaskDiff] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    caveats: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)       # e.g. the plans were given in the wrong order
