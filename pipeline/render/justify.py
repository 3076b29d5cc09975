"""Flush-right CJK lines: which gaps of a line of hanzi may stretch (typesetting.md §6.1, B).

WeasyPrint stretches a justified line only at U+0020 and U+00A0, so a line of hanzi with a few
half-width digits ends 1–5 mm short of the 版心 edge. The `cjk-justify` adaptation
(`weasy_compat.py`, where every adaptation of WeasyPrint internals lives) teaches it that the gaps
this module finds are expandable too: `layout.inline.count_expandable_spaces` counts them (how many
gaps share the slack) and the space pattern `Layout.set_text` uses to place the extra spacing (a
Pango letter-spacing attribute on that hanzi) matches them. Punctuation is never stretched, so
避头尾 stays intact and a 。 stays tight against its hanzi; only boxes whose style asks for
`text-align: justify` (running text) are ever stretched.

An earlier version put U+200B between hanzi in the HTML and stretched those: it worked, but doubled
the glyphs WeasyPrint shapes and draws (~10 % of a render) and let an edge gap overshoot by ~1 mm.

The adaptation touches private internals, so it first checks that they look exactly as expected
(WeasyPrint 70.x, the same source shapes); otherwise it logs why and leaves WeasyPrint alone
(ragged right, option A). `tests/test_render_justify.py` guards the result on the pinned version.
"""
from __future__ import annotations

import re

# The hanzi whose following gap may stretch: CJK Unified Ideographs with extension A and the
# compatibility block. The text pattern and the UTF-8 byte pattern must describe the same set:
# U+3400–U+3FFF is E3 90–BF xx, U+4000–U+9FFF is E4–E9 xx xx, U+F900–U+FAFF is EF A4–AB xx.
_HAN = "[\u3400-\u9fff\uf900-\ufaff]"
_HAN_UTF8 = rb"(?:\xe3[\x90-\xbf][\x80-\xbf]|[\xe4-\xe9][\x80-\xbf][\x80-\xbf]|\xef[\xa4-\xab][\x80-\xbf])"
# clreq spreads the adjustment over every inter-character position, hanzi–Latin/digit ones included,
# not only hanzi–hanzi. Pango letter-spacing on a grapheme puts half its space on each side, so
# stretching a hanzi also widens the gap before it: marking a hanzi that is followed by a hanzi or an
# ASCII letter/digit, or preceded by one, stretches the hanzi–hanzi gaps and both hanzi–Latin
# boundaries ("达到|100%|。聚") while a digit run itself ("100") is never pulled apart. Never the first
# character of a text box (Pango gives it no left half and WeasyPrint then doubles its right half,
# which made a line's first gap 1.5× the others) and never the last (only a left half would land).
_ALNUM = "[0-9A-Za-z%]"
_ALNUM_UTF8 = rb"[0-9A-Za-z%]"
_HAN_GAP = re.compile(f"(?<=.)(?:{_HAN}(?={_HAN}|{_ALNUM})|(?<={_ALNUM}){_HAN}(?=.))", re.S)

_SPACE_PATTERN = " |\u00a0".encode()
_SPACE_OR_HAN_GAP = re.compile(_SPACE_PATTERN + b"|(?<=[\x00-\xff])(?:" + _HAN_UTF8 + b"(?=" + _HAN_UTF8 + b"|"
                               + _ALNUM_UTF8 + b")|(?<=" + _ALNUM_UTF8 + b")" + _HAN_UTF8 + b"(?=[\x00-\xff]))", re.S)
# What `Layout.set_text` stretches, with each run of adjacent stretched hanzi as one match: set_text
# gives every match the same letter-spacing attribute (only a match starting on the text's first or last
# byte gets double, and a stretched hanzi never does: it needs a byte before it and is three bytes long),
# and Pango merges adjacent equal attributes, so one attribute per run draws exactly what one per hanzi
# did, with a tenth of the attribute calls (a body line is one run of ~27 hanzi). Spaces stay single
# matches: they may sit on a boundary.
_STRETCHED_HAN_UTF8 = (b"(?<=[\x00-\xff])(?:" + _HAN_UTF8 + b"(?=" + _HAN_UTF8 + b"|" + _ALNUM_UTF8 + b")|(?<="
                       + _ALNUM_UTF8 + b")" + _HAN_UTF8 + b"(?=[\x00-\xff]))")
_SPACE_OR_HAN_RUN = re.compile(_SPACE_PATTERN + b"|(?:" + _STRETCHED_HAN_UTF8 + b")+", re.S)
# The shortcuts of the `cjk-justify` adaptation (the run pattern above, a stretched box reusing its split
# layout) change the work, not the page; off only in the test that proves they draw the same.
shortcuts = {"on": True}
# The most a gap may grow (em of the line's font size). A line that would need more is left a little
# short instead of showing gaps of a whole character (clreq: accept a short line over a broken one).
MAX_STRETCH_EM = 0.25
MIN_STRETCH_PT = 0.05   # less slack than this over a whole line is invisible (0.02 mm)


def han_gaps(text: str) -> int:
    """Expandable gaps between hanzi in `text` (what the patched WeasyPrint stretches)."""
    return len(_HAN_GAP.findall(text))
