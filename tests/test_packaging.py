"""The package works installed: build the wheel from a copy of the checkout, install it into a fresh
venv outside the checkout, and render the reference notice from there (issue 16).

The fresh venv gets the wheel only (`--no-deps --no-index`); its third-party dependencies are borrowed
from the project venv through a .pth path entry (plain path entries do not run the project venv's
editable-install hook, so `pipeline` can only come from the installed wheel). No network is used.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.timeout(600)

_SKIP = shutil.ignore_patterns(".venv", ".git", "fonts", "output", ".stamps", "__pycache__", "build", "dist",
                               "*.egg-info", ".pytest_cache")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pkg")
    src = tmp / "src"
    shutil.copytree(REPO, src, ignore=_SKIP, symlinks=True)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                        "-w", str(tmp / "dist"), str(src)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    (wheel,) = (tmp / "dist").glob("plandoc-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "zz_project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return wheel, venv, tmp


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PLANDOC_", "VIRTUAL_ENV"))}
    env.update(extra)
    return env


def test_wheel_carries_templates_and_data(installed):
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for t in (REPO / "templates").rglob("*.j2"):
        assert f"pipeline/templates/{t.relative_to(REPO / 'templates').as_posix()}" in names
    assert "pipeline/data/track.toml" in names
    assert not any(n.startswith(("templates/", "tests/")) for n in names)
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Requires-Python: >=3.11" in meta


def test_installed_package_renders_the_reference_notice(installed, reference_txt):
    _, venv, tmp = installed
    work = tmp / "elsewhere"
    work.mkdir(exist_ok=True)
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import pipeline; print(pipeline.__file__)"],
                           cwd=work, env=_env(), capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)), where
    pdf = work / "plan.pdf"
    r = subprocess.run([str(venv / "bin" / "plandoc"), "render", str(reference_txt), "-o", str(pdf)],
                       cwd=work, env=_env(XDG_DATA_HOME=str(tmp / "data")), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "国民经济和社会发展计划" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Noto" in fonts          # installed without fonts/: the system's Noto CJK faces


def test_installed_package_uses_fonts_from_plandoc_font_dir(installed, reference_txt):
    if not (REPO / "fonts" / "FandolFang-Regular.otf").is_file():
        pytest.skip("Fandol fonts not extracted (make setup)")
    _, venv, tmp = installed
    pdf = tmp / "fandol.pdf"
    r = subprocess.run([str(venv / "bin" / "plandoc"), "render", str(reference_txt), "-o", str(pdf)], cwd=tmp,
                       env=_env(PLANDOC_FONT_DIR=str(REPO / "fonts")), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "FandolFang" in fonts


def test_bad_plandoc_font_dir_is_an_error_naming_the_variable(installed, reference_txt):
    _, venv, tmp = installed
    r = subprocess.run([str(venv / "bin" / "plandoc"), "render", str(reference_txt), "-o", str(tmp / "x.pdf")],
                       cwd=tmp, env=_env(PLANDOC_FONT_DIR=str(tmp / "missing")), capture_output=True, text=True)
    assert r.returncode == 1 and "PLANDOC_FONT_DIR" in r.stderr and "Traceback" not in r.stderr
