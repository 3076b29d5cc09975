"""Timing helpers shared by the benchmarks: best of several runs (the least disturbed by other load),
and one run's wall and CPU seconds."""
from __future__ import annotations

import resource
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


def wall_and_cpu(fn) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one call: this process's and its finished children's (the
    subprocesses a call runs, such as Tesseract, count too)."""
    def cpu():
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    c0, t0 = cpu(), time.perf_counter()
    fn()
    return time.perf_counter() - t0, cpu() - c0
