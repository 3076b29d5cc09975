"""One lock per plan, shared by every worker of every watcher on the inbox.

Why: a plan's outputs (current files, 历次版本/, comparisons, bulletins) are rewritten by several
kinds of drop — a revision, last year's plan, a department's workbook. Two of them for the same plan
must not interleave, or a bulletin could be built from a half-accepted round or a revision's outputs
mixed with its predecessor's. Different plans still run in parallel. `flock` is released by the
kernel when a process dies (kill -9 included), so a crashed worker never leaves a plan locked.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

LOCK_DIR = ".plandoc/locks"


@contextmanager
def plan_lock(inbox: str | Path, plan_id: str):
    folder = Path(inbox) / LOCK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(plan_id.encode("utf-8")).hexdigest()[:20] + ".lock"
    fd = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)          # closing the descriptor releases the lock
