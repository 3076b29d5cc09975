"""The 通报's charts in its .docx, as Word tables (the PDF draws them as inline SVG).

Tables, not pictures, because:
- the clerk edits the .docx: a number, a label or a bar stays editable in Word/WPS, while a picture
  would have to be redrawn by someone with our tools;
- every label stays text in the document's own faces (仿宋/黑体 by role), searchable, and checked
  like the rest of the text; a picture would need its own rasteriser and fonts, and go blurry in print;
- nothing new to depend on: python-docx writes it, Word and LibreOffice lay it out.

The geometry is the PDF's (`pipeline/track/bulletin_context.py`, chart width `c["width"]` user
units): the plot column of each table is a strip of `PLOT_COLUMNS` grid columns; a bar shades the
columns it covers (grey, as in the PDF), a reference line (序时进度 dashed, 100 % solid, zero line thin,
target thick) is the left border of the column where it falls, and runs of alike columns are one cell
(gridSpan), so a row has a handful of cells. The status bar is one row of shaded segments, the
statuses without a grey of their own (调整/不适用/未报送) carry Word shading patterns as the PDF's hatch,
dots and cross; the legend repeats each shade on a small run before its words.
"""
from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.table import Table

from pipeline.render import gbt9704 as g

PLOT_COLUMNS = 60                      # resolution of a bar: 1/60 of the plot width (2 % of a 120 % scale)
CHART_SIZE_PT = 12.0                   # labels and values, as in the PDF (小四)
ROW_HEIGHT_PT = 16.0
LABEL_PCT, VALUE_PCT = 28.0, 31.0      # the PDF's chart-rows columns; the plot takes the rest
BAR_FILL = "8C8C8C"                    # the PDF's bar grey
PATTERNS = {"hatch": "thinReverseDiagStripe", "dots": "pct20", "cross": "thinDiagCross"}
LINE = {"schedule": ("dashed", 8), "full": ("single", 6), "zero": ("single", 3), "target": ("single", 13)}
TWIPS_PER_PT = 20
LEGEND_COLUMNS = 2


def _twips(pt: float) -> int:
    return round(pt * TWIPS_PER_PT)


def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


def _shd(fill: str | None, pattern: str | None) -> str:
    if fill is None and pattern is None:
        return ""
    val = PATTERNS.get(pattern, "clear") if pattern else "clear"
    return f'<w:shd w:val="{val}" w:color="000000" w:fill="{_hex(fill or "#ffffff")}"/>'


def _borders(sides: dict[str, tuple[str, int]]) -> str:
    if not sides:
        return ""
    order = ("top", "left", "bottom", "right")
    inner = "".join(f'<w:{s} w:val="{sides[s][0]}" w:sz="{sides[s][1]}" w:space="0" w:color="000000"/>'
                    for s in order if s in sides)
    return f"<w:tcBorders>{inner}</w:tcBorders>"


def _cell(width: int, span: int = 1, fill: str | None = None, pattern: str | None = None,
          borders: dict | None = None) -> str:
    grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}{_borders(borders or {})}'
            f'{_shd(fill, pattern)}<w:vAlign w:val="center"/></w:tcPr><w:p/></w:tc>')


def _table(doc, grid: list[int], rows: list[str]):
    """Insert a borderless table (cells draw their own borders) at the end of the body."""
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
    xml = (f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(grid)}" w:type="dxa"/><w:jc w:val="center"/>'
           '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
           '<w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr>'
           f'<w:tblGrid>{cols}</w:tblGrid>{"".join(rows)}</w:tbl>')
    tbl = parse_xml(xml)
    anchor = doc.add_paragraph()
    anchor._p.addprevious(tbl)
    anchor._p.getparent().remove(anchor._p)
    return Table(tbl, doc._body)


def _row(cells: list[str]) -> str:
    return (f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{_twips(ROW_HEIGHT_PT)}" w:hRule="atLeast"/>'
            f'</w:trPr>{"".join(cells)}</w:tr>')


def _text_cell(cell, text: str, align) -> None:
    from pipeline.render.docx_writer import _no_grid_snap, _text
    p = cell.paragraphs[0]
    f = p.paragraph_format
    f.alignment = align
    f.space_before = f.space_after = 0
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt
    f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    f.line_spacing = Pt(ROW_HEIGHT_PT)
    _no_grid_snap(p)
    _text(p, text, "fang", CHART_SIZE_PT, spacing=None)


def _caption(doc, text: str) -> None:
    from pipeline.render.docx_writer import _para, _text
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0, pitch=g.TABLE_LINE_HEIGHT_PT,
              before=g.LINE_PITCH_PT, keep_next=True)
    _text(p, text, "hei", g.TABLE_SIZE_PT, spacing=None)


def _plot_segments(width: float, bar: tuple[float, float] | None, lines: dict[str, float | None]):
    """Columns of the plot strip → runs [(first column, count, shaded, line kind at the run's left)]."""
    unit = width / PLOT_COLUMNS
    shaded = [False] * PLOT_COLUMNS
    if bar is not None:
        x, w = bar
        for i in range(PLOT_COLUMNS):
            if x <= (i + 0.5) * unit <= x + w:
                shaded[i] = True
        if w > 0 and not any(shaded):                       # a bar thinner than a column still shows
            shaded[min(PLOT_COLUMNS - 1, int((x + w / 2) / unit))] = True
    at = {}
    for kind, pos in lines.items():
        if pos is not None:
            at[min(PLOT_COLUMNS, max(0, round(pos / unit)))] = kind
    runs, start = [], 0
    for i in range(1, PLOT_COLUMNS + 1):
        if i == PLOT_COLUMNS or shaded[i] != shaded[start] or i in at:
            runs.append((start, i - start, shaded[start], at.get(start)))
            start = i
    return runs, at.get(PLOT_COLUMNS)


def _bar_rows(doc, c: dict, bars: list[dict], value, bar_of, lines_of) -> None:
    total = round(g.mm(g.TYPE_AREA_WIDTH_MM) * TWIPS_PER_PT)
    label_w, value_w = round(total * LABEL_PCT / 100), round(total * VALUE_PCT / 100)
    col_w = (total - label_w - value_w) // PLOT_COLUMNS
    grid = [label_w] + [col_w] * PLOT_COLUMNS + [value_w]
    rows = []
    for b in bars:
        runs, right_line = _plot_segments(c["width"], bar_of(b), lines_of(b))
        cells = [_cell(label_w)]
        for k, (start, n, shaded, line) in enumerate(runs):
            borders = {"left": LINE[line]} if line else {}
            if k == len(runs) - 1 and right_line:
                borders["right"] = LINE[right_line]
            cells.append(_cell(col_w * n, n, BAR_FILL if shaded else None, None, borders))
        cells.append(_cell(value_w))
        rows.append(_row(cells))
    table = _table(doc, grid, rows)
    for b, row in zip(bars, table.rows):
        cells = row.cells
        _text_cell(cells[0], b["name"], WD_ALIGN_PARAGRAPH.LEFT)
        _text_cell(cells[-1], value(b), WD_ALIGN_PARAGRAPH.LEFT)


def status_chart(doc, c: dict) -> None:
    """图1: the status shares as one stacked bar, then its legend."""
    segments = [s for s in c.get("segments") or [] if s["w"] > 0]
    if not segments:
        return
    _caption(doc, "图1　重点任务推进状态构成")
    total = round(g.mm(g.TYPE_AREA_WIDTH_MM) * TWIPS_PER_PT)
    widths = [max(1, round(total * s["w"] / c["width"])) for s in segments]
    widths[-1] += total - sum(widths)
    outline = {side: ("single", 3) for side in ("top", "left", "bottom", "right")}
    cells = [_cell(w, 1, s["fill"], s.get("pattern"), outline) for w, s in zip(widths, segments)]
    row = _row(cells).replace(f'w:val="{_twips(ROW_HEIGHT_PT)}" w:hRule="atLeast"',
                              f'w:val="{_twips(18)}" w:hRule="exact"')
    _table(doc, widths, [row])
    # the legend: two items a row in a borderless table, so an item never wraps inside (as in the PDF)
    from pipeline.render.docx_writer import _text
    half = total // LEGEND_COLUMNS
    rows = [_row([_cell(half) for _ in range(LEGEND_COLUMNS)])
            for _ in range(-(-len(segments) // LEGEND_COLUMNS))]
    legend = _table(doc, [half] * LEGEND_COLUMNS, rows)
    cells = [c for row in legend.rows for c in row.cells]
    for cell, s in zip(cells, segments):
        _text_cell(cell, "", WD_ALIGN_PARAGRAPH.LEFT)
        p = cell.paragraphs[0]
        swatch = _text(p, "\u3000", "fang", CHART_SIZE_PT, spacing=None)
        rpr = swatch._r.get_or_add_rPr()
        rpr.append(parse_xml(f'<w:bdr {nsdecls("w")} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'))
        rpr.append(parse_xml(_shd(s["fill"], s.get("pattern")).replace("<w:shd ", f'<w:shd {nsdecls("w")} ')))
        _text(p, f" {s['label']} {s['count']}项（{s['share']}%）", "fang", CHART_SIZE_PT, spacing=None)


def completion_chart(doc, c: dict) -> None:
    """图2: completion of the year's target per indicator, 序时进度 dashed and 100 % solid."""
    if not c.get("bars"):
        return
    _caption(doc, f"图2　主要指标完成年度目标进度（竖虚线为序时进度 {c['schedule']}%，竖实线为 100%）")
    _bar_rows(doc, c, c["bars"], lambda b: f"{b['value']}%（{b['gap']}）", lambda b: (0.0, b["w"]),
              lambda b: {"schedule": c["schedule_x"], "full": c["full_x"]})


def growth_chart(doc, c: dict) -> None:
    """图3: growth this period against the target growth, zero line thin, target thick."""
    if not c.get("bars"):
        return
    _caption(doc, "图3　主要指标同比增速与目标增速（灰条为本期增速，短竖线为目标，细线为零）")
    _bar_rows(doc, c, c["bars"], lambda b: f"{b['value']}%／{b['target']}%（{b['gap']}）",
              lambda b: (b["x"], b["w"]), lambda b: {"zero": c["zero_x"], "target": b.get("target_x")})
