"""Formula injection into the 台账: every text that came from a parsed document is written to the
workbook as a string, never as a formula, whatever it starts with (= + - @), through the real CLI."""
from __future__ import annotations

import json
import zipfile

import pytest
from openpyxl import load_workbook

from hostile_support import run_bounded, snapshot
from test_track_support import reference_path

PAYLOADS = ['=HYPERLINK("http://127.0.0.1/x?"&A1,"点击查看")', "+1+1", "-2+3", "@SUM(1,1)", "=1+1", "＝全角等号"]
TEXT_KEYS = ("text", "name", "title", "row_name", "body", "note", "unit", "label")


def _inject(node, payloads: list[str], counter: list[int]):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in TEXT_KEYS and isinstance(v, str) and v:
                node[k] = payloads[counter[0] % len(payloads)] + v
                counter[0] += 1
            else:
                _inject(v, payloads, counter)
    elif isinstance(node, list):
        for v in node:
            _inject(v, payloads, counter)


@pytest.mark.timeout(180)
def test_texts_starting_like_formulas_stay_text_in_the_tracker(tmp_path):
    plan = tmp_path / "plan.json"
    parsed = run_bounded("parse", str(reference_path()), "-o", str(plan))
    assert parsed.returncode == 0, parsed.stderr[-2000:]
    data = json.loads(plan.read_text(encoding="utf-8"))
    counter = [0]
    _inject(data["plan"], PAYLOADS, counter)
    data["notice"]["title"] = PAYLOADS[0] + (data["notice"].get("title") or "")
    assert counter[0] > 20
    plan.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = snapshot(tmp_path)
    out = tmp_path / "台账.xlsx"
    proc = run_bounded("tracker", str(plan), "-o", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert {k: v for k, v in snapshot(tmp_path).items() if k != out.name} == before
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    wb = load_workbook(out)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.update(p for p in PAYLOADS if cell.value.startswith(p))
    assert PAYLOADS[0] in seen and len(seen) >= 3, seen      # the payloads arrived, as text


# -- formulas without a computed value in a returned 台账 (issue 17) ----------------------------------
@pytest.fixture(scope="module")
def returned(tmp_path_factory):
    from pipeline.track.config import load_config
    from pipeline.track.items import build_items
    from test_track_support import filler_module, reference
    base = tmp_path_factory.mktemp("returns")
    rounds = filler_module().make_rounds(reference(), base)
    src = max(rounds["round1"], key=lambda p: p.stat().st_size)
    return src, build_items(reference(), load_config()), load_config()


def _value_rows(path, sheet, header):
    from pipeline.track.layout import INDICATOR_COLUMNS, TASK_COLUMNS
    from pipeline.track.workbook import FIRST_DATA_ROW
    columns = TASK_COLUMNS if "任务" in sheet or sheet == _task_sheet() else INDICATOR_COLUMNS
    col = next(i for i, c in enumerate(columns, start=1) if c.header == header)
    ws = load_workbook(path)[sheet]
    rows = [r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if isinstance(ws.cell(r, col).value, (int, float))]
    rows += [r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value and r not in rows]
    return col, rows


def _task_sheet():
    from pipeline.track.layout import TASK_SHEET
    return TASK_SHEET


def _with_formulas(src, dst, sheet, header, formulas: list[str]):
    """The department's script wrote formulas (openpyxl: no computed values). Returns the cell refs."""
    from openpyxl.utils import get_column_letter
    col, rows = _value_rows(src, sheet, header)
    wb = load_workbook(src)
    refs = []
    for r, f in zip(rows, formulas):
        wb[sheet].cell(r, col).value = f
        refs.append(f"{get_column_letter(col)}{r}")
    wb.save(dst)
    return refs


def _patch_sheet_xml(path, sheet_index: int, old: bytes, new: bytes):
    """Rewrite one worksheet part in place of the zip (what Excel's save does to cached values)."""
    import shutil
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == f"xl/worksheets/sheet{sheet_index}.xml":
                assert old in data
                data = data.replace(old, new)
            zout.writestr(info, data)
    shutil.move(tmp, path)


def _sheet_index(path, sheet):
    return load_workbook(path, read_only=True).sheetnames.index(sheet) + 1


@pytest.mark.parametrize("formulas", [["=30+5"], ["=SUM(12,3)", "=A1*0", "=ROUND(2.5,0)"]])
def test_a_formula_without_a_computed_value_is_named_not_lost(returned, tmp_path, formulas):
    from pipeline.track.ingest import WorkbookErrors, ingest
    from pipeline.track.layout import TASK_SHEET
    src, items, cfg = returned
    bad = tmp_path / "脚本生成.xlsx"
    refs = _with_formulas(src, bad, TASK_SHEET, "本期完成值", formulas)
    with pytest.raises(WorkbookErrors) as info:
        ingest([bad], items, cfg)
    message = info.value.message
    for ref, f in zip(refs, formulas):
        assert ref in message and f in message, (ref, message)
    assert "Excel" in message and "WPS" in message and f"工作表“{TASK_SHEET}”" in message
    assert "本期完成值" in message


def test_formulas_on_the_indicator_sheet_and_shared_formulas_are_named_too(returned, tmp_path):
    from pipeline.track.ingest import WorkbookErrors, ingest
    from pipeline.track.layout import INDICATOR_SHEET
    src, items, cfg = returned
    bad = tmp_path / "指标公式.xlsx"
    refs = _with_formulas(src, bad, INDICATOR_SHEET, "本期累计", ["=100*1.05", "=100*1.06"])
    assert len(refs) == 2
    # the second becomes a shared formula's follower, the way Excel writes a filled-down column
    formula2 = b"<f>100*1.06</f><v></v>"
    _patch_sheet_xml(bad, _sheet_index(bad, INDICATOR_SHEET), formula2, b'<f t="shared" si="0"/>')
    with pytest.raises(WorkbookErrors) as info:
        ingest([bad], items, cfg)
    message = info.value.message
    assert refs[0] in message and refs[1] in message and "共享公式" in message


def test_formulas_saved_by_excel_with_their_values_are_read(returned, tmp_path):
    from pipeline.track.ingest import ingest
    from pipeline.track.layout import TASK_SHEET
    src, items, cfg = returned
    good = tmp_path / "已在Excel保存.xlsx"
    _with_formulas(src, good, TASK_SHEET, "本期完成值", ["=30+5"])
    index = _sheet_index(good, TASK_SHEET)
    _patch_sheet_xml(good, index, b"<f>30+5</f><v></v>", b"<f>30+5</f><v>35</v>")
    merged = ingest([good], items, cfg)
    assert any(r.report.value == 35 for r in merged.tasks.values())
    # an empty text result is a computed value too (Excel: t="str" and an empty <v>)
    _patch_sheet_xml(good, index, b"<f>30+5</f><v>35</v>", b"<f>IF(1,\"\",1)</f><v></v>")
    text = zipfile.ZipFile(good).read(f"xl/worksheets/sheet{index}.xml")
    at = text.index(b"<f>IF(")
    cell_start = text.rindex(b"<c ", 0, at)
    text = text[:cell_start] + b'<c t="str" ' + text[cell_start + 3:]
    _patch_sheet_xml(good, index, zipfile.ZipFile(good).read(f"xl/worksheets/sheet{index}.xml"), text)
    ingest([good], items, cfg)


@pytest.mark.timeout(180)
def test_bulletin_refuses_an_uncomputed_return_naming_file_sheet_and_cell(returned, tmp_path):
    from pipeline.track.layout import TASK_SHEET
    from test_track_support import reference_path
    src, _, _ = returned
    bad = tmp_path / "未计算.xlsx"
    refs = _with_formulas(src, bad, TASK_SHEET, "本期完成值", ["=30+5"])
    before = snapshot(tmp_path)
    out = tmp_path / "通报.json"
    proc = run_bounded("bulletin", str(reference_path()), "--progress", str(bad), "-o", str(out),
                       "--as-of", "2023-03-31")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert bad.name in proc.stderr and refs[0] in proc.stderr and TASK_SHEET in proc.stderr
    assert "Excel" in proc.stderr
    assert {k: v for k, v in snapshot(tmp_path).items() if not k.startswith(".plandoc")} == before


# -- the bulletin's archive damaged (issue 17) ----------------------------------------------------------
@pytest.mark.timeout(120)
@pytest.mark.parametrize("damage", ["garbled", "zip-bytes", "directory", "plandoc-is-a-file", "foreign-sqlite",
                                    "empty-file"])
def test_a_damaged_bulletin_archive_is_a_chinese_reason_and_nothing_is_written(returned, tmp_path, damage):
    import os
    import sqlite3

    from test_track_support import reference_path
    src, _, _ = returned
    work = tmp_path / "通报"
    (work / ".plandoc").mkdir(parents=True)
    progress = work / "某局.xlsx"
    progress.write_bytes(src.read_bytes())
    db = work / ".plandoc" / "archive.sqlite3"
    if damage == "garbled":
        db.write_bytes(os.urandom(4096))
    elif damage == "zip-bytes":
        db.write_bytes(src.read_bytes())
    elif damage == "directory":
        db.mkdir()
    elif damage == "plandoc-is-a-file":
        (work / ".plandoc").rmdir()
        (work / ".plandoc").write_text("不是文件夹", encoding="utf-8")
    elif damage == "foreign-sqlite":
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE contacts(name, phone)")
        con.commit()
        con.close()
    else:
        db.write_bytes(b"")
    before = snapshot(work)
    out = work / "通报.pdf"
    proc = run_bounded("bulletin", str(reference_path()), "--progress", str(progress), "-o", str(out),
                       "--as-of", "2023-03-31")
    if damage == "empty-file":                  # an empty file is a new archive: SQLite makes one
        assert proc.returncode == 0, proc.stderr[-2000:]
        return
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "错误" in proc.stderr and "档案库" in proc.stderr and ".plandoc" in proc.stderr, proc.stderr
    assert snapshot(work) == before
