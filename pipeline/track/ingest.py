"""Filled 台账 workbooks in: every row re-validated, every bad cell reported, nothing half-imported.

openpyxl writes data validation but never enforces it on read, so a returned workbook can hold any
word in 完成状态 and any text in a number column. Each filled row therefore goes through a pydantic
model (`TaskReport`, `IndicatorReport`) whose validators raise Chinese messages; the plan-dependent
checks (is the 编号 in the plan, can this share exceed 100) get the plan through the validation
context. Errors carry sheet, row and column, all of a file's errors are collected before anything is
returned, and a file with any error contributes nothing. Several departments' workbooks for the same
plan merge; two files reporting different things for one row is an error naming both files.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Optional

from pydantic import BaseModel, BeforeValidator, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from pipeline.errors import InputError
from pipeline.track.config import TrackConfig
from pipeline.track.items import PlanItems
from pipeline.track.layout import (AS_OF_LABEL, HEADER_SEARCH_ROWS, INDICATOR_COLUMNS, INDICATOR_SHEET, META_SHEET,
                                   TASK_COLUMNS, TASK_SHEET, UNIT_LABEL, Column, input_keys)

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_ERRORS_SHOWN = 60
NOT_STARTED_STATUSES = ("未启动", "不适用")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Sheet XML, read as bytes (the part already passed the zip guard): a cell, its formula, its cached value.
_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>(.*?)</(?:\w+:)?f>", re.S)
_CACHED_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DATE_ZH = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$")


def _err(message: str, field_name: str | None = None) -> PydanticCustomError:
    """A cell's error, its message shown as written. pydantic treats the message as a template and fills
    in `{key}` for every key of the error's context (it has no `{{` escape: escaping doubled every brace
    a department typed); so the error has no context, and the field a row check blames rides in the
    error type, "plandoc:<field>" (`_blamed_field`)."""
    return PydanticCustomError(f"plandoc:{field_name}" if field_name else "plandoc", message)


def _blamed_field(error: dict) -> str | None:
    """The field an error is about: where pydantic found it, or the one a row check named (`_err`)."""
    if error["loc"]:
        return str(error["loc"][0])
    return error["type"].partition(":")[2] or None


def _text(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.strftime("%Y-%m-%d")
    text = str(value).strip()
    return text or None


def parse_number(value: Any) -> Optional[float]:
    """A number cell: real numbers, or text that is only a number (full-width digits, 1,234, 5.2%)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _err(f"应填数字，不能填“{value}”")
    if isinstance(value, (int, float)):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    if text.endswith("%"):
        text = text[:-1].strip()
    if text in ("—", "-", "/"):
        return None
    if not _NUMBER.match(text):
        raise _err(f"应填数字，不能填“{str(value).strip()[:20]}”（单位、文字说明请写在进展情况或备注里）")
    return float(text)


def _ctx(info: ValidationInfo) -> dict:
    return info.context or {}


# A text cell (stripped, blank → None) and a number cell (`parse_number`): how every column of both
# sheets is read before its type is checked, declared once for every field that holds one.
Cell = Annotated[Optional[str], BeforeValidator(_text)]
NumberCell = Annotated[Optional[float], BeforeValidator(parse_number)]

# What each kind of row is called and the sheet it is filled in: a 编号 of the other kind is told where it goes.
_KINDS = {"task": ("任务", TASK_SHEET), "indicator": ("主要指标", INDICATOR_SHEET)}


def _known_id(v: Optional[str], info: ValidationInfo, kind: str) -> str:
    """The 编号 of a `kind` row ("task" / "indicator"): present, and one of the plan's (validation context)."""
    items: PlanItems | None = _ctx(info).get("items")
    if v is None:
        raise _err("编号为空")
    if items is not None and getattr(items, kind)(v) is None:
        other = next(k for k in _KINDS if k != kind)
        noun, (other_noun, other_sheet) = _KINDS[kind][0], _KINDS[other]
        hint = f"（{other_noun}请填在“{other_sheet}”表）" if getattr(items, other)(v) else ""
        raise _err(f"编号“{v}”不在本计划的{noun}中{hint}")
    return v


class _FilledRow(BaseModel):
    """A filled row of one sheet; its 编号 must be one of the plan's items of the sheet's `KIND`."""

    KIND: ClassVar[str]
    id: Cell

    @field_validator("id")
    @classmethod
    def _known(cls, v, info: ValidationInfo):
        return _known_id(v, info, cls.KIND)


class TaskReport(_FilledRow):
    """One filled row of 重点任务."""

    KIND = "task"
    lead: Cell = None
    partners: Cell = None
    deadline: Cell = None
    progress: Cell = None
    value: NumberCell = None
    status: Optional[str] = None          # canonical, after the alias table
    status_word: Cell = None              # as the department wrote it
    problems: Cell = None
    next_steps: Cell = None

    @model_validator(mode="before")
    @classmethod
    def _status(cls, data, info: ValidationInfo):
        cfg: TrackConfig | None = _ctx(info).get("config")
        word = _text(data.get("status"))
        data = {**data, "status_word": word, "status": None}
        if word is not None and cfg is not None:
            canonical = cfg.canonical_status(word)
            if canonical is None:
                raise _err(f"完成状态“{word}”不是可识别的用语（可选：{'、'.join(cfg.statuses)}，"
                           f"或配置中的同义词）", "status")
            data["status"] = canonical
        return data

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo):
        items: PlanItems | None = _ctx(info).get("items")
        task = items.task(self.id) if items else None
        started = self.value is not None or (self.status is not None and self.status not in NOT_STARTED_STATUSES)
        if started and not self.progress:
            raise _err("任务已启动（已填状态或完成值），但没有填写进展情况", "progress")
        if task is not None and self.value is not None:
            if task.percent_share and self.value > 100:
                raise _err(f"本期完成值 {self.value:g} 超过 100：该目标是比例（%），不可能超过 100%", "value")
            if task.unit and task.unit != "%" and self.value < 0:
                raise _err(f"本期完成值 {self.value:g} 为负数：数量类目标的完成值不能小于 0", "value")
        if task is not None and task.kind == "node" and self.value is not None and not task.tests:
            raise _err("这一行是任务（不是量化目标），本期完成值请填在对应的 T 编号行", "value")
        return self


class IndicatorReport(_FilledRow):
    """One filled row of 主要指标."""

    KIND = "indicator"
    actual: NumberCell = None
    growth: NumberCell = None
    completion: NumberCell = None
    lead: Cell = None
    note: Cell = None

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo):
        items: PlanItems | None = _ctx(info).get("items")
        cfg: TrackConfig | None = _ctx(info).get("config")
        ind = items.indicator(self.id) if items else None
        if ind is None or cfg is None:
            return self
        if ind.percent_share and self.actual is not None and self.actual > 100:
            raise _err(f"本期累计 {self.actual:g} 超过 100：该指标是比例（%），不可能超过 100%", "actual")
        if self.completion is None:
            return self
        absolute = ind.absolute_target
        if absolute is None or absolute.kind != "quantity":
            raise _err(f"完成率% 填了 {self.completion:g}，但该指标没有可累计的绝对量目标（{ind.goal}），"
                       f"完成率无从计算，请留空", "completion")
        if not 0 <= self.completion <= cfg.targets.max_completion_pct:
            raise _err(f"完成率% {self.completion:g} 不在 0—{cfg.targets.max_completion_pct:g} 之间", "completion")
        if self.actual is None:
            raise _err("填了完成率%，但没有填本期累计", "actual")
        computed = self.actual / absolute.target * 100
        if abs(computed - self.completion) > cfg.targets.completion_tolerance_pts:
            raise _err(f"完成率% {self.completion:g} 与 本期累计 ÷ 年度目标 = {computed:.1f}% 不符", "completion")
        return self


@dataclass
class CellError:
    file: str
    sheet: str | None
    row: int | None
    column: str | None          # header text
    cell: str | None            # A1 reference
    reason: str

    def describe(self) -> str:
        where = []
        if self.sheet:
            where.append(f"工作表“{self.sheet}”")
        if self.row:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"“{self.column}”列" + (f"（{self.cell}）" if self.cell else ""))
        return ("".join(where) + "：" if where else "") + self.reason


class WorkbookErrors(InputError):
    """Every bad cell of every rejected workbook (a file with any error contributes nothing)."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        files = list(dict.fromkeys(e.file for e in errors))
        lines = [f"{e.file}：{e.describe()}" if len(files) > 1 else e.describe() for e in errors[:MAX_ERRORS_SHOWN]]
        if len(errors) > MAX_ERRORS_SHOWN:
            lines.append(f"……另有 {len(errors) - MAX_ERRORS_SHOWN} 处错误未列出")
        reason = f"台账有 {len(errors)} 处错误，{'这些文件' if len(files) > 1 else '该文件'}未导入：\n" + "\n".join(lines)
        super().__init__(files[0] if len(files) == 1 else None, reason,
                         hint="请改正后重新报送；有错误的台账不会导入任何一行")


@dataclass
class Row_:
    """A filled row and where it came from."""

    report: TaskReport | IndicatorReport
    file: str
    row: int


@dataclass
class FileReport:
    path: str
    unit: str | None = None
    as_of: dt.date | None = None
    tasks: dict[str, Row_] = field(default_factory=dict)
    indicators: dict[str, Row_] = field(default_factory=dict)


@dataclass
class Progress:
    """The merged reports of one round."""

    files: list[FileReport]
    tasks: dict[str, Row_] = field(default_factory=dict)
    indicators: dict[str, Row_] = field(default_factory=dict)

    @property
    def as_of(self) -> dt.date | None:
        dates = [f.as_of for f in self.files if f.as_of]
        return max(dates) if dates else None


def _cell_ref(col: int, row: int) -> str:
    from openpyxl.utils import get_column_letter
    return f"{get_column_letter(col)}{row}"


def _open(path: Path):
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(path, "文件不存在") from None
    if path.is_dir():
        raise InputError(path, "这是一个文件夹，不是台账文件")
    if size == 0:
        raise InputError(path, "文件为空（0 字节）")
    if size > MAX_WORKBOOK_BYTES:
        raise InputError(path, f"文件过大（{size / 1048576:.1f} MB），不像是一份台账")
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(_OLE_MAGIC) and "EncryptedPackage".encode("utf-16-le") in path.read_bytes():
        raise InputError(path, "工作簿受密码保护（已加密），无法读取", hint="请在 Excel/WPS 中取消密码后重新报送")
    if head.startswith(_OLE_MAGIC):
        raise InputError(path, "这是旧版 Excel 二进制文件（.xls/.et），无法读取", hint="请用 Excel 或 WPS 另存为 .xlsx")
    if not head.startswith(b"PK\x03\x04"):
        raise InputError(path, "不是 .xlsx 工作簿", hint="请报送由 plandoc tracker 生成并填写的 .xlsx 台账")
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xltx", ".xltm"):
        try:
            is_word = "word/document.xml" in zipfile.ZipFile(path).namelist()
        except (zipfile.BadZipFile, OSError):
            is_word = False
        what = "Word 文档" if is_word else f"扩展名为“{path.suffix or '（无）'}”的文件"
        raise InputError(path, f"这是{what}，不是 .xlsx 台账工作簿", hint="请报送由 plandoc tracker 生成并填写的 .xlsx 台账")
    from pipeline.zipguard import guard_package
    guard_package(path, None, "台账工作簿", "请用 Excel 或 WPS 打开后另存为 .xlsx 再报送").close()
    from openpyxl import load_workbook
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise InputError(path, f"无法打开工作簿（{type(e).__name__}）", hint="文件可能已损坏，请重新保存后报送") from None


def _uncomputed_formulas(path: Path, ws) -> list[tuple[int, int, str]]:
    """Formula cells of `ws` that carry no computed value: (row, column, formula), 1-based.

    Why: a workbook written by a program (openpyxl, a script) and never opened in Excel/WPS keeps the
    formula but no result, and openpyxl's data_only view reads such a cell as empty — the department's
    figure would silently vanish. Excel stores every result (an empty text result as t="str" with an
    empty value), so a formula cell without a value and without a text type was never computed."""
    part = getattr(ws, "_worksheet_path", None)
    if not part:
        return []
    with zipfile.ZipFile(path) as z:
        data = z.read(part)
    if not _HAS_FORMULA.search(data):
        return []                              # the usual return: no formula at all, one scan
    from openpyxl.utils import column_index_from_string
    from xml.sax.saxutils import unescape
    found = []
    for m in _CELL.finditer(data):
        body = m.group(2) or b""
        if not _HAS_FORMULA.search(body) or _CACHED_VALUE.search(body):
            continue
        kind = _TYPE.search(m.group(1))
        if kind and kind.group(1) in (b"str", b"inlineStr", b"e"):
            continue                           # computed: an empty text result, or an error value
        ref = _REF.search(m.group(1))
        if not ref:
            continue
        text = _FORMULA_TEXT.search(body)
        formula = "=" + unescape(text.group(1).decode("utf-8", "replace")) if text and text.group(1) else "（共享公式）"
        found.append((int(ref.group(2)), column_index_from_string(ref.group(1).decode()), formula))
    return found


def _find_header(rows: list[tuple], columns: tuple[Column, ...]) -> tuple[int, dict[str, int]] | None:
    wanted = {c.header: c for c in columns}
    for r, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {}
        for c, v in enumerate(values):
            text = "".join(str(v).split()) if v is not None else ""
            if text in wanted and wanted[text].key not in found:
                found[wanted[text].key] = c
        if "id" in found and len(found) >= 2:
            return r, found
    return None


def _labelled_value(rows: list[tuple], header_index: int, label: str) -> Any:
    for values in rows[:header_index]:
        for c, v in enumerate(values):
            if isinstance(v, str) and "".join(v.split()).rstrip("：:") == label:
                return next((x for x in values[c + 1:] if x not in (None, "")), None)
    return None


def _parse_as_of(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return (dt.datetime(1899, 12, 30) + dt.timedelta(days=int(value))).date()   # an Excel date serial
    m = _DATE_ZH.match(unicodedata.normalize("NFKC", str(value)).strip())
    if m:
        try:
            return dt.date(*(int(x) for x in m.groups()))
        except ValueError:
            pass
    raise ValueError(str(value))


def _read_sheet(wb, sheet: str, columns: tuple[Column, ...], model: type[BaseModel], ctx: dict,
                file: str, out: dict[str, Row_], errors: list[CellError], report: FileReport) -> None:
    if sheet not in wb.sheetnames:
        errors.append(CellError(file, None, None, None, None, f"缺少工作表“{sheet}”"))
        return
    rows = [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    found = _find_header(rows, columns)
    if found is None:
        errors.append(CellError(file, sheet, None, None, None, f"前{HEADER_SEARCH_ROWS}行中找不到含“编号”的表头行"))
        return
    header_index, positions = found
    header_at = {i: next(c.header for c in columns if c.key == k) for k, i in positions.items()}
    for row_no, col, formula in _uncomputed_formulas(Path(file), wb[sheet]):
        errors.append(CellError(file, sheet, row_no, header_at.get(col - 1) if row_no > header_index + 1 else None,
                                _cell_ref(col, row_no),
                                f"单元格是公式（{formula[:60]}），但文件里没有保存公式的计算结果（文件由程序生成，"
                                f"未在 Excel/WPS 中打开保存过），读不到它的数值；请用 Excel 或 WPS 打开该台账，"
                                f"保存后重新报送"))
    missing = [c.header for c in columns if c.required and c.key not in positions]
    if missing:
        errors.append(CellError(file, sheet, header_index + 1, None, None, f"表头缺少必需的列：{'、'.join(missing)}"))
        return
    if sheet == TASK_SHEET:
        report.unit = _text(_labelled_value(rows, header_index, UNIT_LABEL))
        raw_date = _labelled_value(rows, header_index, AS_OF_LABEL)
        try:
            report.as_of = _parse_as_of(raw_date)
        except ValueError:
            errors.append(CellError(file, sheet, None, AS_OF_LABEL, None,
                                    f"统计截至日期“{raw_date}”无法识别（应为 2023-06-30 这样的日期）"))
    header_of = {c.key: c.header for c in columns}
    inputs = [k for k in input_keys(columns) if k in positions]
    for r in range(header_index + 1, len(rows)):
        values = rows[r]
        cell = {k: (values[i] if i < len(values) else None) for k, i in positions.items()}
        if all(_text(cell.get(k)) is None for k in inputs):
            continue                        # not reported by this department
        row_no = r + 1
        if _text(cell.get("id")) is None:
            errors.append(CellError(file, sheet, row_no, "编号", _cell_ref(positions["id"] + 1, row_no),
                                    "已填报内容，但编号为空"))
            continue
        try:
            parsed = model.model_validate({k: cell.get(k) for k in ["id", *inputs]}, context=ctx)
        except ValidationError as e:
            for err in e.errors():
                key = _blamed_field(err)
                col = positions.get(key) if key else None
                errors.append(CellError(file, sheet, row_no, header_of.get(key) if key else None,
                                        _cell_ref(col + 1, row_no) if col is not None else None, err["msg"]))
            continue
        if parsed.id in out:
            first = out[parsed.id]
            errors.append(CellError(file, sheet, row_no, "编号", _cell_ref(positions["id"] + 1, row_no),
                                    f"编号“{parsed.id}”在本表中重复（第{first.row}行已填报）"))
            continue
        out[parsed.id] = Row_(parsed, file, row_no)


def _check_plan(wb, items: PlanItems, file: str, errors: list[CellError]) -> None:
    if META_SHEET not in wb.sheetnames:
        return                              # re-typed workbooks are accepted on their 编号 alone
    meta = {r[0]: r[1] for r in wb[META_SHEET].iter_rows(values_only=True) if r and r[0]}
    key = meta.get("plan_key")
    if key and key != items.plan_key:
        errors.append(CellError(file, None, None, None, None,
                                f"这份台账是为《{meta.get('title') or key}》生成的，不是本计划《{items.title}》的台账"))


def read_workbook(path: str | Path, items: PlanItems, cfg: TrackConfig) -> tuple[FileReport, list[CellError]]:
    """Read one returned workbook. Returns the report and its errors (the report is void if any)."""
    path = Path(path)
    wb = _open(path)
    file = str(path)
    errors: list[CellError] = []
    report = FileReport(file)
    try:
        _check_plan(wb, items, file, errors)
        ctx = {"items": items, "config": cfg}
        _read_sheet(wb, TASK_SHEET, TASK_COLUMNS, TaskReport, ctx, file, report.tasks, errors, report)
        _read_sheet(wb, INDICATOR_SHEET, INDICATOR_COLUMNS, IndicatorReport, ctx, file, report.indicators, errors,
                    report)
    finally:
        wb.close()
    return report, errors


def _same(a: BaseModel, b: BaseModel) -> bool:
    return a.model_dump() == b.model_dump()


def ingest(paths: list[str | Path], items: PlanItems, cfg: TrackConfig) -> Progress:
    """Read and merge one round of returned workbooks. Raises `WorkbookErrors` listing every bad cell."""
    if not paths:
        raise InputError(None, "没有提供已填报的台账", hint="用 --progress 指定一个或多个 .xlsx 文件")
    errors: list[CellError] = []
    files: list[FileReport] = []
    seen: set[Path] = set()
    for p in paths:
        resolved = Path(p).resolve()
        if resolved in seen:
            continue                        # the same file named twice is one return, not a conflict
        seen.add(resolved)
        report, file_errors = read_workbook(p, items, cfg)
        errors.extend(file_errors)
        if not file_errors:
            files.append(report)
    merged = Progress(files)
    for f in files:
        for attr, sheet in (("tasks", TASK_SHEET), ("indicators", INDICATOR_SHEET)):
            target: dict[str, Row_] = getattr(merged, attr)
            for item_id, row in getattr(f, attr).items():
                prior = target.get(item_id)
                if prior is None:
                    target[item_id] = row
                elif not _same(prior.report, row.report):
                    errors.append(CellError(row.file, sheet, row.row, "编号", None,
                                            f"编号“{item_id}”与“{prior.file}”第{prior.row}行的填报内容冲突"
                                            f"（两个文件对同一事项报了不同的情况）"))
    if errors:
        raise WorkbookErrors(errors)
    return merged
