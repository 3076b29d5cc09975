"""Target extraction, reconciliation and keywords over the reference notice (issue 4).

Baseline, measured in the same run: reading the file into blocks (`read_document`). Reported:
the whole parse without keywords (goal ≥ 100 notices/s), target extraction alone, the table↔body
check, and keywords: per notice in this process, and in fresh interpreters (start-up, warm pass, peak
RSS) both via `pipeline/words.py`'s on-disk index and the former way (jieba's tables in memory).
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "samples" / "zhoucun-2023-plan.txt"
if not REFERENCE.exists():
    REFERENCE = REPO / "samples" / "zhoucun-2023-plan.txt"


def _per_call(fn, rounds: int = 5, min_seconds: float = 0.2) -> float:
    """Best mean time per call over several rounds (the machine is shared: the minimum is the signal)."""
    fn()
    best = float("inf")
    for _ in range(rounds):
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= min_seconds:
                break
        best = min(best, elapsed / n)
    return best


_KEYWORDS_PROBE = """
import sys, time
from pipeline.parse import parse_file
from pipeline.parse import keywords as kw
plan = parse_file(sys.argv[1], keywords=False).plan
nodes, stack = [], list(plan.sections)
while stack:
    n = stack.pop(); nodes.append(n); stack.extend(n.children)
texts = [f"{n.title}。{n.text}" for n in nodes]
rank = kw._jieba_keywords_for if sys.argv[2] == "jieba" else kw.keywords_for
t1 = time.perf_counter()
[rank(t) for t in texts]
t2 = time.perf_counter()
warm = []
for _ in range(5):
    s = time.perf_counter()
    [rank(t) for t in texts]
    warm.append(time.perf_counter() - s)
# VmHWM is this program image's own peak; ru_maxrss would carry over the (large) parent's peak across fork+exec
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
print(t2 - t1, min(warm), hwm, "jieba" in sys.modules)
"""


def _keywords_fresh(kind: str) -> tuple[float, float, float, bool]:
    """In a fresh interpreter: first keywords of the reference (start-up included), best warm pass,
    peak RSS (MB), whether jieba got imported. `kind` is "index" (ours) or "jieba" (the former way)."""
    out = subprocess.run([sys.executable, "-c", _KEYWORDS_PROBE, str(REFERENCE), kind], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    first, warm, rss, loaded = out.stdout.split()
    return float(first), float(warm), float(rss), loaded == "True"


def run() -> list[tuple[str, str]]:
    from pipeline.parse import parse_file
    from pipeline.parse.keywords import add_keywords
    from pipeline.parse.reconcile import reconcile
    from pipeline.parse.targets import attach_targets, extract_targets
    from pipeline.readers import read_document

    if not REFERENCE.exists():
        return [("reference notice", "not available, skipped")]
    size_kb = REFERENCE.stat().st_size / 1024
    read = _per_call(lambda: read_document(REFERENCE))
    parse = _per_call(lambda: parse_file(REFERENCE, keywords=False))
    result = parse_file(REFERENCE, keywords=False)
    plan = result.plan
    prose = "\n".join([plan.preamble] + [t for n in _walk(plan.sections) for t in (n.title, n.text)])
    extract = _per_call(lambda: extract_targets(prose))
    attach = _per_call(lambda: attach_targets(plan))
    check = _per_call(lambda: reconcile(plan))
    ours = _keywords_fresh("index")
    jieba = _keywords_fresh("jieba")
    keywords = _per_call(lambda: add_keywords(plan))
    return [
        ("reference notice", f"{size_kb:.1f} KB, {len(plan.targets)} targets, {len(plan.indicators)} rows"),
        ("baseline: read_document", f"{read * 1e3:.2f} ms/notice"),
        ("parse without keywords", f"{1 / parse:.0f} notices/s ({parse / read:.1f}× read; goal ≥ 100/s)"),
        ("  target extraction (prose only)", f"{extract * 1e3:.2f} ms/notice ({extract / parse:.0%} of parse, "
                                             f"{len(plan.targets) / extract:.0f} targets/s)"),
        ("  attach_targets (ids, nodes, units)", f"{attach * 1e3:.2f} ms/notice ({attach / read:.1f}× read)"),
        ("  reconcile table↔body", f"{check * 1e3:.2f} ms/notice ({check / read:.1f}× read)"),
        ("keywords per notice (warm, this process)", f"{keywords * 1e3:.1f} ms ({keywords / parse:.1f}× parse)"),
        ("baseline: jieba keywords, fresh process: first notice", f"{jieba[0]:.2f} s, then {jieba[1] * 1e3:.0f} ms warm, "
                                                         f"peak RSS {jieba[2]:.0f} MB"),
        ("keywords via words index, fresh process: first notice", f"{ours[0]:.2f} s ({ours[0] / jieba[0]:.2f}× jieba), "
                                                         f"then {ours[1] * 1e3:.0f} ms warm ({ours[1] / jieba[1]:.2f}×)"),
        ("  peak RSS of that process", f"{ours[2]:.0f} MB ({ours[2] / jieba[2]:.2f}× jieba); "
                                       f"jieba imported: {'yes' if ours[3] else 'no'}"),
    ]


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.children)
