"""The parse-output schema (contract.md, "Parse output"). pydantic v2; `plandoc schema` prints it.

Field names here are the public contract: add fields freely, never rename or remove one.
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

SCHEMA_VERSION = "1"

Comparator = Literal["eq", "ge", "le", "approx", "range", "from_to"]


class Provenance(BaseModel):
    page: Optional[int] = None
    line: Optional[int] = None
    paragraph: Optional[int] = None
    table: Optional[int] = None
    row: Optional[int] = None
    col: Optional[int] = None


class Source(BaseModel):
    path: str
    sha256: str
    format: Literal["txt", "docx", "pdf", "md", "html"]


class DocNumber(BaseModel):
    text: str                          # as written, e.g. 周政发﹝2024﹞5 号
    canonical: Optional[str] = None    # 周政发〔2024〕5号
    agency: Optional[str] = None
    year: Optional[int] = None
    serial: Optional[int] = None


class Notice(BaseModel):
    title: str
    doc_number: Optional[DocNumber] = None
    verb: Optional[str] = None
    addressees: list[str] = Field(default_factory=list)
    addressees_text: Optional[str] = None             # the 主送 line as written (、 within groups, ， between)
    body: str = ""
    issuer: Optional[str] = None
    issuers: list[str] = Field(default_factory=list)   # joint issuers, one per line; issuer = joined
    date: Optional[str] = None
    publicity: Optional[str] = None
    attachments: list[str] = Field(default_factory=list)


class Cell(BaseModel):
    text: Optional[str] = None
    number: Optional[float] = None
    comparator: Optional[Literal["eq", "ge", "le", "approx", "range"]] = None
    merged: bool = False
    inferred: bool = False
    low: Optional[float] = None        # for a range cell such as 5-6
    high: Optional[float] = None


class Period(BaseModel):
    year: Optional[int] = None
    label: Optional[str] = None        # header text, e.g. 2022年完成 / 2023年预期
    value: Cell = Field(default_factory=Cell)
    growth: Cell = Field(default_factory=Cell)


class Row(BaseModel):
    id: str
    category: str
    name: str
    unit: Optional[str] = None
    base: Period = Field(default_factory=Period)
    target: Period = Field(default_factory=Period)
    where: Provenance = Field(default_factory=Provenance)
    binding: Optional[Literal["预期性", "约束性"]] = None    # the table's 属性 column, when it has one


class Target(BaseModel):
    id: str
    node_id: Optional[str] = None
    text: str
    metric: str
    value: Optional[float] = None
    unit: Optional[str] = None
    comparator: Optional[Comparator] = None
    low: Optional[float] = None
    high: Optional[float] = None
    from_value: Optional[float] = None
    direction: Optional[Literal["growth", "decline", "level"]] = None
    scope: Optional[str] = None
    where: Provenance = Field(default_factory=Provenance)
    # additions beyond the contract minimum
    modality: Optional[Literal["stretch", "firm"]] = None   # 力争/争取 → stretch, 确保/坚决 → firm
    base_unit: Optional[str] = None                          # 亿元 → 元
    base_value: Optional[float] = None                       # value × factor
    binding: Optional[Literal["预期性", "约束性"]] = None


class Node(BaseModel):
    id: str
    kind: Literal["section", "item", "headline"]
    level: int
    label: Optional[str] = None
    title: str
    title_end: Optional[str] = None    # the mark that closed the title in the source: 。 or ， (向西，)
    text: str = ""
    children: list["Node"] = Field(default_factory=list)
    target_ids: list[str] = Field(default_factory=list)
    where: Provenance = Field(default_factory=Provenance)
    keywords: list[str] = Field(default_factory=list)
    # The source paragraphs of `text` as (text, Provenance), so a target can carry the line of its own
    # sentence rather than its heading's. Parse-time only: not serialised, not part of the contract.
    _paras: list = PrivateAttr(default_factory=list)


class TableBodyMatch(BaseModel):
    """One indicator-table cell compared with one body target (issue 4, table↔body reconciliation)."""
    row_id: str
    row_name: str
    column: Literal["value", "growth"]            # target-year 绝对值 or 增长%
    cell_text: Optional[str] = None
    target_id: str
    target_text: str
    metric_match: Literal["exact", "approximate", "covers", "category"]
    status: Literal["agree", "qualifier_missing", "wording_only", "qualifier_mismatch", "value_mismatch",
                    "kind_mismatch"]
    note: str = ""


class Plan(BaseModel):
    title: Optional[str] = None
    region: Optional[str] = None
    year: Optional[int] = None
    sections: list[Node] = Field(default_factory=list)
    indicators: list[Row] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    preamble: str = ""                      # unnumbered text between the plan title and the first heading
    attachment_title: Optional[str] = None  # title line of the appended indicator table
    table_units_note: Optional[str] = None
    reconciliation: list[TableBodyMatch] = Field(default_factory=list)   # table↔body pairs (issue 4)


class Warning_(BaseModel):
    model_config = ConfigDict(title="Warning")
    code: str
    message: str
    where: Provenance = Field(default_factory=Provenance)


class ParseResult(BaseModel):
    model_config = ConfigDict(title="PlandocParse")
    schema_version: str = SCHEMA_VERSION
    source: Source
    notice: Optional[Notice] = None
    plan: Plan
    warnings: list[Warning_] = Field(default_factory=list)


def json_schema() -> dict:
    return ParseResult.model_json_schema()
