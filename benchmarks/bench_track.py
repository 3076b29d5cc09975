"""Progress loop on the reference plan: tracker + ingest + bulletin (goal: ≤ 2 s together, warm).

Baseline, measured in the same run: parsing the reference plan (`parse_file`), so the ratios say how
many plan-parses each step costs on this machine. The first bulletin PDF of a process also pays
one-off start-up (WeasyPrint import, font resolution, jieba's dictionary for title breaking); it is
reported separately as "cold".
"""
from __future__ import annotations

import importlib.util
import tempfile
import time
from pathlib import Path
from timing import best_of  # noqa: E402  (benchmarks/ is on sys.path: run.py)

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "samples" / "zhoucun-2023-plan.txt"
GOAL_S = 2.0


def _best(fn, repeat: int = 3) -> float:
    return best_of(fn, repeat)


def run() -> list[tuple[str, str]]:
    source = REPO / "samples" / "zhoucun-2023-plan.txt"
    source = source if source.exists() else REFERENCE
    if not source.exists():
        return [("skipped", "reference plan not available")]
    from pipeline.parse import parse_file
    from pipeline.track.bulletin import make_bulletin
    from pipeline.track.config import load_config
    from pipeline.track.ingest import ingest
    from pipeline.track.items import build_items
    from pipeline.track.workbook import write_tracker

    spec = importlib.util.spec_from_file_location("mpw", REPO / "scripts" / "make_progress_workbooks.py")
    filler = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(filler)

    result = parse_file(source)
    base = _best(lambda: parse_file(source))
    cfg = load_config()
    items = build_items(result, cfg)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rounds = filler.make_rounds(result, tmp / "returns")
        files = rounds["round2"]
        t0 = time.perf_counter()
        make_bulletin(result, files, "2023-06-30", tmp / "cold.pdf", archive=tmp / "cold.sqlite3")
        cold = time.perf_counter() - t0
        tracker = _best(lambda: write_tracker(result, tmp / "t.xlsx"))
        ingest_s = _best(lambda: ingest(files, items, cfg))
        bjson = _best(lambda: make_bulletin(result, files, "2023-06-30", tmp / "b.json", archive=tmp / "a.sqlite3"))
        bpdf = _best(lambda: make_bulletin(result, files, "2023-06-30", tmp / "b.pdf", archive=tmp / "a.sqlite3"))
    total = tracker + bpdf       # the PDF bulletin includes its own ingest
    return [
        ("baseline: parse reference plan", f"{base * 1000:.0f} ms"),
        (f"tracker workbook ({len(items.tasks)} task rows)", f"{tracker * 1000:.0f} ms  ({tracker / base:.1f}× parse)"),
        (f"ingest {len(files)} returned workbooks", f"{ingest_s * 1000:.0f} ms  ({ingest_s / base:.1f}× parse)"),
        ("bulletin → JSON (ingest included)", f"{bjson * 1000:.0f} ms  ({bjson / base:.1f}× parse)"),
        ("bulletin → PDF, warm (ingest included)", f"{bpdf * 1000:.0f} ms  ({bpdf / base:.1f}× parse)"),
        ("bulletin → PDF, cold (first in process)", f"{cold * 1000:.0f} ms  ({cold / base:.1f}× parse)"),
        (f"tracker + ingest + bulletin PDF, warm (goal ≤ {GOAL_S:g} s)",
         f"{total:.2f} s  {'OK' if total <= GOAL_S else 'OVER GOAL'}"),
    ]
