"""Rotated PDF pages (`/Rotate 90/180/270` on some or all pages): read in the direction the text runs,
with the same result as the unrotated file; text that stays on its side in every view (drawn sideways,
vertical) is refused naming the pages and the rotation — never an exit 0 with an empty table."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from hostile_support import assert_refused, run_bounded, snapshot

REPO = Path(__file__).resolve().parents[1]
SAMPLE_PDF = REPO / "samples" / "zhoucun-2023-plan.pdf"


def _rotated(dst: Path, turns: dict[int, int] | int) -> Path:
    """The sample with /Rotate set on pages (0-based index → degrees; an int: every page), by pdfium."""
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(str(SAMPLE_PDF))
    spec = {i: turns for i in range(len(pdf))} if isinstance(turns, int) else turns
    for i, deg in spec.items():
        pdf[i].set_rotation(deg)
    pdf.save(str(dst))
    pdf.close()
    return dst


@lru_cache(maxsize=1)
def _table_page() -> int:
    import pdfplumber
    with pdfplumber.open(str(SAMPLE_PDF)) as pdf:
        for i, page in enumerate(pdf.pages):
            if "指标名称" in "".join(c["text"] for c in page.chars):
                return i
    raise AssertionError("the sample has no indicator table page")


def _content(parsed: dict) -> str:
    """The plan without the places (page numbers stay, paragraph numbering may not) and warnings."""
    text = json.dumps(parsed["plan"], ensure_ascii=False, sort_keys=True)
    return re.sub(r'"where": \{[^}]*\}', "", text)


@pytest.fixture(scope="module")
def unrotated():
    proc = run_bounded("parse", str(SAMPLE_PDF))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("turns", [90, 180, 270, "table:90", "table:270", "first:180,table:90", "odd:90"])
def test_rotated_pages_read_like_the_unrotated_file(tmp_path, unrotated, turns):
    import pypdfium2 as pdfium
    n = len(pdfium.PdfDocument(str(SAMPLE_PDF)))
    if isinstance(turns, int):
        spec: dict[int, int] | int = turns
    else:
        spec = {}
        for part in turns.split(","):
            which, deg = part.split(":")
            pages = {"table": [_table_page()], "first": [0], "odd": list(range(0, n, 2))}[which]
            spec.update({i: int(deg) for i in pages})
    path = _rotated(tmp_path / "旋转.pdf", spec)
    before = snapshot(tmp_path)
    proc = run_bounded("parse", str(path))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    parsed = json.loads(proc.stdout)
    assert len(parsed["plan"]["indicators"]) == len(unrotated["plan"]["indicators"]) == 20
    assert _content(parsed) == _content(unrotated)
    notes = [w for w in parsed["warnings"] if w["code"] == "pdf_page_rotated"]
    turned = n if isinstance(spec, int) else len(spec)
    assert len(notes) == turned and all("旋转" in w["message"] and "转正" in w["message"] for w in notes)
    assert snapshot(tmp_path) == before


def _make_pdf(pages: list[tuple[int, list[tuple]]]) -> bytes:
    """A minimal PDF: per page (/Rotate, runs of (a, b, c, d, e, f, text) in Helvetica)."""
    objs: list[bytes | None] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", None]
    kids = []
    for rotate, runs in pages:
        stream = b"".join(b"BT /F1 12 Tf %g %g %g %g %g %g Tm (%s) Tj ET\n" % (*m, t.encode()) for *m, t in runs)
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate %d /Contents %d 0 R "
                    b"/Resources << /Font << /F1 1 0 R >> >> >>" % (rotate, len(objs)))
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, len(objs), xref)
    return bytes(out)


LINES = ["Plan for 2024 of the district", "1. Grow output by 5 percent", "2. Build 30 schools this year"]
UPRIGHT = [(1, 0, 0, 1, 72, 760 - 20 * i, t) for i, t in enumerate(LINES)]
UPWARD = [(0, 1, -1, 0, 100 + 20 * i, 100, t) for i, t in enumerate(LINES)]        # drawn bottom to top
DOWNWARD = [(0, -1, 1, 0, 400 - 20 * i, 700, t) for i, t in enumerate(LINES)]      # drawn top to bottom
UPSIDE_DOWN = [(-1, 0, 0, -1, 500, 100 + 20 * i, t) for i, t in enumerate(LINES)]


@pytest.mark.parametrize("rotate, runs", [(90, UPWARD), (270, DOWNWARD), (180, UPSIDE_DOWN), (0, UPRIGHT)])
def test_a_page_whose_rotation_sets_its_drawn_text_upright_is_read_as_shown(tmp_path, rotate, runs):
    """Landscape pages made the other way round: the text drawn turned and /Rotate turning it back."""
    from pipeline.readers.pdf import read_pdf
    path = tmp_path / "横排.pdf"
    path.write_bytes(_make_pdf([(rotate, runs)]))
    doc = read_pdf(path, path.read_bytes(), "0" * 64)
    text = " ".join(b.text for b in doc.blocks)
    for line in LINES:
        assert line in text, text
    assert not [d for d in doc.diagnostics if d.code.value == "pdf_page_rotated"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("rotate, runs", [(0, UPWARD), (0, DOWNWARD), (90, UPRIGHT[:0] + UPWARD[:0] + DOWNWARD)])
def test_text_on_its_side_in_every_view_is_refused_naming_page_and_rotation(tmp_path, rotate, runs):
    path = tmp_path / "竖排.pdf"
    path.write_bytes(_make_pdf([(rotate, runs)]))
    proc = run_bounded("parse", str(path), timeout=50)
    assert_refused(proc, path, "第1页", "旋转或竖排")
    if rotate:
        assert f"{rotate}°" in proc.stderr


def test_a_sideways_page_among_upright_ones_is_named_in_the_warnings(tmp_path):
    from pipeline.readers.pdf import read_pdf
    path = tmp_path / "混合.pdf"
    path.write_bytes(_make_pdf([(0, UPRIGHT), (0, UPWARD), (0, UPRIGHT)]))
    doc = read_pdf(path, path.read_bytes(), "0" * 64)
    errors = [d for d in doc.diagnostics if d.code.value == "pdf_text_not_upright"]
    assert len(errors) == 1 and "第2页" in errors[0].message and errors[0].where.page == 2


# -- vertical (竖排) and two-column (分栏) pages: the line order would scramble them; warn per page -------
def _html_pdf(tmp_path, body: str, css: str) -> Path:
    """A real CJK PDF from HTML through WeasyPrint (the renderer the project uses), system CJK faces."""
    from weasyprint import HTML
    out = tmp_path / "排版.pdf"
    html = (f"<html><head><style>@page {{ size: A4; margin: 20mm }} body {{ font-family: 'Noto Serif CJK SC', "
            f"'FandolFang', serif; font-size: 11pt; line-height: 1.6 }} {css}</style></head><body>{body}</body></html>")
    HTML(string=html).write_pdf(str(out))
    return out


def _paragraphs(n: int) -> list[str]:
    text = (REPO / "samples" / "zhoucun-2024-plan.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.split("\n") if len(line.strip()) > 40][:n]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("gap_mm", [6, 12, 20])
def test_two_column_pages_are_warned_page_by_page(tmp_path, gap_mm):
    from pipeline.readers.pdf import read_pdf
    body = "<h3 style='column-span: all'>某区2024年计划</h3>" + "".join(f"<p>{p}</p>" for p in _paragraphs(10))
    path = _html_pdf(tmp_path, body, f"body {{ column-count: 2; column-gap: {gap_mm}mm }} p {{ text-indent: 2em; margin: 0 }}")
    doc = read_pdf(path, path.read_bytes(), "0" * 64)
    warned = [d for d in doc.diagnostics if d.code.value == "pdf_reading_order"]
    pages = {b.where.page for b in doc.blocks if hasattr(b, "where") and b.where.page}
    assert {d.where.page for d in warned} == pages, [d.message for d in warned]
    assert all("两栏" in d.message and d.severity.value == "warning" for d in warned)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("per_column", [12, 20, 30])
def test_vertical_pages_are_warned(tmp_path, per_column):
    """竖排 the way HTML fakes it (one character per line, columns from right to left): the geometry
    of vertical text, with real CJK glyphs."""
    from pipeline.readers.pdf import read_pdf
    text = "".join(_paragraphs(3))[:per_column * 14]
    columns = [text[i:i + per_column] for i in range(0, len(text), per_column)]
    body = "<div class='v'>" + "".join(f"<div class='c'>{c}</div>" for c in columns) + "</div>"
    css = (".v { display: flex; flex-direction: row-reverse; gap: 6pt } "
           ".c { width: 1em; word-break: break-all; line-height: 1.15 }")
    path = _html_pdf(tmp_path, body, css)
    doc = read_pdf(path, path.read_bytes(), "0" * 64)
    warned = [d for d in doc.diagnostics if d.code.value == "pdf_reading_order"]
    assert warned and all("竖排" in d.message for d in warned), [d.message for d in doc.diagnostics]


@pytest.mark.parametrize("sample", ["zhoucun-2023-plan.pdf"])
def test_ordinary_pages_are_not_warned(sample, tmp_path):
    from pipeline.readers.pdf import read_pdf
    path = REPO / "samples" / sample
    doc = read_pdf(path, path.read_bytes(), "0" * 64)
    assert not [d for d in doc.diagnostics if d.code.value == "pdf_reading_order"]
    # one column of running text laid out by the same engine as the two-column case
    body = "<h3>某区2024年计划</h3>" + "".join(f"<p>{p}</p>" for p in _paragraphs(10))
    single = _html_pdf(tmp_path, body, "p { text-indent: 2em; margin: 0 }")
    doc = read_pdf(single, single.read_bytes(), "0" * 64)
    assert not [d for d in doc.diagnostics if d.code.value == "pdf_reading_order"]


@pytest.mark.timeout(120)
def test_a_two_column_notice_through_the_cli_says_so_in_its_warnings(tmp_path):
    body = "<h3 style='column-span: all'>某区2024年国民经济和社会发展计划</h3>" + "".join(
        f"<p>{p}</p>" for p in _paragraphs(10))
    path = _html_pdf(tmp_path, body, "body { column-count: 2; column-gap: 10mm } p { text-indent: 2em; margin: 0 }")
    proc = run_bounded("parse", str(path))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    warnings = json.loads(proc.stdout)["warnings"]
    assert any(w["code"] == "pdf_reading_order" and "第1页" in w["message"] for w in warnings)
