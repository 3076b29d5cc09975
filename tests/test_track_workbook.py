"""The 台账 workbook: sheets, contract columns, one row per task node and target, validation,
protection and print set-up — checked by reading the written file back with openpyxl."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from pipeline.track.config import CANONICAL_STATUSES, load_config
from pipeline.track.items import build_items
from pipeline.track.layout import INDICATOR_SHEET, TASK_COLUMNS, TASK_SHEET
from pipeline.track.workbook import FIRST_DATA_ROW, HEADER_ROW, write_tracker
from test_track_support import VARIANT, parsed, reference

CONTRACT_TASK = ("编号", "任务内容", "目标", "牵头单位", "进展情况", "本期完成值", "完成状态")
CONTRACT_INDICATOR = ("编号", "指标名称", "单位", "年度目标", "本期累计", "同比增长%")


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.children)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    result = reference()
    out = tmp_path_factory.mktemp("tracker") / "台账.xlsx"
    write_tracker(result, out)
    return result, load_workbook(out)


def test_contract_headers_and_sheets(written):
    _, wb = written
    assert [s for s in wb.sheetnames if wb[s].sheet_state == "visible"] == ["重点任务", "主要指标", "填报说明"]
    task_head = [c.value for c in wb[TASK_SHEET][HEADER_ROW]]
    ind_head = [c.value for c in wb[INDICATOR_SHEET][HEADER_ROW]]
    assert set(CONTRACT_TASK) <= set(task_head)
    assert set(CONTRACT_INDICATOR) <= set(ind_head)


def test_one_row_per_task_node_and_target(written):
    result, wb = written
    ws = wb[TASK_SHEET]
    ids = [ws.cell(r, 1).value for r in range(FIRST_DATA_ROW, ws.max_row + 1)]
    nodes = [n for n in _walk(result.plan.sections) if n.kind in ("item", "headline") or not n.children]
    expected = set(n.id for n in nodes) | {t for n in nodes for t in n.target_ids}
    assert set(ids) == expected and len(ids) == len(expected)
    # a target row sits right after its node's row (the row for 2.5.1 then T33)
    i = ids.index("2.5.1")
    assert ids[i + 1] in next(n for n in nodes if n.id == "2.5.1").target_ids


def test_indicator_goals_read_from_plan(written):
    result, wb = written
    ws = wb[INDICATOR_SHEET]
    head = [c.value for c in ws[HEADER_ROW]]
    rows = {ws.cell(r, 1).value: {h: ws.cell(r, i + 1).value for i, h in enumerate(head)}
            for r in range(FIRST_DATA_ROW, ws.max_row + 1)}
    assert set(rows) == {r.id for r in result.plan.indicators}
    # read by hand from the sample's 附件 table (2023年预期: 绝对值 with the row's unit; 增长% with its
    # qualifier): a goal that loses its unit, its qualifier or a cell fails here
    gold = {"R1": "增长5.5%", "R2": "增长6.5%", "R3": "139亿元；增长5.8%", "R4": "44.3%；增长1",
            "R5": "165亿元；增长8%", "R6": "76.02亿元；增长5%", "R7": "保持稳定", "R8": "保持稳定",
            "R9": "3.05%；增长1", "R10": "23.8亿元；增长5%", "R11": "28.75亿元；增长1%", "R12": "553亿元；增长10.1%",
            "R13": "291亿元；增长10.3%", "R14": "完成市下达任务指标", "R15": "完成市下达任务指标",
            "R16": "完成市下达任务指标", "R17": "0.4万人", "R18": "增长5.5%以上", "R19": "增长5.5%以上",
            "R20": "5.57万吨；保持稳定"}
    assert {k: v["年度目标"] for k, v in rows.items()} == gold


def test_validation_protection_and_print(written):
    _, wb = written
    ws = wb[TASK_SHEET]
    col = {c.header: i + 1 for i, c in enumerate(TASK_COLUMNS)}
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert all(s in lists[0].formula1 for s in CANONICAL_STATUSES)
    status_letter = ws.cell(HEADER_ROW, col["完成状态"]).column_letter
    assert str(lists[0].sqref).startswith(f"{status_letter}{FIRST_DATA_ROW}")
    decimals = [dv for dv in ws.data_validations.dataValidation if dv.type == "decimal"]
    assert decimals and decimals[0].errorStyle == "stop"
    assert ws.protection.sheet
    r = FIRST_DATA_ROW + 1
    for c in TASK_COLUMNS:
        assert ws.cell(r, col[c.header]).protection.locked is (not c.input), c.header
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows and str(HEADER_ROW) in ws.print_title_rows
    assert ws.column_dimensions["B"].width >= 30
    assert ws.cell(r, col["任务内容"]).alignment.wrap_text
    ind = wb[INDICATOR_SHEET]
    assert ind.protection.sheet
    assert {dv.type for dv in ind.data_validations.dataValidation} == {"decimal"}
    assert wb["_plandoc"].sheet_state == "veryHidden"


def test_variant_plan_not_tuned_to(tmp_path):
    """A second plan (constructed variant) gives a workbook with its own rows and indicators."""
    if not VARIANT.exists():
        pytest.skip("variant fixture absent")
    result = parsed(str(VARIANT))
    out = tmp_path / "v.xlsx"
    write_tracker(result, out)
    items = build_items(result, load_config())
    ws = load_workbook(out)[TASK_SHEET]
    ids = [ws.cell(r, 1).value for r in range(FIRST_DATA_ROW, ws.max_row + 1)]
    assert ids == [t.id for t in items.tasks] and len(ids) > 5
    assert load_workbook(out)[INDICATOR_SHEET].max_row - HEADER_ROW == len(result.plan.indicators)


def test_tracker_refuses_other_suffix(tmp_path):
    from pipeline.errors import InputError
    with pytest.raises(InputError, match="xlsx"):
        write_tracker(reference(), tmp_path / "台账.xls")
