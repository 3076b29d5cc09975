"""The plan PDF read back with pdfplumber: the acceptance checks of typesetting.md §8.

The reference notice is parsed from its source text and rendered in both styles once per module;
every check reads the PDF (pdfplumber/pdfminer, pdftotext), never our HTML. Numbers are checked
against the GB/T 9704 constants, so the tests fail if the layout drifts off the standard.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pytest

from pipeline.render import gbt9704 as g
from pipeline.render.fonts import resolve_fonts

MM = g.PT_PER_MM
SUBSET = re.compile(r"^[A-Z]{6}\+")
PAGE_NUMBER = re.compile(r"^—\s?(\d+)\s?—$")
LEFT_MARKS = set("，。、：；）》”！？％…")
BREAK_SENSITIVE = LEFT_MARKS | set("“‘’（《")


def family(fontname: str) -> str:
    """PDF font name → our @font-face family ("ABCDEF+PD-FandolFang-Regular," → "PD FandolFang Regular")."""
    return SUBSET.sub("", fontname).rstrip(",").replace("-", " ")


def type_area(page_no: int) -> tuple[float, float, float, float]:
    """(left, right, top, bottom) of the 版心 in pdfplumber points for a 1-based page number."""
    odd = page_no % 2 == 1 or not g.MIRROR_MARGINS
    left = g.mm(g.BINDING_MARGIN_MM if odd else g.OUTER_MARGIN_MM)
    top = g.mm(g.TOP_MARGIN_MM)
    return left, left + g.mm(g.TYPE_AREA_WIDTH_MM), top, top + g.mm(g.TYPE_AREA_HEIGHT_MM)


def lines_of(page) -> list[tuple[float, list[dict]]]:
    """Characters grouped by exact baseline (top-down), each line sorted left to right."""
    h = page.height
    groups: dict[float, list[dict]] = defaultdict(list)
    for c in page.chars:
        groups[round(h - c["matrix"][5], 1)].append(c)
    return [(y, sorted(cs, key=lambda c: c["x0"])) for y, cs in sorted(groups.items())]


def has_table(page) -> bool:
    """WeasyPrint draws collapsed table borders as stroked lines (and a few filled rects)."""
    return any(abs(l["linewidth"] - g.TABLE_RULE_PT) < 0.1 for l in page.lines)


def is_footer(y: float) -> bool:
    return y > g.mm(g.TOP_MARGIN_MM + g.TYPE_AREA_HEIGHT_MM) + 1


@pytest.fixture(scope="module")
def reference(reference_txt):
    from pipeline.parse import parse_file
    return parse_file(reference_txt)


@pytest.fixture(scope="module")
def fonts():
    return resolve_fonts()


@pytest.fixture(scope="module")
def rendered(reference, tmp_path_factory, fonts):
    """{style: (path, report, pdfplumber.PDF)} for the reference plan."""
    from pipeline.render.plan_pdf import render_plan_pdf
    out = {}
    d = tmp_path_factory.mktemp("render")
    for style in ("plain", "formal"):
        path = d / f"{style}.pdf"
        report = render_plan_pdf(reference, path, style=style, fonts=fonts)
        out[style] = (path, report, pdfplumber.open(path))
    yield out
    for _, _, pdf in out.values():
        pdf.close()


@pytest.fixture(params=["plain", "formal"])
def each(request, rendered):
    return rendered[request.param]


def full_body_pages(pdf) -> list[int]:
    """1-based pages of running text that are full: no table, no title, text down to the last line."""
    out = []
    for i, page in enumerate(pdf.pages, start=1):
        lines = [(y, cs) for y, cs in lines_of(page) if not is_footer(y)]
        if not lines or has_table(page) or any(c["size"] > 20 for _, cs in lines for c in cs):
            continue
        if lines[-1][0] > g.mm(g.TOP_MARGIN_MM + g.TYPE_AREA_HEIGHT_MM) - g.LINE_PITCH_PT:
            out.append(i)
    return out


# 1. Page size ---------------------------------------------------------------------------------------
def test_every_page_is_a4(each):
    _, report, pdf = each
    assert report.pages == len(pdf.pages) >= 10
    for page in pdf.pages:
        assert page.width == pytest.approx(595.28, abs=0.5)
        assert page.height == pytest.approx(841.89, abs=0.5)


# 2. 版心 bounding box -----------------------------------------------------------------------------
def test_everything_but_page_numbers_inside_type_area(each):
    _, _, pdf = each
    for i, page in enumerate(pdf.pages, start=1):
        left, right, top, bottom = type_area(i)
        for c in page.chars:
            if is_footer(page.height - c["matrix"][5]):
                continue
            assert left - MM <= c["x0"] and c["x1"] <= right + MM, (i, c["text"], c["x0"] / MM, c["x1"] / MM)
            assert top - MM <= c["top"] and c["bottom"] <= bottom + MM, (i, c["text"], c["top"] / MM)
        for r in page.rects:
            assert left - MM <= r["x0"] and r["x1"] <= right + MM, (i, r["x0"] / MM, r["x1"] / MM)
            assert top - MM <= r["top"] and r["bottom"] <= bottom + MM, (i, r["top"] / MM)


# 3. Grid ------------------------------------------------------------------------------------------
def test_full_pages_hold_22_lines_on_the_pitch(rendered):
    _, _, pdf = rendered["plain"]
    pages = full_body_pages(pdf)
    assert len(pages) >= 5, "the reference plan has several full pages of running text"
    for i in pages:
        ys = [y for y, _ in lines_of(pdf.pages[i - 1]) if not is_footer(y)]
        assert len(ys) == g.LINES_PER_PAGE, (i, len(ys))
        for a, b in zip(ys, ys[1:]):
            assert b - a == pytest.approx(g.LINE_PITCH_PT, abs=0.1), i
        top = g.mm(g.TOP_MARGIN_MM)
        assert top < ys[0] <= top + g.LINE_PITCH_PT
        assert g.mm(g.TOP_MARGIN_MM + g.TYPE_AREA_HEIGHT_MM) - g.LINE_PITCH_PT <= ys[-1]


# 4. Line fill and indents ---------------------------------------------------------------------------
def test_lines_start_on_the_indent_or_flush_left_and_end_flush_right(rendered):
    _, report, pdf = rendered["plain"]
    assert report.justified, "the CJK justification patch must be active on the pinned WeasyPrint"
    checked, near = 0, 0
    for i in full_body_pages(pdf):
        left, right, _, _ = type_area(i)
        lines = [cs for y, cs in lines_of(pdf.pages[i - 1]) if not is_footer(y)]
        for cs, nxt in zip(lines, lines[1:]):
            start = cs[0]["x0"]
            assert (start == pytest.approx(left, abs=0.3 * MM)
                    or start == pytest.approx(left + g.INDENT_CHARS * g.CHAR_PITCH_PT, abs=0.3 * MM)), (i, start / MM)
            continues = nxt[0]["x0"] == pytest.approx(left, abs=0.3 * MM)
            if continues:   # a non-final line of its paragraph
                # Every wrapped line ends within 0.3 mm of the edge (stretch goes into the gaps between
                # hanzi, never around punctuation or into digits: justify.py).
                assert cs[-1]["x1"] == pytest.approx(right, abs=0.3 * MM), (i, "".join(c["text"] for c in cs))
                near += abs(cs[-1]["x1"] - right) <= 0.5 * MM
                full_width = all(unicodedata.east_asian_width(c["text"]) in "WF" for c in cs)
                if full_width:
                    allowed = {g.CHARS_PER_LINE}
                    # 避头尾 and UAX #14 (no break next to “ ” ‘ ’) may pull one or two characters down.
                    if any(c["text"] in BREAK_SENSITIVE for c in nxt[:2] + cs[-1:]):
                        allowed |= {g.CHARS_PER_LINE - 1, g.CHARS_PER_LINE - 2}
                    assert len(cs) in allowed, (i, len(cs))
                checked += 1
    assert checked > 100
    assert near >= 0.97 * checked, (near, checked)


# 5. Font roles by level -----------------------------------------------------------------------------
def test_font_roles_by_heading_level(rendered, fonts):
    _, _, pdf = rendered["plain"]
    seen = defaultdict(int)
    for i, page in enumerate(pdf.pages, start=1):
        left = type_area(i)[0]
        for y, cs in lines_of(page):
            if is_footer(y) or has_table(page):
                continue
            text = "".join(c["text"] for c in cs)
            at_indent = cs[0]["x0"] == pytest.approx(left + g.INDENT_CHARS * g.CHAR_PITCH_PT, abs=0.3 * MM)
            if cs[0]["size"] > 20:
                assert all("xbs" in fonts.role_of_family(family(c["fontname"])) for c in cs)
                assert all(c["size"] == pytest.approx(22, abs=0.3) for c in cs)
                centre = (cs[0]["x0"] + cs[-1]["x1"]) / 2
                lft, rgt, _, _ = type_area(i)
                assert centre == pytest.approx((lft + rgt) / 2, abs=MM), text
                seen["title"] += 1
                continue
            for c in cs:
                assert c["size"] == pytest.approx(16, abs=0.25), text
            if at_indent and re.match(r"^[一二三四五六七八九十]+、", text):
                assert {"hei"} <= fonts.role_of_family(family(cs[0]["fontname"])), text
                seen["h1"] += 1
            elif at_indent and re.match(r"^（[一二三四五六七八九十]+）", text):
                end = text.index("）") + 1
                span = cs[:end + 4]   # the label and the start of the heading span
                assert all("kai" in fonts.role_of_family(family(c["fontname"])) for c in span), text
                seen["h2"] += 1
            else:
                for c in cs:
                    if c["text"].strip():
                        roles = fonts.role_of_family(family(c["fontname"]))
                        assert roles & {"fang", "kai"}, (text, c["fontname"])
                seen["body"] += 1
            assert not any("Bold" in c["fontname"] for c in cs), text
    assert seen["h1"] == 2 and seen["h2"] == 8 and seen["title"] >= 3 and seen["body"] > 150, dict(seen)


# 6. Page numbers ------------------------------------------------------------------------------------
def test_page_numbers_outer_side_14pt_song(each, fonts):
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont
    _, _, pdf = each
    for i, page in enumerate(pdf.pages, start=1):
        foot = [(y, cs) for y, cs in lines_of(page) if is_footer(y)]
        assert len(foot) == 1, i
        y, cs = foot[0]
        text = "".join(c["text"] for c in cs)
        m = PAGE_NUMBER.match(text)
        assert m and int(m.group(1)) == i, text
        for c in cs:
            assert c["size"] == pytest.approx(14, abs=0.3)
            assert "song" in fonts.role_of_family(family(c["fontname"]))
        left, right, _, _ = type_area(i)
        if i % 2:
            assert cs[-1]["x1"] == pytest.approx(right - 14, abs=MM)
        else:
            assert cs[0]["x0"] == pytest.approx(left + 14, abs=MM)
        # Ink top of the dash: baseline minus the glyph's yMax (fontTools), 7 mm below the 版心.
        face = fonts.face_for("song", "—")
        font = TTFont(str(face.path), fontNumber=0, lazy=True)
        pen = BoundsPen(font.getGlyphSet())
        font.getGlyphSet()[font.getBestCmap()[ord("—")]].draw(pen)
        ink_top = y - pen.bounds[3] * cs[0]["size"] / font["head"].unitsPerEm
        assert ink_top / MM == pytest.approx(g.TOP_MARGIN_MM + g.TYPE_AREA_HEIGHT_MM + g.PAGE_NUMBER_INK_TOP_BELOW_MM, abs=1)


# 7. Fonts embedded, subset, ours ------------------------------------------------------------------
def test_fonts_are_embedded_subsets_of_our_faces(each, fonts):
    _, _, pdf = each
    ours = {f.family for f in fonts.faces()}
    names = set()
    for page in pdf.pages:
        for c in page.chars:
            assert SUBSET.match(c["fontname"]), c["fontname"]
            names.add(family(c["fontname"]))
        from pdfminer.pdftypes import resolve1
        for font in resolve1(page.page_obj.resources.get("Font", {})).values():
            font = resolve1(font)
            desc = resolve1(font.get("FontDescriptor")) if "FontDescriptor" in font else None
            if desc is None:   # Type0: the descriptor sits on the descendant font
                desc = resolve1(resolve1(resolve1(font["DescendantFonts"])[0])["FontDescriptor"])
            assert any(k in desc for k in ("FontFile", "FontFile2", "FontFile3")), font
    assert names <= ours, names - ours
    assert len(names) >= 4


# 8. No missing glyphs --------------------------------------------------------------------------------
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_every_page_extracts_the_same_characters_as_pdftotext(each):
    path, report, pdf = each
    assert not [w for w in report.warnings if "notdef" in w or "missing" in w]
    for i, page in enumerate(pdf.pages, start=1):
        ours = "".join(c["text"] for c in page.chars if c["text"].strip())
        theirs = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-enc", "UTF-8", str(path), "-"],
                                capture_output=True, text=True, check=True).stdout
        theirs = "".join(ch for ch in theirs if ch.strip() and ch != "\f")
        assert ours and len(ours) == len(theirs), i
        assert "\u200b" not in ours and "\ufffd" not in ours and "(cid:" not in ours
        assert not any(0xE000 <= ord(ch) <= 0xF8FF for ch in ours)


# 9. Text round trip ---------------------------------------------------------------------------------
def _source_text_without_whitespace(path, last_line_prefix: str) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        out.append(line)
        if line.startswith(last_line_prefix):
            break
    return out


def test_running_text_is_the_source_text_in_order(rendered, reference_txt, reference):
    """Everything before the 附件 page, minus page numbers and whitespace, is the source text —
    including the 主送 line with its own mix of 、 (within a group) and ， (between groups)."""
    _, _, pdf = rendered["plain"]
    lines = _source_text_without_whitespace(reference_txt, "附件：")
    number_line = next(l for l in lines if reference.notice.doc_number.text in l)   # plain: no 版头
    expected = "".join("".join(l.split()) for l in lines if l is not number_line)
    got = []
    for page in pdf.pages:
        if has_table(page) or any(
                "".join(c["text"] for c in cs) == "附件" for _, cs in lines_of(page)):   # the 附件 pages
            break
        for y, cs in lines_of(page):
            if not is_footer(y):
                got.append("".join(c["text"] for c in cs))
    got_text = "".join("".join(l.split()) for l in got)
    assert "各镇政府、街道办事处，周村经济开发区管委会，区政府各部门，有关单位：" in got_text
    assert unicodedata.normalize("NFC", got_text) == unicodedata.normalize("NFC", expected)


# 10. Tables ------------------------------------------------------------------------------------------
def test_indicator_table_rows_head_repeat_and_rules(each, reference):
    _, _, pdf = each
    table_pages = [p for p in pdf.pages if has_table(p)]
    assert len(table_pages) >= 2, "the reference table runs over two pages"
    rows = []
    for n, page in enumerate(table_pages):
        tables = page.extract_tables()
        assert len(tables) == 1
        t = tables[0]
        flat = [(c or "").replace("\n", "") for c in t[0] + t[1]]
        assert "指标名称" in flat and "2022年完成" in flat and "2023年预期" in flat and "绝对值" in flat, n
        rows.extend(t[2:])
        rules = page.lines
        xs = [r["x0"] for r in rules] + [r["x1"] for r in rules]
        assert max(xs) - min(xs) <= g.mm(g.TYPE_AREA_WIDTH_MM) + 0.5
        for r in rules:
            assert r["linewidth"] == pytest.approx(g.TABLE_RULE_PT, abs=0.1)
            assert tuple(r["stroking_color"] or (0,)) in ((0,), (0, 0, 0), (0.0,), (0.0, 0.0, 0.0))
    by_name = {re.sub(r"^[一二三四五六七八九十]+、", "", (r[0] or "").replace("\n", "")): r for r in rows}
    for row in reference.plan.indicators:
        got = by_name.get(row.name.replace("\n", ""))
        assert got is not None, row.name
        assert (got[1] or "").replace("\n", "") == (row.unit or "")
        for k, cell in enumerate([row.base.value, row.base.growth, row.target.value, row.target.growth]):
            printed = (got[2 + k] or "").replace("\n", "")
            if printed or not cell.merged:   # a merged cell's text sits in its first column/row only
                assert printed == (cell.text or ""), (row.name, k, printed, cell.text)


# 11. Formal header ------------------------------------------------------------------------------------
def _is_red(color) -> bool:
    color = tuple(color or ())
    if len(color) == 3:
        return color[0] >= 0.9 and color[1] == 0 and color[2] == 0
    if len(color) == 4:
        c, m, y, k = color
        return m >= 0.8 and y >= 0.8 and c == 0 and k == 0
    return False


def test_formal_red_header(rendered, reference, fonts):
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont
    _, _, pdf = rendered["formal"]
    page = pdf.pages[0]
    red_chars = [c for c in page.chars if _is_red(c["non_stroking_color"])]
    mark = "".join(c["text"] for c in red_chars)
    assert mark == f"{reference.notice.issuer}文件"
    assert all("xbs" in fonts.role_of_family(family(c["fontname"])) for c in red_chars)
    left, right, top, _ = type_area(1)
    centre = (red_chars[0]["x0"] + red_chars[-1]["x1"]) / 2
    assert centre == pytest.approx((left + right) / 2, abs=MM)
    c0 = red_chars[0]
    face = fonts.face_for("xbs", c0["text"])
    font = TTFont(str(face.path), fontNumber=0, lazy=True)
    pen = BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[font.getBestCmap()[ord(c0["text"])]].draw(pen)
    ink_top = page.height - c0["matrix"][5] - pen.bounds[3] * c0["size"] / font["head"].unitsPerEm
    assert ink_top / MM == pytest.approx(g.TOP_MARGIN_MM + g.ISSUER_MARK_TOP_MM, abs=1)

    red_rects = [r for r in page.rects if _is_red(r["non_stroking_color"])]
    assert len(red_rects) == 1
    rule = red_rects[0]
    assert rule["width"] / MM == pytest.approx(g.TYPE_AREA_WIDTH_MM, abs=0.5)
    assert rule["x0"] == pytest.approx(left, abs=0.5 * MM)
    number = [c for c in page.chars if c["top"] < rule["top"] and not _is_red(c["non_stroking_color"])]
    number_text = "".join(c["text"] for c in number)
    assert re.fullmatch(r"\S+〔\d{4}〕[1-9]\d*号", number_text), number_text
    gap = rule["top"] - max(c["bottom"] for c in number)
    assert gap / MM == pytest.approx(g.RED_RULE_GAP_MM, abs=1)
    title = [c for c in page.chars if c["size"] > 20 and not _is_red(c["non_stroking_color"])]
    title_gap = min(c["top"] for c in title) - rule["bottom"]
    assert 2 * g.LINE_PITCH_PT <= title_gap <= 3 * g.LINE_PITCH_PT
    others = [c for p in pdf.pages for c in p.chars if c not in red_chars]
    assert not any(_is_red(c["non_stroking_color"]) for c in others)


def test_dates_and_signature_placement(each, reference, fonts):
    _, _, pdf = each
    page_texts = [(i, y, cs) for i, p in enumerate(pdf.pages, start=1) for y, cs in lines_of(p)]
    date_lines = [(i, y, cs) for i, y, cs in page_texts if "".join(c["text"] for c in cs) == "2023年4月25日"]
    assert len(date_lines) == 1
    i, y, cs = date_lines[0]
    assert re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日", "".join(c["text"] for c in cs))
    sig = next(cs2 for i2, y2, cs2 in page_texts if "".join(c["text"] for c in cs2) == reference.notice.issuer)
    left, right, _, _ = type_area(i)
    if any(_is_red(c["non_stroking_color"]) for c in pdf.pages[0].chars):
        # formal, sealed layout: date ends 4 字 from the right, signature centred over it
        assert right - cs[-1]["x1"] == pytest.approx(4 * g.CHAR_PITCH_PT, abs=0.6 * MM)
        sig_centre = (sig[0]["x0"] + sig[-1]["x1"]) / 2
        assert sig_centre == pytest.approx((cs[0]["x0"] + cs[-1]["x1"]) / 2, abs=0.6 * MM)
    else:
        # plain: signature 2 字 from the right, date starting 2 字 right of it (or flush 2 字 if wider)
        sig_right_gap = right - sig[-1]["x1"]
        date_right_gap = right - cs[-1]["x1"]
        assert min(sig_right_gap, date_right_gap) == pytest.approx(2 * g.CHAR_PITCH_PT, abs=0.6 * MM)
        assert cs[0]["x0"] - sig[0]["x0"] == pytest.approx(2 * g.CHAR_PITCH_PT, abs=0.6 * MM)


def test_table_spans_tile_the_grid_exactly_once(reference):
    """Merged cells become rectangles that never overlap and leave no hole (as the model merges)."""
    from pipeline.render.plan_pdf import indicator_table
    table = indicator_table(reference.plan.indicators)
    n_rows, n_cols = len(table["body"]), table["n_cols"]
    covered = [[0] * n_cols for _ in range(n_rows)]
    for r, row in enumerate(table["body"]):
        c = 0
        for cell in row.cells:
            while c < n_cols and covered[r][c]:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    covered[r + dr][c + dc] += 1
            c += cell.colspan
    assert all(v == 1 for line in covered for v in line)
    assert any(cell.rowspan > 1 for row in table["body"] for cell in row.cells)
    assert any(cell.colspan > 1 for row in table["body"] for cell in row.cells)


def test_weasyprint_has_nothing_to_say_about_our_stylesheet(each):
    """Unknown properties, bad values and failed fonts show up as WeasyPrint warnings."""
    _, report, _ = each
    assert report.warnings == []


def test_titles_break_between_words_into_even_lines(fonts):
    from pipeline.render.env import break_title
    width = g.mm(g.TYPE_AREA_WIDTH_MM)
    def w(s):
        return fonts.text_width("xbs", s, g.TITLE_SIZE_PT)
    for title in ["关于印发周村区2023年国民经济和社会发展计划的通知",
                  "关于下达淄川区2024年国民经济和社会发展计划及重大项目投资计划的通知",
                  "关于转发区发展改革局关于进一步做好2023年度重点项目建设调度工作意见的通知",
                  # real national titles (GovDoc-CN 397 and the documents it cites)
                  "关于印发社会信用体系建设规划纲要（2014-2020年）的通知",
                  "关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见",
                  "关于加快推进社会信用体系建设构建以信用为基础的新型监管机制的指导意见"]:
        lines = break_title(title, w, width)
        assert set(word_ends(title)) >= set(line_ends(lines)), (lines, jieba_words(title))
        assert "".join(lines) == title and len(lines) >= 2
        assert all(w(line) <= width for line in lines)
        assert not any(line[0] in "年，。、的" for line in lines[1:]), lines
        assert not any(re_digit_split(a, b) for a, b in zip(lines, lines[1:])), lines
        widths = [w(line) for line in lines]
        assert max(widths) - min(widths) < 0.5 * width, lines


def re_digit_split(a: str, b: str) -> bool:
    return a[-1].isdigit() and b[0].isdigit()


def jieba_words(text: str) -> list[str]:
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut(text, HMM=False) if w]


def word_ends(text: str) -> list[int]:
    """Offsets where jieba (the reference segmenter, loaded here on purpose) ends a word."""
    ends, at = [], 0
    for word in jieba_words(text):
        at += len(word)
        ends.append(at)
    return ends


def line_ends(lines: list[str]) -> list[int]:
    ends, at = [], 0
    for line in lines[:-1]:
        at += len(line)
        ends.append(at)
    return ends


def real_sentences() -> list[str]:
    """Titles and sentences of the real corpus and our samples (clauses up to 120 characters)."""
    from conftest import CORPUS as corpus, CORPUS_SKIP
    if not corpus.is_dir():
        pytest.skip(CORPUS_SKIP)
    files = sorted(corpus.rglob("*.txt")) + sorted(corpus.rglob("*.csv"))
    files += sorted((Path(__file__).resolve().parents[1] / "samples").glob("*.txt"))
    out: list[str] = []
    for path in files:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        for line in text.splitlines():
            out.extend(c.strip() for c in re.split(r"[。；]", line) if 4 < len(c.strip()) < 120)
    return out


def test_title_segmentation_is_jiebas_without_loading_it(monkeypatch):
    """`words.cut` (on-disk index) gives jieba's words on real text, and so does its fallback."""
    from pipeline.render import words
    sentences = real_sentences()
    assert len(sentences) > 500
    sample = sentences[::3]
    ours = [words.cut(s) for s in sample]
    assert words._index.get("db") is not None, "the on-disk index was not built"
    mismatched = [(s, a) for s, a in zip(sample, ours) if a != jieba_words(s)]
    assert mismatched == []
    monkeypatch.setitem(words._index, "db", None)     # no index (read-only cache): jieba itself
    assert [words.cut(s) for s in sample[:50]] == ours[:50]
