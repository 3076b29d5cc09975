"""Ranked keywords per task node, with jieba and a domain user dictionary (issue 4).

Why a user dictionary: jieba's general dictionary splits policy terms (专精特新 → 专精/特新,
新旧动能转换 → 新旧/动能/转换), and a split term is useless as a keyword or as a diff token. The
dictionary ships in `pipeline/data/userdict.txt`; boilerplate verbs every task carries (推进, 加快,
持续…) are in `pipeline/data/keyword_stopwords.txt`.

Why lazy: importing jieba and building its prefix dictionary costs most of a second, more than a
whole parse. Nothing is imported at module level; the tokenizer and the TF-IDF extractor are built
on the first call and reused for the life of the process (`load_count()` tells tests how often).
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

from pipeline.schema import Node, Plan

DATA = Path(__file__).resolve().parents[1] / "data"
USERDICT = DATA / "userdict.txt"
STOPWORDS = DATA / "keyword_stopwords.txt"
TOP_K = 8

_lock = threading.Lock()
_state: dict[str, object] = {}
_loads = 0
_NUMERIC = re.compile(r"^[\d.%％]+$|^\d")
_TERM_LINE = re.compile(r"^(\S+)")


def user_terms() -> list[str]:
    """The domain terms of the shipped user dictionary (one per line: word [freq] [pos])."""
    terms = []
    for line in USERDICT.read_text(encoding="utf-8").splitlines():
        m = _TERM_LINE.match(line.strip())
        if m:
            terms.append(m.group(1))
    return terms


def _read_idf(path: Path) -> tuple[dict[str, float], float]:
    """jieba's general-corpus idf table (word idf per line) and its median, read directly: importing
    jieba.analyse would also build its TextRank/POS machinery, which we do not use (~1 s)."""
    idf: dict[str, float] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            word, _, value = line.rstrip("\n").rpartition(" ")
            if word:
                idf[word] = float(value)
    median = sorted(idf.values())[len(idf) // 2] if idf else 1.0
    return idf, median


def _load():
    """Build the tokenizer and the idf table once per process."""
    global _loads
    with _lock:
        if "tokenizer" in _state:
            return _state["tokenizer"], _state["idf"]
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.load_userdict(str(USERDICT))
        idf, median = _read_idf(Path(jieba.__file__).resolve().parent / "analyse" / "idf.txt")
        # domain terms are rare in jieba's general corpus: give them the top idf, not the median
        top = max(idf.values(), default=median)
        for term in user_terms():
            idf[term] = max(idf.get(term, 0.0), top)
        stop = {w.strip() for w in STOPWORDS.read_text(encoding="utf-8").splitlines() if w.strip()}
        _state.update(tokenizer=tokenizer, idf=(idf, median, stop))
        _loads += 1
        return tokenizer, _state["idf"]


def load_count() -> int:
    return _loads


def tokenize(text: str) -> list[str]:
    """jieba tokens with the domain dictionary, no HMM guessing (shared with word-level diffs).

    HMM new-word detection glues fragments across word boundaries (节等促, 至庆淄), which would then
    rank as keywords; the dictionary (with our terms) is enough for plan prose."""
    tokenizer, _ = _load()
    return [t for t in tokenizer.cut(text, HMM=False) if t.strip()]


def keywords_for(text: str, top_k: int = TOP_K) -> list[str]:
    """Ranked keywords of one text: term frequency × jieba idf; numbers, 1-char words and boilerplate out."""
    _, (idf, median, stop) = _load()
    counts: dict[str, int] = {}
    total = 0
    for word in tokenize(text):
        total += 1
        if len(word) < 2 or word in stop or _NUMERIC.match(word):
            continue
        counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w] * idf.get(w, median), text.find(w)))
    return ranked[:top_k]


def add_keywords(plan: Plan) -> None:
    """Fill `Node.keywords` for every node from its title and its own text."""
    def walk(nodes: list[Node]) -> None:
        for n in nodes:
            n.keywords = keywords_for(f"{n.title}。{n.text}")
            walk(n.children)
    walk(plan.sections)
