"""The plan's 版记 (GB/T 9704 §7.4; issue 13): parsed from the notice when it has one (抄送 line, 印发机关
and 印发日期), or given by `plandoc render --cc/--printer`; set in the formal PDF at the foot of the last
page (rules 0.35 / 0.25 / 0.35 mm as wide as the 版心, the last one's bottom on the 版心 bottom, 四号 仿宋,
抄送 inset 1 字 with wrapped lines aligned after the colon, 印发机关 left and date right) or alone on the
next page when the text leaves no room; and in the formal .docx as a frame anchored to the 版心 bottom
(Word places it there; LibreOffice 7.4 ignores w:framePr on bordered paragraphs — measured: the same
frame without borders lands on the 版心 bottom — and sets the 版记 after the table instead)."""
from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import REFERENCE_TXT, corpus_file, run_cli
from pipeline.parse.document import parse_document
from pipeline.readers import read_document
from pipeline.render import gbt9704 as g

# The reference notice (周政发〔2023〕34号) as published online lost its 版记; this is the 版记 such a
# 区政府 notice carries (抄送 the district's other leading organs), appended as printed copies end.
CC = "区委各部门，区人大常委会办公室，区政协办公室，区法院，区检察院，区人武部，淄博高新区管委会，各民主党派、工商联。"
PRINTED = "周村区人民政府办公室                2023年4月25日印发"
# A full 抄送 list (every 街道 and department by name) is long enough to need the page to itself.
LONG_CC = ("区委各部门，区人大常委会办公室，区政协办公室，区法院，区检察院，区人武部，区发展和改革局，区教育和体育局，"
           "区科学技术局，区工业和信息化局，区民政局，区司法局，区财政局，区人力资源和社会保障局，区自然资源局，"
           "区住房和城乡建设局，区交通运输局，区农业农村局，区商务局，区文化和旅游局，区卫生健康局，区退役军人事务局，"
           "区应急管理局，区审计局，区市场监督管理局，区统计局，区医疗保障局，区行政审批服务局，区综合行政执法局，"
           "区大数据局，区信访局，青年路街道办事处，丝绸路街道办事处，大街街道办事处，永安街道办事处，城北路街道办事处，"
           "周村经济开发区管委会，北郊镇人民政府，南郊镇人民政府，王村镇人民政府，萌水镇人民政府，各民主党派、工商联。")
TOP = g.mm(g.TOP_MARGIN_MM)
BOTTOM = g.mm(g.TOP_MARGIN_MM + g.TYPE_AREA_HEIGHT_MM)        # 262 mm


def _with_imprint(tmp_path, cc: str | None, name: str = "plan.txt"):
    text = REFERENCE_TXT.read_text(encoding="utf-8").rstrip("\n")
    lines = ([f"抄送：{cc}"] if cc else []) + [PRINTED]
    path = tmp_path / name
    path.write_text(text + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_real_notice_imprint_is_parsed_not_body():
    """A real 红头 公文 (OFD) ends in its 印发 line: it becomes the 版记, not a second signature."""
    result = parse_document(read_document(corpus_file("real/ofd/n.ofd")))
    imp = result.notice.imprint
    assert imp is not None and imp.print_date == "2011-03-10"
    assert imp.printer.endswith("路桥区卫生局办公室") and not imp.cc
    assert result.notice.date == "2011-03-10" and "印发" not in result.notice.body


def test_reference_notice_imprint_parsed_and_kept_out_of_the_plan(tmp_path):
    plain = parse_document(read_document(REFERENCE_TXT))
    assert plain.notice.imprint is None                      # the published copy has none
    result = parse_document(read_document(_with_imprint(tmp_path, CC)))
    imp = result.notice.imprint
    assert imp.cc[:3] == ["区委各部门", "区人大常委会办公室", "区政协办公室"] and imp.cc[-2:] == ["各民主党派", "工商联"]
    assert imp.cc_text == CC.rstrip("。") and imp.printer == "周村区人民政府办公室" and imp.print_date == "2023-04-25"
    # nothing of the 版记 leaks into the plan or its table; the table reads exactly as without it
    dump = result.plan.model_dump_json()
    assert "抄送" not in dump and "印发" not in dump.replace("印发《", "")
    assert [r.model_dump(exclude={"where"}) for r in result.plan.indicators] == \
        [r.model_dump(exclude={"where"}) for r in plain.plan.indicators]


def _rules(page):
    """The 版记's rules as (top, bottom) pairs in pt: WeasyPrint fills a border box's outer rect minus
    its inner rect, so a rule is the band between an outer and an inner rectangle of the 版心 width."""
    wide = sorted({(round(r["top"], 2), round(r["bottom"], 2)) for r in page.rects
                   if abs(r["width"] - g.mm(g.TYPE_AREA_WIDTH_MM)) < 1.5 and r["top"] > TOP + 100})
    tops = sorted({t for t, _ in wide})
    bottoms = sorted({b for _, b in wide})
    return tops, bottoms


def _render(tmp_path, src, *args, out="plan.pdf"):
    proc = run_cli("render", str(src), "--style", "formal", "-o", str(tmp_path / out), *args, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return tmp_path / out


def test_formal_pdf_sets_the_imprint_at_the_foot_of_the_last_page(tmp_path):
    pdf_path = _render(tmp_path, _with_imprint(tmp_path, CC))
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[-1]
        left = page.width - g.mm(g.PAGE_WIDTH_MM - g.BINDING_MARGIN_MM) if (len(pdf.pages) % 2) \
            else g.mm(g.OUTER_MARGIN_MM)
        right = left + g.mm(g.TYPE_AREA_WIDTH_MM)
        lines = page.extract_text_lines()
        table_words = re.sub(r"\s+", "", pdf.pages[-1].extract_text())
        assert "粮食综合生产能力" in table_words          # the 版记 shares the table's last page
        cc = [ln for ln in lines if ln["text"].startswith("抄送：")]
        printed = [ln for ln in lines if ln["text"].endswith("印发")]
        assert len(cc) == 1 and len(printed) == 1
        assert abs(cc[0]["x0"] - (left + g.SIZE_SIHAO_PT)) < 1                         # 抄送 inset 1 字
        wrapped = [ln for ln in lines if cc[0]["top"] < ln["top"] < printed[0]["top"]]
        assert wrapped and all(abs(ln["x0"] - (left + 4 * g.SIZE_SIHAO_PT)) < 1 for ln in wrapped)  # after "抄送："
        assert "".join(ln["text"] for ln in [cc[0], *wrapped]).replace(" ", "") == "抄送：" + CC
        assert abs(printed[0]["x0"] - (left + g.SIZE_SIHAO_PT)) < 1                    # 印发机关 1 字 from left
        assert abs(printed[0]["x1"] - (right - g.SIZE_SIHAO_PT)) < 1                   # date 1 字 from right
        assert all("Fang" in c["fontname"] and abs(c["size"] - g.SIZE_SIHAO_PT) < 0.3   # 四号 仿宋
                   for ln in (cc[0], printed[0]) for c in ln["chars"])
        tops, bottoms = _rules(page)
        # three rules: top 0.35 mm, between 抄送 and 印发 0.25 mm, bottom 0.35 mm ending on the 版心 bottom
        assert len(tops) == 4 and len(bottoms) == 2, (tops, bottoms)
        first, inner_top, inner_bottom = tops[1] - tops[0], tops[3] - tops[2], bottoms[1] - bottoms[0]
        assert abs(first - g.mm(0.35)) < g.mm(0.05) and abs(inner_bottom - g.mm(0.35)) < g.mm(0.05)
        assert abs(inner_top - g.mm(0.25)) < g.mm(0.05)
        assert abs(bottoms[1] - BOTTOM) < g.mm(0.5)
        assert tops[0] < cc[0]["top"] and tops[2] > cc[0]["bottom"] and tops[3] < printed[0]["top"]
        # the text above keeps at least one blank line to the 版记
        above = [ln for ln in lines if ln["bottom"] <= tops[0] and ln["top"] > TOP - 5]
        assert above and max(ln["bottom"] for ln in above) <= tops[0] - g.LINE_PITCH_PT + 1
    # the printed 版记 reads back as the same 版记 (PDF reader → parser), and the table stays whole
    back = parse_document(read_document(pdf_path))
    assert back.notice.imprint == parse_document(read_document(tmp_path / "plan.txt")).notice.imprint
    assert len(back.plan.indicators) == len(parse_document(read_document(REFERENCE_TXT)).plan.indicators)


def test_imprint_that_does_not_fit_moves_to_a_page_of_its_own(tmp_path):
    """The text ends on an even page (12) with no room left: duplex, the 版记 goes to the next even
    page, after a blank page, and neither of the two carries a page number (typesetting.md §3)."""
    base = _render(tmp_path, _with_imprint(tmp_path, None, "short.txt"), out="short.pdf")
    pdf_path = _render(tmp_path, _with_imprint(tmp_path, LONG_CC), out="long.pdf")
    with pdfplumber.open(base) as a, pdfplumber.open(pdf_path) as b:
        assert len(a.pages) % 2 == 0 and len(b.pages) == len(a.pages) + 2
        last = re.sub(r"\s+", "", b.pages[-1].extract_text())
        assert last.startswith("抄送：区委各部门") and last.endswith("2023年4月25日印发")     # no "— 14 —"
        assert not b.pages[-2].chars                                                      # blank, unnumbered
        assert "粮食综合生产能力" in re.sub(r"\s+", "", b.pages[-3].extract_text())
        assert re.search(r"—\s*12\s*—", b.pages[-3].extract_text())
        tops, bottoms = _rules(b.pages[-1])
        assert abs(bottoms[-1] - BOTTOM) < g.mm(0.5)
        # the short 版记 (印发 line only) stays on the table's page, between two 0.35 mm rules
        tops, bottoms = _rules(a.pages[-1])
        assert len(tops) == 2 and abs(tops[1] - tops[0] - g.mm(0.35)) < g.mm(0.05)
        assert abs(bottoms[-1] - BOTTOM) < g.mm(0.5)


def test_configured_imprint_and_plain_style(tmp_path):
    """`--cc` gives a 抄送 to a notice without 版记: the 印发机关 is then the issuer, the date the notice's.
    The plain style (打印稿) has no 版记."""
    pdf_path = _render(tmp_path, REFERENCE_TXT, "--cc", "抄送：区委办公室，区人大常委会办公室")
    with pdfplumber.open(pdf_path) as pdf:
        text = re.sub(r"[ \t]+", "", pdf.pages[-1].extract_text())
    assert "抄送：区委办公室，区人大常委会办公室。" in text and "周村区人民政府2023年4月25日印发" in text
    proc = run_cli("render", str(_with_imprint(tmp_path, CC)), "-o", str(tmp_path / "plain.pdf"), timeout=300)
    assert proc.returncode == 0, proc.stderr
    with pdfplumber.open(tmp_path / "plain.pdf") as pdf:
        assert "抄送" not in pdf.pages[-1].extract_text()


def test_formal_docx_imprint_is_a_frame_on_the_type_area_bottom(tmp_path):
    out = tmp_path / "plan.docx"
    proc = run_cli("render", str(_with_imprint(tmp_path, CC)), "--style", "formal", "-o", str(out), timeout=300)
    assert proc.returncode == 0, proc.stderr
    paras = Document(str(out)).paragraphs
    i = next(k for k, p in enumerate(paras) if p.text.startswith("抄送："))
    cc, printed = paras[i], paras[i + 1]
    assert cc.text == "抄送：" + CC and printed.text == "周村区人民政府办公室\t2023年4月25日印发"
    for p in (cc, printed):
        frame = p._p.pPr.find(qn("w:framePr"))
        assert frame is not None and frame.get(qn("w:yAlign")) == "bottom" and frame.get(qn("w:vAnchor")) == "margin"
        assert all(abs(r.font.size.pt - g.SIZE_SIHAO_PT) < 0.1 for r in p.runs)

    def rule(p, side):
        el = p._p.pPr.find(qn("w:pBdr")).find(qn(f"w:{side}"))
        return int(el.get(qn("w:sz"))) / 8 if el is not None else None
    # one border group: 0.35 mm above the first paragraph and below the last, 0.25 mm between them
    for p in (cc, printed):
        assert rule(p, "top") == pytest.approx(g.mm(0.35), abs=0.13)
        assert rule(p, "bottom") == pytest.approx(g.mm(0.35), abs=0.13)
        assert rule(p, "between") == pytest.approx(g.mm(0.25), abs=0.13)
    assert cc.paragraph_format.left_indent.pt == pytest.approx(4 * g.SIZE_SIHAO_PT)     # wrapped lines after 抄送：
    assert cc.paragraph_format.first_line_indent.pt == pytest.approx(-3 * g.SIZE_SIHAO_PT)


def test_bulletin_imprint_at_the_foot_too(tmp_path):
    """The 通报's 版记 (configured 抄送) uses the same block: on the 版心 bottom of its last page."""
    import sys
    sys.path.insert(0, str(Path(__file__).parent))
    from test_track_support import filler_module, reference
    from pipeline.track.bulletin import make_bulletin
    from pipeline.track.config import DEFAULT_CONFIG
    config = tmp_path / "track.toml"
    config.write_text(re.sub(r'(?m)^cc = ""', 'cc = "区委办公室，区人大常委会办公室，区政协办公室"',
                             DEFAULT_CONFIG.read_text(encoding="utf-8")), encoding="utf-8")
    produced = filler_module().make_rounds(reference(), tmp_path / "returns")
    out = tmp_path / "通报.pdf"
    make_bulletin(reference(), produced["round2"], "2023-06-30", out, archive=tmp_path / "a.sqlite3",
                  style="formal", signed="2023-07-03", config=config, also=(tmp_path / "通报.docx",))
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[-1]
        text = re.sub(r"\s+", "", page.extract_text())
        tops, bottoms = _rules(page)
    assert "抄送：区委办公室，区人大常委会办公室，区政协办公室。" in text and "2023年7月3日印发" in text
    assert len(tops) == 4 and abs(bottoms[-1] - BOTTOM) < g.mm(0.5)
    paras = Document(str(tmp_path / "通报.docx")).paragraphs
    cc = next(p for p in paras if p.text.startswith("抄送："))
    assert cc._p.pPr.find(qn("w:framePr")).get(qn("w:yAlign")) == "bottom"


def test_where_the_imprint_goes():
    from pipeline.render.engine import imprint_move
    assert imprint_move(12, False, True) is None            # even last page with room: stays
    assert imprint_move(13, False, True) == "even"          # odd last page, duplex: the back of the leaf
    assert imprint_move(12, True, True) == "even-quiet"     # even and full: blank page, then the 版记
    assert imprint_move(13, True, False) == "page" and imprint_move(13, False, False) is None


def test_imprint_without_a_cover_is_reported_not_parsed_as_plan(tmp_path):
    """A real report without a cover notice (海拉尔 2012, GB18030) with a 版记 appended: the 版记 stays
    out of the plan text and a warning names it, instead of the lines becoming a task."""
    src = corpus_file("real/hailar-gwr-2012.txt")
    path = tmp_path / "gwr.txt"
    path.write_bytes(src.read_bytes() + "\r\n抄送：区委各部门，区人大办，区政协办。\r\n海拉尔区人民政府办公室    2012年3月1日印发\r\n"
                     .encode("gb18030"))
    result = parse_document(read_document(path))
    assert result.notice is None
    assert "抄送" not in result.plan.model_dump_json()
    warn = [w for w in result.warnings if w.code == "imprint_without_notice"]
    assert len(warn) == 1 and "区委各部门" in warn[0].message and warn[0].where.line is not None
