"""The reference notice (周政发〔2023〕34号) against a gold file written by reading the document."""
from __future__ import annotations

import json

import pytest

from conftest import GOLD
from pipeline.parse import parse_file

GOLD_DATA = json.loads((GOLD / "zhoucun_2023.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result(reference_txt):
    return parse_file(reference_txt, keywords=False)


def test_cover_fields(result):
    gold = GOLD_DATA["notice"]
    n = result.notice
    assert n is not None
    assert n.title == gold["title"]
    for k, v in gold["doc_number"].items():
        assert getattr(n.doc_number, k) == v
    assert n.verb == gold["verb"]
    assert n.addressees == gold["addressees"]
    assert n.body == gold["body"]
    assert n.issuer == gold["issuer"]
    assert n.date == gold["date"]
    assert n.publicity == gold["publicity"]


def test_plan_fields(result):
    for k, v in GOLD_DATA["plan"].items():
        assert getattr(result.plan, k) == v


def test_sections_items_headlines(result):
    secs = result.plan.sections
    assert [(s.id, s.kind, s.level, s.label, s.title) for s in secs] == [
        (g["id"], "section", 1, g["label"], g["title"]) for g in GOLD_DATA["sections"]]
    for s, g in zip(secs, GOLD_DATA["sections"]):
        items = [c for c in s.children if c.kind == "item"]
        assert [(i.id, i.label, i.title) for i in items] == [(x["id"], x["label"], x["title"]) for x in g["items"]]
        for item, gi in zip(items, g["items"]):
            heads = [c for c in item.children if c.kind == "headline"]
            assert [h.title for h in heads] == gi["headlines"], item.id
            assert [h.id for h in heads] == [f"{item.id}.{k}" for k in range(1, len(heads) + 1)]
            assert all(h.level == 3 for h in heads)
    total = sum(1 for s in secs for i in s.children for h in i.children if h.kind == "headline")
    assert total == 24


def _find(nodes, node_id):
    for n in nodes:
        if n.id == node_id:
            return n
        found = _find(n.children, node_id)
        if found:
            return found
    return None


def test_headline_text_runs_to_next_headline(result):
    for node_id, start, end in GOLD_DATA["headline_text_checks"]:
        node = _find(result.plan.sections, node_id)
        assert node.text.startswith(start), node_id
        assert node.text.endswith(end), node_id
    # the headline's own sentence is its title, not part of its text; the next headline is not in it
    h = _find(result.plan.sections, "2.1.1")
    assert "全力以赴扩大有效投资" not in h.text and "千方百计促进消费回暖" not in h.text


def test_item_preambles(result):
    for node_id, text in GOLD_DATA["preambles"].items():
        assert _find(result.plan.sections, node_id).text == text
    # items without a preamble keep empty text; section 一's two unlabelled paragraphs are its text
    assert _find(result.plan.sections, "2.1").text == ""
    sec1 = _find(result.plan.sections, "1")
    assert sec1.text.startswith("做好2023年工作") and "全区经济社会发展主要预期目标建议为" in sec1.text
    assert "附件" not in result.plan.sections[-1].children[-1].children[-1].text


def test_indicator_rows(result):
    rows = result.plan.indicators
    gold = GOLD_DATA["indicators"]
    assert len(rows) == 20
    assert len({r.category for r in rows}) == 9
    for row, (cat, name, unit, cells) in zip(rows, gold):
        assert (row.category, row.name, row.unit) == (cat, name, unit)
        assert (row.base.year, row.target.year) == (2022, 2023)
        got = [row.base.value, row.base.growth, row.target.value, row.target.growth]
        for c, (text, number, comp, merged, inferred) in zip(got, cells):
            assert (c.text, c.number, c.comparator, c.merged, c.inferred) == (text, number, comp, merged, inferred), \
                f"{name}: {c} != {text, number, comp, merged, inferred}"


def test_inferred_merges_are_confirmed_by_the_body(result):
    # every merge inferred in the reference is confirmed by a body sentence (domain.md §4), so no warning
    assert not [w for w in result.warnings if w.code == "inferred_merge_unconfirmed"]


def test_json_round_trip_validates(result):
    from pipeline.schema import ParseResult
    data = json.loads(result.model_dump_json())
    assert data["schema_version"] == "1"
    assert data["source"]["format"] == "txt" and len(data["source"]["sha256"]) == 64
    assert ParseResult.model_validate(data) == result
