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
