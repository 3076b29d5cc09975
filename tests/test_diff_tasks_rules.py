"""The rules of the task comparison (pipeline/diff/tasks.py), one by one (issue 18: mutation testing).

Expected values are worked out by hand from domain.md §7 and the module's docstring, not copied from
a run: years relative to the plan year, masking, whitespace, the tie-breakers' weight, the thresholds
and the memory-light assignment solver.
"""
from __future__ import annotations

import math
import subprocess
import sys

import pytest

from pipeline.diff.tasks import (BONUS_KIND, BONUS_NUMBERS, BONUS_PARENT, BONUS_TITLE, HIGH, LOW, _mask,
                                 diff_tasks, match_units, relative_years, task_units,
                                 tfidf_similarity)
from pipeline.schema import Node


def item(nid, title, text="", children=(), label=None):
    return Node(id=nid, kind="item", level=2, label=label, title=title, text=text, children=list(children))


def section(nid, title, children=(), label=None):
    return Node(id=nid, kind="section", level=1, label=label, title=title, children=list(children))


def headline(nid, title, text=""):
    return Node(id=nid, kind="headline", level=3, title=title, text=text)


# The year's digits become its name and 年 stays (本年年): a comparison key, never shown.
@pytest.mark.parametrize("year,text,expected", [
    (2023, "做好2023年工作", "做好本年年工作"),
    (2023, "比2022年增长", "比上年年增长"),
    (2023, "为2024年打基础", "为下年年打基础"),
    (2023, "自2021年以来", "自前年年以来"),
    (2023, "到2025年底", "到2025年底"),           # two years on: written as is
    (2023, "到2020年", "到2020年"),
    (None, "做好2023年工作", "做好2023年工作"),    # no plan year: nothing to relate to
    (2024, "2023年、2024年和2025年", "上年年、本年年和下年年"),
    (2023, "12023年", "12023年"),                 # not a year: five digits
])
def test_years_relative_to_the_plan_year(year, text, expected):
    assert relative_years(text, year) == expected


def test_mask_numbers_and_drop_punctuation():
    """Numbers go (their # placeholder is dropped with the punctuation), and so do marks and _."""
    assert _mask("完成12.5亿元，增长8%以上_（含3个）") == "完成亿元增长以上含个"
    assert _mask("新建5G基站300个") == "新建G基站个"


def test_units_ignore_whitespace_and_carry_their_numbers_and_order():
    tree = [section("1", "一、扩大 有效 投资", [item("1.1", "实施 重点 项目", "完成投资 120亿元，新开工 30个。")])]
    units = task_units(tree, 2023)
    assert [u.norm for u in units] == ["一、扩大有效投资", "实施重点项目。完成投资120亿元，新开工30个。"]
    assert [u.order for u in units] == [0, 1]
    assert units[1].numbers == ("120", "30")
    assert units[1].masked == "实施重点项目完成投资亿元新开工个"
    assert units[1].parent_id == "1" and units[1].parent_key == units[0].title_key


def test_spaces_do_not_make_a_change():
    old = [item("2.1", "推进城市更新", "完成老旧小区改造 10个。")]
    new = [item("2.1", "推进城市更新", "完成老旧小区改造10个。")]
    (e,) = diff_tasks(old, new, 2023, 2024)
    assert e.change == "unchanged" and e.similarity == 1.0


def test_tie_breakers_are_small():
    """Far smaller than the gap between true pairs (≥ 0.9) and wrong ones (≤ 0.1): they order near-ties only."""
    assert BONUS_PARENT + BONUS_TITLE + BONUS_KIND + BONUS_NUMBERS <= 0.1
    assert min(BONUS_PARENT, BONUS_TITLE, BONUS_KIND, BONUS_NUMBERS) > 0
    assert 0 < LOW < HIGH < 1


# A task reworded (not equal, so it goes to the assignment) and a look-alike decoy that shares the
# structural bonus but not the wording: the wording must win.
TASK = "加快推进城市更新行动，实施老旧街区改造提升，完善道路管网配套，打造宜居宜业城市环境"
TASK_REWORDED = "加快推进城市更新行动，实施老旧街区改造提升，完善道路管网配套，打造宜居宜业的城市环境"
DECOY = "深化农村集体产权制度改革，发展壮大村级集体经济"


def _paired(old, new):
    units_old, units_new = task_units(old, 2023), task_units(new, 2024)
    m = match_units(units_old, units_new)
    return {(units_old[i].id, units_new[j].id) for i, j, _ in m.pairs}


def test_same_parent_does_not_outweigh_the_wording():
    old = [section("1", "城市", [item("1.1", "城市更新", TASK)]), section("2", "农村", [])]
    new = [section("1", "城市", [item("1.1", "农村改革", DECOY)]), section("2", "农村", [item("2.1", "城市更新", TASK_REWORDED)])]
    assert ("1.1", "2.1") in _paired(old, new)


def test_same_title_does_not_outweigh_the_wording():
    old = [item("1", "重点任务", TASK)]
    new = [item("1", "重点任务", DECOY), item("2", "城市更新", TASK_REWORDED)]
    assert ("1", "2") in _paired(old, new)


def test_same_kind_does_not_outweigh_the_wording():
    old = [item("1", "城市更新", TASK)]
    new = [item("1", "农村改革", DECOY), headline("2", "城市更新", TASK_REWORDED)]
    assert ("1", "2") in _paired(old, new)


def test_shared_numbers_order_near_identical_candidates():
    """Two candidates equally similar once numbers are masked: the one keeping the numbers wins."""
    old = [item("1", "实施", "新建学校3所、医院2所，改造道路15条")]
    new = [item("1", "实施", "新建学校4所、医院1所，改造道路15条"),
           item("2", "实施", "新建学校3所、医院2所，改造道路16条")]
    assert _paired(old, new) == {("1", "2")}


def test_shared_numbers_do_not_outweigh_the_wording():
    """The numbers bonus orders candidates above `HIGH`; a clearly closer wording with new numbers
    (0.86) still beats a further one (0.73) that kept them."""
    old = [item("1", "实施", "新建学校3所、医院2所，改造城区道路15条，完善配套设施建设，提升公共服务水平")]
    new = [item("1", "实施", "新建学校4所、医院1所，改造城区道路16条，完善配套设施建设，提升公共服务能力"),
           item("2", "实施", "新建学校3所、医院2所，改造城区道路15条，完善配套设施")]
    assert _paired(old, new) == {("1", "1")}


def test_assignment_solver_loads_without_scipy_optimize():
    """The drop folder's workers must not pay for scipy.optimize's ~250 modules (issue 12): the solver
    comes from its own compiled module, and it is scipy's (same answers)."""
    code = ("import sys, pipeline.diff.tasks as t; "
            "print('scipy.optimize' in sys.modules, t.linear_sum_assignment.__module__, "
            "t.linear_sum_assignment([[1, 0], [0, 1]], maximize=True)[1].tolist())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.split() == ["False", "scipy.optimize._lsap", "[0,", "1]"]


def test_paths_name_each_unit_by_its_labels_and_headline():
    tree = [section("2", "二、加快科技创新", label="二、", children=[
        item("2.3", "释放科技创新源动力", label="（三）", children=[headline("2.3.1", "壮大创新主体", "培育企业。")]),
        item("2.4", "无编号事项")])]
    paths = [u.path for u in task_units(tree, 2023)]
    assert paths == ["二", "二（三）", "二（三）“壮大创新主体”", "二“无编号事项”"]


# TF-IDF cosine of character 2–3-grams, worked by hand: with two documents an n-gram in both has
# idf = ln(3/3) + 1 = 1, one in a single document ln(3/2) + 1.
IDF_ONE = math.log(1.5) + 1


@pytest.mark.parametrize("old,new,expected", [
    # 甲乙 乙丙 甲乙丙 | 丁乙 乙丙 丁乙丙: only 乙丙 shared
    ("甲乙丙", "丁乙丙", 1 / (2 * IDF_ONE ** 2 + 1)),
    # 甲乙 | 丙乙: nothing shared (a bigram is ordered, both characters count)
    ("甲乙", "丙乙", 0.0),
    # 甲乙 乙丙 甲乙丙 | 甲丁 丁丙 甲丁丙: a trigram is all three characters
    ("甲乙丙", "甲丁丙", 0.0),
    # 甲乙 | 甲乙 乙丙 甲乙丙: a two-character text is a bigram
    ("甲乙", "甲乙丙", 1 / math.sqrt(1 + 2 * IDF_ONE ** 2)),
    # 甲乙丙 has 2 bigrams and a trigram; 甲乙丙丁 adds 丙丁 and 乙丙丁
    ("甲乙丙", "甲乙丙丁", 3 / math.sqrt(3 * (3 + 2 * IDF_ONE ** 2))),
    ("甲", "乙", 0.0),                              # one character each: its own feature
    ("甲", "甲", 1.0),
])
def test_similarity_by_hand(old, new, expected):
    assert tfidf_similarity([old], [new])[0, 0] == pytest.approx(expected, abs=1e-12)


def test_similarity_rows_are_old_documents_and_columns_new():
    sim = tfidf_similarity(["甲乙丙", "丁戊己"], ["丁戊己", "甲乙丙", "庚辛"])
    assert sim.shape == (2, 3)
    assert sim[0].tolist() == pytest.approx([0, 1, 0]) and sim[1].tolist() == pytest.approx([1, 0, 0])
    assert tfidf_similarity(["", ""], [""]).tolist() == [[0.0], [0.0]]


def test_numbers_overlap_by_hand():
    from pipeline.diff.tasks import _numbers_overlap
    assert _numbers_overlap((), ()) == 1.0                      # neither has numbers: nothing differs
    assert _numbers_overlap(("3",), ()) == 0.0
    assert _numbers_overlap(("1", "2"), ("2", "3")) == pytest.approx(1 / 3)
    assert _numbers_overlap(("5", "5"), ("5",)) == 1.0


BODY = "实施老旧街区改造提升，完善道路管网配套，打造宜居宜业城市环境"


def test_a_task_under_another_heading_has_moved():
    old = [section("1", "城市建设", [item("1.1", "城市更新", BODY)]), section("2", "乡村振兴", [])]
    new = [section("1", "城市建设", []), section("2", "乡村振兴", [item("2.1", "城市更新", BODY)])]
    (entry,) = [e for e in diff_tasks(old, new, 2023, 2024) if e.old_id == "1.1"]
    assert entry.new_id == "2.1" and entry.moved and entry.change == "unchanged"


def test_twin_tasks_are_paired_by_their_heading_not_by_position():
    """The same wording under two headings: the one left in the new plan pairs with its own heading's."""
    old = [section("1", "城市建设", [item("1.1", "城市更新", BODY)]), section("2", "乡村振兴", [item("2.1", "城市更新", BODY)])]
    new = [section("1", "城市建设", []), section("2", "乡村振兴", [item("2.1", "城市更新", BODY)])]
    d = diff_tasks(old, new, 2023, 2024)
    assert [(e.change, e.old_id, e.new_id, e.moved) for e in d if "1.1" in (e.old_id, e.new_id) or e.new_id == "2.1"] \
        == [("dropped", "1.1", None, False), ("unchanged", "2.1", "2.1", False)]


def test_dropped_tasks_stand_where_they_stood():
    old = [item("1", "甲", "推进重点项目建设，扩大有效投资"), item("2", "乙", "深化农村集体产权制度改革"),
           item("3", "丙", "繁荣发展文化事业，建设城市书房"), item("4", "丁", "加强生态环境保护")]
    new = [item("1", "甲", "推进重点项目建设，扩大有效投资"), item("3", "丙", "繁荣发展文化事业，建设城市书房")]
    assert [(e.change, e.old_id) for e in diff_tasks(old, new, 2023, 2024)] == \
        [("unchanged", "1"), ("dropped", "2"), ("unchanged", "3"), ("dropped", "4")]
    first_dropped = [item("1", "乙", "深化农村集体产权制度改革"), item("2", "甲", "推进重点项目建设，扩大有效投资")]
    assert [(e.change, e.old_id) for e in diff_tasks(first_dropped, new[:1], 2023, 2024)] == \
        [("dropped", "1"), ("unchanged", "2")]


def test_only_a_review_pair_carries_both_texts_and_it_never_moves():
    base = "加快推进城市更新行动，实施老旧街区改造提升，完善道路管网配套，打造宜居宜业城市环境。"
    half = "加快推进城市更新行动，实施老旧街区改造提升，同时启动智慧停车平台建设，推进充电桩进小区。"
    old = [item("1", "城市建设", base), item("2", "文化", "繁荣发展文化事业，建设城市书房和农家书屋")]
    new = [item("1", "文化", "繁荣发展文化事业，建设城市书房和农家书屋"), item("2", "城市建设", half)]
    d = {e.change: e for e in diff_tasks(old, new, 2023, 2024)}
    review, other = d["review"], d["unchanged"]
    assert review.old_text == "城市建设。" + base and review.new_text == "城市建设。" + half and not review.moved
    assert other.old_text is None and other.new_text is None


def test_a_task_whose_heading_was_replaced_has_moved():
    """Its old heading dropped, a new one in its place: the task kept its order but not its parent."""
    old = [section("1", "城市建设", [item("1.1", "城市更新", BODY)])]
    new = [section("1", "乡村全面振兴与农业农村现代化", [item("1.1", "城市更新", BODY)])]
    assert [(e.change, e.old_id, e.new_id, e.moved) for e in diff_tasks(old, new, 2023, 2024)] == \
        [("dropped", "1", None, False), ("new", None, "1", False), ("unchanged", "1.1", "1.1", True)]
