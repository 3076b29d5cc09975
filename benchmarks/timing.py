"""Timing helper shared by the benchmarks: best of several runs (the least disturbed by other load)."""
from __future__ import annotations

import time


def best_of(fn, repeat: int = 5, *, warmup: bool = False) -> float:
    """Seconds of the fastest of `repeat` calls; `warmup` makes one untimed call first."""
    if warmup:
        fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best
