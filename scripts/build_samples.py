"""Build the constructed samples: the reference notice as .docx (typed the way an office types it) and
as .pdf (printed from that .docx by LibreOffice headless), plus a copy of the reference .txt.

    python scripts/build_samples.py [REFERENCE_TXT] [OUT_DIR]

Why constructed: the corpus has the reference notice only as text, but clerks receive Word files and
PDFs. The .docx reproduces the traps general parsers fail on (domain.md §5):
- the level-1 headings 一、二、 are Word automatic numbering (numbering.xml, `chineseCounting`,
  lvlText `%1、`), so the labels are not in the paragraph text;
- the appendix is a real Word table whose two-row header uses gridSpan/vMerge and whose shared cells
  are real merges (gridSpan, vMerge restart/continue), rebuilt from the flattened text by the rules of
  domain.md §4 (literal pairs span two columns; an empty cell under a literal or a number+comparator
  in the same category continues it; label-only category rows span the value columns).
`build_docx` works from any notice in the reference layout (a later year is built the same way).
"""
from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.blocks import TableBlock, TextBlock  # noqa: E402
from pipeline.readers.txt import read_txt  # noqa: E402

DEFAULT_TXT = REPO.parent / "shared" / "corpus" / "zhoucun-2023-plan.txt"
CONSTRUCTED_NOTE = ("构造样本：由文本 {source} 生成（scripts/build_samples.py），"
                    "一级标题为 Word 自动编号，附件表格为真实合并单元格。")

# GB/T 9704 conventions: 仿宋 body 三号 (16 pt), 黑体 L1, 楷体 L2, 小标宋 title 二号 (22 pt).
BODY_FONT, L1_FONT, L2_FONT, TITLE_FONT = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"
BODY_PT, TITLE_PT, TABLE_PT = 16, 22, 10.5

_L1_RE = re.compile(r"^[一二三四五六七八九十]+、")
_L2_RE = re.compile(r"^（[一二三四五六七八九十]+）")
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
_COMPARATOR_RE = re.compile(r"^-?\d+(\.\d+)?(以上|以下|左右|以内)$")
_ISSUER_RE = re.compile(r"(人民政府|办公室|委员会|管委会|局)$")
_DATE_RE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")

# One abstract list for the plan's level-1 headings: 一、 二、 … (ilvl 0), （一） under it (ilvl 1).
_ABSTRACT_NUM_ID = 20
_NUM_ID = 20


# ---------------------------------------------------------------------------------------------
# Table: flattened rows → true grid with spans
# ---------------------------------------------------------------------------------------------

@dataclass
class GridCell:
    text: str
    row: int
    col: int
    colspan: int = 1
    rowspan: int = 1


def _is_literal(text: str) -> bool:
    """A literal target (保持稳定) or a number with a comparator (5.5以上): what offices merge."""
    t = text.strip()
    if not t or t in ("—", "——", "-", "/"):
        return False
    return not _NUMBER_RE.match(t)


def rebuild_grid(table: TableBlock) -> tuple[list[GridCell], int, int]:
    """Turn a flattened table (spans lost) into source cells with spans, by domain.md §4's rules.

    Returns (cells, n_rows, n_cols). Text keeps the flattened cell's leading spaces (offices indent
    child rows with spaces).
    """
    rows = table.rows()
    n_cols = table.n_cols
    out: list[GridCell] = []
    # Header: row 1's first cells stand over empty row-2 cells (2 rows high); the rest split evenly.
    h1, h2 = rows[0], rows[1]
    n_tall = next((i for i, c in enumerate(h2) if c.text.strip()), 0)
    n_groups = len(h1) - n_tall
    group_w = (n_cols - n_tall) // n_groups if n_groups else 1
    for i, c in enumerate(h1):
        if i < n_tall:
            out.append(GridCell(c.text, 0, i, rowspan=2))
        else:
            out.append(GridCell(c.text, 0, n_tall + (i - n_tall) * group_w, colspan=group_w))
    for c in h2[n_tall:]:
        out.append(GridCell(c.text, 1, c.col))
    pair_starts = set(range(n_tall, n_cols, 2))
    open_merges: dict[int, GridCell] = {}      # start column → the cell still open downward
    for r, row in enumerate(rows[2:], start=2):
        texts = [(" " * c.indent) + c.text for c in row]
        if _L1_RE.match(row[0].text) and len(row) <= 2:
            open_merges.clear()                # never merge across a category boundary
            out.append(GridCell(texts[0], r, 0))
            out.append(GridCell(texts[1] if len(texts) > 1 else "", r, 1, colspan=n_cols - 1))
            continue
        if _L1_RE.match(row[0].text):
            open_merges.clear()
        col = 0
        for k, text in enumerate(texts):
            remaining_cells = len(texts) - k
            if col in open_merges and not text.strip():
                above = open_merges[col]
                above.rowspan = r - above.row + 1
                col += above.colspan
                continue
            for start in [s for s in open_merges if s <= col < s + open_merges[s].colspan]:
                del open_merges[start]         # a filled cell ends the merge above it
            short = remaining_cells < n_cols - col
            if _is_literal(text) and short and col >= n_tall:
                if col not in pair_starts:
                    out.append(GridCell("", r, col))   # the literal belongs to the next pair
                    col += 1
                cell = GridCell(text, r, col, colspan=2)
            else:
                cell = GridCell(text, r, col)
            out.append(cell)
            if _is_literal(text) and col >= n_tall:
                open_merges[col] = cell
            col += cell.colspan
        if col < n_cols:                       # a short row: the missing cells are empty
            out.append(GridCell("", r, col, colspan=n_cols - col))
    return out, len(rows), n_cols


# ---------------------------------------------------------------------------------------------
# .docx writing
# ---------------------------------------------------------------------------------------------

def _set_run_font(run, east_asia: str, size_pt: float, bold: bool = False) -> None:
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    rfonts.set(qn("w:eastAsia"), east_asia)


def _para(doc_or_cell, text: str, *, font=BODY_FONT, size=BODY_PT, align=None, first_line_chars=0,
          right_chars=0, exact_pt: float | None = 28.95, keep_spaces=False):
    p = doc_or_cell.add_paragraph()
    if text:
        run = p.add_run(text)
        _set_run_font(run, font, size)
        if keep_spaces:
            run._element.find(qn("w:t")).set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    fmt = p.paragraph_format
    # 公文 body text is justified (两端对齐); headings and titles pass their own alignment.
    fmt.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    if exact_pt:
        fmt.line_spacing = Pt(exact_pt)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    ind = p._p.get_or_add_pPr()
    if first_line_chars or right_chars:
        # Word writes both the character count and its twips equivalent; LibreOffice reads the twips.
        el = parse_xml(f'<w:ind {nsdecls("w")} w:firstLineChars="{first_line_chars * 100}" '
                       f'w:firstLine="{int(first_line_chars * size * 20)}" '
                       f'w:rightChars="{right_chars * 100}" w:right="{int(right_chars * size * 20)}"/>')
        ind.append(el)
    return p


def _install_numbering(doc) -> None:
    """Add the headings' list to numbering.xml: ilvl 0 = 一、 (chineseCounting, `%1、`)."""
    numbering = doc.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{_ABSTRACT_NUM_ID}">'
        '<w:multiLevelType w:val="multilevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/><w:suff w:val="nothing"/>'
        '<w:pPr><w:ind w:left="0" w:firstLineChars="200" w:firstLine="640"/></w:pPr>'
        f'<w:rPr><w:rFonts w:ascii="Times New Roman" w:eastAsia="{L1_FONT}"/><w:sz w:val="32"/></w:rPr></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="（%2）"/><w:lvlJc w:val="left"/><w:suff w:val="nothing"/></w:lvl>'
        '</w:abstractNum>')
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{_NUM_ID}"><w:abstractNumId w:val="{_ABSTRACT_NUM_ID}"/></w:num>'))


def _numbered_heading(doc, text: str):
    p = _para(doc, text, font=L1_FONT, first_line_chars=2)
    ppr = p._p.get_or_add_pPr()
    ppr.insert(0, parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{_NUM_ID}"/></w:numPr>'))
    ppr.append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    return p


def _l2_paragraph(doc, text: str):
    """（一）… item: the label and its title sentence in 楷体, the rest of the paragraph in 仿宋."""
    p = _para(doc, "", first_line_chars=2)
    cut = text.find("。") + 1 or len(text)
    for part, font in ((text[:cut], L2_FONT), (text[cut:], BODY_FONT)):
        if part:
            _set_run_font(p.add_run(part), font, BODY_PT)
    return p


def _footer_page_numbers(section) -> None:
    """`— 1 —` centred (GB/T 9704 puts it outside; centred is what most offices do)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_run_font(p.add_run("— "), "宋体", 14)
    run = p.add_run()
    _set_run_font(run, "宋体", 14)
    for xml in (f'<w:fldChar {nsdecls("w")} w:fldCharType="begin"/>',
                f'<w:instrText {nsdecls("w")} xml:space="preserve"> PAGE </w:instrText>',
                f'<w:fldChar {nsdecls("w")} w:fldCharType="separate"/>',
                f'<w:t {nsdecls("w")}>1</w:t>',
                f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>'):
        run._element.append(parse_xml(xml))
    _set_run_font(p.add_run(" —"), "宋体", 14)


def _add_table(doc, table: TableBlock) -> None:
    cells, n_rows, n_cols = rebuild_grid(table)
    widths = [Mm(54), Mm(16)] + [Mm(86 / (n_cols - 2))] * (n_cols - 2)
    t = doc.add_table(rows=n_rows, cols=n_cols)
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    # Build each row's <w:tc> list by hand: python-docx's merge() would keep the grid but we want the
    # exact markup an office file has (gridSpan on one tc, vMerge restart/continue down the column).
    by_pos = {(c.row, c.col): c for c in cells}
    covered: dict[tuple[int, int], GridCell] = {}
    for c in cells:
        for dr in range(1, c.rowspan):
            covered[(c.row + dr, c.col)] = c
    for r, tr in enumerate(t._tbl.tr_lst):
        if r < 2:
            trpr = tr.get_or_add_trPr()
            trpr.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
        template = copy.deepcopy(tr.tc_lst[0])
        for tc in list(tr.tc_lst):
            tr.remove(tc)
        col = 0
        while col < n_cols:
            tc = copy.deepcopy(template)
            tcpr = tc.get_or_add_tcPr()
            for child in list(tcpr):
                tcpr.remove(child)
            if (r, col) in by_pos:
                src, text, restart = by_pos[(r, col)], by_pos[(r, col)].text, True
            else:
                src, text, restart = covered[(r, col)], "", False
            span = src.colspan
            tcpr.append(parse_xml(f'<w:tcW {nsdecls("w")} w:w="{sum(w.twips for w in widths[col:col + span])}" w:type="dxa"/>'))
            if span > 1:
                tcpr.append(parse_xml(f'<w:gridSpan {nsdecls("w")} w:val="{span}"/>'))
            if src.rowspan > 1:
                val = ' w:val="restart"' if restart else ""
                tcpr.append(parse_xml(f'<w:vMerge {nsdecls("w")}{val}/>'))
            tcpr.append(parse_xml(f'<w:vAlign {nsdecls("w")} w:val="center"/>'))
            p = tc.find(qn("w:p"))
            for child in list(p):
                p.remove(child)
            align = "left" if col == 0 and r >= 2 else "center"
            p.append(parse_xml(f'<w:pPr {nsdecls("w")}><w:jc w:val="{align}"/></w:pPr>'))
            if text:
                p.append(parse_xml(
                    f'<w:r {nsdecls("w")}><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" '
                    f'w:eastAsia="{BODY_FONT}"/><w:sz w:val="{int(TABLE_PT * 2)}"/></w:rPr>'
                    f'<w:t xml:space="preserve">{_xml_escape(text)}</w:t></w:r>'))
            tr.append(tc)
            col += span
    grid = t._tbl.tblGrid
    for gc, w in zip(grid.findall(qn("w:gridCol")), widths):
        gc.set(qn("w:w"), str(w.twips))


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _reference_blocks(source) -> list:
    """Blocks of the reference text via the project's own txt reader (so the samples share its view)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        return read_txt(path, path.read_bytes(), "").blocks
    data = "\n".join(source).encode("utf-8")
    return read_txt(Path("<lines>"), data, "").blocks


def build_docx(source, out_path: Path) -> Path:
    """Write the notice in `source` (a .txt path, or its lines) as an office-typed .docx at `out_path`."""
    blocks = _reference_blocks(source)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    doc.core_properties.title = "构造样本"
    source_name = Path(source).name if isinstance(source, (str, Path)) else "（逐行给出的构造文本）"
    doc.core_properties.comments = CONSTRUCTED_NOTE.format(source=source_name)
    doc.core_properties.author = "plandoc build_samples.py"
    doc.core_properties.created = doc.core_properties.modified = datetime(2023, 4, 25)
    doc.core_properties.last_modified_by = "plandoc build_samples.py"
    doc.core_properties.revision = 1
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _install_numbering(doc)
    # python-docx's template starts with an empty paragraph only in some versions; start clean.
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    _footer_page_numbers(section)

    texts = [b for b in blocks]
    seen_plan_title = False
    after_issuer = False
    in_cover = True
    for i, b in enumerate(texts):
        if isinstance(b, TableBlock):
            _add_table(doc, b)
            continue
        assert isinstance(b, TextBlock)
        t = b.text
        if not t:
            continue
        if in_cover and i < 3 and not t.endswith("号"):
            _para(doc, t, font=TITLE_FONT, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact_pt=None)
        elif in_cover and re.search(r"〔\d{4}〕\d+号$", t):
            _para(doc, t, align=WD_ALIGN_PARAGRAPH.CENTER)
        elif in_cover and t.endswith("：") and not after_issuer:
            _para(doc, t)
        elif in_cover and _ISSUER_RE.search(t) and len(t) <= 20:
            _para(doc, "", exact_pt=28.95)       # the seal's space
            _para(doc, t, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
            after_issuer = True
        elif in_cover and after_issuer and _DATE_RE.match(t):
            _para(doc, t, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
        elif in_cover and after_issuer and t.startswith("（"):
            _para(doc, t, first_line_chars=2)
            in_cover = False
        elif not seen_plan_title and not in_cover:
            _para(doc, t, font=TITLE_FONT, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact_pt=None)
            seen_plan_title = True
        elif _L1_RE.match(t) and seen_plan_title:
            _numbered_heading(doc, _L1_RE.sub("", t, count=1))
        elif _L2_RE.match(t):
            _l2_paragraph(doc, t)
        elif t == "附件":
            p = _para(doc, "")
            p.add_run().add_break(WD_BREAK.PAGE)
            _set_run_font(p.add_run(t), L1_FONT, BODY_PT)
        elif t.startswith("——"):
            _para(doc, t, size=12, exact_pt=None)
        elif i + 2 < len(texts) and isinstance(texts[i + 2], TableBlock):
            _para(doc, t, font=TITLE_FONT, size=18, align=WD_ALIGN_PARAGRAPH.CENTER, exact_pt=None)
        else:
            _para(doc, t, first_line_chars=2)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    doc.save(buf)
    out_path.write_bytes(_stable_zip(buf.getvalue()))
    return out_path


def _stable_zip(data: bytes) -> bytes:
    """Same input, same bytes: fixed member timestamps (python-docx stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2023, 4, 25, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def docx_to_pdf(docx_path: Path, out_dir: Path) -> Path:
    """Print the .docx to PDF with LibreOffice headless (Debian: libreoffice-writer-nogui)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("soffice not found: run `make samples` (installs libreoffice-writer-nogui)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(out_dir), str(docx_path)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    pdf = out_dir / (docx_path.stem + ".pdf")
    if not pdf.exists():
        raise SystemExit(f"LibreOffice did not write {pdf}")
    return pdf


def main(argv: list[str]) -> int:
    txt = Path(argv[1]) if len(argv) > 1 else DEFAULT_TXT
    out_dir = Path(argv[2]) if len(argv) > 2 else REPO / "samples"
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(txt, out_dir / txt.name)
    docx_path = build_docx(txt, out_dir / (txt.stem + ".docx"))
    pdf_path = docx_to_pdf(docx_path, out_dir)
    print(f"wrote {out_dir / txt.name}, {docx_path}, {pdf_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
