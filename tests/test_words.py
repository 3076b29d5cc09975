"""`pipeline/words.py` gives jieba's exact tokens and idf values from its on-disk index.

jieba itself is the reference here (loaded on purpose, once per module): every token list of the real
corpus, cut whole, must be equal — with jieba's plain dictionary, with our domain dictionary loaded
the way `load_userdict` does, and with words added without a frequency (`suggest_freq`).
"""
from __future__ import annotations

import csv
import logging
import sys
from pathlib import Path

import pytest

from pipeline import words
from pipeline.parse.keywords import USERDICT

REPO = Path(__file__).resolve().parents[1]
from conftest import CORPUS, CORPUS_SKIP  # noqa: E402


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def corpus_texts() -> dict[str, str]:
    """Real texts, whole: the corpus .txt files (GB18030 or UTF-8), the CSVs' full_text, samples/*.txt."""
    texts: dict[str, str] = {}
    for path in sorted((CORPUS / "real").glob("*.txt")) + [REPO / "samples" / "zhoucun-2023-plan.txt"]:
        if path.is_file() and "LICENSE" not in path.name:
            texts[path.name] = _decode(path.read_bytes())
    csv.field_size_limit(sys.maxsize)
    for path in sorted((CORPUS / "real").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                texts[f"{path.name}#{i}"] = row["full_text"]
    for path in sorted((REPO / "samples").glob("*.txt")):
        texts[f"samples/{path.name}"] = path.read_text(encoding="utf-8")
    return texts


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    found = corpus_texts()
    if not any(name.startswith("gwr-") for name in found):
        pytest.skip(CORPUS_SKIP)
    return found


@pytest.fixture(scope="module")
def reference() -> str:
    """The reference notice alone (samples/, present in every clone): for tests that need no real corpus."""
    return (REPO / "samples" / "zhoucun-2023-plan.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def jieba():
    import jieba as module
    module.setLogLevel(logging.WARNING)
    return module


@pytest.fixture(scope="module")
def index():
    found = words._open_index()
    assert found is not None, "the on-disk index was not built"
    return found


def _mismatches(ours: words.Tokenizer, theirs, texts: dict[str, str]) -> list[tuple[str, int, str, str]]:
    """(text, first differing position, our word there, jieba's) for every text whose tokens differ."""
    out = []
    for name, text in texts.items():
        a = ours.cut(text)
        b = [w for w in theirs.cut(text, HMM=False) if w]
        if a != b:
            i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            out.append((name, i, a[i:i + 3], b[i:i + 3]))
    return out


def test_plain_dictionary_tokens_equal_jiebas_on_the_corpus(texts, jieba, index):
    assert len(texts) >= 15 and sum(map(len, texts.values())) > 200_000
    assert _mismatches(words.Tokenizer(), jieba.Tokenizer(), texts) == []


def test_user_dictionary_tokens_equal_jiebas_on_the_corpus(texts, jieba, index):
    ours, theirs = words.Tokenizer(), jieba.Tokenizer()
    ours.load_userdict(USERDICT)
    theirs.load_userdict(str(USERDICT))
    assert _mismatches(ours, theirs, texts) == []
    # the overlay matters: the domain terms change the cut of the reference notice
    plain = words.Tokenizer().cut(texts["zhoucun-2023-plan.txt"])
    assert ours.cut(texts["zhoucun-2023-plan.txt"]) != plain


def test_words_without_frequency_get_jiebas_suggested_frequency(texts, jieba, index, tmp_path):
    """No frequency → `suggest_freq(word, tune=False)`, computed on the dictionary as it stands then
    (earlier additions included), so order and duplicates matter; BOM, blank lines and tags as jieba."""
    terms = [line.split()[0] for line in USERDICT.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = ["\ufeff" + terms[0]] + [""] + [f"{t} n" for t in terms[1::2]] + [f"{t} 7" for t in terms[2::2]]
    lines += [terms[3], "数字经济新动能", "规划 5 v"]      # a duplicate, a new compound, a known word lowered
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ours, theirs = words.Tokenizer(), jieba.Tokenizer()
    ours.load_userdict(userdict)
    theirs.load_userdict(str(userdict))
    assert _mismatches(ours, theirs, texts) == []
    ours.cut("")
    assert ours._total == theirs.total
    assert {w: ours._overlay[w] for w in terms} == {w: theirs.FREQ[w] for w in terms}


def test_default_cut_is_jieba_lcut(texts, jieba, index):
    sample = {k: v[:3000] for k, v in texts.items()}
    bad = [k for k, v in sample.items() if words.cut(v) != [w for w in jieba.lcut(v, HMM=False) if w]]
    assert bad == []


def test_idf_values_equal_jiebas_table(reference, jieba, index):
    table = words.read_idf(words.jieba_idf_file())
    ours = words.IdfTable()
    median, top = ours.stats()
    assert (median, top) == (words.idf_median(table), max(table.values()))
    vocabulary = set(words.Tokenizer().cut(reference))
    found = ours.lookup(vocabulary)
    assert found == {w: table[w] for w in vocabulary if w in table}
    assert len(found) > 500


def test_without_an_index_it_falls_back_to_jieba(reference, monkeypatch, index):
    text = reference[:5000]
    with_index = words.Tokenizer()
    with_index.load_userdict(USERDICT)
    expected = with_index.cut(text)
    vocabulary = set(expected)
    idf = words.IdfTable().lookup(vocabulary)
    monkeypatch.setitem(words._index, "db", None)
    fallback = words.Tokenizer()
    fallback.load_userdict(USERDICT)
    assert fallback.cut(text) == expected
    assert fallback._jieba is not None
    assert words.IdfTable().lookup(vocabulary) == idf


def test_unbuildable_cache_falls_back_without_error(jieba, monkeypatch, tmp_path):
    """A read-only cache folder: no index, no exception, jieba's words."""
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(words, "CACHE_ROOT", blocked / "plandoc")
    monkeypatch.delitem(words._index, "db", raising=False)
    assert words._open_index() is None
    text = "推进专精特新企业高质量发展，2023年GDP增长6.5%。"
    assert words.cut(text) == jieba.lcut(text, HMM=False)


def test_remembered_lookups_stay_bounded_and_do_not_change_tokens(reference, jieba, index, monkeypatch):
    """Past the bound the remembered answers are dropped mid-text; the tokens must not notice."""
    text = reference
    monkeypatch.setattr(words, "_KNOWN_MAX", 500)
    monkeypatch.setattr(index, "_known", {})
    ours = words.Tokenizer()
    ours.load_userdict(USERDICT)
    theirs = jieba.Tokenizer()
    theirs.load_userdict(str(USERDICT))
    assert ours.cut(text) == [w for w in theirs.cut(text, HMM=False) if w]
    assert len(index._known) <= 500 + max(len(text), 500)


def test_likelihoods_follow_jiebas_route(reference, jieba, index, monkeypatch):
    """The log probability OCR correction compares (`likelihoods`) is that of jieba's own route:
    the same words as `lcut`, and the same value from the index as from jieba's dictionary."""
    import re
    blocks = [b for b in re.findall(r"[\u4e00-\u9fd5]+", reference[:4000]) if len(b) >= 2]
    ours = words.likelihoods(blocks)
    assert [ws for _, ws in ours] == [jieba.lcut(b, HMM=False) for b in blocks]
    monkeypatch.setitem(words._index, "db", None)
    theirs = words.likelihoods(blocks)
    assert all(abs(a - b) < 1e-9 for (a, _), (b, _) in zip(ours, theirs))
    assert ours[0][0] < 0
