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


class _DictOnly:
    """jieba tokenizer view without HMM new-word guessing: it glues fragments such as 节等促 or 至庆淄
    across word boundaries, which then rank as 'keywords'. Dictionary words (incl. ours) are enough."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def cut(self, text: str):
        return self.tokenizer.cut(text, HMM=False)


def _load():
    """Build (tokenizer, extractor) once per process."""
    global _loads
    with _lock:
        if "extractor" in _state:
            return _state["tokenizer"], _state["extractor"]
        import logging

        import jieba
        import jieba.analyse

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.load_userdict(str(USERDICT))
        extractor = jieba.analyse.TFIDF()
        extractor.tokenizer = _DictOnly(tokenizer)
        extractor.stop_words = set(extractor.stop_words) | {
            w.strip() for w in STOPWORDS.read_text(encoding="utf-8").splitlines() if w.strip()}
        # domain terms are rare in jieba's general corpus: give them the top idf, not the median
        top_idf = max(extractor.idf_freq.values())
        for term in user_terms():
            extractor.idf_freq.setdefault(term, top_idf)
        _state["tokenizer"], _state["extractor"] = tokenizer, extractor
        _loads += 1
        return tokenizer, extractor


def load_count() -> int:
    return _loads


def tokenize(text: str) -> list[str]:
    """jieba tokens with the domain dictionary (shared with word-level diffs)."""
    tokenizer, _ = _load()
    return [t for t in tokenizer.cut(text, HMM=False) if t.strip()]


def keywords_for(text: str, top_k: int = TOP_K) -> list[str]:
    """Ranked keywords of one text (TF × jieba idf), numbers and boilerplate verbs left out."""
    _, extractor = _load()
    ranked = extractor.extract_tags(text, topK=top_k * 2)
    return [w for w in ranked if not _NUMERIC.match(w)][:top_k]


def add_keywords(plan: Plan) -> None:
    """Fill `Node.keywords` for every node from its title and its own text."""
    def walk(nodes: list[Node]) -> None:
        for n in nodes:
            n.keywords = keywords_for(f"{n.title}。{n.text}")
            walk(n.children)
    walk(plan.sections)
