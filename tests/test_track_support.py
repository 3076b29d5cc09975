"""Shared helpers for the progress-loop tests: the parsed reference plan and constructed returns."""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "samples" / "zhoucun-2023-plan.txt"     # the project's own copy, in every clone
VARIANT = Path(__file__).resolve().parent / "fixtures" / "variant_boshan_2024.txt"


def reference_path() -> Path:
    return REFERENCE


@lru_cache(maxsize=4)
def parsed(path: str):
    from pipeline.parse import parse_file
    return parse_file(Path(path))


def reference():
    return parsed(str(reference_path()))


def filler_module():
    spec = importlib.util.spec_from_file_location("make_progress_workbooks",
                                                  REPO / "scripts" / "make_progress_workbooks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
