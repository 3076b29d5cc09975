"""False-positive hazards of the numbering ladder (domain.md §2), each a case that must not become a heading,
and the shapes that must."""
from __future__ import annotations

import pytest

from pipeline.parse import parse_file
from pipeline.parse.labels import match_label
from pipeline.text import normalize


@pytest.mark.parametrize("line", [
    "5.5%以上的增长目标要坚持。", "2023.4.25召开会议。", "2023年4月25日", "二〇二三年工作回顾。", "第十九届人民代表大会",
    "（含文昌湖4家）列入计划。", "（此件公开发布）", "（一）至（三）项任务由区发改局牵头。", "一是精准治气。",
    "一、总体要求……………………3", "1.5倍于去年", "十四五时期", "一汽（淄博）汽车零部件产业园",
])
def test_not_a_label(line):
    assert match_label(normalize(line)) is None


@pytest.mark.parametrize("line,rung,canonical", [
    ("一、总体要求", 1, "一、"), ("一．总体要求", 1, "一、"), ("十二、其他", 1, "十二、"),
    ("（一）扩大投资。", 2, "（一）"), ("(三) 扩大投资", 2, "（三）"),
    ("1.抓项目", 3, "1."), ("１．抓项目", 3, "1."), ("2、促消费", 3, "2."),
    ("（1）加快续建", 4, "（1）"), ("(2)新开工", 4, "（2）"), ("3）收尾", 4, "（3）"),
])
def test_label_rungs(line, rung, canonical):
    lab = match_label(normalize(line))
    assert lab is not None and (lab.rung, lab.canonical) == (rung, canonical)


def test_whole_document_on_one_line(tmp_path):
    body = ("做好今年工作要坚持稳中求进。" * 60 + "一、总体要求。" + "全年目标如下。" * 200 +
            "二、重点任务。（一）扩大投资。推进项目建设。" + "加快发展。" * 200 + "（二）促进消费。举办活动。")
    p = tmp_path / "oneline.txt"
    p.write_text("某区2024年国民经济和社会发展计划\n" + body + "\n", encoding="utf-8")
    r = parse_file(p, keywords=False)
    assert [s.label for s in r.plan.sections] == ["一、", "二、"]
    assert [i.title for i in r.plan.sections[1].children] == ["扩大投资", "促进消费"]


def test_mid_sentence_series_and_weak_yishi(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("某区2024年国民经济和社会发展计划\n一、重点任务\n（一）改善医疗。门诊报销由一级医院扩大到二、三级医院。"
                 "这是唯一是非题，必须回答。统一是基础，二是没有。\n", encoding="utf-8")
    r = parse_file(p, keywords=False)
    item = r.plan.sections[0].children[0]
    assert item.title == "改善医疗" and item.children == []
    assert len(r.plan.sections) == 1
