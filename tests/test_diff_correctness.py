"""What an analyst catches at once in a comparison (issue 13 item 4): a moved share shown as 未变, a
qualitative↔numeric change hidden as a qualifier change, cells shown in the other year's unit,
"相似度1.00" beside changed numbers, plans given newer-first, and a non-plan rendered as "None年"."""
from __future__ import annotations

import json

from conftest import SAMPLES, run_cli
from pipeline.diff.indicators import diff_indicators
from pipeline.diff.model import PlanDiff, PlanRef, TaskDiff
from pipeline.diff.report import _facts, indicator_lines, render_html
from pipeline.schema import Cell, Period, Row

OLD = SAMPLES / "zhoucun-2023-plan.txt"
NEW = SAMPLES / "zhoucun-2024-plan.txt"


def row(name, unit, value, growth, rid="R1"):
    def cell(x):
        if isinstance(x, str):
            return Cell(text=x)
        return Cell(text=str(x), number=float(x), comparator="eq")
    return Row(id=rid, category="c", name=name, unit=unit, target=Period(value=cell(value), growth=cell(growth)))


def test_share_that_moved_with_the_same_growth_figure_rose():
    (e,) = diff_indicators([row("研发经费投入强度", "%", 2.8, 1)], [row("研发经费投入强度", "%", 2.95, 1)])
    assert e.change == "rose" and e.compared == "value" and e.growth_change == "unchanged"
    (same,) = diff_indicators([row("研发经费投入强度", "%", 2.8, 1)], [row("研发经费投入强度", "%", 2.8, 1)])
    assert same.change == "unchanged"


def test_literal_to_number_is_a_change_of_form_in_both_directions():
    (up,) = diff_indicators([row("出口总额", "亿元", "保持稳定", "保持稳定")], [row("出口总额", "亿元", 12, 4)])
    (down,) = diff_indicators([row("出口总额", "亿元", 12, 4)], [row("出口总额", "亿元", "稳中有进", "稳中有进")])
    assert (up.change, up.form) == ("form_changed", "to_number")
    assert (down.change, down.form) == ("form_changed", "to_literal")


def test_each_year_is_shown_in_its_own_table_unit():
    old = [row("城镇新增就业人数", "万人", 0.6, "—")]
    new = [row("新增城镇就业", "人", 6000, "—")]
    d = PlanDiff(old=PlanRef(), new=PlanRef(), indicators=diff_indicators(old, new))
    (line,) = indicator_lines(d)
    name, unit, old_cell, new_cell = line.cells
    assert old_cell.startswith("0.6万人") and new_cell.startswith("6000人") and "万人" in unit


def test_similarity_one_is_not_printed_beside_changed_numbers():
    e = TaskDiff(change="reworded", similarity=0.999, numbers_changed=True)
    assert "相似度" not in _facts(e) and "数量目标调整" in _facts(e)
    assert "相似度0.83" in _facts(TaskDiff(change="reworded", similarity=0.83, words_changed=True))


def test_swapped_years_warn_and_are_put_in_order(tmp_path):
    out = tmp_path / "d.json"
    proc = run_cli("diff", str(NEW), str(OLD), "-o", str(out), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "警告" in proc.stderr and "2024" in proc.stderr
    d = json.loads(out.read_text(encoding="utf-8"))
    assert (d["old"]["year"], d["new"]["year"]) == (2023, 2024) and d["warnings"]
    assert any(e["name"] == "地区生产总值" and e["change"] == "rose" for e in d["indicators"])


def _meeting_notice(tmp_path):
    p = tmp_path / "会议通知.txt"
    p.write_text("关于召开防汛工作会议的通知\n各镇政府、街道办事处：\n定于6月3日召开防汛工作会议，请主要负责同志参加。\n"
                 "区应急管理局\n2024年6月1日\n", encoding="utf-8")
    return p


def test_a_non_plan_is_refused_by_diff_and_render(tmp_path):
    notice = _meeting_notice(tmp_path)
    for args in (("diff", str(notice), str(OLD), "-o", str(tmp_path / "d.html")),
                 ("render", str(notice), "-o", str(tmp_path / "p.pdf"))):
        proc = run_cli(*args, timeout=300)
        assert proc.returncode == 1, (args, proc.stdout)
        assert "不是年度计划" in proc.stderr and "会议通知.txt" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "d.html").exists() and not (tmp_path / "p.pdf").exists()


def test_report_never_prints_none_year():
    html = render_html(PlanDiff(old=PlanRef(title="甲"), new=PlanRef(title="乙", year=2024)))
    assert "None" not in html and "上年与2024年" in html
    assert "本年年" not in html and "上年年" not in html
