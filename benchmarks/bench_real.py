"""Parse throughput on the real Shanghai corpus (../shared/corpus/real/shanghai, 26 .md notices of every
shape: covers, part ladders, flattened tables) next to the reference notice in the same run, and the
gold scores per part. Skipped (one line) when the shared corpus is absent."""
from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "corpus" / "real" / "shanghai"
REF = REPO / "samples" / "zhoucun-2023-plan.txt"
ROUNDS = 5


def run():
    from pipeline.parse import parse_file

    files = sorted(REAL.glob("*.md")) if REAL.exists() else []
    files = [f for f in files if f.name.lower() != "readme.md"]
    if not files:
        return [("real corpus", "not available (skipped)")]
    for f in files:                                   # warm-up
        parse_file(f, keywords=False)
    t0 = time.perf_counter()
    for _ in range(ROUNDS):
        parse_file(REF, keywords=False)
    ref_rate = ROUNDS / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    chars = 0
    for _ in range(ROUNDS):
        for f in files:
            parse_file(f, keywords=False)
    real_rate = ROUNDS * len(files) / (time.perf_counter() - t0)
    chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    out = [
        ("parse reference .txt, no keywords (same run)", f"{ref_rate:,.0f} notices/s"),
        (f"parse real Shanghai .md ({len(files)} files, {chars // len(files):,} chars avg)", f"{real_rate:,.0f} notices/s"),
    ]
    sys.path.insert(0, str(REPO / "tests"))
    from gold_shanghai import gold_files, load, score_all
    totals: dict[str, list[int]] = {}
    for g in gold_files():
        gold = load(g)
        for part, s in score_all(parse_file(REAL / gold["file"], keywords=False), gold).items():
            t = totals.setdefault(part, [0, 0])
            t[0] += s.found
            t[1] += s.total
    out.append(("gold (12 notices read by hand): " + ", ".join(totals), " ".join(f"{a}/{b}" for a, b in totals.values())))
    return out
