"""Every GB/T 9704-2012 number the typesetting uses, named, in one place.

The stylesheet (`templates/gongwen.css.j2`) receives these through `css_values()` and never repeats
a literal, so a change of measure (say a thicker red rule) is one edit here. Lengths are in points
(1 mm = 72 / 25.4 pt) because WeasyPrint and pdfplumber both speak points; the millimetre values
of the standard are kept next to them so each line can be checked against the text of the standard.
Measured facts behind the less obvious numbers are in docs `typesetting.md` §2–§4.
"""
from __future__ import annotations

PT_PER_MM = 72 / 25.4


def mm(value: float) -> float:
    """Millimetres → points."""
    return value * PT_PER_MM


# --- Page and type area (版心) -------------------------------------------------------------------
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
TYPE_AREA_WIDTH_MM = 156.0          # 版心宽
TYPE_AREA_HEIGHT_MM = 225.0         # 版心高
TOP_MARGIN_MM = 37.0                # 天头
BOTTOM_MARGIN_MM = PAGE_HEIGHT_MM - TOP_MARGIN_MM - TYPE_AREA_HEIGHT_MM     # 35
BINDING_MARGIN_MM = 28.0            # 订口
OUTER_MARGIN_MM = PAGE_WIDTH_MM - BINDING_MARGIN_MM - TYPE_AREA_WIDTH_MM    # 26
MIRROR_MARGINS = True               # binding margin on the left of odd and the right of even pages

# --- Grid: 22 lines × 28 characters --------------------------------------------------------------
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH_PT = 28.95               # 22 lines fit in 637.8 pt, 23 do not (27.74 < pitch ≤ 28.99)
CHAR_PITCH_PT = mm(TYPE_AREA_WIDTH_MM) / CHARS_PER_LINE      # 15.79 pt
BODY_SIZE_PT = 16.0                 # 三号
BODY_LETTER_SPACING_PT = round(CHAR_PITCH_PT - BODY_SIZE_PT, 2)   # −0.21 pt: 28 characters per line
INDENT_CHARS = 2                    # 首行缩进 2 字

# --- Size names (字号) ---------------------------------------------------------------------------
SIZE_ERHAO_PT = 22.0                # 二号: titles
SIZE_SANHAO_PT = 16.0               # 三号: body, headings, 文号
SIZE_SIHAO_PT = 14.0                # 四号: page numbers, table cells, 版记
SIZE_XIAOSI_PT = 12.0               # 小四: the smallest size allowed anywhere

# --- Title -------------------------------------------------------------------------------------
TITLE_SIZE_PT = SIZE_ERHAO_PT
TITLE_MULTILINE_PITCH_PT = 35.0     # line pitch of a title that wraps (32–38 pt in practice)
TITLE_GAP_LINES = 1                 # blank lines between the title and 主送 / the first paragraph

# --- Red header (版头, formal) -------------------------------------------------------------------
ISSUER_MARK_TOP_MM = 35.0           # glyph top of 发文机关标志 below the 版心 top
ISSUER_MARK_MAX_PT = 36.0           # largest issuer mark size (practice: 26–36 pt)
ISSUER_MARK_MIN_PT = 22.0
DOC_NUMBER_GAP_LINES = 2            # blank lines between the issuer mark and 发文字号
RED_RULE_GAP_MM = 4.0               # red rule below the 发文字号
RED_RULE_THICKNESS_MM = 0.5         # not fixed by the standard: 0.35–1 mm
TITLE_GAP_AFTER_RULE_LINES = 2      # the title starts two blank lines below the red rule
RED_SCREEN = "#ff0000"
RED_PRINT = "device-cmyk(0 1 1 0)"

# --- Signature and date --------------------------------------------------------------------------
SIGNATURE_GAP_LINES = 1             # blank lines between the body and the signature (no seal)
SIGNATURE_RIGHT_CHARS = 2           # plain: signature 2 字 from the right
DATE_SHIFT_CHARS = 2                # plain: the date starts 2 字 right of the signature's first character
SEALED_DATE_RIGHT_CHARS = 4         # formal (sealed layout): the date ends 4 字 from the right
ATTACHMENT_NOTE_GAP_LINES = 1       # 附件说明 one blank line below the body

# --- Page numbers --------------------------------------------------------------------------------
PAGE_NUMBER_SIZE_PT = SIZE_SIHAO_PT
PAGE_NUMBER_INSET_PT = SIZE_SIHAO_PT            # 1 字 (of 四号) inside the 版心 edge
PAGE_NUMBER_INK_TOP_BELOW_MM = 7.0              # dash ink top 7 mm below the 版心
PAGE_NUMBER_PADDING_TOP_MM = 1.2                # puts Noto Serif CJK 14 pt dash ink at 269 mm (measured here)
PAGE_NUMBER_DASH = "\u2014"                     # 一字线

# --- Tables --------------------------------------------------------------------------------------
TABLE_SIZE_PT = SIZE_SIHAO_PT
TABLE_RULE_PT = 0.5
TABLE_CELL_PADDING_V_MM = 1.2        # cell padding 1–2 mm
TABLE_CELL_PADDING_H_MM = 1.0
TABLE_LINE_HEIGHT_PT = 20.0

# --- 版记 ----------------------------------------------------------------------------------------
IMPRINT_SIZE_PT = SIZE_SIHAO_PT    # 四号 仿宋
IMPRINT_OUTER_RULE_MM = 0.35
IMPRINT_INNER_RULE_MM = 0.25
IMPRINT_ON_EVEN_PAGE = True        # duplex (mirrored margins): the 版记 is on an even page, the last leaf's back


def css_values() -> dict[str, str]:
    """The numbers the stylesheet needs, already formatted as CSS lengths and colours."""
    def pt(v: float) -> str:
        return f"{v:.3f}pt"

    top, bottom = mm(TOP_MARGIN_MM), mm(BOTTOM_MARGIN_MM)
    return {
        "page_size": f"{PAGE_WIDTH_MM:g}mm {PAGE_HEIGHT_MM:g}mm",
        "margin_top": pt(top),
        "margin_bottom": pt(bottom),
        "margin_binding": pt(mm(BINDING_MARGIN_MM)),
        "margin_outer": pt(mm(OUTER_MARGIN_MM)),
        "line_pitch": pt(LINE_PITCH_PT),
        "char_pitch": pt(CHAR_PITCH_PT),
        "body_size": pt(BODY_SIZE_PT),
        "body_letter_spacing": pt(BODY_LETTER_SPACING_PT),
        "indent": pt(INDENT_CHARS * CHAR_PITCH_PT),
        "title_size": pt(TITLE_SIZE_PT),
        "title_multiline_pitch": pt(TITLE_MULTILINE_PITCH_PT),
        "title_gap": pt(TITLE_GAP_LINES * LINE_PITCH_PT),
        "doc_number_gap": pt(DOC_NUMBER_GAP_LINES * LINE_PITCH_PT),
        # the gap is from the 文号 glyphs, which sit centred in a line-pitch-high line box
        "red_rule_gap": pt(mm(RED_RULE_GAP_MM) - (LINE_PITCH_PT - BODY_SIZE_PT) / 2),
        "red_rule_thickness": pt(mm(RED_RULE_THICKNESS_MM)),
        "title_gap_after_rule": pt(TITLE_GAP_AFTER_RULE_LINES * LINE_PITCH_PT),
        "red": RED_PRINT,
        "signature_gap": pt(SIGNATURE_GAP_LINES * LINE_PITCH_PT),
        "attachment_note_gap": pt(ATTACHMENT_NOTE_GAP_LINES * LINE_PITCH_PT),
        "page_number_size": pt(PAGE_NUMBER_SIZE_PT),
        "page_number_inset": pt(PAGE_NUMBER_INSET_PT),
        "page_number_padding_top": pt(mm(PAGE_NUMBER_PADDING_TOP_MM)),
        "table_size": pt(TABLE_SIZE_PT),
        "table_rule": pt(TABLE_RULE_PT),
        "table_cell_padding_v": pt(mm(TABLE_CELL_PADDING_V_MM)),
        "table_cell_padding_h": pt(mm(TABLE_CELL_PADDING_H_MM)),
        "table_line_height": pt(TABLE_LINE_HEIGHT_PT),
        "imprint_size": pt(IMPRINT_SIZE_PT),
        "imprint_outer_rule": pt(mm(IMPRINT_OUTER_RULE_MM)),
        "imprint_inner_rule": pt(mm(IMPRINT_INNER_RULE_MM)),
    }
