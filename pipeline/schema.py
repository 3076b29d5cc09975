"""The parse-output schema (contract.md, "Parse output"). pydantic v2; `plandoc schema` prints it.

Field names here are the public contract: add fields freely, never rename or remove one.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from pipeline.diagnostics import Diagnostic, DiagnosticCode, Severity  # noqa: F401  (part of the schema)
from pipeline.provenance import Provenance

__all__ = ["Diagnostic", "DiagnosticCode", "Severity", "Provenance"]  # the rest by name

SCHEMA_VERSION = "1"

Comparator = Literal["eq", "ge", "le", "approx", "range", "from_to"]


def _d(zh: str, en: str) -> str:
    """A field description in both languages: Chinese for the clerk, English for the integrator."""
    return f"{zh} / {en}"


class Source(BaseModel):
    """源文件 / the file that was parsed."""
    path: str = Field(description=_d("文件路径（按调用时给出的写法）", "path of the file as given"))
    sha256: str = Field(description=_d("文件内容的 SHA-256（十六进制）", "SHA-256 of the file's bytes, hex"))
    format: Literal["txt", "docx", "pdf", "doc", "wps", "rtf", "ofd", "image", "md", "html"] = Field(description=_d("读取器识别出的格式（按内容判断，不看扩展名）",
                                                                  "format the reader recognised (by content, not extension)"))
    ocr: bool = Field(False, description=_d("文字由文字识别（OCR）从页面图像得到（扫描件、照片、文本层无法解码的 PDF），数字须与原件核对",
                                           "the text was recognised from page images (scan, photo, undecodable PDF): check figures"))


class DocNumber(BaseModel):
    """发文字号 / document number (发文字号) of the cover notice."""
    text: str = Field(description=_d("原文写法，如 周政发﹝2024﹞5 号", "as written, e.g. 周政发﹝2024﹞5 号"))
    canonical: Optional[str] = Field(None, description=_d("规范写法（六角括号、无空格），如 周政发〔2024〕5号",
                                                          "canonical form (〔〕, no spaces), e.g. 周政发〔2024〕5号"))
    agency: Optional[str] = Field(None, description=_d("机关代字，如 周政发", "issuing-organ prefix, e.g. 周政发"))
    year: Optional[int] = Field(None, description=_d("年份", "year"))
    serial: Optional[int] = Field(None, description=_d("序号", "serial number"))


class Imprint(BaseModel):
    """版记（抄送、印发机关和印发日期，GB/T 9704 §7.4） / the closing imprint: copied-to organs, printing office and date."""
    cc: list[str] = Field(default_factory=list, description=_d("抄送机关，逐个列出", "organs copied to (抄送), one per entry"))
    cc_text: Optional[str] = Field(None, description=_d("抄送原文（不含“抄送：”和句末“。”）",
                                                        "the 抄送 line as written, without 抄送： and the final 。"))
    printer: Optional[str] = Field(None, description=_d("印发机关，如 区政府办公室", "the organ that printed and sent it (印发机关)"))
    print_date: Optional[str] = Field(None, description=_d("印发日期，ISO 格式 YYYY-MM-DD", "date of printing (印发日期), ISO YYYY-MM-DD"))


class Notice(BaseModel):
    """通知封面（关于印发…的通知） / the cover notice (关于印发…的通知)."""
    title: str = Field(description=_d("通知标题", "title of the notice"))
    doc_number: Optional[DocNumber] = Field(None, description=_d("发文字号；没有时为 null", "document number; null when absent"))
    verb: Optional[str] = Field(None, description=_d("公文动词：印发、下达、转发等", "the transmitting verb: 印发, 下达, 转发…"))
    addressees: list[str] = Field(default_factory=list, description=_d("主送机关，逐个列出", "addressees, one per entry"))
    addressees_text: Optional[str] = Field(None, description=_d(
        "主送机关原文（组内用、，组间用，）", "the 主送 line as written (、 within groups, ， between)"))
    body: str = Field("", description=_d("通知正文", "body text of the notice"))
    issuer: Optional[str] = Field(None, description=_d("发文机关（联合发文时合并为一行）", "issuing organ (joint issuers joined)"))
    issuers: list[str] = Field(default_factory=list, description=_d("联合发文机关，一行一个", "joint issuers, one per line"))
    date: Optional[str] = Field(None, description=_d("成文日期，ISO 格式 YYYY-MM-DD", "date of the document, ISO YYYY-MM-DD"))
    publicity: Optional[str] = Field(None, description=_d("公开属性，如 此件公开发布", "publicity note, e.g. 此件公开发布"))
    attachments: list[str] = Field(default_factory=list, description=_d("附件说明中列出的附件名称", "attachment names listed in the 附件 note"))
    imprint: Optional[Imprint] = Field(None, description=_d("版记（抄送、印发机关和印发日期）；原文没有时为 null",
                                                            "the closing imprint (抄送, 印发机关, 印发日期); null when the source has none"))


class Cell(BaseModel):
    """指标表的一个单元格 / one cell of the indicator table."""
    text: Optional[str] = Field(None, description=_d("单元格原文；空格为 null", "the cell's text; null when empty"))
    number: Optional[float] = Field(None, description=_d("读出的数值", "the number read from the text"))
    comparator: Optional[Literal["eq", "ge", "le", "approx", "range"]] = Field(None, description=_d(
        "比较方式：eq 等于、ge 以上、le 以下/以内、approx 左右、range 区间",
        "comparison: eq, ge (以上), le (以下/以内), approx (左右), range"))
    merged: bool = Field(False, description=_d("属于合并单元格（复制到它覆盖的每一格）",
                                               "part of a merged cell (repeated into every cell it covers)"))
    inferred: bool = Field(False, description=_d("合并关系是从纯文本推断的，而不是从原文件读出的",
                                                 "the merge was inferred from flattened text, not read from the source"))
    low: Optional[float] = Field(None, description=_d("区间下限（如 5-6 中的 5）", "lower bound of a range such as 5-6"))
    high: Optional[float] = Field(None, description=_d("区间上限（如 5-6 中的 6）", "upper bound of a range such as 5-6"))


class Period(BaseModel):
    """指标表中一个时期的两列：绝对值和增长 / one period of the indicator table: value and growth."""
    year: Optional[int] = Field(None, description=_d("年份", "year"))
    label: Optional[str] = Field(None, description=_d("表头原文，如 2022年完成、2023年预期",
                                                      "header text, e.g. 2022年完成 / 2023年预期"))
    value: Cell = Field(default_factory=Cell, description=_d("绝对值", "absolute value"))
    growth: Cell = Field(default_factory=Cell, description=_d("增长（%）", "growth (%)"))


class Row(BaseModel):
    """附件指标表的一行 / one row of the appendix indicator table."""
    id: str = Field(description=_d("行编号 R1、R2…（台账中用作编号）", "row id R1, R2… (the tracker's 编号)"))
    category: str = Field(description=_d("所属类别，不带编号（如 就业和人民生活）", "category without its label"))
    name: str = Field(description=_d("指标名称", "indicator name"))
    unit: Optional[str] = Field(None, description=_d("计量单位", "unit of measure"))
    base: Period = Field(default_factory=Period, description=_d("基期（上年完成）", "base period (last year's outcome)"))
    target: Period = Field(default_factory=Period, description=_d("目标年（本年预期）", "target year (this year's goal)"))
    where: Provenance = Field(default_factory=Provenance, description=_d("出处", "where in the source file"))
    binding: Optional[Literal["预期性", "约束性"]] = Field(None, description=_d("指标属性（表中“属性”列：预期性/约束性）", "the table's 属性 column: 预期性 (expected) or 约束性 (binding)"))


class Target(BaseModel):
    """正文中的一个量化目标 / one quantitative target found in the prose."""
    id: str = Field(description=_d("目标编号 T1、T2…", "target id T1, T2…"))
    node_id: Optional[str] = Field(None, description=_d("所在任务节点的编号；在前言中时为 null",
                                                        "id of the node it was found in; null in the preamble"))
    text: str = Field(description=_d("目标原文短语，如 新增城镇就业4000人以上", "the target phrase as written"))
    metric: str = Field(description=_d("指标名称", "the metric"))
    value: Optional[float] = Field(None, description=_d("目标数值", "target number"))
    unit: Optional[str] = Field(None, description=_d("单位（原文写法）", "unit as written"))
    comparator: Optional[Comparator] = Field(None, description=_d(
        "比较方式：eq、ge 以上、le 以内、approx 左右、range 区间、from_to 由…提高到…",
        "comparison: eq, ge, le, approx, range, from_to (由…提高到…)"))
    low: Optional[float] = Field(None, description=_d("区间下限", "lower bound of a range"))
    high: Optional[float] = Field(None, description=_d("区间上限", "upper bound of a range"))
    from_value: Optional[float] = Field(None, description=_d("由…提高到…中的起点", "starting value of 由…提高到…"))
    direction: Optional[Literal["growth", "decline", "level"]] = Field(None, description=_d(
        "方向：growth 增长、decline 下降、level 达到某水平", "direction: growth, decline, or a level to reach"))
    scope: Optional[str] = Field(None, description=_d("范围说明，如 含文昌湖4家", "scope note, e.g. 含文昌湖4家"))
    where: Provenance = Field(default_factory=Provenance, description=_d("出处（所在节点的位置）", "where in the source (its node's place)"))
    # additions beyond the contract minimum
    modality: Optional[Literal["stretch", "firm"]] = Field(None, description=_d(
        "力度：stretch 力争/争取，firm 确保/坚决", "modality: stretch (力争/争取) or firm (确保/坚决)"))
    base_unit: Optional[str] = Field(None, description=_d("换算后的基本单位（亿元 → 元）", "base unit after conversion (亿元 → 元)"))
    base_value: Optional[float] = Field(None, description=_d("换算为基本单位的数值（数值 × 倍数）", "value in the base unit (value × factor)"))
    binding: Optional[Literal["预期性", "约束性"]] = Field(None, description=_d("指标属性：预期性或约束性", "indicator kind: 预期性 (expected) or 约束性 (binding)"))


class Node(BaseModel):
    """编号任务树的一个节点 / one node of the numbered task tree."""
    id: str = Field(description=_d("稳定的编号路径：二 → 2，（三） → 2.3，其中的小标题 → 2.3.1",
                                   "stable path of numbers: 二 → 2, （三） → 2.3, a run-in headline → 2.3.1"))
    kind: Literal["section", "item", "headline"] = Field(description=_d(
        "section 一、级标题；item （一）/1./（1）级事项；headline 不带编号的短句小标题",
        "section (一、), item (（一）/1./（1）), headline (an unnumbered run-in headline)"))
    level: int = Field(description=_d("层级 0–5（第X部分/章/节→0，一、→1，（一）→2，1.→3，（1）→4，①→5）",
                                     "level 0–5 (第X部分/章/节 parts → 0, 一、→1, （一）→2, 1.→3, （1）→4, ①→5)"))
    label: Optional[str] = Field(None, description=_d("编号（规范写法），如 （三）；小标题为其引导词或 null",
                                                      "the label (canonical), e.g. （三）; a headline's lead word or null"))
    title: str = Field(description=_d("标题（到第一个句号为止）", "title (up to the first 。)"))
    title_end: Optional[str] = Field(None, description=_d("原文中结束标题的标点：。或，（如 向西，）",
                                                          "the mark that closed the title in the source: 。 or ，"))
    text: str = Field("", description=_d("标题之后本节点自己的正文（不含子节点）", "the node's own text after the title (not its children's)"))
    children: list["Node"] = Field(default_factory=list, description=_d("下级节点", "child nodes"))
    target_ids: list[str] = Field(default_factory=list, description=_d("本节点中找到的量化目标编号", "ids of the targets found in this node"))
    where: Provenance = Field(default_factory=Provenance, description=_d("出处", "where in the source file"))
    keywords: list[str] = Field(default_factory=list, description=_d("关键词（按重要性排序）", "keywords, most important first"))
    # The source paragraphs of `text` as (text, Provenance), so a target can carry the line of its own
    # sentence rather than its heading's. Parse-time only: not serialised, not part of the contract.
    _paras: list = PrivateAttr(default_factory=list)

    def walk(self) -> Iterator["Node"]:
        """This node and every node below it, in document order (pre-order)."""
        return walk_nodes([self])


def walk_nodes(nodes: Iterable[Node]) -> Iterator[Node]:
    """Every node of a forest in document order (a parent before its children, siblings in order)."""
    return (node for node, _ in walk_with_parents(nodes))


def walk_with_parents(nodes: Iterable[Node]) -> Iterator[tuple[Node, Optional[Node]]]:
    """(node, parent) for every node of a forest in document order; parent is None for a top-level node.
    Iterative, so a deep or hostile tree cannot hit the recursion limit."""
    stack: list[tuple[Node, Optional[Node]]] = [(n, None) for n in reversed(list(nodes))]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        if node.children:
            stack.extend((c, node) for c in reversed(node.children))


class TableBodyMatch(BaseModel):
    """指标表的一格与正文中一个目标的核对结果 / one indicator-table cell compared with one body target."""
    row_id: str = Field(description=_d("指标行编号", "id of the indicator row"))
    row_name: str = Field(description=_d("指标名称", "indicator name"))
    column: Literal["value", "growth"] = Field(description=_d("核对的列：value 目标年绝对值，growth 增长%",
                                                             "compared column: target-year value or growth %"))
    cell_text: Optional[str] = Field(None, description=_d("表中原文", "the cell's text"))
    target_id: str = Field(description=_d("正文目标编号", "id of the body target"))
    target_text: str = Field(description=_d("正文目标原文", "the body target's text"))
    metric_match: Literal["exact", "approximate", "covers", "category"] = Field(description=_d(
        "指标如何对应：exact 同名（含同义词）、approximate 口径相近、covers 正文指标涵盖多行（如 居民人均可支配收入）、category 正文指类别",
        "how the metric matched: exact (incl. synonyms), approximate, covers (one name covers several rows), category"))
    status: Literal["agree", "qualifier_missing", "wording_only", "qualifier_mismatch", "value_mismatch",
                    "kind_mismatch"] = Field(description=_d(
        "结论：agree 一致、qualifier_missing 一方未写限定词、wording_only 仅表述不同、qualifier_mismatch 限定词不同、"
        "value_mismatch 数值不同、kind_mismatch 一方是数值另一方是文字",
        "verdict: agree, qualifier_missing, wording_only, qualifier_mismatch, value_mismatch, kind_mismatch"))
    note: str = Field("", description=_d("中文说明", "Chinese explanation"))


class Plan(BaseModel):
    """计划正文 / the plan itself."""
    title: Optional[str] = Field(None, description=_d("计划标题", "plan title"))
    region: Optional[str] = Field(None, description=_d("地区（从标题读出），如 周村区", "region, read from the title"))
    year: Optional[int] = Field(None, description=_d("计划年度", "plan year"))
    sections: list[Node] = Field(default_factory=list, description=_d("编号任务树（一、级标题）", "the numbered task tree (top-level sections)"))
    indicators: list[Row] = Field(default_factory=list, description=_d("附件指标表，逐行展开", "the appendix indicator table(s), flattened to rows"))
    targets: list[Target] = Field(default_factory=list, description=_d("正文中的全部量化目标", "every quantitative target found in the prose"))
    preamble: str = Field("", description=_d("计划标题与第一个编号标题之间不带编号的文字",
                                             "unnumbered text between the plan title and the first heading"))
    attachment_title: Optional[str] = Field(None, description=_d("附件指标表的标题", "title line of the appended indicator table"))
    table_units_note: Optional[str] = Field(None, description=_d("指标表的单位说明", "units note of the indicator table"))
    reconciliation: list[TableBodyMatch] = Field(default_factory=list, description=_d(
        "指标表与正文目标的逐项核对", "table↔body pairs, one per compared cell"))

    def walk(self) -> Iterator[Node]:
        """Every node of the task tree in document order (the one tree walk; see `walk_with_parents`)."""
        return walk_nodes(self.sections)

    def walk_with_parents(self) -> Iterator[tuple[Node, Optional[Node]]]:
        return walk_with_parents(self.sections)


class ParseResult(BaseModel):
    """plandoc 解析结果 / the parse result of one notice (contract.md, "Parse output")."""
    model_config = ConfigDict(title="PlandocParse")
    schema_version: str = Field(SCHEMA_VERSION, description=_d("本结构的版本号", "version of this schema"))
    source: Source = Field(description=_d("源文件", "the source file"))
    notice: Optional[Notice] = Field(None, description=_d("通知封面；没有封面时为 null", "the cover notice; null when there is none"))
    plan: Plan = Field(description=_d("计划正文", "the plan"))
    warnings: list[Diagnostic] = Field(default_factory=list, description=_d(
        "诊断（警告），代码见 DiagnosticCode", "diagnostics (warnings); codes in DiagnosticCode"))


def json_schema() -> dict:
    return ParseResult.model_json_schema()
