"""Load WeasyPrint's C declarations precompiled instead of parsing them in every new process.

`weasyprint.text.ffi` declares ~450 lines of Pango/HarfBuzz/fontconfig C with `cffi.FFI().cdef(...)`
(cffi's in-line ABI mode): every process that imports WeasyPrint parses them with pycparser (~0.25 s
of the ~0.55 s import) and then parses each type string again the first time a render uses it
(`ffi.new("FcChar8 **")`, ~0.2 s more). That is paid by every `plandoc render`, `bulletin`, `diff
--pdf` and every watch worker. cffi's out-of-line ABI mode keeps the same declarations parsed in a
generated pure-Python module (no C compiler involved), whose types are resolved in C.

`install()` puts a finder in front of the import system for that one module: it takes WeasyPrint's
own source, builds (once per machine, in `~/.cache/plandoc/cffi/`, keyed by the declarations, cffi
and Python versions) the out-of-line module from the very `cdef` text it finds there, and runs the
rest of WeasyPrint's module unchanged with `ffi` bound to the precompiled object. Library loading,
constants and helpers are WeasyPrint's own code. If the source does not have the expected shape
(one `ffi = cffi.FFI()`, one `ffi.cdef("...")`), the cache cannot be written, or anything fails,
WeasyPrint is imported the ordinary way: slower, never different. `PLANDOC_FAST_FFI=0` turns it off.
"""
from __future__ import annotations

import ast
import hashlib
import importlib.abc
import importlib.util
import logging
import os
import sys
import tempfile
from pathlib import Path

from pipeline.cache import CACHE_ROOT

LOGGER = logging.getLogger(__name__)
MODULE = "weasyprint.text.ffi"
CACHE_DIR = CACHE_ROOT / "cffi"
_FFI_NAME = "__plandoc_precompiled_ffi__"
_state: dict[str, object] = {"installed": False, "used": False, "problem": None}


def _split_source(source: str) -> tuple[str, ast.Module]:
    """(the cdef text, the module without its FFI construction and cdef call). ValueError if the
    module does not look exactly as expected."""
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
    """The out-of-line ABI `ffi` for `cdef`, generated into the cache on first use."""
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


class _Loader(importlib.abc.Loader):
    def __init__(self, code, ffi):
        self._code, self._ffi = code, ffi

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__dict__[_FFI_NAME] = self._ffi
        exec(self._code, module.__dict__)
        _state["used"] = True


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != MODULE:
            return None
        spec = None
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, "find_spec"):
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return spec
        try:
            source = Path(spec.origin).read_text(encoding="utf-8")
            cdef, tree = _split_source(source)
            ffi = _precompiled_ffi(cdef)
            code = compile(tree, spec.origin, "exec")
        except Exception as e:   # any doubt: WeasyPrint's own import, as if we were not here
            _state["problem"] = f"{type(e).__name__}: {e}"
            LOGGER.debug("WeasyPrint C declarations parsed the ordinary way: %s", _state["problem"])
            return spec
        spec.loader = _Loader(code, ffi)
        return spec


def install() -> None:
    """Put the finder in place (once per process; no effect once WeasyPrint is imported)."""
    if _state["installed"] or os.environ.get("PLANDOC_FAST_FFI", "1") == "0":
        return
    _state["installed"] = True
    if MODULE not in sys.modules:
        sys.meta_path.insert(0, _Finder())


def used() -> bool:
    """True when this process's WeasyPrint runs on the precompiled declarations."""
    return bool(_state["used"])
