"""The 台账 workbook's shape, shared by the writer and the ingest so the two can never drift apart.

Columns are found by their header text on read (a clerk may insert or move columns), so the header
words here are the contract (contract.md, "Tracker workbook"); `key` is the field of the ingest row
model the column fills. `input` columns are unlocked for departments; the rest is protected.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TASK_SHEET = "重点任务"
INDICATOR_SHEET = "主要指标"
GUIDE_SHEET = "填报说明"
META_SHEET = "_plandoc"          # very hidden: which plan the workbook was made for

HEADER_SEARCH_ROWS = 10          # the header row may be preceded by title rows
UNIT_LABEL = "填报单位"
AS_OF_LABEL = "统计截至"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    width: float                 # Excel character units
    input: bool = False
    kind: Literal["text", "number", "status"] = "text"
    required: bool = False       # must be present in a returned workbook (contract minimum)


TASK_COLUMNS: tuple[Column, ...] = (
    Column("编号", "id", 8, required=True),
    Column("任务内容", "content", 46, required=True),
    Column("目标", "goal", 22, required=True),
    Column("单位", "unit", 7),
    Column("牵头单位", "lead", 12, input=True, required=True),
    Column("配合单位", "partners", 12, input=True),
    Column("时间节点", "deadline", 10, input=True),
    Column("进展情况", "progress", 36, input=True, required=True),
    Column("本期完成值", "value", 10, input=True, kind="number", required=True),
    Column("完成状态", "status", 10, input=True, kind="status", required=True),
    Column("存在问题", "problems", 20, input=True),
    Column("下步打算", "next_steps", 20, input=True),
)

INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("编号", "id", 7, required=True),
    Column("类别", "category", 14),
    Column("指标名称", "name", 24, required=True),
    Column("单位", "unit", 8, required=True),
    Column("年度目标", "goal", 18, required=True),
    Column("本期累计", "actual", 12, input=True, kind="number", required=True),
    Column("同比增长%", "growth", 11, input=True, kind="number", required=True),
    Column("完成率%", "completion", 10, input=True, kind="number"),
    Column("责任单位", "lead", 14, input=True),
    Column("备注", "note", 22, input=True),
)


def input_keys(columns: tuple[Column, ...]) -> list[str]:
    return [c.key for c in columns if c.input]
