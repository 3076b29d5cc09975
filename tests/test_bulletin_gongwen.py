"""The 通报 a 督查室 clerk signs (issue 13): lead units assigned once per plan, one workbook per
department, and the bulletin as a 公文 — 红头 with 第N期 counted in the archive, 主送, 进展较好,
滞后事项 with the department's own words quoted and tasks cited as a 公文 cites them, 署名, 成文日期.
Departments' returns are filled here through openpyxl, as a department would fill its workbook."""
from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from conftest import run_cli
from pipeline.track.bulletin import make_bulletin
from pipeline.track.bulletin_context import cite_task, shorten
from test_track_support import reference, reference_path

ASSIGN = """编号,牵头单位,配合单位
# 任务分解：节点上的分工适用于其下各项
2.1,区发展和改革局,区商务局、区财政局
2.3,区科技局,
2.3.2,区工业和信息化局,区科技局
R5,区发展和改革局,
"""
LAG_PROGRESS = ("年初以来共谋划储备项目46个，完成投资38.2亿元。受土地指标影响，3个项目尚未开工，"
                "正在协调自然资源部门加快办理用地手续，争取三季度全部开工建设。下一步将实行周调度、月通报制度，"
                "确保全年目标任务顺利完成。")
PROBLEM = "用地指标紧张，部分项目前期手续办理周期较长。"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    base = tmp_path_factory.mktemp("gongwen")
    plan_json = base / "plan.json"
    assert run_cli("parse", str(reference_path()), "-o", str(plan_json)).returncode == 0
    mapping = base / "分工.csv"
    mapping.write_text(ASSIGN, encoding="utf-8")
    return base, plan_json, mapping


def _fill(path, status_of, as_of="2023-06-30"):
    """Fill a department's workbook: every task row gets a status and its 进展情况."""
    wb = load_workbook(path)
    ws = wb["重点任务"]
    header = {c.value: c.column for c in ws[3] if c.value}
    ws.cell(2, 6, as_of)
    for row in range(4, ws.max_row + 1):
        item_id = ws.cell(row, header["编号"]).value
        if not item_id or not re.match(r"^\d", str(item_id)):
            continue
        status = status_of(str(item_id))
        ws.cell(row, header["完成状态"], status)
        ws.cell(row, header["进展情况"], LAG_PROGRESS if status == "滞后" else "按计划推进，完成序时进度。")
        if status == "滞后":
            ws.cell(row, header["存在问题"], PROBLEM)
    wb.save(path)


def test_tracker_per_department(setup):
    base, plan_json, mapping = setup
    out = base / "by-unit"
    proc = run_cli("tracker", str(plan_json), "--assign", str(mapping), "--by-unit", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    files = {p.name: p for p in out.glob("*.xlsx")}
    assert len(files) == 5, files          # 发改、商务、财政、科技、工信
    wb = load_workbook(next(p for n, p in files.items() if "区科技局" in n))
    ws = wb["重点任务"]
    assert ws.cell(2, 2).value == "区科技局"                                # 填报单位 already filled
    ids = [str(ws.cell(r, 1).value) for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value]
    assert ids and all(i.startswith("2.3") or i.startswith("T") for i in ids)
    leads = {str(ws.cell(r, 1).value): ws.cell(r, 5).value for r in range(4, ws.max_row + 1)}
    assert leads["2.3.1"] == "区科技局" and leads["2.3.2"] == "区工业和信息化局"   # own row, and one it helps with
    assert "2.1" not in leads
    master = base / "master.xlsx"
    assert run_cli("tracker", str(plan_json), "--assign", str(mapping), "-o", str(master)).returncode == 0
    ws = load_workbook(master)["重点任务"]
    rows = {str(ws.cell(r, 1).value): (ws.cell(r, 5).value, ws.cell(r, 6).value) for r in range(4, ws.max_row + 1)}
    assert rows["2.1.2"] == ("区发展和改革局", "区商务局、区财政局")      # inherited from （一）
    assert rows["2.2.1"] == (None, None)
    assert ws.cell(4, 5).protection.locked is False                        # the clerk may assign in it


def test_unknown_id_in_mapping_is_a_chinese_error(setup, tmp_path):
    _, plan_json, _ = setup
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,牵头单位\n9.9,区发改局\n", encoding="utf-8")
    proc = run_cli("tracker", str(plan_json), "--assign", str(bad), "--by-unit", "-o", str(tmp_path / "o"))
    assert proc.returncode == 1 and "9.9" in proc.stderr and "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def rounds(setup):
    """Two rounds: only the 发改局 returns its workbook; its 2.1.1 is lagging."""
    base, plan_json, mapping = setup
    out = base / "by-unit"
    if not out.exists():
        run_cli("tracker", str(plan_json), "--assign", str(mapping), "--by-unit", "-o", str(out))
    src = next(p for p in out.glob("*.xlsx") if "区发展和改革局" in p.name)
    r1, r2 = base / "r1.xlsx", base / "r2.xlsx"
    r1.write_bytes(src.read_bytes())
    _fill(r1, lambda i: "序时推进", "2023-03-31")
    r2.write_bytes(src.read_bytes())
    _fill(r2, lambda i: "滞后" if i == "2.1.1" else "序时推进")
    db = base / "a.sqlite3"
    no_assign = make_bulletin(reference(), [r1], None, base / "noassign.json", archive=base / "other.sqlite3")
    p1 = base / "第1期.pdf"
    make_bulletin(reference(), [r1], None, p1, archive=db, style="formal", assignments=mapping)
    p2 = base / "第2期.pdf"
    f2 = make_bulletin(reference(), [r2], None, p2, archive=db, style="formal", assignments=mapping,
                       signed="2023-07-05")
    return no_assign, p1, p2, f2


def _text(pdf_path):
    import pdfplumber
    with pdfplumber.open(pdf_path) as pdf:
        text = "".join(re.sub(r"—\s*\d+\s*—\s*$", "", p.extract_text() or "") for p in pdf.pages)
        red = {c["text"] for c in pdf.pages[0].chars
               if tuple(c.get("non_stroking_color") or ()) in ((1, 0, 0), (0, 1, 1, 0))}
    return re.sub(r"\s+", "", text), red


def test_tasks_without_lead_unit_are_counted_once_not_as_unreported(rounds):
    no_assign, *_ = rounds
    # the returned workbook names its lead unit on its own rows; the others have none
    assert no_assign["unassigned"] and no_assign["unreported"] == 0
    assert "未报送" not in no_assign["shares"]
    assert no_assign["assigned_total"] + len(no_assign["unassigned"]) == no_assign["total"]


def test_formal_bulletin_is_a_gongwen(rounds):
    _, p1, p2, f2 = rounds
    t1, _ = _text(p1)
    t2, red = _text(p2)
    assert "第1期" in t1 and "第2期" in t2                                  # counted per plan in the archive
    assert set("督查通报") <= red                                            # the 红头 is red
    assert "各镇政府、街道办事处，周村经济开发区管委会，区政府各部门，有关单位：" in t2   # 主送
    assert "周村区人民政府督查室2023年7月5日" in t2                            # 署名 + 成文日期 (given date)
    for part in ("一、总体情况", "二、进展较好的事项", "三、滞后事项", "四、主要指标运行情况", "五、下步工作要求"):
        assert part in t2
    assert "（一）1.全力以赴扩大有效投资（牵头单位：区发展和改革局；配合单位：区商务局、区财政局）" in t2
    assert not re.search(r"第\d+(\.\d+)+项", t2)                            # never internal ids
    # quoted, cut after the second sentence (the limit is 90 characters), never mid-sentence
    assert "进展情况：“年初以来共谋划储备项目46个，完成投资38.2亿元。受土地指标影响，" in t2
    assert "争取三季度全部开工建设”。" in t2 and "周调度" not in t2
    assert f"存在问题：“{PROBLEM.rstrip('。')}”" in t2
    assert "尚未明确牵头单位" in t2 and "附件：1.主要指标执行情况表2.重点任务推进情况表" in t2
    assert "未报送" in t2 and f2["unreported"] > 0                           # assigned units that did not report


def test_shorten_cuts_at_sentence_boundaries():
    text = "第一句话很短。第二句话稍微长一些，包含逗号。第三句。"
    assert shorten(text, 10) == "第一句话很短。"
    assert shorten(text, 100) == text
    long_clause = "这是一个没有句号但是有逗号的很长的句子，后面还有很多很多很多很多很多的内容"
    assert shorten(long_clause, 25) == "这是一个没有句号但是有逗号的很长的句子……"
    assert shorten("甲" * 40 + "。乙", 10) == "甲" * 40 + "。"                # never mid-word


def test_citations():
    assert cite_task("2.1.1", "全力以赴扩大有效投资。") == "（一）1.全力以赴扩大有效投资"
    assert cite_task("2.5", "聚力推进生态环境改善工程") == "（五）聚力推进生态环境改善工程"
    assert cite_task("1", "总体要求") == "一、总体要求"
    assert cite_task("3.12.2", "某任务", with_top=True) == "三、（十二）2.某任务"
