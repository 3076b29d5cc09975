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
# What `Layout.set_text` stretches, with each run of adjacent stretched hanzi as one match: set_text
# gives every match the same letter-spacing attribute (only a match starting on the text's first or last
# byte gets double, and a stretched hanzi never does: it needs a byte before it and is three bytes long),
# and Pango merges adjacent equal attributes, so one attribute per run draws exactly what one per hanzi
# did, with a tenth of the attribute calls (a body line is one run of ~27 hanzi). Spaces stay single
# matches: they may sit on a boundary.
_STRETCHED_HAN_UTF8 = (b"(?<=[\x00-\xff])(?:" + _HAN_UTF8 + b"(?=" + _HAN_UTF8 + b"|" + _ALNUM_UTF8 + b")|(?<="
                       + _ALNUM_UTF8 + b")" + _HAN_UTF8 + b"(?=[\x00-\xff]))")
_SPACE_OR_HAN_RUN = re.compile(_SPACE_PATTERN + b"|(?:" + _STRETCHED_HAN_UTF8 + b")+", re.S)
# The most a gap may grow (em of the line's font size). A line that would need more is left a little
# short instead of showing gaps of a whole character (clreq: accept a short line over a broken one).
MAX_STRETCH_EM = 0.25
MIN_STRETCH_PT = 0.05   # less slack than this over a whole line is invisible (0.02 mm)

_state = {"installed": None, "fast": True}   # fast: the shortcuts below (off only to test they draw the same)


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
            return (_SPACE_OR_HAN_RUN if _state["fast"] else _SPACE_OR_HAN_GAP).finditer(string)
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
    spacing = inspect.getsource(inline.add_word_spacing)      # replicated by _spread
    if "layout.deactivate()" not in spacing or "box.translate(x_advance, 0)" not in spacing:
        return "add_word_spacing changed"
    if "self.set_text(self.text, justify=True)" not in inspect.getsource(line_break.Layout.reactivate):
        return "Layout.reactivate changed"                    # _justified_layout relies on it
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
        costs a Pango layout per text box. The gaps of each text box are counted once (`_gaps`) and
        handed to `_spread`, instead of being counted again for every box by add_word_spacing."""
        if extra_width < MIN_STRETCH_PT:
            return
        counts: dict[int, int] = {}
        if (nb := _gaps(line, counts)):
            cap = MAX_STRETCH_EM * line.style["font_size"]
            _spread(context, line, min(extra_width / nb, cap), 0, counts)

    def _gaps(box, counts) -> int:
        if isinstance(box, inline.boxes.TextBox):
            n = counts[id(box)] = original(box) + han_gaps(box.text)
            return n
        if isinstance(box, (inline.boxes.LineBox, inline.boxes.InlineBox)):
            return sum(_gaps(child, counts) for child in box.children)
        return original(box)

    def _spread(context, box, spacing, x_advance, counts):
        """WeasyPrint 70's add_word_spacing (same geometry, same order), with the gap counts from
        `_gaps` and `_justified_layout` instead of a new Pango layout per stretched text box."""
        if isinstance(box, inline.boxes.TextBox):
            box.justification_spacing = spacing
            box.position_x += x_advance
            nb = counts.get(id(box), 0)
            if nb > 0:
                box.pango_layout = _justified_layout(context, box, spacing)
                extra = spacing * nb
                x_advance += extra
                box.width += extra
        elif isinstance(box, (inline.boxes.LineBox, inline.boxes.InlineBox)):
            box.position_x += x_advance
            previous = x_advance
            children = box.children[::-1] if box.style["direction"] == "rtl" else box.children
            for child in children:
                if child.is_in_normal_flow():
                    x_advance = _spread(context, child, spacing, x_advance, counts)
            box.width += x_advance - previous
        else:
            box.translate(x_advance, 0)
        return x_advance

    def _justified_layout(context, box, spacing):
        """The layout a stretched text box is drawn with. add_word_spacing builds a new one (a Pango
        context, font description and layout, the text set) only to deactivate it at once: what survives
        is its text, its justification spacing and the metrics its setup read from the style, and the
        drawing code rebuilds the Pango objects from those (`Layout.reactivate`). The box's own layout,
        from the line split, already holds the same text and metrics of the same style; a shallow copy
        with the new spacing is that same deactivated layout without the Pango work. Anything unusual
        (a text that changed since the split, a layout still active) takes WeasyPrint's way."""
        old = box.pango_layout
        if _state["fast"] and old is not None and getattr(old, "text", None) == box.text \
                and not hasattr(old, "layout"):
            new = object.__new__(type(old))       # a shallow copy (copy.copy costs 3× more here)
            new.__dict__.update(old.__dict__)
            new.justification_spacing = spacing
            new.max_width = None
            new.first_line_direction = 0
            return new
        layout = line_break.create_layout(box.text, box.style, context, max_width=None,
                                          justification_spacing=spacing)
        layout.deactivate()
        return layout

    inline.count_expandable_spaces = count_expandable_spaces
    inline.justify_line = justify_line
    line_break.re = _ReWithHanGaps(re)
    _state["installed"] = True
    return True


def active() -> bool:
    return bool(_state["installed"])
