""".docx reader: auto-numbering labels, true table spans, soft breaks, text boxes, bad packages."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from pipeline.blocks import TableBlock, TextBlock
from pipeline.errors import InputError
from pipeline.readers import read_document
from pipeline.readers.docx_numbering import Numbering, format_number

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
sys.path.insert(0, str(REPO / "scripts"))


# ---------------------------------------------------------------------------------------------
# helpers: real .docx files written with python-docx plus raw WordprocessingML
# ---------------------------------------------------------------------------------------------

def _numbering(doc, abstract_xml: str, nums: dict[int, str]) -> None:
    """Put one abstractNum (id 90) and the given <w:num> bodies into numbering.xml."""
    root = doc.part.numbering_part.element
    a = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{abstract_xml}</w:abstractNum>')
    first = root.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    first.addprevious(a) if first is not None else root.append(a)
    for num_id, body in nums.items():
        root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="90"/>{body}</w:num>'))


def _lvl(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>')


def _numbered(doc, text: str, num_id: int, ilvl: int = 0):
    p = doc.add_paragraph(text)
    p._p.get_or_add_pPr().insert(0, parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return p


def _texts(path: Path) -> list[str]:
    return [b.text for b in read_document(path).blocks if isinstance(b, TextBlock)]


# ---------------------------------------------------------------------------------------------
# numbering
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,fmt,expected", [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
    (20, "chineseCounting", "二十"), (23, "chineseCounting", "二十三"), (105, "chineseCounting", "一百〇五"),
    (12, "chineseCountingThousand", "十二"), (101, "chineseCountingThousand", "一百零一"),
    (3, "ideographTraditional", "丙"), (11, "ideographTraditional", "甲"),
    (12, "chineseLegalSimplified", "壹拾贰"), (2019, "ideographDigital", "二〇一九"),
    (4, "decimalEnclosedCircleChinese", "④"), (7, "decimal", "7"), (3, "decimalFullWidth", "３"),
    (2, "upperLetter", "B"), (28, "lowerLetter", "bb"), (14, "upperRoman", "XIV"), (9, "lowerRoman", "ix"),
])
def test_format_number(n, fmt, expected):
    assert format_number(n, fmt) == expected


def test_heading_ladder_restarts_under_each_parent(tmp_path):
    doc = Document()
    _numbering(doc, _lvl(0, "chineseCounting", "%1、") + _lvl(1, "chineseCounting", "（%2）")
               + _lvl(2, "decimal", "%3.") + _lvl(3, "decimal", "（%4）"), {91: ""})
    plan = [("总体要求", 0), ("重点任务", 0), ("扩大投资", 1), ("项目建设", 2), ("开工率", 3), ("完成率", 3),
            ("招商引资", 2), ("促进消费", 1), ("保障措施", 0), ("组织领导", 1)]
    for text, lvl in plan:
        _numbered(doc, text, 91, lvl)
    path = tmp_path / "ladder.docx"
    doc.save(path)
    assert _texts(path) == ["一、总体要求", "二、重点任务", "（一）扩大投资", "1.项目建设", "（1）开工率",
                            "（2）完成率", "2.招商引资", "（二）促进消费", "三、保障措施", "（一）组织领导"]
    blocks = read_document(path).blocks
    assert [b.auto_label for b in blocks][:3] == ["一、", "二、", "（一）"]


def test_start_override_restarts_and_shared_abstract_continues(tmp_path):
    """A second numId on the same list continues it; a numId with startOverride restarts it."""
    doc = Document()
    _numbering(doc, _lvl(0, "decimal", "%1．"), {
        92: "", 93: "",
        94: '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride>',
        95: '<w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            '<w:numFmt w:val="ideographTraditional"/><w:lvlText w:val="%1、"/></w:lvl></w:lvlOverride>'})
    for text, num in [("甲项", 92), ("乙项", 92), ("续项", 93), ("重起", 94), ("再续", 94), ("天干", 95)]:
        _numbered(doc, text, num)
    doc.add_paragraph("无编号段落")
    _numbered(doc, "编号被取消", 0)                  # numId 0: Word's "numbering removed"
    path = tmp_path / "override.docx"
    doc.save(path)
    texts = _texts(path)
    assert texts[:5] == ["1．甲项", "2．乙项", "3．续项", "5．重起", "6．再续"]
    # a whole-level override changes the format, not the count (only startOverride restarts, see
    # docx_numbering's docstring): the seventh item of the shared list is the seventh stem
    assert texts[5] == "庚、天干"
    assert texts[6:] == ["无编号段落", "编号被取消"]
    labels = [b.auto_label for b in read_document(path).blocks if isinstance(b, TextBlock)]
    assert labels == ["1．", "2．", "3．", "5．", "6．", "庚、", None, None]


def test_multilevel_text_and_legal_numbering(tmp_path):
    doc = Document()
    _numbering(doc, _lvl(0, "chineseCounting", "第%1章") + _lvl(1, "decimal", "%1.%2", extra='<w:isLgl/>')
               + _lvl(2, "lowerLetter", "%3)"), {96: ""})
    for text, lvl in [("总则", 0), ("目的", 1), ("范围", 1), ("其一", 2), ("附则", 0), ("施行", 1)]:
        _numbered(doc, text, 96, lvl)
    path = tmp_path / "multi.docx"
    doc.save(path)
    assert _texts(path) == ["第一章总则", "1.1 目的", "1.2 范围", "a)其一", "第二章附则", "2.1 施行"]


def test_numbering_from_paragraph_style(tmp_path):
    """Headings numbered through their style (w:style/w:pPr/w:numPr), as templates do."""
    doc = Document()
    _numbering(doc, _lvl(0, "chineseCounting", "%1、"), {97: ""})
    style = doc.styles["Heading 1"]
    style.element.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:numId w:val="97"/></w:numPr>'))
    doc.add_paragraph("总体要求", style="Heading 1")
    doc.add_paragraph("正文。")
    doc.add_paragraph("重点任务", style="Heading 1")
    path = tmp_path / "style.docx"
    doc.save(path)
    blocks = read_document(path).blocks
    assert [b.text for b in blocks] == ["一、总体要求", "正文。", "二、重点任务"]
    assert blocks[0].outline_level == 0 and blocks[1].outline_level is None


def test_numbering_without_numbering_part():
    assert Numbering(None).label("1", 0) is None


# ---------------------------------------------------------------------------------------------
# tables, soft breaks, text boxes, revisions
# ---------------------------------------------------------------------------------------------

def _tc(text: str, span: int = 1, vmerge: str | None = None) -> str:
    pr = ""
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge is not None:
        pr += f'<w:vMerge w:val="{vmerge}"/>' if vmerge else "<w:vMerge/>"
    run = f"<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r>" if text else ""
    return f"<w:tc><w:tcPr>{pr}</w:tcPr><w:p>{run}</w:p></w:tc>"


def test_table_spans_are_true_and_equal_neighbours_stay_separate(tmp_path):
    doc = Document()
    rows = [
        _tc("指标", vmerge="restart") + _tc("2023年", span=2) + _tc("备注", vmerge="restart"),
        _tc("", vmerge="") + _tc("绝对值") + _tc("增长%") + _tc("", vmerge=""),
        _tc("  实际使用外资") + _tc("保持稳定", span=2, vmerge="restart") + _tc("—"),
        _tc("  进出口总额") + _tc("", span=2, vmerge="") + _tc("—"),
        '<w:trPr><w:gridBefore w:val="1"/></w:trPr>' + _tc("保持稳定") + _tc("保持稳定") + _tc("x"),
    ]
    tbl = parse_xml(f'<w:tbl {nsdecls("w")}><w:tblGrid>' + '<w:gridCol w:w="2000"/>' * 4 + "</w:tblGrid>"
                    + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>")
    doc.element.body.insert(0, tbl)
    path = tmp_path / "table.docx"
    doc.save(path)
    table = next(b for b in read_document(path).blocks if isinstance(b, TableBlock))
    assert table.spans_known and (table.n_rows, table.n_cols) == (5, 4)
    got = {(c.row, c.col): (c.text, c.rowspan, c.colspan, c.indent) for c in table.cells}
    assert got == {
        (0, 0): ("指标", 2, 1, 0), (0, 1): ("2023年", 1, 2, 0), (0, 3): ("备注", 2, 1, 0),
        (1, 1): ("绝对值", 1, 1, 0), (1, 2): ("增长%", 1, 1, 0),
        (2, 0): ("实际使用外资", 1, 1, 2), (2, 1): ("保持稳定", 2, 2, 0), (2, 3): ("—", 1, 1, 0),
        (3, 0): ("进出口总额", 1, 1, 2), (3, 3): ("—", 1, 1, 0),
        (4, 1): ("保持稳定", 1, 1, 0), (4, 2): ("保持稳定", 1, 1, 0), (4, 3): ("x", 1, 1, 0),
    }


def test_rows_and_cells_in_content_controls(tmp_path):
    """Rows and cells wrapped in content controls (w:sdt, nested too) are read like plain ones, and the
    rows of a table nested in a cell stay that cell's text, not rows of the outer table."""
    def sdt(inner: str) -> str:
        return f"<w:sdt><w:sdtPr/><w:sdtContent>{inner}</w:sdtContent></w:sdt>"

    nested = ("<w:tc><w:tcPr/><w:tbl><w:tblGrid><w:gridCol w:w=\"900\"/></w:tblGrid>"
              + "".join(f"<w:tr>{_tc(t)}</w:tr>" for t in ("甲", "乙", "丙")) + "</w:tbl><w:p/></w:tc>")
    rows = [
        f"<w:tr>{_tc('指标')}{_tc('目标')}</w:tr>",
        sdt(f"<w:tr>{_tc('地区生产总值')}{nested}</w:tr>"),
        f"<w:tr>{_tc('进出口')}{sdt(sdt(_tc('稳定')))}</w:tr>",
    ]
    tbl = parse_xml(f'<w:tbl {nsdecls("w")}><w:tblGrid>' + '<w:gridCol w:w="2000"/>' * 2 + "</w:tblGrid>"
                    + "".join(rows) + "</w:tbl>")
    doc = Document()
    doc.element.body.insert(0, tbl)
    path = tmp_path / "sdt.docx"
    doc.save(path)
    table = next(b for b in read_document(path).blocks if isinstance(b, TableBlock))
    assert (table.n_rows, table.n_cols) == (3, 2)
    got = {(c.row, c.col): c.text for c in table.cells}
    assert got == {(0, 0): "指标", (0, 1): "目标", (1, 0): "地区生产总值", (1, 1): "甲\n乙\n丙",
                   (2, 0): "进出口", (2, 1): "稳定"}


def test_sample_table_matches_the_builder_grid():
    """The sample's table, read back, has exactly the merges the builder wrote (rebuilt from the .txt)."""
    from build_samples import rebuild_grid
    docx_path, txt_path = SAMPLES / "zhoucun-2023-plan.docx", SAMPLES / "zhoucun-2023-plan.txt"
    if not docx_path.exists():
        pytest.skip("sample missing")
    flat = next(b for b in read_document(txt_path).blocks if isinstance(b, TableBlock))
    want = {(c.row, c.col, c.rowspan, c.colspan, c.text.strip()) for c in rebuild_grid(flat)[0]}
    table = next(b for b in read_document(docx_path).blocks if isinstance(b, TableBlock))
    assert {(c.row, c.col, c.rowspan, c.colspan, c.text) for c in table.cells} == want
    assert any(c.rowspan > 1 and c.colspan > 1 for c in table.cells)


def test_sample_headings_are_auto_numbered_not_typed():
    path = SAMPLES / "zhoucun-2023-plan.docx"
    if not path.exists():
        pytest.skip("sample missing")
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode("utf-8")
        numbering = z.read("word/numbering.xml").decode("utf-8")
    assert "chineseCounting" in numbering and "%1、" in numbering
    labelled = [b for b in read_document(path).blocks if isinstance(b, TextBlock) and b.auto_label]
    assert [b.auto_label for b in labelled] == ["一、", "二、"]
    for b in labelled:
        assert b.text.startswith(b.auto_label)
        assert b.text[len(b.auto_label):] in body and b.text not in body


def test_soft_breaks_text_boxes_and_revisions(tmp_path):
    doc = Document()
    p = doc.add_paragraph("关于印发周村区2023年国民经济")
    p.add_run().add_break()
    p.add_run("和社会发展计划的通知")
    q = doc.add_paragraph("保留")
    q._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="a"><w:r><w:delText>删掉的字</w:delText></w:r></w:del>'))
    q._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="2" w:author="a"><w:r><w:t>插入的字</w:t></w:r></w:ins>'))
    box = doc.add_paragraph()
    box._p.append(parse_xml(
        f'<w:r {nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
        '<mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>周村区人民政府文件</w:t></w:r></w:p>'
        '</w:txbxContent></wps:txbx></w:drawing></mc:Choice>'
        '<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>周村区人民政府文件</w:t></w:r></w:p>'
        '</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>'))
    path = tmp_path / "misc.docx"
    doc.save(path)
    assert _texts(path) == ["关于印发周村区2023年国民经济", "和社会发展计划的通知", "保留插入的字", "周村区人民政府文件"]


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------

def _sample_bytes(tmp_path) -> bytes:
    doc = Document()
    doc.add_paragraph("周村区2023年国民经济和社会发展计划")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, extra: dict[str, bytes], replace: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, body in extra.items():
            dst.writestr(name, body)
    return out.getvalue()


def _assert_rejected(path: Path, *words: str) -> InputError:
    with pytest.raises(InputError) as e:
        read_document(path)
    msg = e.value.message
    assert any(w in msg for w in words), msg
    assert str(path) in msg
    return e.value


def test_not_a_zip(tmp_path):
    path = tmp_path / "通知.docx"
    path.write_bytes("这不是压缩包，只是改了扩展名的文本".encode("utf-8"))
    _assert_rejected(path, "不是有效的 Word 文档")


def test_truncated_zip(tmp_path):
    data = _sample_bytes(tmp_path)
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    _assert_rejected(path, "损坏", "不完整")


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    data = _rezip(_sample_bytes(tmp_path), {"word/media/image1.bin": b"\0" * (40 * 1024 * 1024)})
    assert len(data) < 1024 * 1024          # 40 MB of zeros deflate to well under 1 MB
    path = tmp_path / "bomb.docx"
    path.write_bytes(data)
    _assert_rejected(path, "压缩炸弹")


def test_docm_renamed_to_docx_is_refused(tmp_path):
    base = _sample_bytes(tmp_path)
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        ct = z.read("[Content_Types].xml").replace(
            b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
    data = _rezip(base, {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake VBA storage"}, {"[Content_Types].xml": ct})
    path = tmp_path / "宏.docx"
    path.write_bytes(data)
    _assert_rejected(path, "宏")


def test_zip_without_word_part(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    path = tmp_path / "other.docx"
    path.write_bytes(buf.getvalue())
    _assert_rejected(path, "不是 .docx")


@pytest.mark.parametrize("kind", ["not_zip", "bomb"])
def test_cli_exit_1_with_chinese_reason_and_no_traceback(tmp_path, kind):
    path = tmp_path / f"{kind}.docx"
    if kind == "not_zip":
        path.write_bytes(b"plain text pretending to be a docx")
    else:
        path.write_bytes(_rezip(_sample_bytes(tmp_path), {"word/media/x.bin": b"\0" * (40 * 1024 * 1024)}))
    original = path.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "pipeline", "parse", str(path)], capture_output=True,
                          text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 1
    assert "错误" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert path.read_bytes() == original
