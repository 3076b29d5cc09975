"""Tasks across two years: one-to-one matching, review band, new/dropped, moved (domain.md §7).

Units are the parsed nodes (sections, items, run-in headlines), each with its title and own text.
Years are rewritten relative to the plan year (2023年 in the 2023 plan and 2024年 in the 2024 plan
both become 本年), so "做好2023年工作" does not count as a change.

Matching, cheapest first:
1. equal normalised text (one candidate on each side) → unchanged;
2. equal text with numbers masked and punctuation dropped (one candidate each side) → re-targeted;
3. the rest: character 2–3-gram TF-IDF cosine on masked text (numpy; one loop over the old units, none over
   pairs), plus small structural tie-breakers (same parent heading, same title, same kind, shared
   numbers) so look-alike tasks land under the right heading; one optimal assignment
   (`scipy.optimize.linear_sum_assignment`). A pair at or above `HIGH` is accepted, one in
   [`LOW`, `HIGH`) goes to the review band (reported, never auto-paired), below `LOW` both sides are
   new / dropped.
Calibration (measured on the pairs the tests use): the constructed 2023/2024 pair accepts every true
pair at ≥ 0.90 while the best wrong candidate scores ≤ 0.07; in the real 海拉尔区 reports, rewritten
every year, the 95th percentile of wrong candidates is ≤ 0.10, and what scores 0.3–0.5 is the same
section or theme rewritten (过去一年工作回顾 ↔ 2013年工作回顾, 工业经济稳步增长 ↔ 工业运行稳中有升):
a human should decide those, hence the review band.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy

from pipeline.diff.model import TaskDiff
from pipeline.diff.redline import redline_ops, redline_text
from pipeline.schema import Node, walk_with_parents
from pipeline.text import normalize

HIGH = 0.5          # accept a pair at or above this similarity
LOW = 0.3           # below this: not the same task
# tie-breakers: far smaller than the gap between true and wrong pairs, so they only order near-ties
BONUS_PARENT, BONUS_TITLE, BONUS_KIND, BONUS_NUMBERS = 0.03, 0.02, 0.01, 0.01


def _assignment_solver():
    """scipy's `linear_sum_assignment`, loaded from its own compiled module (`scipy/optimize/_lsap`)
    without running `scipy/optimize/__init__.py`.

    Why: that package imports every optimizer, root finder and their dependencies (~250 modules,
    ~14 MB of anonymous memory and ~28 MB resident in each process) for the one function used
    here; in the drop folder's workers, which all compare plans, that was the largest single item
    of their memory (issue 12). The extension is self-contained (it needs numpy only), so the
    function and its results are scipy's own. If scipy's layout ever changes, the ordinary import
    is used: slower to load, same answers."""
    name = "scipy.optimize._lsap"
    if name in sys.modules:
        return sys.modules[name].linear_sum_assignment
    try:
        folder = Path(scipy.__file__).parent / "optimize"
        path = next(folder / f"_lsap{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES
                    if (folder / f"_lsap{suffix}").is_file())
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.linear_sum_assignment
    except Exception:
        from scipy.optimize import linear_sum_assignment
        return linear_sum_assignment


linear_sum_assignment = _assignment_solver()

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?=年)")
_SPACES = re.compile(r"\s+")
_RELATIVE_YEAR = {0: "本年", -1: "上年", 1: "下年", -2: "前年"}


@dataclass
class TaskUnit:
    id: str
    kind: str
    title: str
    text: str                     # title + own text, as written
    path: str                     # 二（三）“释放科技创新源动力”
    parent_id: str | None
    parent_key: str               # masked parent title: structural tie-breaker
    title_key: str
    norm: str = ""
    masked: str = ""
    numbers: tuple[str, ...] = ()
    order: int = 0


def relative_years(text: str, year: int | None) -> str:
    if year is None:
        return text
    return _YEAR.sub(lambda m: _RELATIVE_YEAR.get(int(m.group(1)) - year, m.group(1)), text)


def _mask(norm: str) -> str:
    return _NOT_WORD.sub("", _NUMBER.sub("#", norm))


def _label(node: Node) -> str:
    if node.label:
        return node.label.rstrip("、，.．")
    return f"“{node.title}”"


def task_units(sections: list[Node], year: int | None) -> list[TaskUnit]:
    units: list[TaskUnit] = []
    unit_of: dict[int, TaskUnit] = {}          # id(node) → its unit, for the children's path and key
    for node, parent in walk_with_parents(sections):
        up = unit_of[id(parent)] if parent is not None else None
        path = up.path if up else ""
        here = path + _label(node) if node.kind != "headline" else f"{path}“{node.title}”"
        body = node.text or ""
        full = node.title + ("。" + body if body else "")
        norm = _SPACES.sub("", relative_years(normalize(full), year))
        title_key = _mask(relative_years(normalize(node.title), year))
        u = TaskUnit(id=node.id, kind=node.kind, title=node.title, text=full, path=here,
                     parent_id=parent.id if parent else None, parent_key=up.title_key if up else "",
                     title_key=title_key, norm=norm, masked=_mask(norm),
                     numbers=tuple(_NUMBER.findall(norm)), order=len(units))
        units.append(u)
        unit_of[id(node)] = u
    return units


# --- Similarity -----------------------------------------------------------------------------------

def _ngram_codes(text: str) -> np.ndarray:
    """Character 2- and 3-grams as integers (21 bits per code point; bit 63 marks a 3-gram)."""
    a = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64) & np.uint64(0x1FFFFF)
    if len(a) < 2:
        return a | np.uint64(1 << 62)     # a one-character text: its character as its only feature
    bi = (a[:-1] << np.uint64(21)) | a[1:]
    if len(a) < 3:
        return bi
    tri = (a[:-2] << np.uint64(42)) | (a[1:-1] << np.uint64(21)) | a[2:] | np.uint64(1 << 63)
    return np.concatenate([bi, tri])


def tfidf_similarity(old: list[str], new: list[str]) -> np.ndarray:
    """Cosine of character 2–3-gram TF-IDF vectors; rows old, columns new.

    Computed with numpy alone, the sparse way: the (document, n-gram) weights are kept as sorted
    runs (a CSR matrix's arrays), and each old document's row of cosines sums, per new document,
    the products over the n-grams both share. No scipy.sparse: importing it costs a process ~15 MB
    (it loads numpy.testing and numpy.f2py through its array-API layer), and every drop-folder
    worker compares plans (issue 12). The arithmetic is the one scipy.sparse did — the same
    products, each cosine summed in the same order (its `diags @ m` product leaves every row's
    n-grams in descending order, and its matrix product folds them in that order) — so the scores
    are equal to the last bit and the matching does not change; tests/test_watch_memory.py checks
    both on real text."""
    docs = old + new
    codes = [_ngram_codes(d) for d in docs]
    lengths = np.array([len(c) for c in codes])
    if lengths.sum() == 0:
        return np.zeros((len(old), len(new)))
    flat = np.concatenate(codes)
    vocab, ids = np.unique(flat, return_inverse=True)
    n_docs, n_terms, n_old = len(docs), len(vocab), len(old)
    rows = np.repeat(np.arange(n_docs), lengths)
    # term counts per (document, n-gram), ordered by document then n-gram
    keys, counts = np.unique(rows.astype(np.int64) * n_terms + ids.ravel(), return_counts=True)
    row, col = np.divmod(keys, n_terms)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n_docs))])
    df = np.bincount(col, minlength=n_terms)
    idf = np.log((1 + n_docs) / (1 + df)) + 1.0
    w = counts.astype(float) * idf[col]
    norms = np.zeros(n_docs)
    filled = np.flatnonzero(np.diff(indptr))
    norms[filled] = np.add.reduceat(w * w, indptr[filled])
    norms = np.sqrt(norms)
    norms[norms == 0] = 1.0
    w = (1.0 / norms)[row] * w
    # the new documents' weights grouped by n-gram: where each n-gram's documents start
    later = np.flatnonzero(row >= n_old)
    order = later[np.argsort(col[later], kind="stable")]
    b_term, b_doc, b_w = col[order], row[order] - n_old, w[order]
    b_ptr = np.searchsorted(b_term, np.arange(n_terms + 1))
    out = np.zeros((n_old, len(new)))
    for i in range(n_old):
        terms, weights = col[indptr[i]:indptr[i + 1]][::-1], w[indptr[i]:indptr[i + 1]][::-1]
        starts, per = b_ptr[terms], b_ptr[terms + 1] - b_ptr[terms]
        total = int(per.sum())
        if not total:
            continue
        # every (n-gram, new document) pair the row meets, n-gram by n-gram; bincount adds in this order
        idx = np.repeat(starts - np.concatenate([[0], np.cumsum(per)[:-1]]), per) + np.arange(total)
        out[i] = np.bincount(b_doc[idx], weights=np.repeat(weights, per) * b_w[idx], minlength=len(new))
    return out


def _numbers_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a and not b:
        return 1.0
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb)


@dataclass
class Matching:
    pairs: list[tuple[int, int, float]] = field(default_factory=list)     # accepted (old, new, sim)
    review: list[tuple[int, int, float]] = field(default_factory=list)
    old_unmatched: list[int] = field(default_factory=list)
    new_unmatched: list[int] = field(default_factory=list)


def match_units(old: list[TaskUnit], new: list[TaskUnit], high: float = HIGH, low: float = LOW) -> Matching:
    result = Matching()
    free_old, free_new = set(range(len(old))), set(range(len(new)))
    for attr in ("norm", "masked"):
        by_old, by_new = defaultdict(list), defaultdict(list)
        for i in free_old:
            by_old[getattr(old[i], attr)].append(i)
        for j in free_new:
            by_new[getattr(new[j], attr)].append(j)
        for key, olds in by_old.items():
            news = by_new.get(key, [])
            if len(olds) == 1 and len(news) == 1:      # look-alikes go to the assignment below
                result.pairs.append((olds[0], news[0], 1.0))
                free_old.discard(olds[0])
                free_new.discard(news[0])
    oi, nj = sorted(free_old), sorted(free_new)
    if oi and nj:
        sim = tfidf_similarity([old[i].masked for i in oi], [new[j].masked for j in nj])
        score = sim.copy()
        old_parent = np.array([old[i].parent_key for i in oi], dtype=object)
        new_parent = np.array([new[j].parent_key for j in nj], dtype=object)
        score += BONUS_PARENT * (old_parent[:, None] == new_parent[None, :])
        old_title = np.array([old[i].title_key for i in oi], dtype=object)
        new_title = np.array([new[j].title_key for j in nj], dtype=object)
        score += BONUS_TITLE * (old_title[:, None] == new_title[None, :])
        old_kind = np.array([old[i].kind for i in oi], dtype=object)
        new_kind = np.array([new[j].kind for j in nj], dtype=object)
        score += BONUS_KIND * (old_kind[:, None] == new_kind[None, :])
        # numbers only matter among near-identical candidates: compute them there only
        close = np.argwhere(sim >= high)
        for r, c in close:
            score[r, c] += BONUS_NUMBERS * _numbers_overlap(old[oi[r]].numbers, new[nj[c]].numbers)
        rows, cols = linear_sum_assignment(score, maximize=True)
        for r, c in zip(rows, cols):
            s = float(sim[r, c])
            if s >= high:
                result.pairs.append((oi[r], nj[c], s))
            elif s >= low:
                result.review.append((oi[r], nj[c], s))
            else:
                continue
            free_old.discard(oi[r])
            free_new.discard(nj[c])
    result.old_unmatched = sorted(free_old)
    result.new_unmatched = sorted(free_new)
    return result


# --- Moved ----------------------------------------------------------------------------------------

def _in_order(seq: list[int]) -> set[int]:
    """Positions (into seq) of one longest increasing subsequence: the pairs that kept their order."""
    import bisect
    tails, tails_pos, prev = [], [], [-1] * len(seq)
    for k, v in enumerate(seq):
        at = bisect.bisect_left(tails, v)
        if at == len(tails):
            tails.append(v)
            tails_pos.append(k)
        else:
            tails[at] = v
            tails_pos[at] = k
        prev[k] = tails_pos[at - 1] if at else -1
    keep, k = set(), tails_pos[-1] if tails_pos else -1
    while k >= 0:
        keep.add(k)
        k = prev[k]
    return keep


def moved_pairs(old: list[TaskUnit], new: list[TaskUnit], pairs: list[tuple[int, int, float]]) -> set[int]:
    """Old indices of pairs that moved: their parent changed, or they left the document order
    (and not merely because their parent moved with them)."""
    match = {i: j for i, j, _ in pairs}
    old_by_id = {u.id: k for k, u in enumerate(old)}
    new_by_id = {u.id: k for k, u in enumerate(new)}
    ordered = sorted(pairs, key=lambda p: p[0])
    keep = _in_order([j for _, j, _ in ordered])
    out_of_order = {ordered[k][0] for k in range(len(ordered)) if k not in keep}
    moved: set[int] = set()
    for i, j, _ in ordered:           # parents come before their children in document order
        op, np_ = old[i].parent_id, new[j].parent_id
        old_parent_match = match.get(old_by_id[op]) if op is not None else None
        new_parent = new_by_id[np_] if np_ is not None else None
        parent_changed = old_parent_match != new_parent
        parent_moved = op is not None and old_by_id[op] in moved
        if parent_changed or (i in out_of_order and not parent_moved):
            moved.add(i)
    return moved


# --- Diff -----------------------------------------------------------------------------------------

def _pair_entry(o: TaskUnit, n: TaskUnit, sim: float, change: str, moved: bool,
                years: tuple[int | None, int | None], words: tuple[str, ...] = ()) -> TaskDiff:
    numbers_changed = o.numbers != n.numbers
    words_changed = o.masked != n.masked or (not numbers_changed and o.norm != n.norm)
    if change != "review" and o.norm == n.norm:
        change = "unchanged"
    ops = (redline_ops(o.text, n.text, key=lambda t, side: relative_years(t, years[side]), words=words)
           if o.norm != n.norm else [])
    return TaskDiff(change=change, old_id=o.id, new_id=n.id, old_title=o.title, new_title=n.title,
                    similarity=round(sim, 4), redline=redline_text(ops) if ops else None, redline_ops=ops,
                    old_path=o.path, new_path=n.path, numbers_changed=numbers_changed,
                    words_changed=words_changed, moved=moved,
                    old_text=o.text if change == "review" else None,
                    new_text=n.text if change == "review" else None)


def diff_tasks(old_sections: list[Node], new_sections: list[Node], old_year: int | None = None,
               new_year: int | None = None, words: tuple[str, ...] = ()) -> list[TaskDiff]:
    """`words`: the plans' own names for the redline tokenizer (redline.plan_words)."""
    old, new = task_units(old_sections, old_year), task_units(new_sections, new_year)
    m = match_units(old, new)
    moved = moved_pairs(old, new, m.pairs)
    by_new: dict[int, TaskDiff] = {}
    for i, j, s in m.pairs:
        by_new[j] = _pair_entry(old[i], new[j], s, "reworded", i in moved, (old_year, new_year), words)
    for i, j, s in m.review:
        by_new[j] = _pair_entry(old[i], new[j], s, "review", False, (old_year, new_year), words)
    for j in m.new_unmatched:
        u = new[j]
        by_new[j] = TaskDiff(change="new", new_id=u.id, new_title=u.title, new_path=u.path, new_text=u.text)
    ordered: list[tuple[int | None, TaskDiff]] = []
    new_to_old = {j: i for i, j, _ in m.pairs + m.review}
    for j in range(len(new)):
        ordered.append((new_to_old.get(j), by_new[j]))
    for i in m.old_unmatched:
        u = old[i]
        entry = TaskDiff(change="dropped", old_id=u.id, old_title=u.title, old_path=u.path, old_text=u.text)
        at = 0
        for k, (oi, _) in enumerate(ordered):
            if oi is not None and oi < i:
                at = k + 1
        ordered.insert(at, (i, entry))
    return [e for _, e in ordered]
