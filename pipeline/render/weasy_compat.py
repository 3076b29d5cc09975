"""Every place plandoc adapts WeasyPrint's internals, in one module, each applied once and guarded.

WeasyPrint (pinned to 70.x in pyproject.toml) is used through its public API everywhere else. Four things
it does are wrong or too costly for 公文 and have no public switch, so this module adapts them:

1. `precompiled-ffi` — load `weasyprint.text.ffi`'s C declarations precompiled (cffi out-of-line ABI mode)
   instead of parsing ~450 lines of C with pycparser in every new process (~0.45 s of each cold render).
   Upstream: Kozea/WeasyPrint#2073 "Improve import startup time" (closed: the maintainer advises lazy
   imports in the application; PR #2074 was not merged), so the cost stays in WeasyPrint.
2. `local-faces` — register our font files with fontconfig where they lie: `FontConfiguration.add_font_face`
   copies every @font-face file into a fresh temporary folder (~90 MB for our faces, a `weasyprint-*`
   folder left behind when a worker is killed) and adds the family to every face of a .ttc collection.
   Upstream: the temporary copies date from Kozea/WeasyPrint#374 (fontconfig bugs fdo#78450/#78452
   made in-memory fonts impossible); family prepended as WeasyPrint does since Kozea/WeasyPrint#2510.
3. `lazy-font-data` — `weasyprint.pdf.fonts.Font.__init__` copies the whole face blob into a Python
   `bytes` for every font of every document (20–27 MB per Noto .ttc) although a subsetted font never
   reads it. Upstream: the per-document font memory of Kozea/WeasyPrint#1977 and #2130 (memory grows per
   render; the maintainers' answer was caching `document.fonts`, which does not remove this copy).
4. `cjk-justify` — WeasyPrint stretches a justified line only at U+0020/U+00A0
   (`layout.inline.count_expandable_spaces`, `text.line_break.Layout.set_text`) and does not implement
   `text-justify: inter-character`, so a line of hanzi with a few digits ends 1–5 mm short of the 版心
   edge. No upstream issue or PR found for CJK inter-character justification (searched Kozea/WeasyPrint
   issues for CJK/inter-character justification); the rules themselves are in `justify.py` (clreq).

One scaffold serves all four (`_install`): before touching anything it checks that the internals look
exactly as the adaptation expects — every function and attribute of `Adaptation.relies_on` present with
the expected parameters, plus the adaptation's own source-level check — and otherwise logs why and
leaves WeasyPrint as shipped (slower or ragged right, never wrong). `shape_problems()` lists every
difference at once; tests/test_render_weasy_compat.py fails loudly with that list on a WeasyPrint upgrade.

`precompiled-ffi` must be in place before WeasyPrint is imported, so `pipeline.render` installs it on
import (`before_import`); the others are applied at the first render (`install`). Nothing here imports
WeasyPrint at module level for that reason.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import importlib.abc
import importlib.util
import inspect
import logging
import os
import re
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional
from xml.etree.ElementTree import Element, SubElement, tostring

from pipeline.cache import CACHE_ROOT

LOGGER = logging.getLogger(__name__)
WEASYPRINT_SERIES = "70."


@dataclass(frozen=True)
class Shape:
    """One internal an adaptation relies on: `module`.`qualname` exists and, when `params` is given, is a
    callable with exactly these parameters (a replacement must accept what WeasyPrint passes)."""

    module: str
    qualname: str
    params: Optional[tuple[str, ...]] = None

    def problem(self) -> Optional[str]:
        try:
            obj = importlib.import_module(self.module)
            for part in self.qualname.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError) as e:
            return f"{self.module}.{self.qualname} is missing ({e})"
        if self.params is None:
            return None
        try:
            names = tuple(inspect.signature(obj).parameters)
        except (TypeError, ValueError) as e:
            return f"{self.module}.{self.qualname} has no signature ({e})"
        if names != self.params:
            return f"{self.module}.{self.qualname} takes {names}, not {self.params}"
        return None


@dataclass(frozen=True)
class Adaptation:
    name: str
    upstream: str                          # the WeasyPrint issue/PR or behaviour it works around
    relies_on: tuple[Shape, ...]
    check: Callable[[], Optional[str]]     # what signatures cannot say (source shapes); None when as expected
    apply: Callable[[], None]
    fallback: str                          # what a render looks like without it (logged when it is off)


_state: dict[str, Optional[bool]] = {}     # name → None (not tried), True (applied), False (off)
_problems: dict[str, str] = {}
_lock = threading.Lock()


def _series_problem() -> Optional[str]:
    import weasyprint
    if not weasyprint.__version__.startswith(WEASYPRINT_SERIES):
        return f"WeasyPrint {weasyprint.__version__} is not {WEASYPRINT_SERIES}x"
    return None


def _checked(adaptation: Adaptation) -> Optional[str]:
    """The adaptation's own source-level check; an internal that cannot even be inspected (no source,
    an unexpected type) counts as changed."""
    try:
        return adaptation.check()
    except Exception as e:
        return f"cannot inspect WeasyPrint internals: {type(e).__name__}: {e}"


def _problem(adaptation: Adaptation) -> Optional[str]:
    for shape in adaptation.relies_on:
        if (problem := shape.problem()):
            return problem
    return _series_problem() or _checked(adaptation)


def _install(adaptation: Adaptation) -> bool:
    """The one scaffold: check the shapes, apply once, or log and leave WeasyPrint as shipped."""
    with _lock:
        if _state.get(adaptation.name) is not None:
            return bool(_state[adaptation.name])
        problem = _problem(adaptation)
        if problem:
            _problems[adaptation.name] = problem
            LOGGER.warning("WeasyPrint adaptation %s is off (%s): %s", adaptation.name, adaptation.fallback, problem)
            _state[adaptation.name] = False
            return False
        adaptation.apply()
        _state[adaptation.name] = True
        return True


def active(name: str) -> bool:
    return bool(_state.get(name))


def disable(name: str) -> None:
    """Keep WeasyPrint as shipped for `name` in this process (benchmarks, byte-identity tests). Only
    before it was applied: an applied adaptation cannot be undone."""
    if name not in ADAPTATIONS:
        raise KeyError(name)
    with _lock:
        if _state.get(name):
            raise RuntimeError(f"{name} is already applied in this process")
        _state[name] = False


def install() -> dict[str, bool]:
    """Apply the render-time adaptations (once per process); returns which are active."""
    return {name: _install(ADAPTATIONS[name]) for name in RENDER_TIME}


def shape_problems() -> list[str]:
    """Every difference between WeasyPrint's internals and what the adaptations rely on ([] when none),
    checked afresh (whether or not the adaptations were applied)."""
    found = []
    if (problem := _series_problem()):
        found.append(problem)
    for adaptation in ADAPTATIONS.values():
        found += [f"{adaptation.name}: {p}" for s in adaptation.relies_on if (p := s.problem())]
        if (problem := _checked(adaptation)):
            found.append(f"{adaptation.name}: {problem}")
    return found


def _source(module: str, qualname: str) -> str:
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return inspect.getsource(obj)      # an applied wrapper shows the original (functools.wraps → unwrap)


# ------------------------------------------------------------------------------------------------
# 1. precompiled-ffi: an import finder in front of `weasyprint.text.ffi`
# ------------------------------------------------------------------------------------------------

FFI_MODULE = "weasyprint.text.ffi"
CACHE_DIR = CACHE_ROOT / "cffi"
_FFI_NAME = "__plandoc_precompiled_ffi__"
ffi_state: dict[str, object] = {"used": False, "problem": None}


def _split_source(source: str) -> tuple[str, ast.Module]:
    """(the cdef text, the module without its FFI construction and cdef call). ValueError if the
    module does not look exactly as expected: one `ffi = cffi.FFI()` and one `ffi.cdef("<literal>")`."""
    tree = ast.parse(source)
    cdefs, constructions, body = [], [], []
    for node in tree.body:
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == "cdef"
                and isinstance(node.value.func.value, ast.Name) and node.value.func.value.id == "ffi"):
            call = node.value
            if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Constant) \
                    or not isinstance(call.args[0].value, str):
                raise ValueError("ffi.cdef() is not called with one literal string")
            cdefs.append(call.args[0].value)
            continue
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "ffi"):
            value = node.value
            if not (isinstance(value, ast.Call) and not value.args and not value.keywords
                    and isinstance(value.func, ast.Attribute) and value.func.attr == "FFI"
                    and isinstance(value.func.value, ast.Name) and value.func.value.id == "cffi"):
                raise ValueError("ffi is not created by a plain cffi.FFI()")
            constructions.append(node)
            node = ast.copy_location(ast.Assign(targets=node.targets, value=ast.Name(_FFI_NAME, ast.Load())), node)
        body.append(node)
    if len(cdefs) != 1 or len(constructions) != 1:
        raise ValueError(f"expected one cffi.FFI() and one ffi.cdef(), found {len(constructions)} and {len(cdefs)}")
    tree.body = body
    return cdefs[0], ast.fix_missing_locations(tree)


def _precompiled_ffi(cdef: str):
    """The out-of-line ABI `ffi` for `cdef`, generated into the cache on first use (no C compiler)."""
    import cffi
    key = hashlib.sha256(f"{cffi.__version__}|{sys.version}|{cdef}".encode()).hexdigest()[:20]
    name = f"_plandoc_wp_ffi_{key}"
    path = CACHE_DIR / f"{name}.py"
    if not path.is_file():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        builder = cffi.FFI()
        builder.cdef(cdef)
        builder.set_source(name, None)
        with tempfile.TemporaryDirectory(dir=CACHE_DIR, prefix=".build-") as tmp:
            builder.compile(tmpdir=tmp)
            os.replace(Path(tmp) / f"{name}.py", path)     # atomic: a concurrent process sees all or none
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ffi


class _FfiLoader(importlib.abc.Loader):
    def __init__(self, code, ffi):
        self._code, self._ffi = code, ffi

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__dict__[_FFI_NAME] = self._ffi
        exec(self._code, module.__dict__)
        ffi_state["used"] = True


def _ffi_spec(name, path=None, target=None, skip=None):
    """WeasyPrint's own spec for `name` (every finder but `skip`)."""
    for finder in sys.meta_path:
        if finder is not skip and hasattr(finder, "find_spec"):
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                return spec
    return None


class _FfiFinder(importlib.abc.MetaPathFinder):
    """Runs WeasyPrint's own `ffi` module with `ffi` bound to the precompiled object; any doubt (another
    source shape, an unwritable cache, anything failing) and WeasyPrint is imported the ordinary way."""

    def find_spec(self, name, path, target=None):
        if name != FFI_MODULE:
            return None
        spec = _ffi_spec(name, path, target, skip=self)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return spec
        try:
            source = Path(spec.origin).read_text(encoding="utf-8")
            cdef, tree = _split_source(source)
            ffi = _precompiled_ffi(cdef)
            code = compile(tree, spec.origin, "exec")
        except Exception as e:
            ffi_state["problem"] = f"{type(e).__name__}: {e}"
            LOGGER.debug("WeasyPrint C declarations parsed the ordinary way: %s", ffi_state["problem"])
            return spec
        spec.loader = _FfiLoader(code, ffi)
        return spec


def _ffi_source_problem() -> Optional[str]:
    spec = importlib.util.find_spec(FFI_MODULE)     # the real file's spec, whichever loader ran it
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return f"{FFI_MODULE} is not a Python source module"
    try:
        _split_source(Path(spec.origin).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError) as e:
        return f"{FFI_MODULE}: {e}"
    return None


def _apply_ffi() -> None:
    if FFI_MODULE not in sys.modules:
        sys.meta_path.insert(0, _FfiFinder())


def ffi_used() -> bool:
    """True when this process's WeasyPrint runs on the precompiled declarations."""
    return bool(ffi_state["used"])


def before_import() -> None:
    """Put the ffi finder in place (once; no effect once WeasyPrint is imported). The finder checks
    WeasyPrint's source itself when the module is imported, so nothing is imported here.
    `PLANDOC_FAST_FFI=0` turns it off."""
    if _state.get("precompiled-ffi") is not None:
        return
    if os.environ.get("PLANDOC_FAST_FFI", "1") == "0":
        _state["precompiled-ffi"] = False
        return
    _apply_ffi()
    _state["precompiled-ffi"] = True


# ------------------------------------------------------------------------------------------------
# 2. local-faces: a FontConfiguration that registers our faces in place
# ------------------------------------------------------------------------------------------------

# Descriptors our stylesheet writes in an @font-face rule; any other goes the WeasyPrint way.
_HANDLED = {"src", "font_family", "font_weight", "font_style"}


def scan_rules(face, path: Path, weight, style) -> bytes:
    """The fontconfig configuration naming face `face.index` of the file `path` as `face.family`."""
    from weasyprint.text.constants import FONTCONFIG_STYLE, FONTCONFIG_WEIGHT
    root = Element("fontconfig")
    match = SubElement(root, "match", target="scan")
    test = SubElement(match, "test", name="file", compare="eq")
    SubElement(test, "string").text = path.as_posix()
    test = SubElement(match, "test", name="index", compare="eq")
    SubElement(test, "int").text = str(face.index)
    # prepend, as WeasyPrint does: replacing the family breaks Pango (WeasyPrint #2510)
    edit = SubElement(match, "edit", name="family", mode="prepend")
    SubElement(edit, "string").text = face.family
    edit = SubElement(match, "edit", name="slant", mode="assign_replace")
    SubElement(edit, "const").text = FONTCONFIG_STYLE[style]
    edit = SubElement(match, "edit", name="weight", mode="assign_replace")
    SubElement(edit, "int").text = str(FONTCONFIG_WEIGHT[weight])
    header = b'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
    return header + tostring(root, encoding="utf-8")


@functools.cache
def _local_face_class():
    """`LocalFaceConfiguration`, defined on first use so that importing this module imports no WeasyPrint."""
    from weasyprint.logger import LOGGER as WEASYPRINT_LOGGER
    from weasyprint.text.constants import FONTCONFIG_STYLE, FONTCONFIG_WEIGHT
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2
    from weasyprint.text.fonts import PREFERRED_ENCODING, FontConfiguration

    from pipeline.render.fetcher import ProjectOnlyFetcher

    class LocalFaceConfiguration(FontConfiguration):
        """A `FontConfiguration` that registers the faces of one `FontSet` in place.

        Our faces are local files the fetcher allows: it asks the same fetcher for permission
        (`ProjectOnlyFetcher.permit`: same checks, recorded as served, no bytes read) and hands
        fontconfig the original path with the scan-time rules WeasyPrint would write plus a test on the
        face index, so our family lands on exactly the face `fonts.py` measured (Noto's SC face, not
        the Japanese face 0 of the collection). Anything else — another descriptor, a URL that is not
        one of our faces, a foreign fetcher — goes through WeasyPrint's own `add_font_face` unchanged.
        """

        def __init__(self, faces):
            super().__init__()
            self._faces = {f.family: f for f in faces}
            self._registered: set[str] = set()
            self.copied: list[str] = []      # families that went WeasyPrint's way (for tests and logs)

        def add_font_face(self, rule_descriptors, url_fetcher):
            face = self._faces.get(rule_descriptors.get("font_family"))
            src = rule_descriptors.get("src") or []
            usable = (face is not None and isinstance(url_fetcher, ProjectOnlyFetcher)
                      and set(rule_descriptors) <= _HANDLED and list(src) == [("external", face.url)]
                      and rule_descriptors.get("font_weight", "normal") in FONTCONFIG_WEIGHT
                      and rule_descriptors.get("font_style", "normal") in FONTCONFIG_STYLE)
            if not usable:
                self.copied.append(str(rule_descriptors.get("font_family")))
                return super().add_font_face(rule_descriptors, url_fetcher)
            if face.family in self._registered:
                return None
            path = url_fetcher.permit(face.url)          # RefusedFetch stops the render, as a fetch would
            rules = scan_rules(face, path, rule_descriptors.get("font_weight", "normal"),
                               rule_descriptors.get("font_style", "normal"))
            fontconfig.FcConfigParseAndLoadFromMemory(self._config, rules, True)
            if not fontconfig.FcConfigAppFontAddFile(self._config, path.as_posix().encode(PREFERRED_ENCODING)):
                WEASYPRINT_LOGGER.warning("Font-face %r cannot be loaded", face.family)   # WeasyPrint's wording
                return None
            self._registered.add(face.family)
            return pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", self.font_map))

    return LocalFaceConfiguration


def _local_faces_problem() -> Optional[str]:
    init = _source("weasyprint.text.fonts", "FontConfiguration.__init__")
    if "self._config = " not in init or "self.font_map = " not in init:
        return "FontConfiguration.__init__ no longer sets self._config and self.font_map"
    return None


def font_configuration(faces):
    """The `FontConfiguration` for a render: ours when `local-faces` is active, WeasyPrint's otherwise
    (then the fonts are copied to a temporary folder as WeasyPrint does)."""
    if _install(ADAPTATIONS["local-faces"]):
        return _local_face_class()(faces)
    from weasyprint.text.fonts import FontConfiguration
    return FontConfiguration()


def __getattr__(name: str):
    if name == "LocalFaceConfiguration":
        return _local_face_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ------------------------------------------------------------------------------------------------
# 3. lazy-font-data: `Font.file_content` read on demand instead of copied per document
# ------------------------------------------------------------------------------------------------

_EAGER_COPY = "self.file_content = get_hb_object_data(self.hb_face)"
_UNREAD = object()             # what `file_content` holds until it is read or replaced
_in_font_init = threading.local()


class _LazyFileContent:
    """Data descriptor standing in for the `file_content` instance attribute of `Font`: the first read
    before `Font.clean` replaced it fetches exactly the bytes the eager copy would have held (the
    `hb_face` stays referenced by the `Font`), so variable, colour, bitmap and unsubsetted fonts and a
    failed subset still see the original data; the PDF is byte-identical (tests/test_render_reuse.py)."""

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


def _lazy_font_data_problem() -> Optional[str]:
    from weasyprint.pdf import fonts as pdf_fonts
    init = _source("weasyprint.pdf.fonts", "Font.__init__")
    if init.count("get_hb_object_data(") != 1 or _EAGER_COPY not in init:
        return "Font.__init__ no longer copies the face blob in one known statement"
    if "file_content" in vars(pdf_fonts.Font) and not isinstance(vars(pdf_fonts.Font)["file_content"],
                                                                 _LazyFileContent):
        return "Font already defines file_content at class level"
    return None


def _apply_lazy_font_data() -> None:
    from weasyprint.pdf import fonts as pdf_fonts

    original_get = pdf_fonts.get_hb_object_data
    original_init = pdf_fonts.Font.__init__

    @functools.wraps(original_get)
    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if ot_color is None and glyph is None and getattr(_in_font_init, "active", False):
            return _UNREAD     # the eager whole-face copy of Font.__init__: defer it
        return original_get(hb_object, ot_color, glyph)

    @functools.wraps(original_init)
    def font_init(self, *args, **kwargs):
        _in_font_init.active = True
        try:
            original_init(self, *args, **kwargs)
        finally:
            _in_font_init.active = False

    pdf_fonts.get_hb_object_data = get_hb_object_data
    pdf_fonts.Font.__init__ = font_init
    pdf_fonts.Font.file_content = _LazyFileContent(original_get)


# ------------------------------------------------------------------------------------------------
# 4. cjk-justify: hanzi gaps count as expandable in justified lines
# ------------------------------------------------------------------------------------------------

class _ReWithHanGaps:
    """Stands in for `re` inside `weasyprint.text.line_break`: widens only the space pattern."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def finditer(self, pattern, string, flags=0):
        from pipeline.render.justify import _SPACE_OR_HAN_GAP, _SPACE_OR_HAN_RUN, _SPACE_PATTERN, shortcuts
        if pattern == _SPACE_PATTERN and not flags:
            return (_SPACE_OR_HAN_RUN if shortcuts["on"] else _SPACE_OR_HAN_GAP).finditer(string)
        return self._real.finditer(pattern, string, flags)


def _justify_problem() -> Optional[str]:
    from weasyprint.text import line_break
    if isinstance(getattr(line_break, "re", None), _ReWithHanGaps):
        return None            # applied in this process; the originals were checked before
    if getattr(line_break, "re", None) is not re:
        return "weasyprint.text.line_break no longer imports re"
    if "re.finditer(' |\\u00a0'.encode()" not in _source("weasyprint.text.line_break", "Layout.set_text"):
        return "Layout.set_text no longer uses the ' |\\u00a0' space pattern"
    if "box.text.count('\\u00a0')" not in _source("weasyprint.layout.inline", "count_expandable_spaces"):
        return "count_expandable_spaces changed"
    if "count_expandable_spaces(line)" not in _source("weasyprint.layout.inline", "justify_line"):
        return "justify_line changed"
    spacing = _source("weasyprint.layout.inline", "add_word_spacing")      # replicated by _spread
    if "layout.deactivate()" not in spacing or "box.translate(x_advance, 0)" not in spacing:
        return "add_word_spacing changed"
    if "self.set_text(self.text, justify=True)" not in _source("weasyprint.text.line_break", "Layout.reactivate"):
        return "Layout.reactivate changed"                    # _justified_layout relies on it
    return None


def _apply_justify() -> None:
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    from pipeline.render.justify import MAX_STRETCH_EM, MIN_STRETCH_PT, han_gaps, shortcuts

    original_count = inline.count_expandable_spaces
    original_justify = inline.justify_line

    @functools.wraps(original_count)
    def count_expandable_spaces(box):
        if isinstance(box, inline.boxes.TextBox):
            return original_count(box) + han_gaps(box.text)
        if isinstance(box, (inline.boxes.LineBox, inline.boxes.InlineBox)):
            return sum(count_expandable_spaces(child) for child in box.children)
        return original_count(box)

    @functools.wraps(original_justify)
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
            n = counts[id(box)] = original_count(box) + han_gaps(box.text)
            return n
        if isinstance(box, (inline.boxes.LineBox, inline.boxes.InlineBox)):
            return sum(_gaps(child, counts) for child in box.children)
        return original_count(box)

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
        if shortcuts["on"] and old is not None and getattr(old, "text", None) == box.text \
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


# ------------------------------------------------------------------------------------------------

ADAPTATIONS: dict[str, Adaptation] = {a.name: a for a in (
    Adaptation("precompiled-ffi", "Kozea/WeasyPrint#2073 (import time; PR #2074 not merged)",
               relies_on=(), check=_ffi_source_problem, apply=_apply_ffi,
               fallback="WeasyPrint parses its C declarations in every process"),
    Adaptation("local-faces", "Kozea/WeasyPrint#374 (font files copied to a temporary folder), #2510",
               relies_on=(Shape("weasyprint.text.fonts", "FontConfiguration.__init__", ("self",)),
                          Shape("weasyprint.text.fonts", "FontConfiguration.add_font_face",
                                ("self", "rule_descriptors", "url_fetcher")),
                          Shape("weasyprint.text.fonts", "PREFERRED_ENCODING"),
                          Shape("weasyprint.text.constants", "FONTCONFIG_STYLE"),
                          Shape("weasyprint.text.constants", "FONTCONFIG_WEIGHT"),
                          Shape("weasyprint.text.ffi", "fontconfig.FcConfigParseAndLoadFromMemory"),
                          Shape("weasyprint.text.ffi", "fontconfig.FcConfigAppFontAddFile"),
                          Shape("weasyprint.text.ffi", "pangoft2.pango_fc_font_map_config_changed"),
                          Shape("weasyprint.logger", "LOGGER")),
               check=_local_faces_problem, apply=lambda: None,
               fallback="every process copies the font files to a temporary folder"),
    Adaptation("lazy-font-data", "Kozea/WeasyPrint#1977, #2130 (memory per rendered document)",
               relies_on=(Shape("weasyprint.pdf.fonts", "Font.__init__",
                                ("self", "pango_font", "description", "font_size")),
                          Shape("weasyprint.pdf.fonts", "Font.clean"),
                          Shape("weasyprint.pdf.fonts", "get_hb_object_data", ("hb_object", "ot_color", "glyph"))),
               check=_lazy_font_data_problem, apply=_apply_lazy_font_data,
               fallback="whole font files are copied per render (more memory)"),
    Adaptation("cjk-justify", "no upstream issue: WeasyPrint justifies only at U+0020/U+00A0",
               relies_on=(Shape("weasyprint.layout.inline", "count_expandable_spaces", ("box",)),
                          Shape("weasyprint.layout.inline", "justify_line", ("context", "line", "extra_width")),
                          Shape("weasyprint.layout.inline", "add_word_spacing",
                                ("context", "box", "justification_spacing", "x_advance")),
                          Shape("weasyprint.layout.inline", "boxes.TextBox"),
                          Shape("weasyprint.layout.inline", "boxes.LineBox"),
                          Shape("weasyprint.layout.inline", "boxes.InlineBox"),
                          Shape("weasyprint.text.line_break", "Layout.set_text", ("self", "text", "justify")),
                          Shape("weasyprint.text.line_break", "Layout.reactivate"),
                          Shape("weasyprint.text.line_break", "create_layout",
                                ("text", "style", "context", "max_width", "justification_spacing"))),
               check=_justify_problem, apply=_apply_justify,
               fallback="CJK lines stay ragged right"),
)}
RENDER_TIME = ("cjk-justify", "lazy-font-data", "local-faces")
