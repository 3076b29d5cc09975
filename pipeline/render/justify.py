"""Flush-right CJK lines: inter-character justification for WeasyPrint 70 (typesetting.md §6.1, B).

WeasyPrint stretches a justified line only at U+0020 and U+00A0, so a line of hanzi with a few
half-width digits ends 1–5 mm short of the 版心 edge. `install()` teaches it that the gap after a
hanzi followed by another hanzi is expandable too: it wraps `layout.inline.count_expandable_spaces`
(how many gaps share the slack) and widens the space pattern `Layout.set_text` uses to place the
extra spacing (a Pango letter-spacing attribute on that hanzi). Punctuation is never stretched, so
避头尾 stays intact and a 。 stays tight against its hanzi; only boxes whose style asks for
`text-align: justify` (running text) are ever stretched.

An earlier version put U+200B between hanzi in the HTML and stretched those: it worked, but doubled
the glyphs WeasyPrint shapes and draws (~10 % of a render) and let an edge gap overshoot by ~1 mm.

The patch touches private internals, so `install()` first checks that they look exactly as expected
(WeasyPrint 70.x, the same source shapes); otherwise it logs an error and leaves WeasyPrint alone
(ragged right, option A). `tests/test_render_justify.py` guards the result on the pinned version.
"""
from __future__ import annotations

import inspect
import logging
import re

LOGGER = logging.getLogger(__name__)

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
# The most a gap may grow (em of the line's font size). A line that would need more is left a little
# short instead of showing gaps of a whole character (clreq: accept a short line over a broken one).
MAX_STRETCH_EM = 0.25
MIN_STRETCH_PT = 0.05   # less slack than this over a whole line is invisible (0.02 mm)

_state = {"installed": None}


def han_gaps(text: str) -> int:
    """Expandable gaps between hanzi in `text` (what the patched WeasyPrint stretches)."""
    return len(_HAN_GAP.findall(text))


class _ReWithHanGaps:
    """Stands in for `re` inside `weasyprint.text.line_break`: widens only the space pattern."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def finditer(self, pattern, string, flags=0):
        if pattern == _SPACE_PATTERN and not flags:
            return _SPACE_OR_HAN_GAP.finditer(string)
        return self._real.finditer(pattern, string, flags)


def _shapes_match() -> str | None:
    """None when WeasyPrint's internals look as the patch expects, else what differs."""
    if _state["installed"]:
        return None   # checked before patching; the patched objects no longer look original
    import weasyprint
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    if not weasyprint.__version__.startswith("70."):
        return f"WeasyPrint {weasyprint.__version__} is not 70.x"
    if getattr(line_break, "re", None) is not re:
        return "weasyprint.text.line_break no longer imports re"
    try:
        set_text = inspect.getsource(line_break.Layout.set_text)
        count = inspect.getsource(inline.count_expandable_spaces)
    except (OSError, TypeError, AttributeError) as e:
        return f"cannot inspect WeasyPrint internals: {e}"
    if "re.finditer(' |\\u00a0'.encode()" not in set_text:
        return "Layout.set_text no longer uses the ' |\\u00a0' space pattern"
    if "box.text.count('\\u00a0')" not in count:
        return "count_expandable_spaces changed"
    if "count_expandable_spaces(line)" not in inspect.getsource(inline.justify_line):
        return "justify_line changed"
    return None


def install() -> bool:
    """Patch WeasyPrint once per process. Returns True when inter-character justification is active."""
    if _state["installed"] is not None:
        return _state["installed"]
    problem = _shapes_match()
    if problem:
        LOGGER.error("CJK justification disabled (lines stay ragged right): %s", problem)
        _state["installed"] = False
        return False
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    original = inline.count_expandable_spaces

    def count_expandable_spaces(box):
        if isinstance(box, inline.boxes.TextBox):
            return original(box) + han_gaps(box.text)
        if isinstance(box, (inline.boxes.LineBox, inline.boxes.InlineBox)):
            return sum(count_expandable_spaces(child) for child in box.children)
        return original(box)

    def justify_line(context, line, extra_width):
        """WeasyPrint's justify_line with a cap on the space each gap receives. A line already flush
        (28 hanzi fill the 版心 exactly) is left alone: re-shaping it would change nothing visible and
        costs a Pango layout per text box."""
        if extra_width < MIN_STRETCH_PT:
            return
        if (nb := count_expandable_spaces(line)):
            cap = MAX_STRETCH_EM * line.style["font_size"]
            inline.add_word_spacing(context, line, min(extra_width / nb, cap), 0)

    inline.count_expandable_spaces = count_expandable_spaces
    inline.justify_line = justify_line
    line_break.re = _ReWithHanGaps(re)
    _state["installed"] = True
    return True


def active() -> bool:
    return bool(_state["installed"])
