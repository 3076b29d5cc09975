"""Real documents nobody here wrote (../shared/corpus/real): they parse without exception and their
一、/（一） headings are found. The expected counts were verified by reading each text (every line that
starts with a label after its indentation; the Yunnan report has one label broken over two lines by
the scraper, "（" / "三）…", which counts as a heading)."""
from __future__ import annotations

import csv

import pytest

from conftest import CORPUS, CORPUS_SKIP, corpus_file
from pipeline.parse import parse_file, parse_source
from pipeline.readers.txt import read_txt

csv.field_size_limit(10 ** 9)

# file: (L1 headings, L2 headings, first L1 title, year)
EXPECTED = {
    "hailar-gwr-2012.txt": (2, 18, "过去一年工作回顾", 2012),
    "hailar-gwr-2013.txt": (2, 4, "过去一年工作回顾", 2013),
    "hailar-gwr-2014.txt": (2, 9, "2013年工作回顾", 2014),
    "hailar-gwr-2015.txt": (2, 15, "2014年工作回顾", 2015),
    "gwr-2026-anhui.csv": (3, 24, "2025年工作和“十四五”发展回顾", 2026),
    "gwr-2026-beijing.csv": (3, 10, "2025年工作回顾", 2026),
    "gwr-2026-jilin.csv": (4, 10, "工作回顾", 2026),
    "gwr-2026-neimenggu.csv": (4, 15, None, 2026),
    "gwr-2026-shanghai.csv": (4, 23, "2025年工作回顾", 2026),
    "gwr-2026-shanxi.csv": (4, 18, "“十四五”时期工作回顾", 2026),
    "gwr-2026-tianjin.csv": (3, 14, None, 2026),
    "gwr-2026-yunnan.csv": (3, 21, None, 2026),
}


def _parse(name: str):
    path = corpus_file(f"real/{name}")
    if path.suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as f:
            row = next(csv.DictReader(f))
        text = row["full_text"].encode("utf-8")
        import hashlib
        return parse_source(read_txt(path, text, hashlib.sha256(text).hexdigest()), keywords=False), row
    return parse_file(path, keywords=False), None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_document_headings(name):
    result, row = _parse(name)
    l1, l2, first_title, year = EXPECTED[name]
    secs = result.plan.sections
    assert len(secs) == l1
    assert [s.label for s in secs] == ["一、", "二、", "三、", "四、"][:l1]
    items = [c for s in secs for c in s.children if c.kind == "item" and c.level == 2]
    assert len(items) == l2
    if first_title:
        assert secs[0].title == first_title
    assert result.plan.year == year
    if row is not None:
        assert result.plan.title.endswith("政府工作报告")


def test_hailar_inline_enumeration_headlines():
    result, _ = _parse("hailar-gwr-2013.txt")
    item = result.plan.sections[1].children[3]
    assert item.label == "（四）"
    assert [h.title for h in item.children] == ["转变作风提高执行力", "依法行政提升公信力", "廉洁从政强化约束力"]
    assert [h.label for h in item.children] == ["一要", "二要", "三要"]


def test_all_real_files_covered():
    real = CORPUS / "real"
    if not real.exists():
        pytest.skip(CORPUS_SKIP)
    names = {p.name for p in real.iterdir() if p.suffix in (".txt", ".csv") and p.name.startswith(("hailar", "gwr"))}
    assert names == set(EXPECTED)
