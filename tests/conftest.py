"""Shared test fixtures: where the corpus and the samples are, and a CLI runner."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
REFERENCE_TXT = CORPUS / "zhoucun-2023-plan.txt"
SAMPLES = REPO / "samples"
GOLD = Path(__file__).resolve().parent / "gold"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_file(name: str) -> Path:
    p = CORPUS / name
    if not p.exists():
        pytest.skip(f"corpus file {name} not available")
    return p


@pytest.fixture(scope="session")
def reference_txt() -> Path:
    if (SAMPLES / "zhoucun-2023-plan.txt").exists():
        return SAMPLES / "zhoucun-2023-plan.txt"
    return corpus_file("zhoucun-2023-plan.txt")


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m pipeline …` as a user would; returns the completed process (text mode)."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd or REPO, capture_output=True,
                          text=True, timeout=timeout, env=env)


@pytest.fixture(scope="session")
def legacy_samples(tmp_path_factory) -> dict[str, Path]:
    """The reference notice as .doc and .rtf, written by LibreOffice (`soffice --convert-to`) from the
    sample .docx once per test session. Skips when LibreOffice is not installed."""
    import shutil as _shutil
    soffice = _shutil.which("soffice") or _shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed (make test installs libreoffice-writer-nogui)")
    out = tmp_path_factory.mktemp("legacy")
    profile = tmp_path_factory.mktemp("lo-profile")
    src = SAMPLES / "zhoucun-2023-plan.docx"
    made = {}
    for ext in ("doc", "rtf"):
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", ext, "--outdir", str(out), str(src)],
                       capture_output=True, timeout=180, check=True)
        made[ext] = out / f"{src.stem}.{ext}"
        assert made[ext].stat().st_size > 0
    return made


@pytest.fixture(scope="session")
def reference_ofd(tmp_path_factory) -> Path:
    """The reference notice as OFD, written from the sample PDF by scripts/make_ofd.py (once per session)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_ofd", REPO / "scripts" / "make_ofd.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.write_ofd(SAMPLES / "zhoucun-2023-plan.pdf", tmp_path_factory.mktemp("ofd") / "zhoucun-2023-plan.ofd")
