"""Four consecutive real work reports of 海拉尔区 (GB18030, CRLF): each consecutive pair diffs without
error, and the facts read off the texts hold. From the 主要预期目标 sentence in 二、 of each report:
2012 地区生产总值达到240亿元，同比增长21% · 2013 增长20%，达到282亿元 · 2014 增长11%，达到282亿元 ·
2015 增长8%，达到296亿元."""
from __future__ import annotations

import pytest

from conftest import corpus_file
from pipeline.diff import diff_plans
from pipeline.parse import parse_file

GDP_GROWTH = {2012: 21.0, 2013: 20.0, 2014: 11.0, 2015: 8.0}          # %
GDP_LEVEL = {2012: 240e8, 2013: 282e8, 2014: 282e8, 2015: 296e8}       # 元


@pytest.fixture(scope="module")
def reports():
    return {y: parse_file(corpus_file(f"real/hailar-gwr-{y}.txt"), keywords=False) for y in GDP_GROWTH}


def _class(a: float, b: float) -> str:
    return "rose" if b > a else "fell" if b < a else "unchanged"


def _plan_gdp(d, unit_base):
    """The GDP target entries placed in 二、 (the plan part) of both reports, for one base unit."""
    out = []
    for e in d.targets:
        if e.metric != "地区生产总值" or e.old is None or e.new is None:
            continue
        if e.old.node_id == "2" and e.new.node_id == "2" and e.new.base_unit == unit_base:
            out.append(e)
    return out


@pytest.mark.parametrize("year", [2012, 2013, 2014])
def test_consecutive_reports_gdp_targets(reports, year):
    d = diff_plans(reports[year], reports[year + 1])
    growth = _plan_gdp(d, "%")
    assert len(growth) == 1
    g = growth[0]
    assert g.old.base_value == GDP_GROWTH[year] and g.new.base_value == GDP_GROWTH[year + 1]
    assert g.change == _class(GDP_GROWTH[year], GDP_GROWTH[year + 1])
    assert g.delta == pytest.approx(GDP_GROWTH[year + 1] - GDP_GROWTH[year])
    level = _plan_gdp(d, "元")
    assert len(level) == 1
    assert level[0].old.base_value == pytest.approx(GDP_LEVEL[year])
    assert level[0].change == _class(GDP_LEVEL[year], GDP_LEVEL[year + 1])


@pytest.mark.parametrize("year", [2012, 2013, 2014])
def test_consecutive_reports_tasks_are_consistent(reports, year):
    """No indicator table in a work report; every task is accounted for exactly once on each side."""
    old, new = reports[year], reports[year + 1]
    d = diff_plans(old, new)
    assert d.indicators == []
    old_ids = [e.old_id for e in d.tasks if e.old_id]
    new_ids = [e.new_id for e in d.tasks if e.new_id]

    def ids(nodes):
        return [x for n in nodes for x in [n.id, *ids(n.children)]]
    assert sorted(old_ids) == sorted(ids(old.plan.sections))
    assert sorted(new_ids) == sorted(ids(new.plan.sections))
    for e in d.tasks:
        if e.change in ("reworded", "review"):
            assert e.redline and e.similarity is not None


def test_report_against_itself_reports_no_change(reports):
    d = diff_plans(reports[2014], reports[2014])
    assert {e.change for e in d.targets} == {"unchanged"}
    assert {e.change for e in d.tasks} == {"unchanged"}
    assert d.summary.tasks["unchanged"] == len(d.tasks)
