"""GB/T 9704 §7.3.5: when the signature and date do not fit under the body on the cover page, adjust
the line spacing so they do — never leave one line ("实施。") alone on page 2 under a near-empty page 1.

`cover_pitch` estimates the height of the formal cover page (版头, title, 主送, body, 附件说明,
signature block) from the fonts' advances and returns a tighter line pitch for the notice when a
small overflow (at most `MAX_SQUEEZE` of the pitch) makes it fit; None when it fits already or would
need more squeezing than a reader accepts (then the notice simply continues on page 2).
"""
from __future__ import annotations

import math

from pipeline.render import gbt9704 as g

MAX_SQUEEZE = 0.85          # the tightest pitch allowed: 85 % of 28.95 pt ≈ 24.6 pt
SAFETY_PT = 0.3             # rounding in the browser's line boxes


def _lines(fonts, text: str, indent_chars: float) -> int:
    width = g.mm(g.TYPE_AREA_WIDTH_MM)
    w = fonts.text_width("fang", text, g.BODY_SIZE_PT, g.BODY_LETTER_SPACING_PT) + indent_chars * g.CHAR_PITCH_PT
    return max(1, math.ceil(w / width - 1e-6))


def cover_pitch(fonts, notice: dict, title_lines: int) -> float | None:
    b = notice.get("banner")
    if not b:
        return None
    pitch = g.LINE_PITCH_PT
    fixed = (b["mark_offset"] + b["mark_size"] + g.DOC_NUMBER_GAP_LINES * pitch + pitch
             + g.mm(g.RED_RULE_GAP_MM) + g.mm(g.RED_RULE_THICKNESS_MM) + g.TITLE_GAP_AFTER_RULE_LINES * pitch)
    natural = title_lines * g.TITLE_MULTILINE_PITCH_PT if title_lines > 1 else pitch
    fixed += math.ceil(natural / pitch - 1e-6) * pitch
    lines = 0
    if notice.get("addressees"):
        fixed += g.TITLE_GAP_LINES * pitch
        lines += _lines(fonts, notice["addressees"], 0)
    for para in notice.get("paragraphs") or []:
        lines += _lines(fonts, "".join(r.text for r in para.runs), g.INDENT_CHARS)
    if notice.get("attachments"):
        fixed += g.ATTACHMENT_NOTE_GAP_LINES * pitch
        lines += len(notice["attachments"])
    sig = notice.get("signature") or {}
    fixed += g.SIGNATURE_GAP_LINES * pitch
    lines += len(sig.get("issuer_lines") or []) + bool(sig.get("date")) + bool(sig.get("publicity"))
    available = g.mm(g.TYPE_AREA_HEIGHT_MM)
    if fixed + lines * pitch <= available or lines == 0:
        return None
    tight = (available - fixed) / lines - SAFETY_PT
    return tight if tight >= MAX_SQUEEZE * pitch else None
