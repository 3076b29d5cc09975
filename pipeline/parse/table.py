"""The appendix indicator table: a TableBlock → a full grid → `Row`s (domain.md §4).

Two ways to a grid, then one way to rows:
- spans known (.docx, .pdf): every covered position repeats its source cell, `merged=True`;
- spans lost (flattened text): merges are inferred with general rules and flagged `inferred=True`:
  1. header: the grid width comes from the widest row; period headers (2022年完成) span the
     sub-header columns under them; an empty cell under a header cell is a vertical merge.
  2. horizontal: in a row with fewer cells than the grid, a literal (保持稳定) occupies a whole
     period (绝对值 + 增长%); if it sits on the period's second column, the first is a gap.
  3. vertical: an empty cell directly under a literal or a number+comparator (5.5以上) of a sibling
     row in the same category continues it, with the width of the span above; never across a
     category boundary, never for plain numbers, never for dashes.
The row builder then reads columns by their header roles (name, unit, period value, period growth).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.blocks import TableBlock, TableCell
from pipeline.diagnostics import DiagnosticCode, Diagnostics
from pipeline.parse.cells import is_empty, is_literal, is_spreadable, parse_cell
from pipeline.parse.labels import _L1, cn_to_int
from pipeline.provenance import Provenance
from pipeline.schema import Cell, Row

_HEADER_WORD = re.compile(r"指标|名称|项目|单位|\d{4}\s*年|上年|本年|完成|预期|预计|计划|目标|绝对值|总量|数值|增长|增速|比上年|%|"
                          r"^序号?$|^属性$|^类别$|^类型$|现状|基期")
# Columns that are neither name, unit nor a period: the serial, the 类别 group, the 预期性/约束性 属性.
_SERIAL_HEAD = re.compile(r"^序号?$")
_CATEGORY_HEAD = re.compile(r"^(类别|类型|领域|分类)$")
_BINDING_HEAD = re.compile(r"^(属性|指标属性|性质)$")
_BINDING_VALUES = ("预期性", "约束性")
_NUMERIC = re.compile(r"^[-－−]?\d+(?:\.\d+)?\s*(%|以上|以下|左右)?$")
_GROWTH = re.compile(r"增长|增速|比上年|%|±")
_YEAR = re.compile(r"(\d{4})\s*年")


@dataclass(slots=True)
class GridCell:
    text: str | None
    merged: bool = False
    inferred: bool = False
    width: int = 1                 # width of the span group this cell belongs to
    where: Provenance | None = None


@dataclass(slots=True)
class Column:
    role: str                      # "name" | "unit" | "value" | "growth" | "other"
    period: str | None = None      # header text of the period, e.g. 2022年完成


@dataclass
class TableResult:
    rows: list[Row]
    inferred: list[tuple[Row, str, str]]     # (row, column path, text) of every inferred merge


def _is_header_row(cells: list[TableCell]) -> bool:
    texts = [c.text.strip() for c in cells if c.text.strip()]
    return bool(texts) and not any(_NUMERIC.match(t) for t in texts) and all(_HEADER_WORD.search(t) for t in texts)


def _header_count(rows: list[list[TableCell]]) -> int:
    n = 0
    for r in rows[:3]:
        if _is_header_row(r) or (n > 0 and all(is_empty(c.text) or _HEADER_WORD.search(c.text) for c in r)
                                 and any(not is_empty(c.text) for c in r)):
            n += 1
        else:
            break
    return n


def _category_of(name: str | None) -> str | None:
    """`一、地区生产总值` → `地区生产总值`; None when the name is no category label."""
    if not name:
        return None
    m = _L1.match(name.strip())
    if m and cn_to_int(m.group(1)):
        return name.strip()[m.end():].strip()
    return None


def grid_from_spans(table: TableBlock) -> list[list[GridCell]]:
    grid: list[list[GridCell | None]] = [[None] * table.n_cols for _ in range(table.n_rows)]
    for c in table.cells:
        merged = c.rowspan > 1 or c.colspan > 1
        for r in range(c.row, min(c.row + c.rowspan, table.n_rows)):
            for k in range(c.col, min(c.col + c.colspan, table.n_cols)):
                grid[r][k] = GridCell(c.text, merged=merged, inferred=merged and c.inferred, width=c.colspan,
                                      where=c.where)
    return [[g or GridCell(None) for g in row] for row in grid]


def grid_inferred(table: TableBlock, n_header: int) -> tuple[list[list[GridCell]], list[tuple[str, Provenance | None]]]:
    rows = table.rows()
    width = max(len(r) for r in rows)
    grid: list[list[GridCell]] = []
    notes: list[tuple[str, Provenance | None]] = []
    # Header: the lowest header row is complete; period cells above it span their sub-headers.
    for hi in range(n_header):
        src = rows[hi]
        if len(src) == width:
            g = [GridCell(c.text, where=c.where) for c in src]
            if hi > 0:
                for k, cell in enumerate(g):
                    if is_empty(cell.text) and not is_empty(grid[hi - 1][k].text):
                        above = grid[hi - 1][k]
                        above.merged = above.inferred = True
                        g[k] = GridCell(above.text, merged=True, inferred=True, where=cell.where)
            grid.append(g)
            continue
        periods = [c for c in src if _YEAR.search(c.text) or re.search(r"上年|本年|完成|预期|计划|目标", c.text)]
        plain = len(src) - len(periods)
        span = (width - plain) // len(periods) if periods else 1
        g = []
        for c in src:
            w = span if c in periods else 1
            g.extend(GridCell(c.text, merged=w > 1, inferred=w > 1, width=w, where=c.where) for _ in range(w))
        g.extend(GridCell(None) for _ in range(width - len(g)))
        grid.append(g[:width])
    period_starts = _period_starts(grid, n_header, width)
    # Body rows.
    prev: list[GridCell] | None = None
    for src in rows[n_header:]:
        name = src[0].text if src else None
        is_cat = _category_of(name) is not None
        if is_cat:
            prev = None
        g = _infer_row(src, width, period_starts, prev, notes)
        grid.append(g)
        if not (is_cat and all(is_empty(c.text) for c in src[1:])):
            prev = g if not is_cat else None
    return grid, notes


def _period_starts(grid: list[list[GridCell]], n_header: int, width: int) -> dict[int, int]:
    """Map of grid column → width of the period group starting there (from the top header row)."""
    starts: dict[int, int] = {}
    if not grid:
        return starts
    top = grid[0]
    k = 0
    while k < width:
        t = top[k].text or ""
        w = 1
        while k + w < width and top[k + w].text == t and top[k + w].merged:
            w += 1
        if w > 1 or _YEAR.search(t):
            starts[k] = w
        k += w
    return starts


def _infer_row(src: list[TableCell], width: int, period_starts: dict[int, int], prev: list[GridCell] | None,
               notes: list) -> list[GridCell]:
    g: list[GridCell] = []
    short = width - len(src)
    group_of = {}
    for s, w in period_starts.items():
        for k in range(s, s + w):
            group_of[k] = (s, w)
    for i, c in enumerate(src):
        col = len(g)
        if col >= width:
            notes.append((f"表格行的单元格多于表头列数（{len(src)} > {width}），多出的内容已忽略", c.where))
            break
        # Vertical: an empty cell under a spreadable cell of a sibling row continues it.
        if is_empty(c.text) and prev is not None and col < len(prev) and is_spreadable(prev[col].text):
            above = prev[col]
            w = max(1, min(above.width, width - col))
            origin_inferred = above.inferred or not above.merged   # a real merge read from the source stays real
            for k in range(col, col + w):
                prev[k].merged = True
                prev[k].inferred = origin_inferred
            g.extend(GridCell(above.text, merged=True, inferred=True, width=w, where=c.where) for _ in range(w))
            short -= w - 1
            continue
        # Horizontal: in a short row a literal takes a whole period; if it would land on a period's
        # second column, that column is a gap (能耗降低率: 6.24 then a blank 增长%, then the 2023 literal).
        if short > 0 and is_literal(c.text) and col in group_of:
            if group_of[col][0] != col:
                g.append(GridCell(None, where=c.where))
                short -= 1
                col += 1
            if short > 0 and col in group_of and group_of[col][0] == col:
                span = min(group_of[col][1], short + 1)
                g.extend(GridCell(c.text, merged=span > 1, inferred=span > 1, width=span, where=c.where)
                         for _ in range(span))
                short -= span - 1
                continue
        g.append(GridCell(c.text, where=c.where))
    while len(g) < width:
        g.append(GridCell(None))
    return g[:width]


def columns_from_header(grid: list[list[GridCell]], n_header: int, width: int) -> list[Column]:
    cols: list[Column] = []
    for k in range(width):
        texts = [grid[h][k].text or "" for h in range(n_header)]
        joined = "".join(texts)
        head = re.sub(r"\s+", "", texts[0] if texts else "")
        if _SERIAL_HEAD.match(head):
            cols.append(Column("serial"))
            continue
        if _CATEGORY_HEAD.match(head):
            cols.append(Column("category"))
            continue
        if _BINDING_HEAD.match(head):
            cols.append(Column("binding"))
            continue
        if re.search(r"指标|名称|项目", head) or (k == 0 and not any(c.role == "name" for c in cols)):
            role = "name" if not any(c.role == "name" for c in cols) else "other"
            cols.append(Column(role))
            continue
        if "单位" in joined:
            cols.append(Column("unit"))
            continue
        top = texts[0] if texts else ""
        low = texts[-1] if texts else ""
        role = "growth" if _GROWTH.search(low if n_header > 1 else joined) else "value"
        cols.append(Column(role, period=top.strip() or None))
    return cols


def _period_year(label: str | None, plan_year: int | None, is_target: bool) -> int | None:
    if label:
        m = _YEAR.search(label)
        if m:
            return int(m.group(1))
    if plan_year:
        return plan_year if is_target else plan_year - 1
    return None


def _prov(w: Provenance | None, table_no: int | None, row: int) -> Provenance:
    if w is None:
        return Provenance(table=table_no, row=row)
    return Provenance(page=w.page, line=w.line, table=w.table or table_no, row=row)


_TASK_HEAD = re.compile(r"任务|工作|责任|牵头|进度|措施|内容")


def is_indicator_table(table: TableBlock) -> bool:
    """A task table (序号/重点任务/具体工作/责任部门) is kept out of the prose but yields no indicator rows."""
    rows = table.rows()
    if not rows or not table.confident:
        return False
    head = "".join(c.text for r in rows[:2] for c in r)
    return "指标" in head or not _TASK_HEAD.search(head)


def parse_table(table: TableBlock, plan_year: int | None, row_id_start: int = 1,
                diagnostics: Diagnostics | None = None) -> TableResult:
    src_rows = table.rows()
    if diagnostics is None:
        diagnostics = Diagnostics()
    n_header = _header_count(src_rows)
    if table.spans_known:
        grid = grid_from_spans(table)
    else:
        grid, notes = grid_inferred(table, n_header)
        for msg, w in notes:
            diagnostics.add(DiagnosticCode.table_shape, msg, w)
    width = len(grid[0]) if grid else 0
    cols = columns_from_header(grid, n_header, width) if n_header else _default_columns(width)
    periods: list[str] = []
    for c in cols:
        if c.period and c.period not in periods:
            periods.append(c.period)
    base_label = periods[0] if len(periods) >= 2 else None
    target_label = periods[-1] if periods else None
    rows: list[Row] = []
    inferred: list[tuple[Row, str, str]] = []
    category = ""
    table_no = table.where.table
    for r in range(n_header, len(grid)):
        g = grid[r]
        name_cell = next((g[k] for k, c in enumerate(cols) if c.role == "name"), g[0])
        name = (name_cell.text or "").strip()
        if not name:
            continue
        group = next(((g[k].text or "").strip() for k, c in enumerate(cols) if c.role == "category"), "")
        if group:
            category = group
        cat = _category_of(name)
        values = [g[k] for k, c in enumerate(cols) if c.role in ("value", "growth", "unit")]
        if cat is not None:
            category = cat
            name = cat
            if all(is_empty(v.text) or v.text == name_cell.text for v in values):
                continue                       # a label-only category row
        row = Row(id=f"R{row_id_start + len(rows)}", category=category, name=name,
                  where=_prov(name_cell.where, table_no, r + 1))
        row.base.label, row.target.label = base_label, target_label
        row.base.year = _period_year(base_label, plan_year, False) if base_label else None
        row.target.year = _period_year(target_label, plan_year, True)
        for k, col in enumerate(cols):
            cell = g[k]
            if col.role == "unit":
                row.unit = (cell.text or "").strip() or None
                continue
            if col.role == "binding":
                text = (cell.text or "").strip()
                row.binding = text if text in _BINDING_VALUES else None
                continue
            if col.role not in ("value", "growth"):
                continue
            period = row.target if col.period == target_label else row.base if col.period == base_label else None
            if period is None:
                continue
            parsed: Cell = parse_cell(cell.text, merged=cell.merged, inferred=cell.inferred)
            setattr(period, col.role, parsed)
            if parsed.inferred and parsed.text:
                which = "target" if period is row.target else "base"
                inferred.append((row, f"{which}.{col.role}", parsed.text))
        rows.append(row)
    return TableResult(rows, inferred)


def _default_columns(width: int) -> list[Column]:
    roles = ["name", "unit", "value", "growth", "value", "growth"]
    cols = []
    for k in range(width):
        role = roles[k] if k < len(roles) else "other"
        cols.append(Column(role, period=("base" if k in (2, 3) else "target") if role in ("value", "growth") else None))
    return cols
