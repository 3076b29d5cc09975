"""What a clerk reads when a returned 台账 cannot be read, word for word, and the small rules beside it:
cell references, the Excel date-serial window, the header search and labelled values above it."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from pipeline.errors import InputError
from pipeline.track import ingest
from pipeline.track.ingest import _cell_ref, _find_header, _labelled_value, _parse_as_of
from pipeline.track.layout import Column

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RETURN_TRACKER = "请报送由 plandoc tracker 生成并填写的 .xlsx 台账"


def _refused(path) -> InputError:
    with pytest.raises(InputError) as e:
        ingest._open(path)
    return e.value


def test_an_encrypted_workbook(tmp_path):
    p = tmp_path / "台账.xlsx"
    p.write_bytes(OLE + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64)
    e = _refused(p)
    assert (e.reason, e.hint) == ("工作簿受密码保护（已加密），无法读取", "请在 Excel/WPS 中取消密码后重新报送")


def test_a_legacy_binary_workbook(tmp_path):
    p = tmp_path / "台账.xls"
    p.write_bytes(OLE + b"\0" * 512)
    e = _refused(p)
    assert (e.reason, e.hint) == ("这是旧版 Excel 二进制文件（.xls/.et），无法读取", "请用 Excel 或 WPS 另存为 .xlsx")


def test_something_that_is_no_zip(tmp_path):
    p = tmp_path / "台账.xlsx"
    p.write_text("编号,进展\n", encoding="utf-8")
    e = _refused(p)
    assert (e.reason, e.hint) == ("不是 .xlsx 工作簿", RETURN_TRACKER)


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_a_word_document_sent_back_is_named_as_one(tmp_path):
    p = tmp_path / "进展.docx"
    p.write_bytes(_zip({"word/document.xml": b"<w:document/>"}))
    e = _refused(p)
    assert (e.reason, e.hint) == ("这是Word 文档，不是 .xlsx 台账工作簿", RETURN_TRACKER)


@pytest.mark.parametrize("name,what", [("进展.zip", "扩展名为“.zip”的文件"), ("进展", "扩展名为“（无）”的文件")])
def test_another_zip_is_named_by_its_extension(tmp_path, name, what):
    p = tmp_path / name
    p.write_bytes(_zip({"readme.txt": b"hello"}))
    e = _refused(p)
    assert (e.reason, e.hint) == (f"这是{what}，不是 .xlsx 台账工作簿", RETURN_TRACKER)


@pytest.mark.parametrize("suffix", [".xlsm", ".xltx", ".xltm", ".XLSX"])
def test_every_workbook_extension_goes_on_to_be_opened(tmp_path, suffix):
    p = tmp_path / f"台账{suffix}"
    p.write_bytes(_zip({"readme.txt": b"hello"}))        # a zip, but no workbook inside
    e = _refused(p)
    assert (e.reason, e.hint) == ("无法打开工作簿（KeyError）", "文件可能已损坏，请重新保存后报送")


def test_a_cut_short_workbook_is_called_a_broken_tracker(tmp_path):
    p = tmp_path / "台账.xlsx"
    p.write_bytes(_zip({"xl/workbook.xml": b"<workbook/>" * 50})[:-30])
    e = _refused(p)
    assert e.reason == "无法打开，不是有效的台账工作簿：压缩包已损坏或不完整（可能下载或复制中断）"
    assert e.hint == "请用 Excel 或 WPS 打开后另存为 .xlsx 再报送"


def test_cell_references_are_excel_style():
    assert [_cell_ref(1, 3), _cell_ref(5, 12), _cell_ref(27, 4)] == ["A3", "E12", "AA4"]


@pytest.mark.parametrize("value,date", [
    # anchored on Excel's serial 44927 = 2023-01-01, counted by hand from there
    (20001, dt.date(2023, 1, 1) - dt.timedelta(days=44927 - 20001)),    # just inside the serial window
    (45107, dt.date(2023, 6, 30)),
    (79999, dt.date(2023, 1, 1) + dt.timedelta(days=79999 - 44927)),    # just inside at the top
    (45107.75, dt.date(2023, 6, 30)),       # a time of day is dropped
])
def test_excel_date_serials_inside_the_window(value, date):
    assert _parse_as_of(value) == date


@pytest.mark.parametrize("value", [20000, 80000, 2023, True])
def test_numbers_outside_the_window_are_no_dates(value):
    with pytest.raises(ValueError):
        _parse_as_of(value)


HEADERS = (Column("编号", "id", 8, required=True), Column("进展情况", "progress", 30), Column("本期完成值", "value", 10))


def test_the_header_row_needs_the_id_and_one_more_column():
    rows = [("填报单位：", "区发改局"), ("编号", None, "备注"), ("编 号", "进展 情况"), ("T1", "已完成")]
    assert _find_header(rows, HEADERS) == (2, {"id": 0, "progress": 1})


def test_a_row_with_the_id_alone_is_no_header():
    assert _find_header([("编号",), ("进展情况",)], HEADERS) is None


def test_a_labelled_value_is_the_next_filled_cell_after_its_label():
    rows = [("填报单位 ：", None, "", "区发改局"), ("统计截至日期:", "2023-06-30"), ("编号", "进展情况")]
    assert _labelled_value(rows, 2, "填报单位") == "区发改局"
    assert _labelled_value(rows, 2, "统计截至日期") == "2023-06-30"
    assert _labelled_value(rows, 1, "统计截至日期") is None          # only the rows above the header count
