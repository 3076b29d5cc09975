"""Flush-right CJK lines: inter-character justification for WeasyPrint 70 (typesetting.md §6.1, B).

WeasyPrint stretches a justified line only at U+0020 and U+00A0, so a line of hanzi with a few
half-width digits ends 1–5 mm short of the 版心 edge. The fix has two halves:

- `mark_gaps` (a Jinja filter) puts U+200B ZERO WIDTH SPACE between adjacent hanzi of running text
  only; hanzi–hanzi is already a break opportunity, so no new breaks appear, and punctuation is never
  touched, so 避头尾 stays intact;
- `install()` teaches WeasyPrint to treat U+200B as an expandable space: it wraps
  `layout.inline.count_expandable_spaces` and the space pattern `Layout.set_text` uses to place the
  extra spacing.

The patch touches private internals, so `install()` first checks that they look exactly as expected
(WeasyPrint 70.x, the same source shapes); otherwise it logs an error and leaves WeasyPrint alone
(ragged right, option A). `tests/test_render_justify.py` guards the result on the pinned version.
"""
from __future__ import annotations

import inspect
import logging
import re

LOGGER = logging.getLogger(__name__)

ZWSP = "\u200b"
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
_BETWEEN_HAN = re.compile(f"(?<={_HAN})(?={_HAN})")

_SPACE_PATTERN = " |\u00a0".encode()
_SPACE_PATTERN_WITH_ZWSP = " |\u00a0|\u200b".encode()

_state = {"installed": None}


def mark_gaps(text: str) -> str:
    """Insert U+200B between adjacent hanzi (running text only: never titles, tables, signatures)."""
    return _BETWEEN_HAN.sub(ZWSP, text)


class _ReWithZwsp:
    """Stands in for `re` inside `weasyprint.text.line_break`: widens only the space pattern."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def finditer(self, pattern, string, flags=0):
        if pattern == _SPACE_PATTERN:
            pattern = _SPACE_PATTERN_WITH_ZWSP
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
        n = original(box)
        if isinstance(box, inline.boxes.TextBox):
            n += box.text.count(ZWSP)
        return n

    inline.count_expandable_spaces = count_expandable_spaces
    line_break.re = _ReWithZwsp(re)
    _state["installed"] = True
    return True


def active() -> bool:
    return bool(_state["installed"])
