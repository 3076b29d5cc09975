"""Stop WeasyPrint 70 from copying every whole font file into Python per render.

`weasyprint.pdf.fonts.Font.__init__` starts with `self.file_content = get_hb_object_data(hb_face)`:
the face's entire blob — for a Noto .ttc the whole 20–27 MB collection, for our five faces ~87 MB —
copied into a Python `bytes` for every document, which also pages the whole file into the
process. For a subsetted font (every font we embed) that copy is never read: `Font.clean` subsets
from `hb_face` and replaces `file_content` with the subset before anything looks at it. Only
variable fonts, colour/bitmap fonts, unsubsetted fonts and a failed subset read the original bytes.

`install()` makes `file_content` lazy: `Font.__init__` no longer copies, and the first read of
`file_content` before it was replaced fetches exactly the bytes the eager copy would have held (the
`hb_face` stays referenced by the `Font`), so every path above still sees the original data. The
embedded bytes are unchanged; `tests/test_render_memory.py` checks the PDF is byte-identical with
and without the patch. Like `justify.py`, it checks WeasyPrint's source first and leaves WeasyPrint
alone when the internals it relies on look different (costs memory, never correctness).
"""
from __future__ import annotations

import inspect
import logging
import threading

LOGGER = logging.getLogger(__name__)

_EAGER_COPY = "self.file_content = get_hb_object_data(self.hb_face)"
_UNREAD = object()             # what `file_content` holds until it is read or replaced
_state: dict[str, object] = {"installed": None}
_in_init = threading.local()


def _shapes_match() -> str | None:
    import weasyprint
    from weasyprint.pdf import fonts as pdf_fonts

    if not weasyprint.__version__.startswith("70."):
        return f"WeasyPrint {weasyprint.__version__} is not 70.x"
    try:
        init = inspect.getsource(pdf_fonts.Font.__init__)
    except (OSError, TypeError, AttributeError) as e:
        return f"cannot inspect WeasyPrint internals: {e}"
    if init.count("get_hb_object_data(") != 1 or _EAGER_COPY not in init:
        return "Font.__init__ no longer copies the face blob in one known statement"
    if "file_content" in vars(pdf_fonts.Font):
        return "Font already defines file_content at class level"
    return None


class _LazyFileContent:
    """Data descriptor standing in for the `file_content` instance attribute of `Font`."""

    def __init__(self, fetch):
        self._fetch = fetch    # the original get_hb_object_data

    def __get__(self, font, owner=None):
        if font is None:
            return self
        data = font.__dict__.get("_lazy_file_content", _UNREAD)
        if data is _UNREAD:
            data = self._fetch(font.hb_face)
            font.__dict__["_lazy_file_content"] = data
        return data

    def __set__(self, font, value):
        font.__dict__["_lazy_file_content"] = value


def install() -> bool:
    """Patch WeasyPrint once per process. Returns True when font data is read lazily."""
    if _state["installed"] is not None:
        return bool(_state["installed"])
    problem = _shapes_match()
    if problem:
        LOGGER.warning("font files are copied eagerly (more memory per render): %s", problem)
        _state["installed"] = False
        return False
    from weasyprint.pdf import fonts as pdf_fonts

    original_get = pdf_fonts.get_hb_object_data
    original_init = pdf_fonts.Font.__init__

    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if ot_color is None and glyph is None and getattr(_in_init, "active", False):
            return _UNREAD     # the eager whole-face copy of Font.__init__: defer it
        return original_get(hb_object, ot_color, glyph)

    def font_init(self, *args, **kwargs):
        _in_init.active = True
        try:
            original_init(self, *args, **kwargs)
        finally:
            _in_init.active = False

    pdf_fonts.get_hb_object_data = get_hb_object_data
    pdf_fonts.Font.__init__ = font_init
    pdf_fonts.Font.file_content = _LazyFileContent(original_get)
    _state["installed"] = True
    return True


def active() -> bool:
    return bool(_state["installed"])
