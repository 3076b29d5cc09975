"""Ranked keywords per task node, with jieba and a domain user dictionary (issue 4).

Why a user dictionary: jieba's general dictionary splits policy terms (专精特新 → 专精/特新,
新旧动能转换 → 新旧/动能/转换), and a split term is useless as a keyword or as a diff token. The
dictionary ships in `pipeline/data/userdict.txt`; boilerplate verbs every task carries (推进, 加快,
持续…) are in `pipeline/data/keyword_stopwords.txt`.

Why not jieba itself: building its prefix dictionary and reading its idf table cost ~2 s and ~115 MB
per process, more than a whole parse, in every watcher worker. `pipeline/words.py` gives jieba's exact
words and idf values from an on-disk index, looking up only the words of each text. The tokenizer is
built on the first call and reused for the life of the process (`load_count()` tells tests how often).
"""
from __future__ import annotations

import re
import threading

from pipeline import words
from pipeline.resources import DATA_DIR
from pipeline.schema import Plan

USERDICT = DATA_DIR / "userdict.txt"
STOPWORDS = DATA_DIR / "keyword_stopwords.txt"
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


def _stopwords() -> set[str]:
    return {w.strip() for w in STOPWORDS.read_text(encoding="utf-8").splitlines() if w.strip()}


def _load():
    """Build the tokenizer (jieba's dictionary + our terms) and the idf view once per process.

    Neither holds jieba's tables in memory: both read `pipeline/words.py`'s on-disk index, looking up
    only the words of the text at hand (see that module for why and for the jieba fallback)."""
    global _loads
    with _lock:
        if "tokenizer" in _state:
            return _state["tokenizer"], _state["idf"]
        tokenizer = words.Tokenizer()
        tokenizer.load_userdict(USERDICT)
        _state.update(tokenizer=tokenizer, idf=(words.IdfTable(), frozenset(user_terms()), _stopwords()))
        _loads += 1
        return tokenizer, _state["idf"]


def load_count() -> int:
    return _loads


def tokenize(text: str) -> list[str]:
    """jieba tokens with the domain dictionary, no HMM guessing.

    HMM new-word detection glues fragments across word boundaries (节等促, 至庆淄), which would then
    rank as keywords; the dictionary (with our terms) is enough for plan prose."""
    tokenizer, _ = _load()
    return [t for t in tokenizer.cut(text) if t.strip()]


def keywords_for(text: str, top_k: int = TOP_K) -> list[str]:
    """Ranked keywords of one text: term frequency × jieba idf; numbers, 1-char words and boilerplate out.

    Domain terms are rare in jieba's general corpus: they get the table's top idf, not the median."""
    _, (table, terms, stop) = _load()
    counts = _counts(tokenize(text), stop)
    median, top = table.stats()
    idf = table.lookup(counts)
    for term in terms.intersection(counts):
        idf[term] = max(idf.get(term, 0.0), top)
    return _rank(text, counts, idf, median, top_k)


def _counts(tokens: list[str], stop: set[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in tokens:
        if len(word) < 2 or word in stop or _NUMERIC.match(word):
            continue
        counts[word] = counts.get(word, 0) + 1
    return counts


def _rank(text: str, counts: dict[str, int], idf: dict[str, float], median: float, top_k: int) -> list[str]:
    ranked = sorted(counts, key=lambda w: (-counts[w] * idf.get(w, median), text.find(w)))
    return ranked[:top_k]


def _jieba_keywords_for(text: str, top_k: int = TOP_K) -> list[str]:
    """The former implementation on jieba itself (whole dictionary and idf table in memory), kept
    only so tests can prove the index-based one gives the same keywords. Slow: ~2 s the first time."""
    if "jieba" not in _state:
        jieba = words._load_jieba()
        tokenizer = jieba.Tokenizer()
        tokenizer.load_userdict(str(USERDICT))
        idf = words.read_idf(words.jieba_idf_file())
        median = words.idf_median(idf)
        top = max(idf.values(), default=median)
        for term in user_terms():
            idf[term] = max(idf.get(term, 0.0), top)
        _state["jieba"] = (tokenizer, idf, median)
    tokenizer, idf, median = _state["jieba"]
    tokens = [t for t in tokenizer.cut(text, HMM=False) if t.strip()]
    return _rank(text, _counts(tokens, _stopwords()), idf, median, top_k)


def add_keywords(plan: Plan) -> None:
    """Fill `Node.keywords` for every node from its title and its own text."""
    for n in plan.walk():
        n.keywords = keywords_for(f"{n.title}。{n.text}")
