"""`plandoc tracker`: the 台账 workbook departments fill in, generated from the parsed plan.

Why it looks the way it does: the 督查室 prints it and departments type into it, so keys and plan text
are locked (sheet protection without a password: it prevents accidents, not determined edits), the
input columns are unlocked, 完成状态 has a drop-down of the canonical words (a warning, not a stop, so
a department's own word from the alias table is still accepted and checked on ingest), numbers have a
decimal rule, and widths, wrapping, repeated header rows and landscape fit-to-width make it print.
A very hidden sheet records which plan the workbook belongs to, so a return for another plan is
refused on ingest. None of the validation is trusted on read (openpyxl does not enforce it).
"""
from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.errors import InputError
from pipeline.fsutil import atomic_write_bytes
from pipeline.schema import ParseResult
from pipeline.text import drawable
from pipeline.track.assign import Assignment, load_resolved, units_of
from pipeline.track.config import CANONICAL_STATUSES, TrackConfig, load_config
from pipeline.track.items import PlanItems, build_items
from pipeline.track.layout import (AS_OF_LABEL, GUIDE_SHEET, INDICATOR_COLUMNS, INDICATOR_SHEET, META_SHEET,
                                   TASK_COLUMNS, TASK_SHEET, UNIT_LABEL, Column)

TITLE_ROW, INFO_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1
LINE_HEIGHT_PT = 15.0            # one wrapped line of 11 pt 宋体 in Excel
MAX_ROW_HEIGHT_PT = 409.0        # Excel's limit
CJK_CHARS_PER_WIDTH_UNIT = 0.5   # a hanzi is about two Excel width units
NUMBER_LIMIT = 1e12              # decimal rule: any realistic value passes, text does not

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEAD_FONT = Font(name="黑体", size=11, bold=True)
TITLE_FONT = Font(name="方正小标宋简体", size=16)
BODY_FONT = Font(name="宋体", size=11)
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")     # pale yellow: "type here"
GROUP_FONT = Font(name="黑体", size=11)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _lines_needed(text: str, width: float) -> int:
    chars_per_line = max(1.0, width * CJK_CHARS_PER_WIDTH_UNIT)
    return sum(max(1, math.ceil(len(part) / chars_per_line)) for part in str(text).split("\n"))


def _set_columns(ws: Worksheet, columns: tuple[Column, ...]) -> None:
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
        cell = _put(ws, HEADER_ROW, i, col.header)
        cell.font, cell.alignment, cell.border = HEAD_FONT, CENTER, BORDER
    ws.row_dimensions[HEADER_ROW].height = 2 * LINE_HEIGHT_PT


def _put(ws: Worksheet, row: int, col: int, value):
    """Write a value; text is always text. openpyxl turns any str starting with "=" into a live formula,
    so a notice's cell reading =HYPERLINK("http://…") would run in every department's Excel. Text from a
    parsed document is never a formula, whatever it starts with (= + - @ are inert once typed as a string).
    Control and invisible format characters are dropped (text.drawable): a worksheet cannot hold C0
    controls, and a U+202E would show the department the text reversed."""
    cell = ws.cell(row, col)
    cell.value = drawable(value) if isinstance(value, str) else value
    if isinstance(value, str) and cell.data_type != "s":
        cell.data_type = "s"
    return cell


def _title_rows(ws: Worksheet, title: str, columns: tuple[Column, ...]) -> None:
    last = get_column_letter(len(columns))
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    _put(ws, TITLE_ROW, 1, title).font = TITLE_FONT
    ws.cell(TITLE_ROW, 1).alignment = CENTER
    ws.row_dimensions[TITLE_ROW].height = 30
    # 填报单位 / 统计截至: label, then an unlocked cell spanning two columns.
    for label_col, label in ((1, UNIT_LABEL), (5, AS_OF_LABEL)):
        ws.cell(INFO_ROW, label_col, f"{label}：").font = HEAD_FONT
        ws.merge_cells(start_row=INFO_ROW, start_column=label_col + 1, end_row=INFO_ROW, end_column=label_col + 2)
        value = ws.cell(INFO_ROW, label_col + 1)
        value.protection = Protection(locked=False)
        value.fill = INPUT_FILL
        value.border = BORDER
    ws.cell(INFO_ROW, 5 + 1).number_format = "yyyy-mm-dd"


def _body_row(ws: Worksheet, row: int, columns: tuple[Column, ...], values: dict, group: bool = False) -> None:
    lines = 1
    for i, col in enumerate(columns, start=1):
        cell = _put(ws, row, i, values.get(col.key))
        cell.border = BORDER
        cell.font = GROUP_FONT if group and not col.input else BODY_FONT
        cell.alignment = CENTER if col.kind != "text" or col.key in ("id", "unit") else WRAP
        if col.input:
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
            if col.kind == "number":
                cell.number_format = "0.00"
        if values.get(col.key):
            lines = max(lines, _lines_needed(values[col.key], col.width))
    ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT_PT, lines * LINE_HEIGHT_PT + 4)


def _validations(ws: Worksheet, columns: tuple[Column, ...], last_row: int) -> None:
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ref = f"{letter}{FIRST_DATA_ROW}:{letter}{max(last_row, FIRST_DATA_ROW)}"
        if col.kind == "status":
            dv = DataValidation(type="list", formula1='"' + ",".join(CANONICAL_STATUSES) + '"', allow_blank=True,
                                errorStyle="warning", showErrorMessage=True, showInputMessage=True,
                                promptTitle="完成状态", prompt="从下拉列表中选择；其他说法须在配置的同义词表中",
                                errorTitle="完成状态", error="不是标准状态用语，导入时将按同义词表核对，未知用语会被退回")
        elif col.kind == "number":
            dv = DataValidation(type="decimal", operator="between", formula1=str(-NUMBER_LIMIT),
                                formula2=str(NUMBER_LIMIT), allow_blank=True, errorStyle="stop",
                                showErrorMessage=True, errorTitle=col.header, error="请只填写数字（不带单位和文字）")
        else:
            continue
        ws.add_data_validation(dv)
        dv.add(ref)


def _protect_and_print(ws: Worksheet, n_cols: int) -> None:
    ws.protection.sheet = True
    ws.protection.formatRows = False        # False = allowed: departments may make rows taller
    ws.protection.formatColumns = False
    ws.protection.autoFilter = False
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 3)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(n_cols)}{ws.max_row}"


def _fill_unit(ws: Worksheet, unit: str | None) -> None:
    """A department's own workbook arrives with its name already in 填报单位."""
    if unit:
        _put(ws, INFO_ROW, 2, unit)


def _mine(item_id: str, assigned: dict[str, Assignment], unit: str | None) -> bool:
    if unit is None:
        return True
    a = assigned.get(item_id)
    return a is not None and (a.lead == unit or unit in a.partners)


def _item_sheet(ws: Worksheet, title: str, columns, unit: str | None, rows) -> None:
    """One sheet of items: title rows, the 填报单位 line, column widths, a body row per (values, group)
    of `rows`, then the drop-down validations, protection and print setup over exactly those rows."""
    _title_rows(ws, title, columns)
    _fill_unit(ws, unit)
    _set_columns(ws, columns)
    row = FIRST_DATA_ROW
    for values, group in rows:
        _body_row(ws, row, columns, values, group=group)
        row += 1
    _validations(ws, columns, row - 1)
    _protect_and_print(ws, len(columns))


def _task_sheet(ws: Worksheet, items: PlanItems, assigned: dict[str, Assignment] | None = None,
                unit: str | None = None) -> None:
    assigned = assigned or {}

    def rows():
        for t in items.tasks:
            if _mine(t.id, assigned, unit):            # a unit's own copy: the tasks it leads or supports
                a = assigned.get(t.id)
                yield ({"id": t.id, "content": t.content, "goal": t.goal, "unit": t.unit,
                        "lead": a.lead if a else None, "partners": a.partners_text if a else None},
                       t.kind == "node" and not t.is_leaf)
    _item_sheet(ws, f"{items.title}重点任务推进台账", TASK_COLUMNS, unit, rows())


def _indicator_sheet(ws: Worksheet, items: PlanItems, assigned: dict[str, Assignment] | None = None,
                     unit: str | None = None) -> None:
    assigned = assigned or {}

    def rows():
        for ind in items.indicators:
            a = assigned.get(ind.id)
            if unit is None or (a is not None and a.lead == unit):   # indicators: the lead unit only
                yield ({"id": ind.id, "category": ind.category, "name": ind.name, "unit": ind.unit,
                        "goal": ind.goal, "lead": a.lead if a else None}, False)
    _item_sheet(ws, f"{items.title}主要指标完成情况", INDICATOR_COLUMNS, unit, rows())


GUIDE_LINES = (
    "一、本台账由计划文本自动生成。编号、任务内容、目标、单位等灰白色单元格已锁定，请勿改动；淡黄色单元格由各单位填写。",
    "二、每个单位只填写本单位牵头的任务（编号为 2.3.1 形式的是任务，T 开头的是任务中的量化目标，R 开头的是主要指标）；不涉及的行保持空白。",
    "三、完成状态从下拉列表选择：已完成、超序时、序时推进、滞后、未启动、调整、不适用。常见同义说法（如“正常推进”“慢序时”）可以识别，其他说法会被退回。",
    "四、凡已启动的任务（状态不是“未启动”“不适用”，或填写了本期完成值）必须填写进展情况。",
    "五、本期完成值、本期累计、同比增长%、完成率% 只填数字，不带单位和文字；比例类目标的完成值不能超过 100。",
    "六、完成率% 可不填；如填写，应与“本期累计 ÷ 年度目标”一致。增速类指标不填完成率。",
    "七、请在表头填写填报单位和统计截至日期（如 2023-06-30），按时报送。连续两期内容未更新的任务将在通报中列为未按时报送。",
)


def _guide_sheet(ws: Worksheet, items: PlanItems) -> None:
    ws.column_dimensions["A"].width = 110
    _put(ws, 1, 1, f"{items.title}推进台账填报说明").font = TITLE_FONT
    for i, line in enumerate(GUIDE_LINES, start=3):
        cell = ws.cell(i, 1, line)
        cell.font, cell.alignment = BODY_FONT, WRAP
        ws.row_dimensions[i].height = _lines_needed(line, 110) * LINE_HEIGHT_PT + 4
    ws.protection.sheet = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def _meta_sheet(ws: Worksheet, items: PlanItems) -> None:
    for i, (k, v) in enumerate((("plan_key", items.plan_key), ("title", items.title),
                                ("year", items.year), ("generated", dt.date.today().isoformat())), start=1):
        _put(ws, i, 1, k)
        _put(ws, i, 2, v)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def build_workbook(result: ParseResult, cfg: TrackConfig | None = None, *,
                   assigned: dict[str, Assignment] | None = None, unit: str | None = None) -> Workbook:
    """The master 台账 (all rows; 牵头单位/配合单位 pre-filled from `assigned` when given), or with
    `unit` one department's workbook: only the rows it leads or helps with, its name in 填报单位."""
    cfg = cfg or load_config()
    items = build_items(result, cfg)
    if not items.tasks and not items.indicators:
        raise InputError(result.source.path, "解析结果里没有可跟踪的任务或指标，无法生成台账",
                         hint="请确认输入的是年度计划")
    wb = Workbook()
    _task_sheet(wb.active, items, assigned, unit)
    wb.active.title = TASK_SHEET
    _indicator_sheet(wb.create_sheet(INDICATOR_SHEET), items, assigned, unit)
    _guide_sheet(wb.create_sheet(GUIDE_SHEET), items)
    _meta_sheet(wb.create_sheet(META_SHEET), items)
    return wb


def write_tracker(result: ParseResult, out: Path, cfg: TrackConfig | None = None, *,
                  assignments: str | Path | None = None) -> None:
    """Write the 台账 for `result` to `out` (.xlsx, atomically); with an `assignments` file (the
    master 台账 with its 牵头单位 column filled, or a mapping file) the units come pre-filled."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise InputError(out, "台账只能输出为 .xlsx 文件", hint="请把输出文件名改为 …台账.xlsx")
    cfg = cfg or load_config()
    assigned = load_resolved(assignments, build_items(result, cfg)) if assignments else None
    buf = io.BytesIO()
    build_workbook(result, cfg, assigned=assigned).save(buf)
    atomic_write_bytes(out, buf.getvalue())


def _safe_name(unit: str) -> str:
    return "".join("_" if c in '\\/:*?"<>|' else c for c in unit).strip() or "未命名单位"


def write_department_trackers(result: ParseResult, out_dir: Path, assignments: str | Path,
                              cfg: TrackConfig | None = None) -> list[Path]:
    """One workbook per department named in `assignments`: `<plan>台账（<unit>）.xlsx` in `out_dir`.
    Returns the files written, in the order units first appear in the assignments."""
    cfg = cfg or load_config()
    items = build_items(result, cfg)
    assigned = load_resolved(assignments, items)
    units = units_of(assigned)
    if not units:
        raise InputError(assignments, "分工文件中没有任何牵头单位", hint="先在总台账的“牵头单位”列或分工文件中填写")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for unit in units:
        path = out_dir / f"{items.title}台账（{_safe_name(unit)}）.xlsx"
        buf = io.BytesIO()
        build_workbook(result, cfg, assigned=assigned, unit=unit).save(buf)
        atomic_write_bytes(path, buf.getvalue())
        written.append(path)
    return written
