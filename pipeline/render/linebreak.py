"""No orphan characters in table cells: a cell's last line never holds a single character.

A narrow cell wraps wherever the width runs out, so "万元生产总值能耗降低率" in the 指标名称 column ends
with "率" alone on its second line, and "保持稳定" in a number column with "定" — the typesetter's 孤字,
which reads as a mistake. The rule of the trade is to carry the character before it down as well, so
the last line always has at least two. `keep_tail` does this for any cell: it glues the last
`TAIL_UNITS` units of the text (a unit is a hanzi or a run of ASCII letters/digits, which Pango never
splits; trailing punctuation stays with them, as 避头尾 wants) into a `white-space: nowrap` span. A
text that fits on one line is unaffected; one that wraps breaks one unit earlier. The text itself is
unchanged (search, copy and the PDF text layer see the same characters).
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

TAIL_UNITS = 2
NOBR_CLASS = "nobr"
_ALNUM = re.compile(r"[0-9A-Za-z.]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def tail_start(text: str, units: int = TAIL_UNITS) -> int | None:
    """Index where the glued tail starts, or None when the text has no more than `units` units."""
    i = len(text)
    while i and not (_HAN.match(text[i - 1]) or _ALNUM.match(text[i - 1])):   # trailing marks, spaces
        i -= 1
    for _ in range(units):
        if not i:
            return None
        if _ALNUM.match(text[i - 1]):
            while i and _ALNUM.match(text[i - 1]):
                i -= 1
        else:
            i -= 1
        while i and not text[i - 1].strip():
            i -= 1
    if not i or not any(_HAN.match(c) or _ALNUM.match(c) for c in text[:i]):
        return None
    return i


def keep_tail(text) -> Markup:
    """Escaped `text` with its last units in a no-wrap span (see the module docstring)."""
    s = "" if text is None else str(text)
    i = tail_start(s)
    if i is None:
        return escape(s)
    return Markup(f'{escape(s[:i])}<span class="{NOBR_CLASS}">{escape(s[i:])}</span>')
