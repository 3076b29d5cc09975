"""Running the CLI on hostile input the way the hostile suite needs it: bounded in time and memory
(limits set in the child before exec), and the checks every case shares."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _limit(mem_mb: int):
    def apply() -> None:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (mem_mb * 1024 * 1024, mem_mb * 1024 * 1024))
        resource.setrlimit(resource.RLIMIT_CPU, (120, 130))
    return apply


def run_bounded(*args: str, mem_mb: int = 2048, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env, preexec_fn=_limit(mem_mb))


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def assert_refused(proc: subprocess.CompletedProcess, path: Path, *place: str) -> None:
    """Exit 1, no traceback, a Chinese reason naming the file and the place."""
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "错误" in proc.stderr and path.name in proc.stderr, proc.stderr
    for word in place:
        assert word in proc.stderr, (word, proc.stderr)
