"""Shapes real notices have and the reference notice lacks, each on a constructed document written for
the test (the mechanisms were built on the Shanghai corpus): parts above 一、, deeper labels, a table
flattened one cell per line without tabs, the target grammar additions."""
from __future__ import annotations

import pytest

from pipeline.blocks import SourceDoc, TextBlock, Where
from pipeline.parse import parse_source
from pipeline.parse.cover import split_addressees
from pipeline.parse.targets import extract_targets
from pipeline.text import normalize


def _doc(lines: list[str]) -> SourceDoc:
    blocks = [TextBlock(text=l, norm=normalize(l), where=Where(line=i)) for i, l in enumerate(lines, 1)]
    return SourceDoc(path="t.txt", sha256="0" * 64, format="txt", blocks=blocks)


def _flat(nodes, depth=1):
    for n in nodes:
        if n.kind != "headline":
            yield depth, n
            yield from _flat(n.children, depth + 1)


PARTS = ["某市2024—2026年交通发展规划", "第一部分　发展基础", "一、取得的成绩", "二、存在的问题",
         "第二部分　主要任务", "一、完善路网", "1.打通断头路。", "（1）东西向通道。", "①建成东环路。", "②建成西环路。",
         "（2）南北向通道。", "二、提升公交", "第三部分　保障措施", "一、加强领导。"]


def test_parts_are_a_level_above_and_restart_numbering():
    r = parse_source(_doc(PARTS), keywords=False)
    got = [(d, n.label, n.id) for d, n in _flat(r.plan.sections)]
    assert got[:4] == [(1, "第一部分", "1"), (2, "一、", "1.1"), (2, "二、", "1.2"), (1, "第二部分", "2")]
    assert (2, "一、", "2.1") in got and (3, "1.", "2.1.1") in got and (4, "（1）", "2.1.1.1") in got
    assert (5, "①", "2.1.1.1.1") in got and (5, "②", "2.1.1.1.2") in got and (4, "（2）", "2.1.1.2") in got
    assert (1, "第三部分", "3") in got
    assert not [w for w in r.warnings if w.code == "numbering_gap"]
    assert r.plan.year is None                     # 2024—2026 is the plan's period, not its year


def test_chapter_words_inside_a_sentence_are_no_heading():
    r = parse_source(_doc(["某区2025年工作方案", "一、总体要求", "第三章规定的事项，由区政府负责。",
                           "第二节中所列的项目按期完成。"]), keywords=False)
    assert [n.label for _, n in _flat(r.plan.sections)] == ["一、"]


def test_continuous_numbering_is_said_once():
    lines = ["某区2025年工作要点", "一、发展", "（一）产业", "1.甲。", "2.乙。", "（二）城市", "3.丙。", "4.丁。", "（三）民生", "5.戊。"]
    r = parse_source(_doc(lines), keywords=False)
    codes = [w.code for w in r.warnings]
    assert codes.count("numbering_continuous") == 1 and "numbering_gap" not in codes


FLAT = ["某区2025年环境工作计划", "一、主要指标", "表1 主要指标", "序号", "类别", "指标名称", "单位", "2024年", "2025年目标",
        "1", "空气", "优良天数比例", "%", "86.1", "88以上", "2", "PM2.5年均浓度", "微克/立方米", "31", "≤30",
        "3", "水", "地表水达标率", "%", "90", "92", "二、重点任务", "（一）治气。新建监测站4座。"]


def test_table_flattened_one_cell_per_line_without_tabs():
    r = parse_source(_doc(FLAT), keywords=False)
    rows = [(x.category, x.name, x.unit, x.base.value.text, x.target.value.text, x.target.year) for x in r.plan.indicators]
    assert rows == [("空气", "优良天数比例", "%", "86.1", "88以上", 2025),
                    ("空气", "PM2.5年均浓度", "微克/立方米", "31", "≤30", 2025),
                    ("水", "地表水达标率", "%", "90", "92", 2025)]
    pm = r.plan.indicators[1]
    assert r.plan.indicators[0].category == pm.category and pm.target.value.comparator == "le"
    # the cell numbers are no prose targets; the body's own target is, on its own line
    assert [(t.value, t.unit, t.where.line) for t in r.plan.targets] == [(4, "座", 28)]
    assert [n.label for n in r.plan.sections] == ["一、", "二、"]


@pytest.mark.parametrize("text,want", [
    ("城镇和农村生活污水处理率分别达到92%和85%以上。",
     [("城镇生活污水处理率", 92, "%", "ge"), ("农村生活污水处理率", 85, "%", "ge")]),
    ("污水日处理能力由8万吨/日提高到15万吨/日。", [("污水日处理能力", 15, "万吨/日", "from_to")]),
    ("地区生产总值年均增长6%—6.5%。", [("地区生产总值", None, "%", "range")]),
    ("新建口袋公园20座（处）。", [("新建口袋公园", 20, "座（处）", "eq")]),
    ("绿化覆盖率≥35%，能耗强度＜0.3吨标准煤，单位面积排放≤12吨。",
     [("绿化覆盖率", 35, "%", "ge"), ("能耗强度", 0.3, "吨标准煤", "le"), ("单位面积排放", 12, "吨", "le")]),
    ("每个项目评估费用不超过5万元/每份。", [("每个项目评估费用", 5, "万元/每份", "le")]),
    ("目前实有消防车43辆，缺编部分逐年补齐。", []),
    ("完成不少于100万条微调语料和10万条思维链语料。", [("微调语料", 100, "万条", "ge"), ("思维链语料", 10, "万条", "ge")]),
    ("培训农民不少于100人、新增就业岗位50个。", [("农民", 100, "人", "ge"), ("新增就业岗位", 50, "个", "eq")]),
    ("分类梳理共22项任务。", []),
])
def test_target_grammar_additions(text, want):
    got = [(f.metric, f.value, f.unit, f.comparator) for f in extract_targets(text)]
    assert got == want


def test_from_to_keeps_both_ends_and_range_both_bounds():
    f = extract_targets("污水日处理能力由8万吨/日提高到15万吨/日。")[0]
    assert (f.from_value, f.value, f.direction) == (8, 15, "growth")
    g = extract_targets("地区生产总值年均增长6%—6.5%。")[0]
    assert (g.low, g.high, g.direction) == (6, 6.5, "growth")


def test_addressees_split_between_addressees_only():
    assert split_addressees("区政府各委、办、局，各镇人民政府") == ["区政府各委、办、局", "各镇人民政府"]
    assert split_addressees("各乡、镇人民政府，区各直属单位") == ["各乡、镇人民政府", "区各直属单位"]
    assert split_addressees("各镇政府、街道办事处，有关单位") == ["各镇政府", "街道办事处", "有关单位"]
    assert split_addressees("各办、中心、各村") == ["各办", "中心", "各村"]
