"""标点挤压 (clreq §3.1, punctuation adjustment): adjacent full-width marks are set half-width.

A full-width mark is half ink, half blank. Where two meet ("。”", "）、", "”。", "（“") the blank
halves add up to a visible hole, and a justified line with such a pair has less room left for its
gaps. Typesetters compress first and only then spread what is left over the gaps (justify.py), so
running text is passed through `compress_pairs` after escaping: the mark whose blank half faces its
neighbour gets the OpenType `halt` feature (half-width alternate; FandolFang and Noto CJK both have
it for all of 。，、；：？！）】》”’（【《“‘). The text itself is unchanged, so search and copy still
see the same characters.
"""
from __future__ import annotations

from markupsafe import Markup

CLOSING = "。，、；：？！）】》」』〕”’"
OPENING = "（【《「『〔“‘"
HALF_CLASS = "halt"


def _halved(text: str) -> list[int]:
    """Indices of the marks to set half-width: a closing mark followed by any mark (its trailing
    blank), and an opening mark after an opening mark (its leading blank)."""
    out = []
    for i, ch in enumerate(text[:-1]):
        nxt = text[i + 1]
        if ch in CLOSING and (nxt in CLOSING or nxt in OPENING):
            out.append(i)
        elif ch in OPENING and nxt in OPENING:
            out.append(i + 1)
    return sorted(set(out))


def compress_pairs(html: Markup | str) -> Markup:
    """Wrap the marks `_halved` picks in `<span class="halt">`; `html` is already escaped markup
    (tags hold only ASCII, so a full-width mark is always text)."""
    s = str(html)
    idx = _halved(s)
    if not idx:
        return Markup(s)
    out, last = [], 0
    for i in idx:
        out.append(s[last:i])
        out.append(f'<span class="{HALF_CLASS}">{s[i]}</span>')
        last = i + 1
    out.append(s[last:])
    return Markup("".join(out))
