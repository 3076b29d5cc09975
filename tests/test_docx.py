"""Editable .docx editions (issue 13): the plan, the 通报 and the 比对报告 read back with python-docx
(page, 版心, fonts by role, exact line pitch, "— PAGE —" footers, merged table cells, the content a
clerk signs), and layout fidelity: the plan's .docx converted by LibreOffice (headless) against our PDF
— same page count, body lines on the same 28.95 pt grid at the same place, page numbers where ours are."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import SAMPLES, run_cli
from pipeline.render import gbt9704 as g
from pipeline.render.fonts import LICENSED_FAMILIES
from pipeline.resources import font_dirs

PLAN = SAMPLES / "zhoucun-2023-plan.txt"
NEW = SAMPLES / "zhoucun-2024-plan.txt"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _east_asia(run) -> str | None:
    rpr = run._element.rPr
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


@pytest.fixture(scope="module")
def plan_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("docx")
    files = {}
    for name, args in (("plan.docx", ("render", str(PLAN), "--style", "formal")),
                       ("plan.pdf", ("render", str(PLAN), "--style", "formal"))):
        proc = run_cli(*args, "-o", str(out / name), timeout=300)
        assert proc.returncode == 0, proc.stderr
        files[name] = out / name
    return files


def test_render_docx_is_a_word_document_not_a_pdf(plan_files):
    data = plan_files["plan.docx"].read_bytes()
    assert data[:2] == b"PK" and b"%PDF" not in data[:1024]


def test_plan_docx_structure(plan_files):
    doc = Document(plan_files["plan.docx"])
    s = doc.sections[0]
    assert abs(s.page_width.mm - 210) < 0.1 and abs(s.page_height.mm - 297) < 0.1
    assert abs(s.top_margin.mm - g.TOP_MARGIN_MM) < 0.1 and abs(s.left_margin.mm - g.BINDING_MARGIN_MM) < 0.1
    assert abs(s.page_width.mm - s.left_margin.mm - s.right_margin.mm - g.TYPE_AREA_WIDTH_MM) < 0.1
    paras = [p for p in doc.paragraphs if p.text.strip()]
    texts = [p.text for p in paras]
    # 红头, title, 主送, body, signature
    mark = next(p for p in paras if p.text == "周村区人民政府文件")
    assert mark.runs[0].font.color.rgb is not None and str(mark.runs[0].font.color.rgb) == "FF0000"
    assert "周政发〔2023〕34号" in texts
    title = next(p for p in paras if p.text.startswith("关于印发"))
    assert _east_asia(title.runs[0]) == LICENSED_FAMILIES["xbs"][0] and title.runs[0].font.size.pt == 22
    body = next(p for p in paras if p.text.startswith("做好2023年工作"))
    assert _east_asia(body.runs[0]) == LICENSED_FAMILIES["fang"][0] and body.runs[0].font.size.pt == 16
    assert abs(body.paragraph_format.line_spacing.pt - g.LINE_PITCH_PT) < 0.05
    assert abs(body.paragraph_format.first_line_indent.pt - 2 * g.CHAR_PITCH_PT) < 0.1
    roles = {}
    for p in paras:
        for r in p.runs:
            if r.text.startswith("一、2023年"):
                roles["h1"] = _east_asia(r)
            if r.text.startswith("（一）聚力推进"):
                roles["h2"] = _east_asia(r)
    assert roles == {"h1": LICENSED_FAMILIES["hei"][0], "h2": LICENSED_FAMILIES["kai"][0]}
    assert "周村区人民政府" in texts and "2023年4月25日" in texts
    # footers: "— PAGE —" on odd (right) and even (left) pages
    for footer in (s.footer, s.even_page_footer):
        xml = footer.paragraphs[0]._p.xml
        assert "PAGE" in xml and footer.paragraphs[0].text.startswith("—")
    assert doc.settings.odd_and_even_pages_header_footer


def test_plan_docx_table_has_merged_cells(plan_files):
    doc = Document(plan_files["plan.docx"])
    (table,) = doc.tables
    xml = table._tbl.xml
    assert "w:gridSpan" in xml and "w:vMerge" in xml and "w:tblHeader" in xml
    head = table.rows[0].cells
    assert head[0].text == "指标名称" and head[0]._tc is table.rows[1].cells[0]._tc     # 2 rows high
    texts = {c.text for row in table.rows for c in row.cells}
    assert "完成市下达任务指标" in texts and "保持稳定" in texts
    # the shared 保持稳定 cell of 实际使用外资/进出口总额 is one cell, spanning two rows
    cells = [c for row in table.rows for c in row.cells if c.text == "保持稳定"]
    assert len({id(c._tc) for c in cells}) < len(cells)


def test_diff_docx(tmp_path):
    out = tmp_path / "比对.docx"
    proc = run_cli("diff", str(PLAN), str(NEW), "-o", str(out), timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = Document(out)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "周村区2023年与2024年国民经济和社会发展计划比对报告" in text.replace("\n", "") and "三、重点任务变化" in text
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in doc.tables[0].rows}
    assert rows["研发经费投入强度"][4].startswith("提高")
    assert rows["城镇新增就业人数"][2].startswith("0.4万人")
    struck = [r.text for p in doc.paragraphs for r in p.runs if r.font.strike]
    under = [r.text for p in doc.paragraphs for r in p.runs if r.font.underline]
    assert "加快" in struck and "持续" in under


def test_bulletin_docx_carries_what_the_clerk_signs(tmp_path):
    from test_track_support import filler_module, reference
    from pipeline.track.bulletin import make_bulletin
    produced = filler_module().make_rounds(reference(), tmp_path / "returns")
    db = tmp_path / "a.sqlite3"
    make_bulletin(reference(), produced["round1"], None, tmp_path / "1.json", archive=db)
    out = tmp_path / "通报.docx"
    f = make_bulletin(reference(), produced["round2"], "2023-06-30", out, archive=db, style="formal",
                      signed="2023-07-03")
    doc = Document(out)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "督查通报" in text and "第2期" in text
    assert "各镇政府、街道办事处，周村经济开发区管委会，区政府各部门，有关单位：" in text
    assert "周村区人民政府督查室" in text and "2023年7月3日" in text
    assert "（一）1.全力以赴扩大有效投资" in text
    lag = next(t for t in f["tasks"] if t["id"] in f["lagging"] and t.get("progress"))
    assert f"进展情况：“{lag['progress'][:15]}" in text
    assert len(doc.tables) == 2 + 4                  # 附件1, 附件2, and the charts (status bar + legend, 图2, 图3)
    annex = doc.tables[-1]
    assert len(annex.rows) == 1 + len(f["tasks"]) and annex.rows[0].cells[4].text == "进展情况"
    _charts_are_tables_with_the_pdf_geometry(doc, f)


def _charts_are_tables_with_the_pdf_geometry(doc, f):
    """The 通报's charts (SVG in the PDF) are Word tables in the .docx (render/docx_charts.py): a bar
    shades as many of the plot's grid columns as its value takes, the reference lines are borders
    where the PDF draws them, the labels and values are the PDF's text."""
    from pipeline.render import docx_charts
    from pipeline.track.bulletin_context import completion_chart, growth_chart, status_chart
    from pipeline.track.config import load_config
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "图1　重点任务推进状态构成" in text and "图2　主要指标完成年度目标进度" in text and "图3　主要指标同比增速" in text
    status, legend, completion, growth = doc.tables[0], doc.tables[1], doc.tables[2], doc.tables[3]

    def tc(cell):
        return cell._tc.tcPr

    def shade(cell):
        shd = tc(cell).find(qn("w:shd"))
        return (shd.get(qn("w:fill")), shd.get(qn("w:val"))) if shd is not None else None

    def span(cell):
        el = tc(cell).find(qn("w:gridSpan"))
        return int(el.get(qn("w:val"))) if el is not None else 1

    def distinct(row):            # python-docx repeats a spanned cell once per grid column
        out = []
        for c in row.cells:
            if not out or out[-1]._tc is not c._tc:
                out.append(c)
        return out

    sc = status_chart(f, load_config())
    cells = distinct(status.rows[0])
    widths = [int(tc(c).find(qn("w:tcW")).get(qn("w:w"))) for c in cells]
    assert len(cells) == len(sc["segments"])
    for w, c, s in zip(widths, cells, sc["segments"]):
        assert abs(w / sum(widths) - s["w"] / sc["width"]) < 0.01
        assert shade(c)[0] == s["fill"].lstrip("#").upper()
        assert shade(c)[1] == (docx_charts.PATTERNS[s["pattern"]] if s["pattern"] else "clear")
    legend_text = [c.text for row in legend.rows for c in row.cells if c.text]
    assert legend_text == [f"\u3000 {s['label']} {s['count']}项（{s['share']}%）" for s in sc["segments"]]

    cc = completion_chart(f)
    unit = cc["width"] / docx_charts.PLOT_COLUMNS
    assert len(completion.rows) == len(cc["bars"]) > 0
    for row, b in zip(completion.rows, cc["bars"]):
        cells = distinct(row)
        assert cells[0].text == b["name"] and cells[-1].text == f"{b['value']}%（{b['gap']}）"
        shaded = sum(span(c) for c in cells[1:-1] if shade(c))
        assert abs(shaded - b["w"] / unit) <= 1, (b, shaded)
        lefts, col = {}, 0
        for c in cells[1:-1]:
            left = tc(c).find(qn("w:tcBorders"))
            left = left.find(qn("w:left")) if left is not None else None
            if left is not None:
                lefts[col] = left.get(qn("w:val"))
            col += span(c)
        assert lefts[round(cc["schedule_x"] / unit)] == "dashed" and lefts[round(cc["full_x"] / unit)] == "single"
    gc = growth_chart(f)
    assert [distinct(r)[-1].text for r in growth.rows] == [f"{b['value']}%／{b['target']}%（{b['gap']}）"
                                                           for b in gc["bars"]]


def _fontconfig(tmp_path):
    """The faces our PDF uses, under the names the .docx asks for (what a clerk's PC has)."""
    aliases = {LICENSED_FAMILIES["fang"][0]: "FandolFang", LICENSED_FAMILIES["kai"][0]: "FandolKai",
               LICENSED_FAMILIES["hei"][0]: "Noto Sans CJK SC", LICENSED_FAMILIES["xbs"][0]: "Noto Serif CJK SC",
               LICENSED_FAMILIES["song"][0]: "Noto Serif CJK SC"}
    rules = "".join(f"<alias binding=\"same\"><family>{a}</family><prefer><family>{b}</family></prefer></alias>"
                    for a, b in aliases.items())
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                    f"{''.join(f'<dir>{d.resolve()}</dir>' for d in font_dirs())}{rules}</fontconfig>", encoding="utf-8")
    return conf


def _pages(path):
    import pdfplumber
    out = []
    bottom = 842 - g.mm(g.BOTTOM_MARGIN_MM) + 1
    with pdfplumber.open(path) as pdf:
        for p in pdf.pages:
            body = [c for c in p.chars if c["text"].strip() and abs(c["size"] - 16) < 0.5
                    and 842 - c["matrix"][5] < bottom]
            baselines = sorted({round(842 - c["matrix"][5], 1) for c in body})
            lefts = sorted({round(c["x0"], 1) for c in body})
            folio = [c for c in p.chars if c["text"] == "—"]
            out.append({"baselines": baselines, "left": lefts[0] if lefts else None,
                        "folio": (round(min(c["x0"] for c in folio)), round(folio[0]["top"])) if folio else None})
    return out


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (libreoffice-writer-nogui) not installed")
def test_docx_layout_matches_the_pdf(plan_files, tmp_path):
    env = dict(os.environ, FONTCONFIG_FILE=str(_fontconfig(tmp_path)), HOME=str(tmp_path))
    profile = (tmp_path / "lo-profile").as_uri()          # own profile: parallel runs do not share a lock
    proc = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(plan_files["plan.docx"])],
                          capture_output=True, text=True, timeout=240, env=env)
    converted = tmp_path / "plan.pdf"
    assert converted.exists(), proc.stderr
    ours, theirs = _pages(plan_files["plan.pdf"]), _pages(converted)
    assert len(theirs) == len(ours)
    full = [i for i, p in enumerate(ours) if len(p["baselines"]) == g.LINES_PER_PAGE]
    assert len(full) >= 5
    for i in full:
        a, b = ours[i]["baselines"], theirs[i]["baselines"]
        assert abs(len(b) - len(a)) <= 1, i
        assert abs(b[0] - a[0]) <= g.mm(1.5), (i, a[0], b[0])                  # first line at the same place
        pitches = {round(y - x, 1) for x, y in zip(b, b[1:])}
        assert all(abs(p - g.LINE_PITCH_PT) < 0.15 for p in pitches), (i, pitches)   # on the same grid
        assert abs(theirs[i]["left"] - ours[i]["left"]) <= g.mm(0.5)               # same 版心 (mirrored)
        assert theirs[i]["folio"] and ours[i]["folio"]
        assert abs(theirs[i]["folio"][0] - ours[i]["folio"][0]) <= g.mm(1)         # page number on the same side
        assert abs(theirs[i]["folio"][1] - ours[i]["folio"][1]) <= g.mm(1)


def test_formal_cover_page_fits_its_signature(plan_files):
    """GB/T 9704 §7.3.5: the line pitch is tightened so 署名, 成文日期 and 附注 stay on page 1, instead
    of pushing "实施。" alone onto page 2 (render/fit.py); the .docx uses the same pitch."""
    import pdfplumber
    with pdfplumber.open(plan_files["plan.pdf"]) as pdf:
        first = re.sub(r"\s+", "", pdf.pages[0].extract_text())
        second = re.sub(r"\s+", "", pdf.pages[1].extract_text())
        ys = sorted({round(c["matrix"][5], 2) for c in pdf.pages[0].chars
                     if c["text"] in "各《九实" and abs(c["size"] - 16) < 0.3})
    assert "实施。" in first and "2023年4月25日" in first and "此件公开发布" in first
    assert not second.startswith("实施") and second.startswith("周村区2023年国民经济和社会发展计划")
    pitches = [b - a for a, b in zip(ys, ys[1:])]
    assert pitches and 0.85 * g.LINE_PITCH_PT <= min(pitches) < g.LINE_PITCH_PT - 1, pitches
    doc = Document(plan_files["plan.docx"])
    body = next(p for p in doc.paragraphs if p.text.startswith("《周村区2023年"))
    assert body.paragraph_format.line_spacing.pt < g.LINE_PITCH_PT
