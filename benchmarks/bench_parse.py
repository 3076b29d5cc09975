"""Parse throughput of the reference notice (.txt), as notices/s and as a ratio to merely reading and
decoding the same file in the same run (the floor no parser can beat). Goal: ≥ 100 notices/s."""
from __future__ import annotations

import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REF = REPO / "samples" / "zhoucun-2023-plan.txt"
REPS = 200


def _rate(fn, reps: int) -> float:
    fn()                                   # warm-up: imports, regex compilation
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return reps / (time.perf_counter() - t0)


def run():
    from pipeline.parse import parse_file
    from pipeline.readers.txt import decode_text

    def read_decode():
        decode_text(REF, REF.read_bytes())

    def parse_only_structure():
        parse_file(REF, keywords=False)

    base = _rate(read_decode, REPS * 5)
    full = _rate(parse_only_structure, REPS)
    return [
        ("read+decode reference .txt (baseline)", f"{base:,.0f} notices/s"),
        ("parse reference .txt, no keywords (goal ≥ 100/s)", f"{full:,.0f} notices/s"),
        ("parse cost as multiple of read+decode", f"{base / full:,.1f}×"),
    ]
