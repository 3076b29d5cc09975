"""The .docx guards of readers/docx.py with the exact words a clerk reads, and their numeric edges.

test_docx_guards.py proves each guard fires on its own; this file pins what it says (the reason and
the hint are the clerk's only guidance) and the boundaries: the main part found by name *or* by its
content type, the table width cap (256 columns: on it, one past it), and integer attributes of at
most 11 characters."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.readers import docx as reader
from test_hostile_packages import _docx, _table
from test_watch_support import CONTENT_TYPES, DOCM_MAIN, DOCX_MAIN, RELS, document_xml

PATH = Path("通知.docx")
TEMPLATE_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
SAVE_AS_DOCX = "请用 Word/WPS 打开后另存为 .docx"


def _zip(parts: dict[str, bytes], stored: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _refusal(data: bytes) -> InputError:
    with pytest.raises(InputError) as e:
        reader.check_package(PATH, data)
    return e.value


def _read_refusal(tmp_path, data: bytes) -> InputError:
    path = tmp_path / "表格.docx"
    path.write_bytes(data)
    with pytest.raises(InputError) as e:
        reader.read_docx(path, data, "0" * 64)
    return e.value


# ---- check_package: what each refusal says ---------------------------------------------------------

def test_a_macro_document_is_refused_with_the_way_out():
    e = _refusal(_zip({"[Content_Types].xml": CONTENT_TYPES % DOCM_MAIN, "_rels/.rels": RELS,
                       "word/document.xml": document_xml(["通知"])}))
    assert e.reason == "文档含有宏（启用宏的 .docm 文件），出于安全原因不处理"
    assert e.hint == "请在 Word 中另存为不含宏的 .docx（“Word 文档”）后重新放入"


def test_a_macro_storage_in_a_subfolder_is_found_by_its_file_name():
    e = _refusal(_zip({"[Content_Types].xml": CONTENT_TYPES % DOCX_MAIN, "_rels/.rels": RELS,
                       "word/document.xml": document_xml(["通知"]), "word/vba/deep/vbaProject.bin": b"\xd0\xcf"}))
    assert e.reason == "文档含有宏（启用宏的 .docm 文件），出于安全原因不处理"


def test_a_workbook_dropped_as_a_notice_is_named_as_one():
    e = _refusal(_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}))
    assert e.reason == "这是 Excel 工作簿，不是 Word 文档"
    assert e.hint == "请放入通知的 .docx/.pdf/.txt 文件"


def test_a_zip_without_a_word_body_is_refused_as_such():
    e = _refusal(_zip({"[Content_Types].xml": b"<Types/>", "readme.txt": b"hello"}))
    assert e.reason == "压缩包里没有 Word 正文（缺少 word/document.xml），不是 .docx 文档"
    assert e.hint == "请用 Word/WPS 另存为 .docx"


def test_a_broken_zip_is_called_a_broken_word_document():
    e = _refusal(b"PK\x03\x04 this is not a whole zip")
    assert e.reason == "无法打开，不是有效的Word 文档：压缩包已损坏或不完整（可能下载或复制中断）"
    assert e.hint == "请重新获取原文件，或用 Word/WPS 打开后另存为 .docx"


def test_content_types_that_fail_to_inflate_past_their_prolog_name_the_part():
    padding = b"<!-- " + b"x" * 6000 + b" -->"
    types = CONTENT_TYPES % DOCX_MAIN
    types = types.replace(b"<Types", padding + b"<Types", 1)       # prolog ends before the padding does
    data = bytearray(_zip({"[Content_Types].xml": types, "word/document.xml": document_xml(["通知"])}, stored=True))
    at = data.index(b"x" * 100) + 5000                             # a byte past the first 4 KiB: CRC fails
    data[at:at + 1] = b"y"
    e = _refusal(bytes(data))
    assert e.reason == "Word 文档已损坏：无法解压 [Content_Types].xml（BadZipFile）"


# ---- the main part: by its name or by its content type --------------------------------------------

def test_a_main_part_named_otherwise_is_accepted_by_its_content_type():
    types = (CONTENT_TYPES % DOCX_MAIN).replace(b"/word/document.xml", b"/word/main.xml")
    zf = reader.check_package(PATH, _zip({"[Content_Types].xml": types, "_rels/.rels": RELS,
                                          "word/main.xml": document_xml(["通知"])}))
    assert sorted(zf.namelist()) == ["[Content_Types].xml", "_rels/.rels", "word/main.xml"]


def test_a_word_body_under_another_content_type_is_accepted_by_its_name():
    zf = reader.check_package(PATH, _zip({"[Content_Types].xml": CONTENT_TYPES % TEMPLATE_MAIN, "_rels/.rels": RELS,
                                          "word/document.xml": document_xml(["通知"])}))
    assert "word/document.xml" in zf.namelist()


# ---- table width: the cap is 256 columns ------------------------------------------------------------

def test_a_row_exactly_as_wide_as_the_cap_is_read(tmp_path):
    data = _docx(_table('<w:gridSpan w:val="254"/>'))          # 254 + the row's two other cells = 256 columns
    path = tmp_path / "宽表.docx"
    path.write_bytes(data)
    doc = reader.read_docx(path, data, "0" * 64)
    [table] = [b for b in doc.blocks if hasattr(b, "cells")]
    assert [c.colspan for c in table.cells if c.text == "地区生产总值"] == [254]


def test_a_row_one_column_past_the_cap_is_refused_with_the_place(tmp_path):
    e = _read_refusal(tmp_path, _docx(_table('<w:gridSpan w:val="255"/>')))
    assert e.reason == "表格宽度超出上限：合并单元格延伸到第 257 列（上限 256 列），文档结构异常，不处理"
    assert e.where == "第 1 张表第 2 行第 257 列"          # the row's third cell would start in column 257
    assert e.hint == "请用 Word/WPS 打开检查该表格后另存为 .docx"


def test_a_span_one_past_the_cap_is_refused_with_the_place(tmp_path):
    e = _read_refusal(tmp_path, _docx(_table('<w:gridSpan w:val="257"/>')))
    assert e.reason == ("第 1 张表第 2 行第 1 列的合并列数（w:gridSpan）的值“257”无效（应为 0～256 的整数：不是数字或超出上限），"
                        "文档结构异常")


def test_columns_skipped_before_a_row_stop_below_the_cap(tmp_path):
    e = _read_refusal(tmp_path, _docx(_table(row_pr='<w:gridBefore w:val="256"/>')))
    assert e.reason == ("第 1 张表第 2 行的前置空列数（w:gridBefore）的值“256”无效（应为 0～255 的整数：不是数字或超出上限），"
                        "文档结构异常")


# ---- integer attributes: at most 11 characters, digits only ----------------------------------------

def test_an_eleven_character_number_is_read(tmp_path):
    data = _docx(_table('<w:gridSpan w:val="00000000002"/>'))
    path = tmp_path / "零.docx"
    path.write_bytes(data)
    [table] = [b for b in reader.read_docx(path, data, "0" * 64).blocks if hasattr(b, "cells")]
    assert [c.colspan for c in table.cells if c.text == "地区生产总值"] == [2]


def test_a_twelve_character_value_is_refused_before_int_sees_it(tmp_path):
    e = _read_refusal(tmp_path, _docx(_table('<w:gridSpan w:val="000000000002"/>')))
    assert e.reason.startswith("第 1 张表第 2 行第 1 列的合并列数（w:gridSpan）的值“000000000002”无效")


def test_a_value_that_is_no_number_is_refused(tmp_path):
    e = _read_refusal(tmp_path, _docx(_table('<w:gridSpan w:val="两列"/>')))
    assert e.reason == ("第 1 张表第 2 行第 1 列的合并列数（w:gridSpan）的值“两列”无效（应为 0～256 的整数：不是数字或超出上限），"
                        "文档结构异常")
