"""What the drop folder's processes load (issue 12: the peak PSS of the watcher and its 2 workers).

The benchmark (benchmarks/bench_folder.py) is the measure; these tests hold the stable parts of it:
the watcher parent does not load modules only a worker or the help screen needs, and the workers'
plan comparison gets scipy's assignment solver without the whole of `scipy.optimize` — with the
same answers as `scipy.optimize.linear_sum_assignment`, ties included.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint('\\n'.join(sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def test_the_watcher_parent_loads_neither_the_plan_models_nor_the_help_formatter():
    """The watcher only hands files to workers: the pydantic plan models (pipeline.schema) and
    Typer's Rich help formatter are a worker's and `--help`'s to load, not the long-running parent's."""
    loaded = _modules_after("import pipeline.cli, pipeline.watch.service")
    assert "pipeline.watch.service" in loaded
    assert "pipeline.schema" not in loaded
    assert "typer.rich_utils" not in loaded
    assert not any(m == "weasyprint" or m.startswith("scipy") for m in loaded)


def test_help_is_still_chinese_when_the_formatter_loads_late():
    out = subprocess.run([sys.executable, "-m", "pipeline", "watch", "--help"], cwd=REPO, capture_output=True,
                         text=True, timeout=120, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert "参数" in out.stdout and "选项" in out.stdout and "[必填]" in out.stdout
    assert "Arguments" not in out.stdout and "Options" not in out.stdout


def test_plan_comparison_does_not_load_scipy_optimize():
    loaded = _modules_after("import pipeline.diff.tasks as t\nassert callable(t.linear_sum_assignment)")
    assert "scipy.sparse" in loaded
    assert "scipy.optimize" not in loaded


def test_the_assignment_solver_answers_as_scipy_optimize_does():
    from scipy.optimize import linear_sum_assignment as reference

    from pipeline.diff.tasks import linear_sum_assignment
    rng = np.random.default_rng(12)
    for rows, cols in [(1, 1), (3, 7), (7, 3), (25, 25), (60, 45), (90, 120)]:
        for _ in range(10):
            coarse = rng.integers(0, 4, (rows, cols)) / 4          # many ties: the tie order must agree
            fine = rng.random((rows, cols))
            for matrix in (coarse, fine):
                for maximize in (True, False):
                    got = linear_sum_assignment(matrix, maximize=maximize)
                    want = reference(matrix, maximize=maximize)
                    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
