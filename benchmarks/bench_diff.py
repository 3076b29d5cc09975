"""Diff benchmarks: task matching at 300 × 300 (goal ≤ 100 ms) and the full diff of the reference pair.

Tasks are real sentences (the reference plan and the 海拉尔区 reports) grouped into task-sized texts;
next year's list edits numbers and a few words in most tasks, drops 10 %, adds 10 % and shuffles the
order, so the true pairing is known. Baseline, measured in the same run: the obvious alternative — a
rapidfuzz `ratio` matrix (C++, all cores) solved by the same optimal assignment.
"""
from __future__ import annotations

import random
import re
import time
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from scipy.optimize import linear_sum_assignment
from timing import best_of  # noqa: E402  (benchmarks/ is on sys.path: run.py)

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
N_TASKS = 300
BASELINE_ACCEPT = 70      # rapidfuzz ratio (0–100) at which the baseline accepts a pair
GOAL_MS = 100.0
WORD_SWAPS = [("加快", "持续"), ("推进", "推动"), ("建设", "打造"), ("完善", "健全"), ("提升", "提高"), ("深化", "深入")]


def _sentences() -> list[str]:
    texts = [(REPO / "samples" / "zhoucun-2023-plan.txt").read_text(encoding="utf-8")]
    for y in (2012, 2013, 2014, 2015):
        p = CORPUS / "real" / f"hailar-gwr-{y}.txt"
        if p.exists():
            texts.append(p.read_bytes().decode("gb18030"))
    out = []
    for t in texts:
        out.extend(s.strip(" \u3000\r\n\t") + "。" for s in t.split("。") if len(s.strip()) >= 15)
    return out


def _edit(text: str, rng: random.Random) -> str:
    text = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), text)
    for old, new in rng.sample(WORD_SWAPS, 2):
        text = text.replace(old, new, 1)
    return text


def _task_lists(rng: random.Random):
    from pipeline.diff.tasks import task_units
    from pipeline.schema import Node
    sentences = _sentences()
    rng.shuffle(sentences)
    tasks = [sentences[i] + sentences[i + 1] for i in range(0, 2 * (N_TASKS + N_TASKS // 10), 2)]
    old_texts, extra = tasks[:N_TASKS], tasks[N_TASKS:]
    keep = [i for i in range(N_TASKS) if rng.random() > 0.1]
    new_items = [(i, _edit(old_texts[i], rng)) for i in keep] + [(None, t) for t in extra]
    rng.shuffle(new_items)

    def nodes(texts):
        return [Node(id=f"2.{k + 1}", kind="item", level=2, label=None, title=t[:12], text=t[12:])
                for k, t in enumerate(texts)]
    old_units = task_units(nodes(old_texts), 2023)
    new_units = task_units(nodes([t for _, t in new_items]), 2024)
    truth = {i: j for j, (i, _) in enumerate(new_items) if i is not None}
    return old_units, new_units, truth


def _best_ms(fn, repeat=5) -> float:
    return best_of(fn, repeat) * 1000


def _accuracy(pairs, truth) -> float:
    right = sum(1 for i, j in pairs if truth.get(i) == j)
    return right / len(truth)


def run() -> list[tuple[str, str]]:
    from pipeline.diff.tasks import match_units
    rng = random.Random(7)
    old, new, truth = _task_lists(rng)
    match_units(old, new)                                       # warm-up
    ours_ms = _best_ms(lambda: match_units(old, new))
    m = match_units(old, new)
    ours_acc = _accuracy([(i, j) for i, j, _ in m.pairs], truth)

    def baseline():
        sim = process.cdist([u.masked for u in old], [u.masked for u in new], scorer=fuzz.ratio, workers=-1)
        r, c = linear_sum_assignment(np.asarray(sim), maximize=True)
        return [(i, j) for i, j in zip(r, c) if sim[i, j] >= BASELINE_ACCEPT]
    base_ms = _best_ms(baseline)
    base_acc = _accuracy(baseline(), truth)

    from pipeline.diff import diff_plans
    from pipeline.parse import parse_file
    t0 = time.perf_counter()
    a = parse_file(REPO / "samples" / "zhoucun-2023-plan.txt", keywords=False)
    b = parse_file(REPO / "samples" / "zhoucun-2024-plan.txt", keywords=False)
    parse_ms = (time.perf_counter() - t0) * 1000
    diff_plans(a, b)                                            # warm-up: jieba dictionary
    diff_ms = _best_ms(lambda: diff_plans(a, b), repeat=3)
    return [
        (f"match {len(old)} x {len(new)} tasks (TF-IDF + assignment)", f"{ours_ms:.1f} ms (goal ≤ {GOAL_MS:.0f} ms)"),
        ("  correct pairs", f"{ours_acc:.1%}"),
        ("baseline: rapidfuzz ratio matrix + assignment", f"{base_ms:.1f} ms, correct {base_acc:.1%}"),
        ("  ours / baseline time", f"{ours_ms / base_ms:.2f}"),
        ("full diff of the reference pair (parsed, jieba warm)", f"{diff_ms:.1f} ms"),
        ("  diff / parsing both plans", f"{diff_ms / parse_ms:.2f} (parse {parse_ms:.0f} ms)"),
    ]


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<58} {value}")
