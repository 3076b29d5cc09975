"""Drop folder: drop-to-PDF latency of the reference notice (goal ≤ 2 s) and 100 notices through
`plandoc watch --once` (goal ≤ 30 s on 2 cores) with peak memory (goal ≤ 300 MB).

Baseline, measured in the same run: parse + render of the same notices in this process, warm and
serial. The ratios say what the drop folder adds (settling, claiming, archive, process hand-off) and
how much the 2-worker batch gains over serial work.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "zhoucun-2023-plan.txt"
DISTRICTS = ["张店区", "淄川区", "博山区", "临淄区", "周村区", "桓台县", "高青县", "沂源县"]
BATCH = 100


def _variant(text: str, i: int) -> str:
    """The reference plan re-issued by another district / year: distinct notices, same shape."""
    district, year = DISTRICTS[i % len(DISTRICTS)], 2023 - i // len(DISTRICTS)
    out = text.replace("周村区", district)
    if year != 2023:
        out = out.replace("2022", str(year - 1)).replace("2023", str(year))
    return out


def _baseline_seconds(texts: list[str]) -> float:
    """Warm, serial, in-process parse + render per notice (median)."""
    from pipeline.parse import parse_source
    from pipeline.readers.txt import read_txt
    from pipeline.render.plan_pdf import render_plan_pdf
    import hashlib
    times = []
    with tempfile.TemporaryDirectory() as d:
        for i, t in enumerate([texts[0]] + texts):       # the first one only warms up
            data = t.encode("utf-8")
            t0 = time.perf_counter()
            res = parse_source(read_txt(Path(f"{i}.txt"), data, hashlib.sha256(data).hexdigest()))
            render_plan_pdf(res, Path(d) / f"{i}.pdf", style="plain")
            if i:
                times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def _tree_memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process and all its descendants, from /proc.

    RSS counts a page once per process that maps it (the workers share library code and the mapped
    font files), so its sum over the tree overstates what the tree occupies; PSS splits each shared
    page between its users, so the PSS sum is the tree's real footprint. Both are reported.
    """
    rss = pss = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return rss / 1024, pss / 1024


def _env() -> dict:
    # the notice-only figures (JSON + plain PDF); bench_folder.py measures every output of the year
    return dict(os.environ, PLANDOC_WATCH_SETTLE="0.5", PLANDOC_WATCH_RESCAN="2", PLANDOC_WATCH_OUTPUTS="json,plain")


def _latency(text: str, root: Path) -> tuple[float, float | None]:
    """(seconds from the drop to the PDF in place, seconds the worker itself spent)."""
    inbox, out, stage = root / "lat-in", root / "lat-out", root / "lat-stage"
    for d in (inbox, stage):
        d.mkdir()
    log = root / "lat.log"
    with open(log, "wb") as errf:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", str(inbox), "--out", str(out)],
                                cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=errf)
    try:
        deadline = time.monotonic() + 120
        while "处理进程已就绪".encode() not in log.read_bytes():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("watcher did not become ready")
            time.sleep(0.05)
        (stage / "周村区2023年计划.txt").write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        os.rename(stage / "周村区2023年计划.txt", inbox / "周村区2023年计划.txt")   # the drop
        target = out / "周村区" / "2023" / "周村区2023年计划.pdf"
        while not target.exists():
            if time.perf_counter() - t0 > 60:
                raise RuntimeError("no PDF within 60 s")
            time.sleep(0.01)
        latency = time.perf_counter() - t0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    found = re.search(r"done .*\((\d+\.\d+) s\)", log.read_text(encoding="utf-8", errors="replace"))
    return latency, float(found.group(1)) if found else None


def _batch(texts: list[str], root: Path) -> tuple[float, tuple[float, float], int]:
    inbox, out = root / "batch-in", root / "batch-out"
    inbox.mkdir()
    for i, t in enumerate(texts):
        (inbox / f"notice-{i:03d}.txt").write_text(t, encoding="utf-8")
    old = time.time() - 60
    for p in inbox.iterdir():
        os.utime(p, (old, old))      # copied a minute ago: nothing to settle
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", str(inbox), "--out", str(out), "--once"],
                            cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_rss = peak_pss = 0.0
    while proc.poll() is None:
        rss, pss = _tree_memory_mb(proc.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.1)
    elapsed = time.perf_counter() - t0
    done = len(list((inbox / "done").iterdir())) if (inbox / "done").exists() else 0
    return elapsed, (peak_rss, peak_pss), done


def run() -> list[tuple[str, str]]:
    if not SAMPLE.exists():
        return [("skipped", "reference notice (samples/) absent")]
    text = SAMPLE.read_text(encoding="utf-8")
    texts = [_variant(text, i) for i in range(BATCH)]
    base = _baseline_seconds(texts[:5])
    root = Path(tempfile.mkdtemp(prefix="plandoc-bench-watch-"))
    try:
        latency, worker = _latency(text, root)
        elapsed, peak, done = _batch(texts, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    cpus = os.cpu_count() or 1
    load = os.getloadavg()[0]
    return [
        ("machine load average during the run (1 min)", f"{load:.1f} on {cpus} cores"),
        ("baseline: parse+render one notice, warm, in-process", f"{base:.2f} s"),
        ("drop-to-PDF latency, reference notice (goal ≤ 2 s)", f"{latency:.2f} s  ({latency / base:.2f}× baseline)"),
        ("  of which in the worker (parse, archive, render, move)", f"{worker:.2f} s" if worker else "n/a"),
        (f"{BATCH} notices via --once, {cpus} cores (goal ≤ 30 s)",
         f"{elapsed:.1f} s  ({elapsed / (BATCH * base):.2f}× serial baseline; {done}/{BATCH} done)"),
        ("peak memory of the --once process tree (goal ≤ 300 MB)",
         f"PSS {peak[1]:.0f} MB (shared pages counted once); RSS summed per process {peak[0]:.0f} MB"),
    ]


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<58} {value}")
