""".pdf reader: CJK lines and paragraphs, page furniture, ruled tables with spans, page-continued
tables, provenance, the real joint-issuer notice, and refusals (encrypted, truncated, scanned, cid)."""
from __future__ import annotations

import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from pipeline.blocks import TableBlock, TextBlock
from pipeline.errors import InputError
from pipeline.readers import read_document

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
from conftest import CORPUS, CORPUS_SKIP  # noqa: E402
sys.path.insert(0, str(REPO / "scripts"))


def _texts(doc) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, TextBlock)]


def _table(doc) -> TableBlock:
    return next(b for b in doc.blocks if isinstance(b, TableBlock))


# ---------------------------------------------------------------------------------------------
# the constructed sample (LibreOffice's print of the .docx)
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_pdf():
    path = SAMPLES / "zhoucun-2023-plan.pdf"
    if not path.exists():
        pytest.skip("sample missing (run `make samples`)")
    return read_document(path)


def test_sample_paragraphs_equal_the_reference_lines(sample_pdf):
    ref = [b.text for b in read_document(SAMPLES / "zhoucun-2023-plan.txt").blocks
           if isinstance(b, TextBlock) and b.text]
    got = _texts(sample_pdf)
    # LibreOffice spaces CJK from digits (`2023 年`) and wraps every ~28 characters; neither may show.
    assert got == ref
    assert not any(re.fullmatch(r"—\s*\d+\s*—", t) for t in got)     # page numbers dropped


def test_sample_provenance_has_pages(sample_pdf):
    pages = [b.where.page for b in sample_pdf.blocks]
    assert all(pages) and pages == sorted(pages) and pages[-1] > 5
    assert [b.where.paragraph for b in sample_pdf.blocks if isinstance(b, TextBlock)] == \
        list(range(1, len(_texts(sample_pdf)) + 1))


def test_sample_table_spans_match_the_builder_grid(sample_pdf):
    from build_samples import rebuild_grid
    flat = _table(read_document(SAMPLES / "zhoucun-2023-plan.txt"))
    want = {(c.row, c.col, c.rowspan, c.colspan, c.text.strip(), len(c.text) - len(c.text.lstrip()))
            for c in rebuild_grid(flat)[0]}
    t = _table(sample_pdf)
    assert t.spans_known and (t.n_rows, t.n_cols) == (flat.n_rows, flat.n_cols)
    assert {(c.row, c.col, c.rowspan, c.colspan, c.text, c.indent) for c in t.cells} == want


# ---------------------------------------------------------------------------------------------
# a PDF the reader was not tuned to: WeasyPrint, ragged lines, running header, 3-page table
# ---------------------------------------------------------------------------------------------

PARAS = [
    "全区经济社会发展主要预期目标建议为：地区生产总值增长5.5%左右；一般公共预算收入增长5%以上；"
    "新建5G基站300个，PM2.5平均浓度下降3%，引进CBD项目“四新”经济10个以上。" * 2,
    "（一）聚力推进经济健康运行工程，按下高质量发展“快进键”。全力以赴扩大有效投资，"
    "抓好总投资394.3亿元的93个区重点项目（含文昌湖31个、总投资122.3亿元），确保“两个100%”。" * 3,
    "短段落。",
    "二、2023年经济社会发展重点工作任务",
]
HEADER, FOOTER_NOTE = "周村区人民政府办公室文件", "内部资料注意保存"


def _weasy_pdf(tmp_path: Path) -> Path:
    weasyprint = pytest.importorskip("weasyprint")
    rows = "".join(f"<tr><td>{'&nbsp;' * 4}指标{i}</td><td>亿元</td><td>{i}.5</td><td>{i}</td></tr>"
                   for i in range(1, 70))
    rows += "<tr><td>合并行</td><td>万人</td><td colspan=2 rowspan=2>保持稳定</td></tr><tr><td>下一行</td><td>元</td></tr>"
    # Fake bold: the same line printed twice, 0.3 pt apart (how some office printers embolden).
    bold = '<p class=h>三、保障措施</p><p class=h style="margin-top:-28pt;margin-left:0.3pt">三、保障措施</p>'
    html = f"""<html><head><style>
    @page {{ size: A4; margin: 32mm 26mm 30mm 28mm;
            @top-center {{ content: "{HEADER}"; font-size: 10pt }}
            @bottom-left {{ content: "{FOOTER_NOTE}"; font-size: 9pt }}
            @bottom-center {{ content: "— " counter(page) " —"; font-size: 12pt }} }}
    body {{ font-family: 'Noto Serif CJK SC', serif; font-size: 16pt; line-height: 28pt; text-align: left }}
    p {{ text-indent: 2em; margin: 0 }}
    table {{ border-collapse: collapse; font-size: 11pt; width: 100% }}
    td, th {{ border: 0.8pt solid black; padding: 2pt }}
    </style></head><body>
    {''.join(f'<p>{p}</p>' for p in PARAS)}{bold}
    <table><thead><tr><th rowspan=2>指标名称</th><th rowspan=2>单位</th><th colspan=2>2023年预期</th></tr>
    <tr><th>绝对值</th><th>增长%</th></tr></thead><tbody>{rows}</tbody></table>
    <p>表后说明文字。</p></body></html>"""
    path = tmp_path / "weasy.pdf"
    weasyprint.HTML(string=html).write_pdf(path)
    return path


@pytest.fixture(scope="module")
def weasy(tmp_path_factory):
    return read_document(_weasy_pdf(tmp_path_factory.mktemp("weasy")))


def test_ragged_paragraphs_rejoined_exactly(weasy):
    texts = _texts(weasy)
    assert texts[:4] == PARAS
    assert texts[4] == "三、保障措施"                    # overprinted (fake bold) text read once
    assert texts[-1] == "表后说明文字。"


def test_running_header_footer_and_page_numbers_removed(weasy):
    everything = " ".join(_texts(weasy)) + " ".join(c.text for c in _table(weasy).cells)
    assert HEADER not in everything and FOOTER_NOTE not in everything
    assert "— 1 —" not in everything and "—1—" not in everything


def test_table_continued_over_pages_joined_once(weasy):
    tables = [b for b in weasy.blocks if isinstance(b, TableBlock)]
    assert len(tables) == 1
    t = tables[0]
    rows = t.rows()
    assert (t.n_rows, t.n_cols) == (2 + 69 + 2, 4)
    assert [c.text for c in rows[0]] == ["指标名称", "单位", "2023年预期"]
    assert sum(1 for c in t.cells if c.text == "指标名称") == 1      # repeated header dropped
    names = [r[0].text for r in rows[2:71]]
    assert names == [f"指标{i}" for i in range(1, 70)]
    assert all(r[0].indent == 4 for r in rows[2:71])
    merged = next(c for c in t.cells if c.text == "保持稳定")
    assert (merged.rowspan, merged.colspan) == (2, 2)
    assert [c.text for c in rows[-1]] == ["下一行", "元"]
    pages = sorted({c.where.page for c in t.cells})
    assert len(pages) >= 2 and t.where.page == pages[0]


# ---------------------------------------------------------------------------------------------
# a real PDF: 发改办财金规〔2019〕860号 (joint issuers, 版头), checked against its character labels
# ---------------------------------------------------------------------------------------------

def _labelled_spans(path: Path) -> list[tuple[str, str]]:
    """BIO character labels → (label, text); 曌 = space, 錓 = newline."""
    spans: list[list[str]] = []
    cur = None
    for line in path.read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        ch, _, tag = line.partition(" ")
        ch = {"曌": " ", "錓": "\n"}.get(ch, ch)
        if tag.startswith("B_"):
            cur = [tag[2:], ch]
            spans.append(cur)
        elif tag.startswith("I_") and cur is not None and cur[0] == tag[2:]:
            cur[1] += ch
        else:
            cur = None
    return [(a, b) for a, b in spans]


def test_real_joint_issuer_notice():
    pdf, labels = CORPUS / "real" / "govdoc-cn-397.pdf", CORPUS / "real" / "govdoc-cn-397_a.txt"
    if not pdf.exists() or not labels.exists():
        pytest.skip(CORPUS_SKIP)
    from pipeline.parse import parse_file
    spans = _labelled_spans(labels)
    want = {k: [v for kk, v in spans if kk == k] for k in ("发文字号", "正文标题", "主送机关", "一级标题", "二级标题")}
    result = parse_file(pdf, keywords=False)
    n = result.notice
    assert n is not None and result.source.format == "pdf"
    assert n.doc_number.text == want["发文字号"][0].strip()
    assert n.title == want["正文标题"][0].strip()
    # 主送机关: the items, in order, make up the labelled text (separators 、，： aside).
    squeeze = lambda s: "".join(ch for ch in s if ch not in "、，,：: \n")  # noqa: E731
    assert squeeze("".join(n.addressees)).startswith(squeeze(want["主送机关"][0]))
    l1 = [f"{s.label}{s.title}" for s in result.plan.sections]
    l2 = [f"{i.label}{i.title}" for s in result.plan.sections for i in s.children if i.kind == "item"]
    assert l1 == [t.strip() for t in want["一级标题"]]
    assert l2 == [t.strip().rstrip("。") for t in want["二级标题"]]
    assert all(s.where.page for s in result.plan.sections)


# ---------------------------------------------------------------------------------------------
# refusals: hand-built PDFs (a minimal writer: objects, xref, trailer)
# ---------------------------------------------------------------------------------------------

def _build_pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer_extra
            + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out


def _stream(body: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d " % len(body) + extra + b">>\nstream\n" + body + b"\nendstream"


def _one_page(content: bytes, resources: bytes) -> list[bytes]:
    return [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources "
            + resources + b" >>", _stream(content)]


def _cid_pdf() -> bytes:
    """Text in a CID font with no ToUnicode map and an Identity ordering: every glyph is (cid:N)."""
    glyphs = b"".join(b"%04X" % (0x200 + i) for i in range(60))
    return _build_pdf(_one_page(b"BT /F1 16 Tf 72 700 Td <" + glyphs + b"> Tj ET", b"<< /Font << /F1 5 0 R >> >>") + [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859] /ItalicAngle 0 "
        b"/Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>"])


def _scanned_pdf() -> bytes:
    """One page holding only an image (a scan): no characters at all."""
    pixels = zlib.compress(bytes([220, 220, 220, 20, 20, 20] * 2))
    return _build_pdf(_one_page(b"q 450 0 0 650 72 96 cm /Im1 Do Q", b"<< /XObject << /Im1 5 0 R >> >>") + [
        _stream(pixels, b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceRGB "
                        b"/BitsPerComponent 8 /Filter /FlateDecode ")])


def _encrypted_pdf() -> bytes:
    """Standard security handler with a user password we do not know (the empty one fails)."""
    return _build_pdf(_one_page(b"BT /F1 16 Tf 72 700 Td (abc) Tj ET", b"<< /Font << /F1 5 0 R >> >>") + [
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> >>"],
        trailer_extra=b"/Encrypt 6 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]")


def _sample_bytes() -> bytes:
    path = SAMPLES / "zhoucun-2023-plan.pdf"
    if not path.exists():
        pytest.skip("sample missing")
    return path.read_bytes()


BAD = {
    "encrypted": (_encrypted_pdf, ("加密",)),
    "truncated": (lambda: _sample_bytes()[: len(_sample_bytes()) // 2], ("不完整",)),
    "holed": (lambda: _sample_bytes()[:60000] + _sample_bytes()[-3000:], ("损坏", "不完整")),
    "scanned": (_scanned_pdf, ("扫描件", "无文本层")),
    "cid": (_cid_pdf, ("无文本层", "(cid:NNN)")),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_pdf_refused_with_chinese_reason(tmp_path, kind):
    make, words = BAD[kind]
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(make())
    with pytest.raises(InputError) as e:
        read_document(path)
    assert any(w in e.value.message for w in words), e.value.message


@pytest.mark.parametrize("kind", ["encrypted", "scanned", "cid", "truncated"])
def test_cli_exit_1_no_traceback_original_untouched(tmp_path, kind):
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(BAD[kind][0]())
    before = path.read_bytes()
    proc = subprocess.run([sys.executable, "-m", "pipeline", "parse", str(path)], capture_output=True,
                          text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 1
    assert "错误" in proc.stderr and "Traceback" not in proc.stderr and proc.stdout == ""
    assert path.read_bytes() == before


def test_good_pdf_is_not_refused_by_the_text_layer_checks(tmp_path):
    """Control for the cid/scan checks: the same writer with a real font gives text."""
    data = _build_pdf(_one_page(b"BT /F1 16 Tf 72 700 Td (Plan 2023) Tj ET", b"<< /Font << /F1 5 0 R >> >>") + [
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])
    path = tmp_path / "ok.pdf"
    path.write_bytes(data)
    assert _texts(read_document(path)) == ["Plan 2023"]


def test_row_cut_by_page_break_is_rejoined_and_header_dropped():
    """Continuation rules on table parts as the page reader builds them (pdf_tables.PageTable)."""
    from pipeline.blocks import TableCell
    from pipeline.readers.pdf_tables import PageTable, join_continuation, to_block

    def part(page, rows):
        cells = [TableCell(text=t, row=r, col=c) for r, row in enumerate(rows) for c, t in enumerate(row)]
        return PageTable(page=page, bbox=(0, 0, 1, 1), cells=cells, n_rows=len(rows), n_cols=3,
                         row_pages=[page] * len(rows))

    head = ["指标名称", "单位", "2023年预期"]
    first = part(4, [head, ["VOCs削减量", "吨", "完成市下达任务"]])
    # page 5 repeats the header, then the tail of the cut row: an empty name cell, the wrapped text
    second = part(5, [head, ["", "", "指标"], ["粮食综合生产能力", "万吨", "保持稳定"]])
    joined = to_block(join_continuation(first, second), table_no=1)
    rows = [[c.text for c in r] for r in joined.rows()]
    assert rows == [head, ["VOCs削减量", "吨", "完成市下达任务指标"], ["粮食综合生产能力", "万吨", "保持稳定"]]
    assert [c.where.page for c in joined.rows()[-1]] == [5, 5, 5]
    assert joined.where.page == 4 and joined.n_rows == 3
