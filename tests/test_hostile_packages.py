"""Hostile Office packages, generated here: table spans and levels far out of range or not numbers
(.docx), and workbook parts that inflate past their cap or carry a DOCTYPE (.xlsx). Every case runs the
real CLI in a child bounded in memory and CPU, and must end with exit 1, a Chinese reason naming the
file and place, the original unchanged and nothing left behind."""
from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

import pytest

from hostile_support import assert_refused, run_bounded, snapshot
from test_watch_support import CONTENT_TYPES, DOCX_MAIN, RELS

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TITLE = "周村区2023年国民经济和社会发展计划"


def _p(text: str, ppr: str = "") -> str:
    return f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r></w:p>"


def _table(cell_pr: str = "", row_pr: str = "") -> str:
    tc = lambda t, pr="": f"<w:tc><w:tcPr>{pr}</w:tcPr>{_p(t)}</w:tc>"
    return ("<w:tbl><w:tblGrid>" + '<w:gridCol w:w="2000"/>' * 3 + "</w:tblGrid>"
            + f"<w:tr>{tc('指标')}{tc('单位')}{tc('目标')}</w:tr>"
            + f"<w:tr><w:trPr>{row_pr}</w:trPr>{tc('地区生产总值', cell_pr)}{tc('亿元')}{tc('增长6%')}</w:tr></w:tbl>")


def _docx(body: str) -> bytes:
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}"><w:body>'
           + _p(TITLE) + body + "</w:body></w:document>").encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES % DOCX_MAIN)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", xml)
    return buf.getvalue()


REFUSED_DOCX = {
    "gridSpan-2e7": (_table('<w:gridSpan w:val="20000000"/>'), ("第 1 张表", "第 2 行")),
    "gridSpan-2e8": (_table('<w:gridSpan w:val="200000000"/>'), ("第 1 张表", "第 2 行")),
    "gridSpan-257": (_table('<w:gridSpan w:val="257"/>'), ("第 1 张表", "第 2 行", "上限")),
    "gridSpan-1e30": (_table('<w:gridSpan w:val="1000000000000000000000000000000"/>'), ("gridSpan",)),
    "gridSpan-两列": (_table('<w:gridSpan w:val="两列"/>'), ("gridSpan", "两列")),
    "gridSpan-empty": (_table('<w:gridSpan w:val=""/>'), ("gridSpan",)),
    "gridBefore-2e7": (_table(row_pr='<w:gridBefore w:val="20000000"/>'), ("gridBefore", "第 1 张表")),
    "gridBefore-x": (_table(row_pr='<w:gridBefore w:val="x"/>'), ("gridBefore",)),
    "ilvl-99": (_p("一、总体要求", '<w:numPr><w:ilvl w:val="99"/><w:numId w:val="1"/></w:numPr>'), ("ilvl", "段")),
    "ilvl-minus": (_p("一、总体要求", '<w:numPr><w:ilvl w:val="-1"/><w:numId w:val="1"/></w:numPr>'), ("ilvl",)),
    "outlineLvl-x": (_p("一、总体要求", '<w:outlineLvl w:val="x"/>'), ("outlineLvl", "段")),
    "outlineLvl-99": (_p("一、总体要求", '<w:outlineLvl w:val="99"/>'), ("outlineLvl",)),
    "firstLineChars-x": (_p("一、总体要求", '<w:ind w:firstLineChars="两字"/>'), ("firstLineChars",)),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", sorted(REFUSED_DOCX))
def test_malformed_docx_attributes_are_refused_in_chinese_with_the_place(tmp_path, case):
    body, place = REFUSED_DOCX[case]
    path = tmp_path / f"{case}.docx"
    path.write_bytes(_docx(body))
    before = snapshot(tmp_path)
    proc = run_bounded("parse", str(path), "-o", str(tmp_path / "out.json"), mem_mb=1536, timeout=60)
    assert_refused(proc, path, *place)
    assert snapshot(tmp_path) == before            # original unchanged, no output, no temp file


@pytest.mark.timeout(120)
@pytest.mark.parametrize("span", [2, 3, 63])
def test_spans_within_the_cap_still_read(tmp_path, span):
    """The neighbours that are fine: a span wider than the declared grid but within the cap is read."""
    path = tmp_path / "ok.docx"
    path.write_bytes(_docx(_table(f'<w:gridSpan w:val="{span}"/>')))
    proc = run_bounded("parse", str(path), mem_mb=1536, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "地区生产总值" in proc.stdout


# -- workbooks --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    from pipeline.track.workbook import write_tracker
    from test_track_support import reference, reference_path
    path = tmp_path_factory.mktemp("tracker") / "台账.xlsx"
    write_tracker(reference(), path)
    return reference_path(), path


def _rewrite(src, dst, replace: dict[str, bytes] = {}, stream: tuple[str, int] | None = None) -> None:
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            if stream and info.filename == stream[0]:
                continue
            b.writestr(info.filename, replace.get(info.filename, a.read(info.filename)))
        for name in set(replace) - set(a.namelist()):     # e.g. sharedStrings.xml, which Excel adds on save
            b.writestr(name, replace[name])
        if stream:                                   # one huge shared string, written in chunks
            with b.open(stream[0], "w", force_zip64=True) as f:
                f.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                        b' count="1" uniqueCount="1"><si><t>')
                chunk = "增长".encode() * (1 << 18)
                for _ in range(stream[1] * 1024 * 1024 // len(chunk)):
                    f.write(chunk)
                f.write(b"</t></si></sst>")


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
          b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
       b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')


@pytest.mark.timeout(180)
@pytest.mark.parametrize("case", ["bomb-shared-strings-250MB", "bomb-shared-strings-120MB", "doctype-shared-strings",
                                  "doctype-sheet", "truncated"])
def test_hostile_workbooks_are_refused_before_parsing(tracker, tmp_path, case):
    plan, good = tracker
    bad = tmp_path / f"{case}.xlsx"
    with zipfile.ZipFile(good) as z:
        names = z.namelist()
    sheet = next(n for n in names if n.startswith("xl/worksheets/"))
    place: tuple[str, ...] = ()
    if case.startswith("bomb"):
        _rewrite(good, bad, stream=("xl/sharedStrings.xml", int(case.split("-")[-1][:-2])))
        place = ("压缩炸弹",)
    elif case == "doctype-shared-strings":
        _rewrite(good, bad, {"xl/sharedStrings.xml": LAUGHS})
        place = ("xl/sharedStrings.xml", "DOCTYPE")
    elif case == "doctype-sheet":
        _rewrite(good, bad, {sheet: XXE})
        place = (sheet, "DOCTYPE")
    else:
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
        place = ("损坏",)
    assert bad.stat().st_size < 4 * 1024 * 1024
    out = tmp_path / "通报.json"
    before = snapshot(tmp_path)
    proc = run_bounded("bulletin", str(plan), "--progress", str(bad), "--as-of", "2023-03-31", "-o", str(out),
                       mem_mb=1536, timeout=150)
    assert_refused(proc, bad, *place)
    after = snapshot(tmp_path)
    # the bulletin opens its history archive (.plandoc/) before reading the returns; it must stay empty
    assert {k: v for k, v in after.items() if not k.startswith(".plandoc")} == before
    if (tmp_path / ".plandoc" / "archive.sqlite3").exists():
        import sqlite3
        db = sqlite3.connect(tmp_path / ".plandoc" / "archive.sqlite3")
        assert db.execute("SELECT COUNT(*) FROM progress").fetchone()[0] == 0
        db.close()
