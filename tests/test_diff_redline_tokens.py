"""The redline tokenizer (pipeline.words with the plan words) splits exactly as a private jieba
tokenizer with the same words would, on both sample years — without loading jieba."""
from __future__ import annotations

import logging
from functools import lru_cache

from conftest import SAMPLES
from pipeline.diff import redline


@lru_cache(maxsize=1)
def _jieba_tokenizer():
    import jieba
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    for w in redline.PLAN_WORDS:
        tk.add_word(w, freq=200000)
    return tk


def _jieba_tokens(text: str) -> list[str]:
    tk = _jieba_tokenizer()
    out, pos = [], 0
    for m in redline._ATOM.finditer(text):
        if m.start() > pos:
            out.extend(tk.lcut(text[pos:m.start()], HMM=False))
        out.append(m.group())
        pos = m.end()
    out.extend(tk.lcut(text[pos:], HMM=False))
    return [t for t in out if t]


def test_tokens_equal_jieba_with_plan_words():
    for name in ("zhoucun-2023-plan.txt", "zhoucun-2024-plan.txt"):
        for line in (SAMPLES / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                assert redline.tokenize(line) == _jieba_tokens(line), line[:30]
    assert "专精特新" in redline.tokenize("力争新培育专精特新企业10家以上")
