"""The .txt reader: encodings, line ends, indents, full-width digits, flattened tables."""
from __future__ import annotations

import pytest

from pipeline.blocks import TableBlock, TextBlock
from pipeline.errors import InputError
from pipeline.parse import parse_file
from pipeline.readers import read_document

SAMPLE = "关于印发测试区2023年国民经济和社会发展计划的通知\r\n　　一、总体要求\r\n　　地区生产总值增长５．５％左右。\r\n"


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
    ("utf-16-le", b""), ("gb18030", b""), ("gbk", b""),
])
def test_encodings_decode_to_same_blocks(tmp_path, encoding, prefix):
    p = tmp_path / f"n_{encoding}_{len(prefix)}.txt"
    p.write_bytes(prefix + SAMPLE.encode(encoding))
    doc = read_document(p)
    texts = [b.text for b in doc.blocks if isinstance(b, TextBlock) and b.text]
    assert texts == ["关于印发测试区2023年国民经济和社会发展计划的通知", "一、总体要求", "地区生产总值增长５．５％左右。"]
    assert doc.blocks[2].norm == "地区生产总值增长5.5%左右。"      # matching form: ASCII digits
    assert all("\r" not in b.text and "\ufeff" not in b.text for b in doc.blocks if isinstance(b, TextBlock))


def test_lone_cr_and_nbsp(tmp_path):
    p = tmp_path / "mac.txt"
    p.write_bytes("一、总体要求\r\u00a0\u00a0（一）第一项。\r".encode("utf-8"))
    doc = read_document(p)
    assert [b.where.line for b in doc.blocks if b.text] == [1, 2]
    assert doc.blocks[1].text == "（一）第一项。"


def test_gb18030_crlf_real_report():
    from conftest import corpus_file
    doc = read_document(corpus_file("real/hailar-gwr-2014.txt"))
    assert doc.encoding == "gb18030"
    assert any(b.text.startswith("一、") for b in doc.blocks if isinstance(b, TextBlock))


def test_flattened_table_rebuilt(reference_txt):
    doc = read_document(reference_txt)
    tables = [b for b in doc.blocks if isinstance(b, TableBlock)]
    assert len(tables) == 1
    t = tables[0]
    rows = t.rows()
    assert not t.spans_known and t.n_cols == 6
    assert [c.text for c in rows[0]] == ["指标名称", "单位", "2022年完成", "2023年预期"]
    energy = next(r for r in rows if r[0].text == "万元生产总值能耗降低率")
    # the bare continuation line belongs to the TAB-only cell before it
    assert [c.text for c in energy] == ["万元生产总值能耗降低率", "%", "6.24", "完成市下达任务指标"]
    assert rows[2][0].indent == 1 and rows[3][0].indent == 5


def test_text_after_table_is_not_swallowed(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("表\n\n\t指标\n\t单位\n\n\t产值\n\t亿元\n\n\n正文继续。\n", encoding="utf-8")
    doc = read_document(p)
    assert isinstance(doc.blocks[2], TableBlock)
    assert [b.text for b in doc.blocks if isinstance(b, TextBlock) and b.text][-1] == "正文继续。"


@pytest.mark.parametrize("content,reason", [
    (b"", "文件为空"),
    (b"\x00\x01\x02\x03\xff\xfe\x00binary" * 50, "编码"),
    (bytes(range(128, 256)) * 40, "编码"),
    (b"   \r\n\t\r\n", "空白"),
])
def test_bad_text_raises_chinese_reason(tmp_path, content, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(InputError) as e:
        parse_file(p, keywords=False)
    assert reason in e.value.message and str(p) in e.value.message


def test_zip_named_txt_and_legacy_doc(tmp_path):
    z = tmp_path / "x.txt"
    z.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InputError, match="压缩包"):
        read_document(z)
    d = tmp_path / "old.doc"
    d.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InputError, match="另存为 .docx"):
        read_document(d)
