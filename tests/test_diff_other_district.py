"""Nothing of one district in the generic diff code: a comparison of another district's plans names
only that district's own places (its caveats and redline words come from the plans compared)."""
from __future__ import annotations

import re

from conftest import FIXTURES, SAMPLES
from pipeline.diff.compare_plans import diff_plans
from pipeline.diff.redline import PLAN_WORDS, plan_words, redline_ops
from pipeline.parse import parse_file


def _boshan_pair(tmp_path):
    new_text = (FIXTURES / "variant_boshan_2024.txt").read_text(encoding="utf-8")
    # the year before: the same district, other numbers and years (the 2024 text re-dated and edited)
    old_text = new_text.replace("2024", "2023").replace("二〇二四", "二〇二三").replace("120个", "110个")
    old_text = old_text.replace("15场以上", "12场以上").replace("3500人以上", "3000人以上")
    (tmp_path / "old.txt").write_text(old_text, encoding="utf-8")
    (tmp_path / "new.txt").write_text(new_text, encoding="utf-8")
    return (parse_file(tmp_path / "old.txt", keywords=False), parse_file(tmp_path / "new.txt", keywords=False))


def test_another_districts_comparison_never_names_zhoucun(tmp_path):
    old, new = _boshan_pair(tmp_path)
    d = diff_plans(old, new)
    everything = d.model_dump_json()
    for name in ("周村", "文昌湖", "古商城", "大学城"):
        assert name not in everything, name
    caveat = next(c for c in d.caveats if "口径" in c)
    assert "含池上镇" in caveat                     # the plan's own scope (含池上镇3个) is the example
    assert any(t.change == "reworded" for t in d.tasks)


def test_reference_caveat_names_its_own_scope():
    old = parse_file(SAMPLES / "zhoucun-2023-plan.txt", keywords=False)
    new = parse_file(SAMPLES / "zhoucun-2024-plan.txt", keywords=False)
    caveat = next(c for c in diff_plans(old, new).caveats if "口径" in c)
    assert "含文昌湖" in caveat


def test_plan_words_come_from_the_plan_not_the_code():
    assert not {"文昌湖", "古商城", "大学城"} & set(PLAN_WORDS)
    plan = parse_file(SAMPLES / "zhoucun-2023-plan.txt", keywords=False).plan
    words = plan_words(plan)
    assert "文昌湖" in words and plan.region in words
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,8}", w) for w in words), words
    # kept whole in a redline only when the plan supplies it
    ops = redline_ops("支持文昌湖建设", "支持文昌湖发展", words=words)
    assert [o.op for o in ops] == ["equal", "replace"] and ops[0].new == "支持文昌湖"
