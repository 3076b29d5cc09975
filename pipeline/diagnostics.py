"""The diagnostics contract: every remark the pipeline makes about a document, in one shape.

A `Diagnostic` is a code from `DiagnosticCode` (a closed list, published in the JSON Schema and in
the README table), a severity, a Chinese message that names the place, and a `Provenance`. Readers
and every parse stage add to one `Diagnostics` collector handed down the parse; the parse result
publishes them as `warnings` (the contract's field name).

Adding a code: add the member to `DiagnosticCode`, its row to `CODES` and the same row to the
README table (tests/test_diagnostics.py checks all three agree).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterator

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.provenance import Provenance


class Severity(str, Enum):
    """严重程度 / severity: info = 已自动处理，供查阅 (handled automatically, for the record);
    warning = 结果可用，但这一处需要人工核对 (usable, but a person should check this place);
    error = 有内容未能读取或未能成结构，结果不完整 (part of the document could not be read; incomplete)."""

    info = "info"
    warning = "warning"
    error = "error"


class DiagnosticCode(str, Enum):
    """诊断代码 / diagnostic code (see the README table)."""

    pdf_page_without_text = "pdf_page_without_text"
    pdf_page_rotated = "pdf_page_rotated"
    pdf_text_not_upright = "pdf_text_not_upright"
    pdf_reading_order = "pdf_reading_order"
    header_block = "header_block"
    header_skipped = "header_skipped"
    doc_number_from_header = "doc_number_from_header"
    date_from_header = "date_from_header"
    doc_number_damaged = "doc_number_damaged"
    date_damaged = "date_damaged"
    verb_mismatch = "verb_mismatch"
    numbering_gap = "numbering_gap"
    no_headings = "no_headings"
    table_shape = "table_shape"
    inferred_merge_unconfirmed = "inferred_merge_unconfirmed"
    table_body_mismatch = "table_body_mismatch"
    headline_target_without_row = "headline_target_without_row"
    ofd_page_without_text = "ofd_page_without_text"
    ocr_text = "ocr_text"
    ocr_low_confidence = "ocr_low_confidence"
    ocr_pages = "ocr_pages"
    ocr_label_restored = "ocr_label_restored"
    title_unclosed = "title_unclosed"
    title_from_header = "title_from_header"
    issuer_from_title = "issuer_from_title"
    numbering_continuous = "numbering_continuous"
    table_unsure = "table_unsure"
    table_cells_missing = "table_cells_missing"
    review_section = "review_section"
    imprint_without_notice = "imprint_without_notice"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    severity: Severity
    stage: str          # which part of the pipeline emits it (reader, cover, tree, table, targets)
    meaning: str        # Chinese: what happened and what the clerk should do


_I, _W, _E = Severity.info, Severity.warning, Severity.error
C = DiagnosticCode
CODES: dict[DiagnosticCode, CodeInfo] = {
    C.pdf_page_without_text: CodeInfo(_E, "读取 PDF", "该页没有文本层（多为扫描页），内容未读取；请索取可复制文字的版本"),
    C.pdf_page_rotated: CodeInfo(_I, "读取 PDF", "该页设置了旋转（/Rotate 90/180/270），已按文字方向转正后读取"),
    C.pdf_reading_order: CodeInfo(_W, "读取 PDF", "该页是竖排或左右分栏的，按横排逐行读出的顺序可能错乱，请核对该页内容"),
    C.pdf_text_not_upright: CodeInfo(_E, "读取 PDF", "该页的文字是旋转或竖排的，无法按行读取，内容未读取；请索取 .docx 或正常横排的 PDF"),
    C.header_block: CodeInfo(_I, "网页信息栏", "开头的网页信息栏（标题/索引号/文号…）已作为辅助信息跳过"),
    C.header_skipped: CodeInfo(_I, "计划标题", "没有通知封面，标题前未识别的几行（网页栏目等）已忽略"),
    C.doc_number_from_header: CodeInfo(_I, "网页信息栏", "正文中没有发文字号，采用了网页信息栏中的文号"),
    C.date_from_header: CodeInfo(_I, "网页信息栏", "正文中没有成文日期，采用了网页信息栏中的日期"),
    C.doc_number_damaged: CodeInfo(_W, "通知封面", "发文字号残缺（缺少“〕”或“号”），只读取了机关代字和年份"),
    C.date_damaged: CodeInfo(_W, "通知封面", "成文日期残缺或无效，请核对原文"),
    C.verb_mismatch: CodeInfo(_W, "通知封面", "标题与正文的印发/下达等用词不一致，以标题为准"),
    C.numbering_gap: CodeInfo(_W, "编号树", "同级编号跳号或重复（常见于误识别的编号或原文错误）"),
    C.no_headings: CodeInfo(_E, "编号树", "正文中没有找到“一、”“（一）”等编号标题，任务树为空"),
    C.table_shape: CodeInfo(_W, "指标表", "表格行的单元格多于表头列数等形状问题，多出的内容已忽略"),
    C.inferred_merge_unconfirmed: CodeInfo(_W, "指标表", "从纯文本推断的合并单元格在正文中找不到印证，请核对原表"),
    C.table_body_mismatch: CodeInfo(_W, "表文核对", "附件指标表的目标值与正文中同一指标的目标不一致"),
    C.headline_target_without_row: CodeInfo(_W, "表文核对", "“主要预期目标”中的目标在附件指标表中没有对应指标"),
    C.ofd_page_without_text: CodeInfo(_E, "读取 OFD", "该页没有文字（可能是图片或印章），内容未读取"),
    C.ocr_text: CodeInfo(_W, "文字识别", "文件没有可用的文本层，内容由文字识别（OCR）得到；数字、标点和专有名词请与原件核对"),
    C.ocr_pages: CodeInfo(_W, "文字识别", "PDF 中部分页面没有文本层（如附上的扫描件），这些页面由文字识别（OCR）得到；列出页码，请与原件核对"),
    C.ocr_low_confidence: CodeInfo(_W, "文字识别", "列出识别置信度低的行（页码、文字、置信度），请对照原件重点核对"),
    C.ocr_label_restored: CodeInfo(_W, "文字识别", "识别错的标题编号（如“（和）”）按前后同级编号更正（如“（六）”），请与原件核对"),
    C.title_unclosed: CodeInfo(_W, "通知封面", "标题没有以“的通知”等文种结尾（可能被截断），请核对原文"),
    C.title_from_header: CodeInfo(_I, "网页信息栏", "正文中的通知标题不完整，采用了文件信息（网页信息栏/前置信息）中的完整标题"),
    C.issuer_from_title: CodeInfo(_I, "通知封面", "没有落款机关，发文机关取自标题中的机关名称"),
    C.numbering_continuous: CodeInfo(_I, "编号树", "下级编号在全文连续编号（未在每个上级标题下重新编号），按连续编号处理"),
    C.table_unsure: CodeInfo(_W, "指标表", "识别出一个逐格分行的表格，但单元格无法可靠归位，未生成指标行；请核对原表"),
    C.table_cells_missing: CodeInfo(_W, "指标表", "逐格分行的表格中有的行单元格少于表头，缺少的格按合并单元格推断"),
    C.review_section: CodeInfo(_I, "量化目标", "回顾/成效部分中的数字是已完成情况，不作为本期目标"),
    C.imprint_without_notice: CodeInfo(_W, "版记", "文末有版记（抄送、印发机关和日期），但没有识别出通知封面，版记未写入结果，也不计入正文"),
}
del C
DiagnosticCode.__doc__ = "诊断代码 / diagnostic code:\n" + "\n".join(
    f"- {code.value} ({info.severity.value}): {info.meaning}" for code, info in CODES.items())


class Diagnostic(BaseModel):
    """对原文的一条诊断（警告） / one remark about the source document (a warning)."""

    model_config = ConfigDict(title="Diagnostic")
    code: DiagnosticCode = Field(description="诊断代码，取值见 DiagnosticCode / diagnostic code, one of DiagnosticCode")
    message: str = Field(description="中文说明，指明位置和原因 / Chinese message naming the place and the reason")
    where: Provenance = Field(default_factory=Provenance,
                              description="出处 / where in the source file")
    severity: Severity = Field(description="严重程度（缺省由代码决定） / severity (defaults by code)")

    @model_validator(mode="before")
    @classmethod
    def _default_severity(cls, data):
        if isinstance(data, dict) and data.get("severity") is None and "code" in data:
            data = {**data, "severity": CODES[DiagnosticCode(data["code"])].severity}
        return data


class Diagnostics:
    """The one collector of diagnostics for a document: readers start it, every parse stage adds to it."""

    __slots__ = ("_items",)

    def __init__(self, items=()) -> None:
        self._items: list[Diagnostic] = list(items)

    def add(self, code: DiagnosticCode, message: str, where: Provenance | None = None,
            severity: Severity | None = None) -> Diagnostic:
        d = Diagnostic(code=code, message=message, where=where if where is not None else Provenance(),
                       severity=severity or CODES[code].severity)
        self._items.append(d)
        return d

    def extend(self, other) -> None:
        self._items.extend(other)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i):
        return self._items[i]

    def __repr__(self) -> str:
        return f"Diagnostics({self._items!r})"

    def as_list(self) -> list[Diagnostic]:
        return list(self._items)
