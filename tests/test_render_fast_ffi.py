"""WeasyPrint on precompiled C declarations (`render/weasy_compat.py`, precompiled-ffi), checked in fresh processes:

- importing `pipeline.render` first makes WeasyPrint's `ffi` the out-of-line (precompiled) one;
- the PDF is byte-identical to one rendered by a process that parses the declarations the ordinary way;
- when the cache cannot be written, or WeasyPrint's module has another shape, WeasyPrint is imported the
  ordinary way and renders just the same.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.render import weasy_compat

REPO = Path(__file__).resolve().parents[1]

SCRIPT = """
import json, sys
sys.path.insert(0, {repo!r}); sys.path.insert(0, {tests!r})
from pipeline.render import weasy_compat
if {break_cache!r}:
    from pathlib import Path
    weasy_compat.CACHE_DIR = Path("/proc/plandoc-cannot-write-here")
from pipeline.render.plan_pdf import render_plan_pdf
from test_render_safety import make_result
render_plan_pdf(make_result(), {out!r})
from weasyprint.text import ffi
print(json.dumps({{"used": weasy_compat.ffi_used(), "ffi_type": type(ffi.ffi).__module__ + "." + type(ffi.ffi).__name__,
                  "problem": weasy_compat.ffi_state["problem"]}}))
"""


def _render_in_fresh_process(out: Path, *, enabled: bool = True, break_cache: bool = False) -> dict:
    env = dict(os.environ, PLANDOC_FAST_FFI="1" if enabled else "0")
    script = SCRIPT.format(repo=str(REPO), tests=str(REPO / "tests"), out=str(out), break_cache=break_cache)
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_precompiled_declarations_render_the_same_bytes(tmp_path):
    fast = _render_in_fresh_process(tmp_path / "fast.pdf")
    plain = _render_in_fresh_process(tmp_path / "plain.pdf", enabled=False)
    assert fast["used"] and fast["ffi_type"].startswith("_cffi_backend."), fast
    assert not plain["used"] and plain["ffi_type"] == "cffi.api.FFI", plain
    assert (tmp_path / "fast.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()


def test_an_unwritable_cache_falls_back_to_the_ordinary_import(tmp_path):
    result = _render_in_fresh_process(tmp_path / "fallback.pdf", break_cache=True)
    assert not result["used"] and result["ffi_type"] == "cffi.api.FFI"
    assert result["problem"], "the reason for the fallback is kept"
    assert (tmp_path / "fallback.pdf").stat().st_size > 10_000


@pytest.mark.parametrize("source", [
    "import cffi\nffi = cffi.FFI()\n",                                           # no cdef
    "import cffi\nffi = cffi.FFI()\nffi.cdef('int a;')\nffi.cdef('int b;')\n",   # two cdefs
    "import cffi\nffi = cffi.FFI(backend=None)\nffi.cdef('int a;')\n",           # FFI with arguments
    "import cffi\nffi = cffi.FFI()\nffi.cdef(DECLS)\n",                         # cdef not a literal
    "import cffi\nffi = cffi.FFI()\nffi.cdef('int a;', packed=True)\n",          # cdef options
])
def test_an_unexpected_module_shape_is_refused(source):
    with pytest.raises(ValueError):
        weasy_compat._split_source(source)


def test_the_expected_shape_keeps_everything_else():
    cdef, tree = weasy_compat._split_source("import cffi\nffi = cffi.FFI()\nffi.cdef('int a;')\nX = ffi\n")
    assert cdef == "int a;"
    namespace = {weasy_compat._FFI_NAME: "precompiled"}
    exec(compile(tree, "<test>", "exec"), namespace)
    assert namespace["ffi"] == namespace["X"] == "precompiled"
