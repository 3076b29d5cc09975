"""Keywords with jieba and the shipped domain dictionary (issue 4)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.parse import parse_file
from pipeline.parse.keywords import STOPWORDS, add_keywords, load_count, tokenize, user_terms

REPO = Path(__file__).resolve().parents[1]
from conftest import REFERENCE_TXT  # noqa: E402  (the project's own copy of the reference)
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.children)


def test_every_domain_term_stays_one_token():
    terms = user_terms()
    assert len(terms) >= 100
    for term in ("专精特新", "揭榜挂帅", "新旧动能转换", "济淄同城先行区", "规模以上工业增加值"):
        assert term in terms
    split = [t for t in terms if t not in tokenize(f"今年要抓好{t}，取得实效。")]
    assert split == []


def _fragments(keyword: str, text: str, terms: list[str]) -> bool:
    """True when every occurrence of `keyword` in `text` lies inside an occurrence of a longer domain term."""
    spans = [(m.start(), m.end()) for t in terms if keyword in t and keyword != t
             for m in re.finditer(re.escape(t), text)]
    hits = [(m.start(), m.end()) for m in re.finditer(re.escape(keyword), text)]
    return bool(hits) and all(any(a <= s and e <= b for a, b in spans) for s, e in hits)


@pytest.mark.parametrize("source", ["reference", "variant"])
def test_nodes_get_ranked_keywords_without_split_terms_or_boilerplate(source):
    if source == "reference":
        path = REFERENCE_TXT
    else:
        path = FIXTURES / "targets_variant.txt"
    plan = parse_file(path, keywords=True).plan
    terms = user_terms()
    stop = set(STOPWORDS.read_text(encoding="utf-8").split())
    nodes = list(_walk(plan.sections))
    assert nodes
    with_keywords = [n for n in nodes if n.keywords]
    assert len(with_keywords) == len(nodes)
    for n in nodes:
        text = f"{n.title}。{n.text}"
        assert len(set(n.keywords)) == len(n.keywords)
        for kw in n.keywords:
            assert len(kw) >= 2 and not re.match(r"^\d", kw), (n.id, kw)
            assert kw not in stop, (n.id, kw)
            assert kw in text, (n.id, kw)
            assert not _fragments(kw, text, terms), (n.id, kw)
    # nodes that use domain terms mostly rank one of them (the dictionary gives them a high idf)
    rich = [n for n in nodes if len(n.text) > 60 and any(t in n.text for t in terms)]
    ranked = [n for n in rich if any(kw in terms for kw in n.keywords)]
    assert rich and len(ranked) >= 0.8 * len(rich)


def test_dictionary_loads_once_per_process():
    plan = parse_file(FIXTURES / "targets_variant.txt", keywords=False).plan
    assert all(not n.keywords for n in _walk(plan.sections))
    add_keywords(plan)
    first = [n.keywords for n in _walk(plan.sections)]
    add_keywords(plan)
    assert [n.keywords for n in _walk(plan.sections)] == first
    assert load_count() == 1


def test_jieba_stays_off_the_path_without_keywords():
    code = (
        "import sys\n"
        "from pipeline.parse import parse_file\n"
        "import pipeline.parse.keywords, pipeline.parse.targets, pipeline.parse.reconcile, pipeline.metrics\n"
        f"r = parse_file({str(FIXTURES / 'targets_variant.txt')!r}, keywords=False)\n"
        "assert r.plan.targets\n"
        "print('jieba' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_keywords_equal_the_jieba_implementation_on_every_node():
    """The index-based tokenizer and idf view rank exactly what jieba + its idf table in memory did."""
    from pipeline.parse.keywords import _jieba_keywords_for, keywords_for
    plan = parse_file(REPO / "samples" / "zhoucun-2023-plan.txt", keywords=True).plan
    nodes = list(_walk(plan.sections))
    assert len(nodes) > 30
    texts = [f"{n.title}。{n.text}" for n in nodes]
    assert [n.keywords for n in nodes] == [_jieba_keywords_for(t) for t in texts]
    assert [keywords_for(t, top_k=20) for t in texts] == [_jieba_keywords_for(t, top_k=20) for t in texts]


def test_keywords_do_not_load_jieba():
    """With the on-disk index, a process that ranks keywords never imports jieba (~2 s, ~115 MB)."""
    code = (
        "import sys\n"
        "from pipeline import words\n"
        "assert words._open_index() is not None, 'no index'\n"
        "from pipeline.parse import parse_file\n"
        f"r = parse_file({str(REPO / 'samples' / 'zhoucun-2023-plan.txt')!r}, keywords=True)\n"
        "assert all(n.keywords for n in r.plan.sections)\n"
        "print('jieba' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
