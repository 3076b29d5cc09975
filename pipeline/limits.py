"""Resource limits for every command, not only the watcher's workers.

A 1 KB hostile file must fail one command with a Chinese reason, never take the machine: the address
space is capped (a runaway allocation raises MemoryError inside Python, which `main` turns into a
message), and one-shot commands get a CPU-time cap whose soft limit (SIGXCPU) is likewise turned into a
message. The watcher is long-running, so it has no CPU cap; its workers keep their own per-notice
time limit (watch/process.py).

Overrides: PLANDOC_MEMORY_LIMIT_MB, PLANDOC_CPU_LIMIT_S ("0" disables either).
"""
from __future__ import annotations

import os
import signal

DEFAULT_MEMORY_LIMIT_MB = 3 * 1024
DEFAULT_CPU_LIMIT_S = 3600


class CpuLimitExceeded(Exception):
    """Raised from the SIGXCPU handler: the command used its CPU-time budget."""


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def memory_limit_bytes() -> int:
    return _env_int("PLANDOC_MEMORY_LIMIT_MB", DEFAULT_MEMORY_LIMIT_MB) * 1024 * 1024


def cpu_limit_seconds() -> int:
    return _env_int("PLANDOC_CPU_LIMIT_S", DEFAULT_CPU_LIMIT_S)


def apply_limits(*, cpu: bool) -> None:
    """Lower this process's soft limits (never raise a limit the caller already set lower)."""
    # Math libraries reserve address space per thread (OpenBLAS: tens of MB per core); on a many-core
    # machine that alone would approach the cap. We do no numeric work that needs their threads.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    try:
        import resource
    except ImportError:           # not a POSIX system: nothing to set
        return
    limit = memory_limit_bytes()
    if limit > 0:
        _lower(resource, resource.RLIMIT_AS, limit)
    seconds = cpu_limit_seconds()
    if cpu and seconds > 0:
        used = int(sum(os.times()[:2]))
        if _lower(resource, resource.RLIMIT_CPU, used + seconds):
            signal.signal(signal.SIGXCPU, _on_xcpu)


def _lower(resource, which: int, value: int) -> bool:
    try:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY and hard < value:
            value = hard
        if soft != resource.RLIM_INFINITY and soft <= value:
            return False
        resource.setrlimit(which, (value, hard))
        return True
    except (ValueError, OSError):
        return False


def _on_xcpu(signum, frame) -> None:
    # The hard limit stays above the soft one, so there is time to report instead of being killed.
    signal.signal(signal.SIGXCPU, signal.SIG_IGN)
    raise CpuLimitExceeded()
