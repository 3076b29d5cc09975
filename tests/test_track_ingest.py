"""Ingest of returned 台账: constructed realistic returns (several departments, two rounds) merge;
bad workbooks are rejected with every bad cell named by sheet, row and column, and nothing from a
rejected file is imported (not even into the archive)."""
from __future__ import annotations

import shutil
import sqlite3

import pytest
from openpyxl import load_workbook

from pipeline.errors import InputError
from pipeline.track.config import load_config
from pipeline.track.ingest import WorkbookErrors, ingest
from pipeline.track.items import build_items
from pipeline.track.layout import INDICATOR_COLUMNS, INDICATOR_SHEET, TASK_COLUMNS, TASK_SHEET
from pipeline.track.workbook import FIRST_DATA_ROW
from test_track_support import filler_module, reference


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    base = tmp_path_factory.mktemp("returns")
    return base, filler_module().make_rounds(reference(), base)


@pytest.fixture(scope="module")
def items():
    return build_items(reference(), load_config())


def _row_of(ws, item_id):
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, 1).value == item_id:
            return r
    raise KeyError(item_id)


def _col(columns, header):
    return next(i for i, c in enumerate(columns, start=1) if c.header == header)


def test_rounds_merge_every_department(rounds, items):
    _, produced = rounds
    cfg = load_config()
    for name, files in produced.items():
        assert len(files) >= 5
        merged = ingest(files, items, cfg)
        # every row a department filled arrives, from exactly one file, with its unit recorded
        filled = 0
        for f in files:
            ws = load_workbook(f, read_only=True)[TASK_SHEET]
            filled += sum(1 for row in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
                          if any(v is not None for v in row[4:]))
        assert len(merged.tasks) == filled
        assert all(f.unit for f in merged.files)
        assert merged.as_of is not None and merged.as_of.year == items.year
        # department words went through the alias table: the stored status is always canonical
        words = {r.report.status_word for r in merged.tasks.values() if r.report.status_word}
        assert words - set(cfg.statuses), "the constructed returns should use some aliases"
        assert {r.report.status for r in merged.tasks.values() if r.report.status} <= set(cfg.statuses)


def _bad_copy(src, dst, items):
    """A department's return with one error of every kind; returns the expected (sheet, row, column)."""
    shutil.copy(src, dst)
    wb = load_workbook(dst)
    ws, ind = wb[TASK_SHEET], wb[INDICATOR_SHEET]
    tc = {c.header: _col(TASK_COLUMNS, c.header) for c in TASK_COLUMNS}
    filled = [r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, tc["完成状态"]).value]
    numeric = [r for r in filled if ws.cell(r, tc["本期完成值"]).value is not None]
    share = next(t.id for t in items.tasks if t.percent_share)
    expected = []
    r_status, r_text = filled[0], numeric[0]
    ws.cell(r_status, tc["完成状态"], "基本完成")                     # unknown status word
    expected.append((TASK_SHEET, r_status, "完成状态"))
    ws.cell(r_text, tc["本期完成值"], "约30")                          # text in a number column
    expected.append((TASK_SHEET, r_text, "本期完成值"))
    r_share = _row_of(ws, share)                                      # a share above 100 %
    r_prog = next(r for r in filled if r not in (r_status, r_text, r_share))
    ws.cell(r_prog, tc["进展情况"]).value = None                       # started but no 进展情况
    ws.cell(r_prog, tc["完成状态"], "正常推进")
    expected.append((TASK_SHEET, r_prog, "进展情况"))
    ws.cell(r_share, tc["本期完成值"], 120)
    ws.cell(r_share, tc["进展情况"], "覆盖面已达120%")
    ws.cell(r_share, tc["完成状态"], "已完成")
    expected.append((TASK_SHEET, r_share, "本期完成值"))
    r_unknown = ws.max_row + 1                                        # a 编号 not in the plan
    ws.cell(r_unknown, tc["编号"], "9.9.9")
    ws.cell(r_unknown, tc["进展情况"], "新增事项")
    ws.cell(r_unknown, tc["完成状态"], "序时推进")
    expected.append((TASK_SHEET, r_unknown, "编号"))
    ic = {c.header: _col(INDICATOR_COLUMNS, c.header) for c in INDICATOR_COLUMNS}
    quantity = next(i for i in items.indicators if i.absolute_target and i.absolute_target.kind == "quantity")
    growth_only = next(i for i in items.indicators if i.tests and all(t.kind == "growth" for t in i.tests))
    r_q = _row_of(ind, quantity.id)                                   # 完成率 > 100 that the figures deny
    ind.cell(r_q, ic["本期累计"], round(quantity.absolute_target.target * 0.4, 2))
    ind.cell(r_q, ic["完成率%"], 140)
    expected.append((INDICATOR_SHEET, r_q, "完成率%"))
    r_g = _row_of(ind, growth_only.id)                                # 完成率 on a growth-only indicator
    ind.cell(r_g, ic["同比增长%"], 5.1)
    ind.cell(r_g, ic["完成率%"], 105)
    expected.append((INDICATOR_SHEET, r_g, "完成率%"))
    wb.save(dst)
    return expected


def test_bad_workbook_every_cell_reported(rounds, items, tmp_path):
    _, produced = rounds
    src = max(produced["round1"], key=lambda p: p.stat().st_size)
    bad = tmp_path / "bad.xlsx"
    expected = _bad_copy(src, bad, items)
    with pytest.raises(WorkbookErrors) as info:
        ingest([bad], items, load_config())
    got = {(e.sheet, e.row, e.column) for e in info.value.errors}
    assert set(expected) <= got, set(expected) - got
    assert all(e.file == str(bad) for e in info.value.errors)
    message = info.value.message
    assert "基本完成" in message and "约30" in message and "9.9.9" in message
    assert "第" in message and "行" in message and "工作表" in message


def test_rejected_file_imports_nothing_cli(rounds, items, tmp_path):
    """Through the CLI: exit 1, Chinese message, and no progress history written."""
    from conftest import run_cli
    base, produced = rounds
    bad = tmp_path / "bad.xlsx"
    _bad_copy(max(produced["round1"], key=lambda p: p.stat().st_size), bad, items)
    out = tmp_path / "通报.json"
    args = ["bulletin", str(reference_path_for_cli()), "-o", str(out), "--as-of", "2023-03-31"]
    for f in [*produced["round1"], bad]:
        args += ["--progress", str(f)]
    proc = run_cli(*args)
    assert proc.returncode == 1, proc.stderr
    assert "错误" in proc.stderr and "完成状态" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()
    db = tmp_path / ".plandoc" / "archive.sqlite3"
    if db.exists():
        assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM progress").fetchone()[0] == 0


def reference_path_for_cli():
    from test_track_support import reference_path
    return reference_path()


def test_conflict_between_departments_names_both_files(rounds, items, tmp_path):
    _, produced = rounds
    a = produced["round1"][0]
    b = tmp_path / "另一单位.xlsx"
    shutil.copy(a, b)
    wb = load_workbook(b)
    ws = wb[TASK_SHEET]
    tc = {c.header: _col(TASK_COLUMNS, c.header) for c in TASK_COLUMNS}
    r = next(r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, tc["进展情况"]).value)
    ws.cell(r, tc["进展情况"], "另一单位报送的不同进展")
    wb.save(b)
    with pytest.raises(WorkbookErrors) as info:
        ingest([a, b], items, load_config())
    msg = info.value.message
    assert str(a) in msg and str(b) in msg and "冲突" in msg
    # the identical return sent twice (a late duplicate) is not a conflict
    c = tmp_path / "重复报送.xlsx"
    shutil.copy(a, c)
    merged = ingest([a, c], items, load_config())
    assert len(merged.tasks) == len(ingest([a], items, load_config()).tasks)


def test_workbook_for_another_plan_refused(items, tmp_path):
    from pipeline.track.workbook import write_tracker
    from test_track_support import VARIANT, parsed
    if not VARIANT.exists():
        pytest.skip("variant fixture absent")
    other = tmp_path / "other.xlsx"
    write_tracker(parsed(str(VARIANT)), other)
    with pytest.raises(WorkbookErrors, match="不是本计划"):
        ingest([other], items, load_config())


@pytest.mark.parametrize("content,reason", [(b"", "为空"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版"),
                                            (b"hello", "不是 .xlsx"), (b"PK\x03\x04broken", "无法打开")])
def test_not_a_workbook(items, tmp_path, content, reason):
    p = tmp_path / "x.xlsx"
    p.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        ingest([p], items, load_config())


def test_an_id_in_the_wrong_sheet_is_told_where_it_belongs(rounds, items, tmp_path):
    """A 编号 filled into the other sheet is refused with the sheet it belongs in, in both directions;
    a cell of blanks in a text column counts as empty (both sheets read their cells the same way)."""
    _, produced = rounds
    wrong = tmp_path / "wrong.xlsx"
    shutil.copy(max(produced["round1"], key=lambda p: p.stat().st_size), wrong)
    wb = load_workbook(wrong)
    ws, ind = wb[TASK_SHEET], wb[INDICATOR_SHEET]
    tc = {c.header: _col(TASK_COLUMNS, c.header) for c in TASK_COLUMNS}
    ic = {c.header: _col(INDICATOR_COLUMNS, c.header) for c in INDICATOR_COLUMNS}
    indicator_id, task_id = items.indicators[0].id, items.tasks[0].id
    r = ws.max_row + 1
    ws.cell(r, tc["编号"], indicator_id)
    ws.cell(r, tc["进展情况"], "已按计划推进")
    ws.cell(r, tc["完成状态"], "序时推进")
    ws.cell(r, tc["存在问题"], " \u3000 ")
    ws.cell(r + 1, tc["编号"], "9.9.9")                 # in neither sheet: no hint
    ws.cell(r + 1, tc["进展情况"], "已按计划推进")
    r = ind.max_row + 1
    ind.cell(r, ic["编号"], task_id)
    ind.cell(r, ic["本期累计"], 5)
    wb.save(wrong)
    with pytest.raises(WorkbookErrors) as info:
        ingest([wrong], items, load_config())
    message = info.value.message
    assert sorted(e.reason for e in info.value.errors) == sorted([
        f"编号“{indicator_id}”不在本计划的任务中（主要指标请填在“{INDICATOR_SHEET}”表）",
        "编号“9.9.9”不在本计划的任务中",
        f"编号“{task_id}”不在本计划的主要指标中（任务请填在“{TASK_SHEET}”表）"]), message
