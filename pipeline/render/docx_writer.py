"""Editable .docx editions of the plan, the 通报 and the 比对报告 (python-docx), in the 公文 layout.

Every 通报 is edited in Word/WPS before it is signed, so each document we print as PDF is also written
as a .docx a clerk can open and change: A4, the GB/T 9704 版心 (margins from `gbt9704`), 22 lines of
28 characters (exact line pitch, 2-character first-line indent), type by role — 仿宋 body, 黑体
level 1, 楷体 level 2, 小标宋 titles, 宋体 page numbers "— N —" in the footer (outer side: right on
odd pages, left on even ones) — and real tables with merged cells. Fonts are named as offices have
them (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体; `fonts.LICENSED_FAMILIES`): Word/WPS substitutes a
missing one itself, and the grid holds because line pitch and indents are absolute.

The writers read the same renderer-neutral contexts as the PDF templates (`plan_context`,
`bulletin_document`, the diff report's `context`), so both editions say the same thing. What the
.docx leaves out on purpose: the bulletin's bar charts (drawings a clerk would not edit; the numbers
are in the annex table) and hanzi-gap justification (Word justifies CJK lines itself).

One function per document — `write_plan_docx`, `write_bulletin_docx`, `write_diff_docx` — so the drop
folder can write the .docx beside each PDF.
"""
from __future__ import annotations

import copy
import io
import math
from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from pipeline.fsutil import atomic_write_bytes
from pipeline.render import gbt9704 as g
from pipeline.render.fonts import LICENSED_FAMILIES
from pipeline.text import drawable

ROLE_FONT = {role: names[0] for role, names in LICENSED_FAMILIES.items()}
LATIN_FONT = "Times New Roman"
RUN_ROLE = {"text": "fang", "h1": "hei", "h2": "kai", "h3": "fang", "h4": "fang"}
RED = RGBColor(0xFF, 0x00, 0x00)
INDENT_PT = g.INDENT_CHARS * g.CHAR_PITCH_PT


# --- Low-level helpers ------------------------------------------------------------------------------

def _font(run, role: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = ROLE_FONT[role]         # digits and Latin in the role's face, as the PDF sets them
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), ROLE_FONT[role])
    fonts.set(qn("w:hint"), "eastAsia")
    _lang(rpr)
    if color is not None:
        run.font.color.rgb = color


def _lang(rpr) -> None:
    """zh-CN: mainland glyph forms, and “” set full-width as CJK punctuation (as in the PDF)."""
    if rpr.find(qn("w:lang")) is None:
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
        rpr.append(lang)


def _letter_spacing(run, pt: float) -> None:
    """Character spacing (w:spacing, twentieths of a point): −0.21 pt gives 28 characters a line."""
    spacing = OxmlElement("w:spacing")
    # rounded down to whole twips: −0.21 pt → −0.25 pt, so 28 characters never overflow the 版心 width
    spacing.set(qn("w:val"), str(math.floor(pt * 20)))
    run._element.get_or_add_rPr().append(spacing)


_PPR_CACHE: dict[tuple, object] = {}
_RPR_CACHE: dict[tuple, object] = {}


def _para(doc, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: float = INDENT_PT, left: float = 0.0,
          pitch: float = g.LINE_PITCH_PT, before: float = 0.0, after: float = 0.0, keep_next: bool = False):
    """A paragraph with the given format. python-docx's property setters are slow, so each distinct
    format is built once and its w:pPr copied (writing the .docx must cost a fraction of the PDF)."""
    key = (align, round(indent, 3), round(left, 3), round(pitch, 3), round(before, 3), round(after, 3), keep_next)
    p = doc.add_paragraph()
    cached = _PPR_CACHE.get(key)
    if cached is not None:
        p._p.insert(0, copy.deepcopy(cached))
        return p
    _format_para(p, align, indent, left, pitch, before, after, keep_next)
    _order_ppr(p)
    _PPR_CACHE[key] = copy.deepcopy(p._p.pPr)
    return p


def _format_para(p, align, indent, left, pitch, before, after, keep_next) -> None:
    f = p.paragraph_format
    f.alignment = align
    f.first_line_indent = Pt(indent) if indent else Pt(0)
    f.left_indent = Pt(left) if left else None
    f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    f.line_spacing = Pt(pitch)
    f.space_before = Pt(before)
    f.space_after = Pt(after)
    f.keep_with_next = keep_next
    f.widow_control = False
    _no_grid_snap(p)
    _no_autospace(p)


# w:pPr children must follow the schema order, or Word/LibreOffice ignore them.
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
              "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
              "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange")


def _order_ppr(p) -> None:
    ppr = p._p.pPr
    if ppr is None:
        return
    rank = {qn(f"w:{t}"): i for i, t in enumerate(_PPR_ORDER)}
    children = sorted(ppr, key=lambda el: rank.get(el.tag, len(rank)))
    for el in children:
        ppr.remove(el)
        ppr.append(el)


def _no_autospace(p) -> None:
    """Word/LibreOffice add space between hanzi and Latin/digits by default (autoSpaceDE/DN); the PDF
    sets "2023年" tight, so the .docx does too and breaks its lines where the PDF does."""
    ppr = p._p.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "0")
        ppr.append(el)


def _no_grid_snap(p) -> None:
    """Word snaps lines to its own document grid unless told not to; our pitch is exact."""
    ppr = p._p.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.append(snap)


def _text(p, text: str, role: str = "fang", size: float = g.BODY_SIZE_PT, *, bold: bool = False,
          color: RGBColor | None = None, spacing: float | None = g.BODY_LETTER_SPACING_PT):
    run = p.add_run(drawable(text))
    key = (role, size, bold, str(color) if color is not None else None, spacing)
    cached = _RPR_CACHE.get(key)
    if cached is not None:
        run._r.insert(0, copy.deepcopy(cached))
        return run
    _font(run, role, size, bold, color)
    if spacing:
        _letter_spacing(run, spacing)
    _RPR_CACHE[key] = copy.deepcopy(run._r.rPr)
    return run


def _bottom_border(p, size_pt: float, color: str = "FF0000", space_pt: float = 0.0) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(max(2, round(size_pt * 8))))       # eighths of a point
    bottom.set(qn("w:space"), str(round(space_pt)))
    bottom.set(qn("w:color"), color)
    borders.append(bottom)
    ppr.append(borders)


def _page_field(p, role: str, size: float) -> None:
    """"— PAGE —": Word fills in the page number."""
    _text(p, f"{g.PAGE_NUMBER_DASH} ", role, size, spacing=None)
    # begin · instruction · separate · result · end, each its own run in the page-number size, so the
    # number Word/LibreOffice fill in keeps 14 pt
    for kind, value in (("fldChar", "begin"), ("instrText", " PAGE "), ("fldChar", "separate"),
                        ("t", "1"), ("fldChar", "end")):
        run = p.add_run()
        _font(run, role, size)
        el = OxmlElement(f"w:{kind}")
        if kind == "fldChar":
            el.set(qn("w:fldCharType"), value)
        else:
            el.set(qn("xml:space"), "preserve")
            el.text = value
        run._element.append(el)
    _text(p, f" {g.PAGE_NUMBER_DASH}", role, size, spacing=None)


def new_document():
    """An empty 公文: A4, 版心 156 × 225 mm (binding margin left on odd pages, mirrored), body style,
    page numbers in the outer corner of the footer."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(g.PAGE_WIDTH_MM), Mm(g.PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(g.TOP_MARGIN_MM), Mm(g.BOTTOM_MARGIN_MM)
    section.left_margin, section.right_margin = Mm(g.BINDING_MARGIN_MM), Mm(g.OUTER_MARGIN_MM)
    section.header_distance = Mm(15)
    # page number: dash ink top 7 mm below the 版心, i.e. the 14 pt line starts about there
    section.footer_distance = Mm(g.BOTTOM_MARGIN_MM - g.PAGE_NUMBER_INK_TOP_BELOW_MM) - Pt(g.PAGE_NUMBER_SIZE_PT)
    if g.MIRROR_MARGINS:
        mirror = OxmlElement("w:mirrorMargins")
        doc.settings.element.append(mirror)
    doc.settings.odd_and_even_pages_header_footer = True
    normal = doc.styles["Normal"]
    normal.font.size = Pt(g.BODY_SIZE_PT)
    normal.font.name = LATIN_FONT
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), ROLE_FONT["fang"])
    _lang(rpr)
    normal.paragraph_format.space_after = Pt(0)
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        p = footer.paragraphs[0]
        p.paragraph_format.alignment = align
        setattr(p.paragraph_format, f"{side}_indent", Pt(g.PAGE_NUMBER_INSET_PT))
        _page_field(p, "song", g.PAGE_NUMBER_SIZE_PT)
    # python-docx starts with one empty paragraph: reuse nothing, remove it
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    return doc


def save(doc, out: str | Path) -> None:
    for p in _all_paragraphs(doc):
        _order_ppr(p)
    buf = io.BytesIO()
    doc.save(buf)
    atomic_write_bytes(Path(out), buf.getvalue())


def _all_paragraphs(doc):
    yield from doc.paragraphs
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in doc.sections:
        for part in (section.footer, section.even_page_footer):
            yield from part.paragraphs


# --- Building blocks shared by the three documents ---------------------------------------------------

_title_breaker = None


def set_title_breaker(fonts) -> None:
    """Break titles where the PDF does: the render environment's `title_lines` filter (word
    boundaries, measured with the title face), so both editions have the same title lines."""
    global _title_breaker
    if fonts is None:
        _title_breaker = None
        return
    from pipeline.render.env import make_env
    _title_breaker = make_env(fonts).filters["title_lines"]


def title(doc, text: str, *, gap_after_lines: int = g.TITLE_GAP_LINES, before_lines: float = 0.0) -> None:
    """二号小标宋, centred; a wrapped title keeps its 35 pt pitch and is padded to whole grid lines
    (as the PDF's title macro does), so the text after it stays on the 22-line grid."""
    lines = list(_title_breaker(text)) if _title_breaker else [text]
    natural = len(lines) * g.TITLE_MULTILINE_PITCH_PT
    padded = -(-natural // g.LINE_PITCH_PT) * g.LINE_PITCH_PT if len(lines) > 1 else g.LINE_PITCH_PT
    pad = (padded - natural) / 2 if len(lines) > 1 else 0.0
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0,
              pitch=g.TITLE_MULTILINE_PITCH_PT if len(lines) > 1 else g.LINE_PITCH_PT,
              before=before_lines * g.LINE_PITCH_PT + pad, after=gap_after_lines * g.LINE_PITCH_PT + pad,
              keep_next=True)
    for i, line in enumerate(lines):
        run = _text(p, line, "xbs", g.TITLE_SIZE_PT, spacing=None)
        if i < len(lines) - 1:
            run.add_break()


def paragraphs(doc, paras, pitch: float = g.LINE_PITCH_PT) -> None:
    """`Para` objects (runs with heading roles) as body paragraphs."""
    for para in paras:
        p = _para(doc, keep_next=bool(para.heading), pitch=pitch)
        for r in para.runs:
            _text(p, r.text, RUN_ROLE.get(r.kind, "fang"))


def plain(doc, text: str, *, indent: float = INDENT_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, role: str = "fang",
          left: float = 0.0, before: float = 0.0, pitch: float = g.LINE_PITCH_PT) -> None:
    p = _para(doc, indent=indent, align=align, left=left, before=before, pitch=pitch)
    _text(p, text, role)


def attachment_note(doc, names: list[str]) -> None:
    for i, name in enumerate(names):
        label = ("附件：" if i == 0 else "") + (f"{i + 1}." if len(names) > 1 else "") + name
        left = 0.0 if i == 0 else 3 * g.CHAR_PITCH_PT
        plain(doc, label, left=left, before=g.LINE_PITCH_PT * g.ATTACHMENT_NOTE_GAP_LINES if i == 0 else 0.0)


def signature(doc, sig: dict, pitch: float = g.LINE_PITCH_PT) -> None:
    """署名 and 成文日期 at the offsets the PDF computed (pt from the 版心 left)."""
    for i, line in enumerate(sig.get("issuer_lines") or []):
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT, indent=0, left=line["left"],
                  before=g.SIGNATURE_GAP_LINES * g.LINE_PITCH_PT if i == 0 else 0.0, keep_next=True, pitch=pitch)
        _text(p, line["text"])
    if sig.get("date"):
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT, indent=0, left=sig.get("date_left", 0.0), pitch=pitch)
        _text(p, sig["date"])
    if sig.get("publicity"):
        plain(doc, f"（{sig['publicity']}）", pitch=pitch)


def banner(doc, mark: str, size: float, lines: list[tuple[str, str]] | None = None) -> None:
    """红头: the red issuer mark (小标宋, centred) 35 mm below the 版心 top, then `lines` (文号, or
    期号 and the brief line), the last one carrying the red rule."""
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0, pitch=size,
              before=g.mm(g.ISSUER_MARK_TOP_MM) - 0.1 * size)
    _text(p, mark, "xbs", size, color=RED, spacing=None)
    for i, (kind, text) in enumerate(lines or []):
        last = i == len(lines) - 1
        if kind == "brief":
            left, right = text.split("\t", 1)
            p = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT, indent=0, before=0.0)
            tab_stops = p.paragraph_format.tab_stops
            from docx.enum.text import WD_TAB_ALIGNMENT
            tab_stops.add_tab_stop(Mm(g.TYPE_AREA_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
            _text(p, f"{left}\t{right}", spacing=None)
        else:
            p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0,
                      before=g.DOC_NUMBER_GAP_LINES * g.LINE_PITCH_PT if i == 0 and kind == "doc_number" else 0.0)
            _text(p, text, spacing=None)
        if last:
            _bottom_border(p, g.mm(g.RED_RULE_THICKNESS_MM), space_pt=g.mm(g.RED_RULE_GAP_MM))


def page_break(doc) -> None:
    p = doc.add_paragraph()
    p.add_run().add_break(WD_BREAK.PAGE)
    _no_grid_snap(p)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    p.paragraph_format.line_spacing = Pt(1)


def attachment_label(doc, label: str) -> None:
    page_break(doc)
    p = _para(doc, align=WD_ALIGN_PARAGRAPH.LEFT, indent=0, after=g.LINE_PITCH_PT)
    _text(p, label, "hei")


def _cell_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(round(g.TABLE_RULE_PT * 8)))
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)


def _fill_cell(cell, text: str, role: str = "fang", align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.paragraph_format.alignment = align
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    p.paragraph_format.line_spacing = Pt(g.TABLE_LINE_HEIGHT_PT)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    _no_grid_snap(p)
    _text(p, text, role, g.TABLE_SIZE_PT, spacing=None)


def grid_table(doc, head: list[list[dict]], body: list[list[dict]], widths_pct: list[float]) -> None:
    """A 公文 table: 0.5 pt black grid, 四号, head rows in 黑体 repeated on every page, rows kept whole.
    Cells are dicts {text, rowspan, colspan, align, role}; spans become real merged cells."""
    n_cols = len(widths_pct)
    rows = head + body
    table = doc.add_table(rows=len(rows), cols=n_cols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _cell_borders(table)
    total = Mm(g.TYPE_AREA_WIDTH_MM)
    widths = [int(total * w / sum(widths_pct)) for w in widths_pct]
    for i, col in enumerate(table.columns):
        col.width = widths[i]
    # python-docx's table.cell(r, c) walks the whole grid on every call (quadratic); take every cell
    # once, fill the top-left cell of each span, and merge afterwards
    grid = [list(row.cells) for row in table.rows]
    for row in grid:
        for i, cell in enumerate(row):
            cell.width = widths[i]
    taken = [[False] * n_cols for _ in rows]
    spans = []
    for r, cells in enumerate(rows):
        c = 0
        for cell in cells:
            while c < n_cols and taken[r][c]:
                c += 1
            if c >= n_cols:
                break
            rs, cs = cell.get("rowspan", 1), cell.get("colspan", 1)
            for dr in range(rs):
                for dc in range(cs):
                    if r + dr < len(rows) and c + dc < n_cols:
                        taken[r + dr][c + dc] = True
            role = cell.get("role") or ("hei" if r < len(head) else "fang")
            _fill_cell(grid[r][c], cell.get("text", ""), role, cell.get("align", WD_ALIGN_PARAGRAPH.CENTER))
            if rs > 1 or cs > 1:
                spans.append((grid[r][c], grid[min(r + rs, len(rows)) - 1][min(c + cs, n_cols) - 1]))
            c += cs
    for top_left, bottom_right in spans:
        top_left.merge(bottom_right)
    for r in range(len(head)):
        _repeat_header(table.rows[r])
    for r in range(len(head), len(rows)):
        table.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _cells(values, left_cols=()) -> list[dict]:
    return [{"text": v, "align": WD_ALIGN_PARAGRAPH.LEFT if i in left_cols else WD_ALIGN_PARAGRAPH.CENTER}
            for i, v in enumerate(values)]


# --- The plan ------------------------------------------------------------------------------------------

def _indicator_table(doc, table: dict) -> None:
    def conv(cell, item_row: bool = False) -> dict:
        left = "name" in (cell.cls or "")
        return {"text": ("\u3000" if "child" in (cell.cls or "") else "") + cell.text, "rowspan": cell.rowspan,
                "colspan": cell.colspan, "align": WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER}
    head = [[conv(c) for c in row] for row in table["head"]]
    body = []
    for row in table["body"]:
        cells = [conv(c) for c in row.cells]
        if row.kind == "category" and cells:
            cells[0]["role"] = "hei"
        body.append(cells)
    if table.get("units_note"):
        plain(doc, table["units_note"], indent=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    grid_table(doc, head, body, [37, 11, 13, 13, 13, 13])


def _border(p, side: str, size_pt: float) -> None:
    """A black paragraph rule on `side` (top/bottom), merged into the paragraph's w:pBdr."""
    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(max(2, round(size_pt * 8))))       # eighths of a point
    el.set(qn("w:space"), "0")
    el.set(qn("w:color"), "000000")
    borders.append(el)       # callers add them in schema order: top, (left,) bottom, (right,) between


def _at_foot(p) -> None:
    """Put the paragraph in a frame on the bottom of the 版心 (w:framePr, anchored to the margins):
    consecutive paragraphs with the same frame properties form one frame in Word and LibreOffice."""
    ppr = p._p.get_or_add_pPr()
    frame = OxmlElement("w:framePr")
    for k, v in (("w", str(round(g.TYPE_AREA_WIDTH_MM / 25.4 * 1440))), ("wrap", "around"), ("hAnchor", "margin"),
                 ("vAnchor", "margin"), ("xAlign", "center"), ("yAlign", "bottom")):
        frame.set(qn(f"w:{k}"), v)
    ppr.append(frame)


def imprint(doc, imp: dict, at_foot: bool = False) -> None:
    """版记 (GB/T 9704 §7.4), as in the PDF (partials/imprint.html.j2): 四号 仿宋 between full-width rules,
    0.35 mm first and last and 0.25 mm between 抄送 and 印发; 抄送 inset 1 字 with wrapped lines aligned
    after "抄送："; the 印发机关 1 字 from the left and the date 1 字 from the right (a right tab stop).
    `at_foot`: the plan's 版记 sits on the bottom of the last page's 版心 (a frame anchored there). Word honours
    the frame; LibreOffice 7.4 ignores w:framePr on paragraphs with borders (measured) and sets the 版记
    after the last table instead."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    size, outer, inner = g.SIZE_SIHAO_PT, g.mm(g.IMPRINT_OUTER_RULE_MM), g.mm(g.IMPRINT_INNER_RULE_MM)
    paras = []
    if imp.get("cc"):
        p = doc.add_paragraph()
        _format_para(p, WD_ALIGN_PARAGRAPH.LEFT, -3 * size, 4 * size, g.LINE_PITCH_PT, 0, 0, False)
        p.paragraph_format.right_indent = Pt(size)
        _text(p, f"抄送：{imp['cc']}", size=size, spacing=None)
        paras.append(p)
    if imp.get("printer") or imp.get("date"):
        p = doc.add_paragraph()
        _format_para(p, WD_ALIGN_PARAGRAPH.LEFT, 0, size, g.LINE_PITCH_PT, 0, 0, False)
        p.paragraph_format.tab_stops.add_tab_stop(Mm(g.TYPE_AREA_WIDTH_MM) - Pt(2 * size), WD_TAB_ALIGNMENT.RIGHT)
        _text(p, f"{imp.get('printer') or ''}\t{imp.get('date') or ''}", size=size, spacing=None)
        paras.append(p)
    for p in paras:
        # identical borders on every paragraph make one border group (Word and LibreOffice alike): `top`
        # above the first, `bottom` below the last, `between` between them (LibreOffice drops a frame
        # whose paragraphs have different borders)
        for side, width in (("top", outer), ("bottom", outer), ("between", inner)):
            _border(p, side, width)
        if at_foot:
            _at_foot(p)
        _order_ppr(p)
    if at_foot:   # the frame is anchored to the paragraph after it (LibreOffice drops a frame that ends the body)
        _para(doc, indent=0, pitch=1)


def build_plan_docx(context: dict):
    doc = new_document()
    notice = context.get("notice")
    if notice:
        b = notice.get("banner")
        if context.get("style") == "formal" and b:
            banner(doc, b["mark"], b["mark_size"], [("doc_number", b["doc_number"])] if b.get("doc_number") else [])
            title(doc, notice["title"], before_lines=g.TITLE_GAP_AFTER_RULE_LINES)
        else:
            title(doc, notice["title"])
        # the same tightened pitch as the PDF when the signature must fit on the cover page (fit.py)
        pitch = notice.get("pitch") or g.LINE_PITCH_PT
        if notice.get("addressees"):
            plain(doc, notice["addressees"], indent=0, pitch=pitch)
        paragraphs(doc, notice["paragraphs"], pitch)
        attachment_note(doc, notice.get("attachments") or [])
        signature(doc, notice["signature"], pitch)
        page_break(doc)
    plan = context["plan"]
    if plan.get("title"):
        title(doc, plan["title"])
    paragraphs(doc, plan["paragraphs"])
    attachment_note(doc, plan.get("attachments") or [])
    for att in context.get("attachments") or []:
        attachment_label(doc, att["label"])
        if att.get("title"):
            title(doc, att["title"])
        if att.get("table"):
            _indicator_table(doc, att["table"])
    if context.get("imprint"):
        imprint(doc, context["imprint"], at_foot=True)
    return doc


def write_plan_docx(result, out: str | Path, style: str = "plain", *, fonts=None, imprint=None) -> Path:
    """The plan (cover notice, body, indicator table, formal: 版记) as an editable .docx."""
    from pipeline.render.fonts import resolve_fonts
    from pipeline.render.plan_pdf import plan_context
    fonts = fonts or resolve_fonts()
    set_title_breaker(fonts)
    save(build_plan_docx(plan_context(result, style, fonts, imprint)), out)
    return Path(out)


# --- The 通报 ------------------------------------------------------------------------------------------

def build_bulletin_docx(ctx: dict):
    doc = new_document()
    b = ctx.get("banner")
    if ctx.get("style") == "formal" and b:
        banner(doc, b["mark"], b["mark_size"], [("issue", b["issue"]), ("brief", f"{b['issuer']}\t{b['date']}")])
        title(doc, ctx["title"], before_lines=g.TITLE_GAP_AFTER_RULE_LINES, gap_after_lines=1)
    else:
        title(doc, ctx["title"], gap_after_lines=0)
        plain(doc, ctx["issue_line"], indent=0, align=WD_ALIGN_PARAGRAPH.CENTER)
        plain(doc, "", indent=0)
    plain(doc, ctx["addressees"], indent=0)
    from pipeline.render import docx_charts
    for key in ("intro", "section1", "section2", "section3", "section4", "reporting", "section5", "extra"):
        paragraphs(doc, ctx.get(key) or [])
        if key == "section1":              # where the PDF has its charts (bulletin.html.j2), as tables
            docx_charts.status_chart(doc, ctx.get("status_chart") or {})
        elif key == "section4":
            docx_charts.completion_chart(doc, ctx.get("completion_chart") or {})
            docx_charts.growth_chart(doc, ctx.get("growth_chart") or {})
    attachment_note(doc, ctx["attachments"])
    signature(doc, ctx["sign"])
    attachment_label(doc, "附件1")
    title(doc, ctx["attachments"][0])
    head = [_cells(["指标", "单位", "年度目标", "本期累计", "同比%", "完成年度目标%", "序时%", "快/慢（百分点）", "预警"])]
    body = [_cells([r["name"], r["unit"], r["goal"], r["actual"], r["growth"], r["completion"], r["schedule"],
                    r["gap"], r["light"]], left_cols=(0,)) for r in ctx["indicator_table"]]
    grid_table(doc, head, body, [20, 7, 17, 11, 9, 10, 8, 11, 7])
    p = _para(doc, indent=0, pitch=18)
    _text(p, ctx["light_note"], size=12, spacing=None)
    attachment_label(doc, "附件2")
    title(doc, ctx["attachments"][1])
    head = [_cells(["任务", "牵头单位", "配合单位", "状态", "进展情况"])]
    body = [_cells([r["cite"], r["lead"], r["partners"], r["status"], r["progress"]], left_cols=(0, 1, 2, 4))
            for r in ctx["task_table"]]
    grid_table(doc, head, body, [30, 15, 15, 11, 29])
    if ctx.get("imprint"):
        imprint(doc, ctx["imprint"], at_foot=True)
    return doc


def write_bulletin_docx(context: dict, out: str | Path, *, fonts=None) -> Path:
    """The 通报 (context of `pipeline.track.bulletin.bulletin_document`) as an editable .docx."""
    set_title_breaker(fonts)
    save(build_bulletin_docx(context), out)
    return Path(out)


# --- The 比对报告 --------------------------------------------------------------------------------------

def _segments_text(segments) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in segments]


def _redline_paragraph(doc, segments) -> None:
    """Deletions struck through, insertions underlined (and coloured, which the diff report may be)."""
    p = _para(doc)
    for kind, text in _segments_text(segments):
        run = _text(p, text)
        if kind == "del":
            run.font.strike = True
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        elif kind == "ins":
            run.font.underline = True
            run.font.color.rgb = RGBColor(0x00, 0x60, 0x20)


def build_diff_docx(ctx: dict):
    d = ctx["diff"]
    doc = new_document()
    title(doc, ctx["title"])
    for w in d.warnings:
        plain(doc, f"注意：{w}。")
    plain(doc, f"本报告比较《{d.old.title or '上年计划'}》与《{d.new.title or '本年计划'}》。{d.summary.text}")
    from pipeline.render.plan_pdf import Para, Run

    def h(text, kind="h1"):
        paragraphs(doc, [Para([Run(text, kind)], heading=kind)])

    h("一、主要指标变化")
    if ctx["indicators"]:
        head = [_cells(["指标", "单位", ctx["old_year"] + "目标", ctx["new_year"] + "目标", "变化", "说明"])]
        body = [_cells([*l.cells, l.label, "；".join(l.notes)], left_cols=(0, 5)) for l in ctx["indicators"]]
        grid_table(doc, head, body, [22, 9, 16, 16, 15, 22])
    else:
        plain(doc, "两份计划均无附件指标表。")
    h("二、正文预期目标变化")
    if ctx["targets"]:
        head = [_cells(["指标", ctx["old_year"] + "表述", ctx["new_year"] + "表述", "变化", "说明"])]
        body = [_cells([*l.cells, l.label, "；".join(l.notes)], left_cols=(0, 1, 2, 4)) for l in ctx["targets"]]
        grid_table(doc, head, body, [16, 26, 26, 14, 18])
    else:
        plain(doc, "正文中的量化目标均未变化。")
    h("三、重点任务变化")
    groups = (("（一）调整的任务", "reworded", True), ("（二）新增的任务", "new", False),
              ("（三）删除的任务", "dropped", False), ("（四）位置调整的任务", "moved", False),
              ("（五）待人工复核", "review", True))
    for heading, key, with_redline in groups:
        h(heading, "h2")
        views = ctx["tasks"][key]
        if not views:
            plain(doc, "无。")
            continue
        for i, v in enumerate(views, start=1):
            plain(doc, f"{i}.{v.heading}" + (f"（{v.facts}）" if v.facts else ""))
            if with_redline and v.segments:
                _redline_paragraph(doc, v.segments)
            elif v.preview:
                plain(doc, v.preview)
    h("四、说明")
    for i, c in enumerate(d.caveats, start=1):
        plain(doc, f"{i}.{c}")
    return doc


def write_diff_docx(diff, out: str | Path) -> Path:
    """The comparison report (a `PlanDiff`) as an editable .docx."""
    from pipeline.diff.report import context
    from pipeline.render.fonts import resolve_fonts
    set_title_breaker(resolve_fonts())
    save(build_diff_docx(context(diff, "docx")), out)
    return Path(out)
