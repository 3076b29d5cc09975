"""Shared test fixtures: where the corpus and the samples are, and a CLI runner."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# PLANDOC_TEST_CORPUS: the corpus elsewhere (`make mutate` runs the tests in a scratch copy of the project)
CORPUS = Path(os.environ.get("PLANDOC_TEST_CORPUS") or REPO.parent / "shared" / "corpus")
SAMPLES = REPO / "samples"
# The project's own copy of the reference notice (the same bytes as the corpus file): every test that
# needs the reference uses it, so a fresh clone without ../shared still tests the drop folder.
REFERENCE_TXT = SAMPLES / "zhoucun-2023-plan.txt"
# One reason for every skip caused by a missing ../shared/corpus; the summary counts them once.
CORPUS_SKIP = "needs the real corpus (../shared/corpus)"
GOLD = Path(__file__).resolve().parent / "gold"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def corpus_file(name: str) -> Path:
    """A file of the real corpus (documents nobody here wrote), or a skip when the corpus is absent."""
    p = CORPUS / name
    if not p.exists():
        pytest.skip(f"{CORPUS_SKIP}: {name}")
    return p


@pytest.fixture(scope="session")
def reference_txt() -> Path:
    return REFERENCE_TXT


@pytest.fixture(autouse=True)
def _no_watcher_outlives_its_test():
    """Whatever a test asserted, every watcher subprocess it started is gone when it ends. Watchers
    that already ran when the test began belong to a module-scoped fixture (set up before this one),
    which stops them itself at the end of its module: killing them here would fail its teardown."""
    support = sys.modules.get("test_watch_support")
    before = frozenset(p.pid for p in support.STARTED) if support is not None else frozenset()
    yield
    support = sys.modules.get("test_watch_support")
    if support is not None:
        support.reap_started(keep=before)


@pytest.fixture(autouse=True)
def _process_limits_do_not_leak():
    """A test that runs `cli.main()` in-process applies the command's resource limits (pipeline/limits.py)
    to the pytest process itself, and every later subprocess inherits them: chromium, which reserves
    far more address space than the 3 GB cap, then dies at start (SIGTRAP). Restore the soft limits and
    the SIGXCPU handler after every test, so no test leaks its limits into another."""
    import resource
    import signal
    kept = {w: resource.getrlimit(w) for w in (resource.RLIMIT_AS, resource.RLIMIT_CPU)}
    handler = signal.getsignal(signal.SIGXCPU)
    yield
    for which, limits in kept.items():
        if resource.getrlimit(which) != limits:
            resource.setrlimit(which, limits)
    signal.signal(signal.SIGXCPU, handler)


def pytest_terminal_summary(terminalreporter):
    """Say once, in the summary, how many tests a missing real corpus skipped (a fresh clone)."""
    missing = [r for r in terminalreporter.stats.get("skipped", []) if CORPUS_SKIP in str(r.longrepr)]
    if missing:
        terminalreporter.write_line(
            f"{len(missing)} tests skipped because ../shared/corpus is absent (real documents); "
            "everything else, the drop folder included, ran on the project's own samples/", yellow=True)


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m pipeline …` as a user would; returns the completed process (text mode)."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd or REPO, capture_output=True,
                          text=True, timeout=timeout, env=env)


# Property tests (Hypothesis): a fixed example budget; "ci" (the default) is derandomised, so every run
# of the suite draws the same examples and a failure reproduces; HYPOTHESIS_PROFILE=dev explores anew.
# Only when Hypothesis is loaded (its pytest plugin loads it): importing it costs about a second, which
# `make mutate` saves on every mutant of a module whose tests do not use it (-p no:hypothesispytest).
def pytest_configure(config):
    if config.pluginmanager.has_plugin("hypothesispytest"):
        from hypothesis import HealthCheck, settings

        settings.register_profile("ci", max_examples=150, derandomize=True, deadline=None, database=None,
                                  suppress_health_check=[HealthCheck.too_slow])
        settings.register_profile("dev", max_examples=500, deadline=None)
        settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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



# Files that take longest (most wait on watcher subprocesses or OCR), measured Dec 2026 with
# `--durations`. `make test` runs files in parallel (pytest-xdist, --dist loadfile) in the order they are
# collected; starting the longest first keeps one of them from running alone at the end (measured:
# 5:13 → 4:44). Only the order changes: every test still runs.
LONGEST_FIRST = (
    "test_readers_ocr.py", "test_watch_reliability.py", "test_hostile_folder_faults.py",
    "test_watch_subfolders.py", "test_watch_bad_inputs.py", "test_watch_year_reliability.py",
    "test_watch_year.py", "test_hostile_watch.py", "test_watch_memory.py", "test_hostile_pdf_rotation.py",
    "test_readers_legacy_office.py", "test_hostile_packages.py", "test_hostile_text.py", "test_imprint.py",
    "test_packaging.py",
)


def pytest_collection_modifyitems(items):
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))   # stable: file order otherwise kept
