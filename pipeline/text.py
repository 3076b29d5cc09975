"""Text normalisation for matching.

The original characters stay in the output; `normalize` gives the form patterns are written against:
- full-width digits, Latin letters and ％ → ASCII; `．` between digits → `.`;
- invisible characters removed (U+200B, U+00AD soft hyphen, U+FEFF);
- indentation (U+3000, NBSP, spaces, tabs) stripped at both ends.
No blanket NFKC: it would turn （） into () and Ⅲ into III. ﹝﹞ fold into 〔〕 (as NFKC would).
"""
from __future__ import annotations

import re

from pipeline.errors import UNPRINTABLE_CLASS

# A Chinese label numeral: 一 … 九十九 and on past the hundred (一百、 （一百零一） 一百一十、), so a long
# list goes on numbering instead of its 100th item falling into the 99th's text. The numbering ladder
# (parse/labels.py, which also checks the numeral is well formed) and every module that only spots
# labels (PDF line joining, run-on splitting, metrics) use this one pattern.
CN_LABEL_RUN = "[一二三四五六七八九十][一二三四五六七八九十百千零〇]{0,6}"

_FW = {chr(0xFF10 + i): str(i) for i in range(10)}
_FW.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})
_FW.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
_FW.update({"％": "%", "﹝": "〔", "﹞": "〕", "\u200b": "", "\u00ad": "", "\ufeff": "", "\u2060": ""})
FULLWIDTH_MAP = str.maketrans(_FW)     # the per-character mapping of `normalize` (same length but invisibles)
_TRANS = FULLWIDTH_MAP
_NEEDS_TRANS = re.compile("[" + "".join(re.escape(k) for k in _FW) + "]")
_FW_DOT = re.compile(r"(?<=\d)．(?=\d)")
INDENT_CHARS = " \t\u3000\u00a0\r\n\u2002\u2003\u2009"
_HAN = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN = re.compile(rf"(?<=[{_HAN}0-9%])[ \u3000\u00a0]+(?=[{_HAN}])|(?<=[{_HAN}])[ \u3000\u00a0]+(?=[0-9])")


def normalize(s: str) -> str:
    """Matching form of one line/paragraph (see module doc)."""
    if _NEEDS_TRANS.search(s):          # str.translate is slow; most lines need nothing
        s = s.translate(_TRANS)
    if "．" in s:
        s = _FW_DOT.sub(".", s)
    return s.strip(INDENT_CHARS)


def map_fullwidth(s: str) -> str:
    """Only the character mapping of `normalize` (no stripping): keeps offsets except for invisibles."""
    return s.translate(FULLWIDTH_MAP) if _NEEDS_TRANS.search(s) else s


def strip_indent(s: str) -> str:
    return s.strip(INDENT_CHARS).replace("\ufeff", "")


def squeeze_cjk_spaces(s: str) -> str:
    """Remove spaces between Han characters and between Han and digits (PDF text layers, spaced titles)."""
    return _SPACE_BETWEEN.sub("", s)


def is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF


# What output never draws: control and invisible format characters (errors.printable's set) but U+200B,
# the renderer's own break hint.
_INVISIBLE = re.compile(f"(?!\u200b)[{UNPRINTABLE_CLASS}]")


def drawable(s: str) -> str:
    """`s` without control and invisible format characters, for typeset output (PDF and .docx). Why: a
    stray U+202E from the source makes Pango draw the rest of the paragraph backwards, and XML (.docx)
    cannot hold C0 controls at all; none of them carries anything a printed plan needs."""
    return _INVISIBLE.sub("", s) if _INVISIBLE.search(s) else s
