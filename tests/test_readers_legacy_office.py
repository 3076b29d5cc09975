""".doc/.wps/.rtf notices and .xls/.et 台账 through LibreOffice: same blocks as the .docx, clear reasons.

Inputs are written by LibreOffice itself from the samples (the `legacy_samples` fixture), so the
conversion back is a real round trip through the binary formats, not a copy.
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from pipeline.blocks import TableBlock
from pipeline.errors import InputError
from pipeline.parse import parse_file
from pipeline.readers import read_document
from pipeline.readers import office
from conftest import SAMPLES

DOCX = SAMPLES / "zhoucun-2023-plan.docx"


def _strip(o):
    if isinstance(o, dict):
        return {k: _strip(v) for k, v in o.items() if k not in ("source", "where", "inferred")}
    if isinstance(o, list):
        return [_strip(v) for v in o]
    return o


def _parse(path) -> dict:
    return json.loads(parse_file(path, keywords=False).model_dump_json())


@pytest.fixture(scope="module")
def docx_parse() -> dict:
    return _parse(DOCX)


def test_doc_parses_like_the_docx(legacy_samples, docx_parse):
    got = _parse(legacy_samples["doc"])
    assert got["source"]["format"] == "doc" and got["source"]["ocr"] is False
    assert got["plan"]["sections"] and got["plan"]["indicators"]
    a, b = _strip(docx_parse), _strip(got)
    assert a["notice"] == b["notice"]
    assert a["plan"] == b["plan"]
    assert [w["code"] for w in a["warnings"]] == [w["code"] for w in b["warnings"]]


def test_wps_named_word97_file_is_read_as_wps(legacy_samples, tmp_path, docx_parse):
    """Kingsoft WPS saves .wps as a Word 97 compound file; the reader goes by content, not by name."""
    wps = tmp_path / "通知.wps"
    shutil.copyfile(legacy_samples["doc"], wps)
    got = _parse(wps)
    assert got["source"]["format"] == "wps"
    assert _strip(got)["plan"] == _strip(docx_parse)["plan"]


def test_rtf_blocks_match_the_docx(legacy_samples):
    """LibreOffice's RTF export writes the list separator 、 of the auto-numbering as '?' (its
    \\leveltext is not Unicode-escaped); the numbering reader restores 、 after a Chinese counter, so
    the labels (一、 二、) and every other paragraph and the whole table come back unchanged."""
    rtf, docx = read_document(legacy_samples["rtf"]), read_document(DOCX)
    assert rtf.format == "rtf"

    def texts(doc):
        return [b.text for b in doc.blocks if not isinstance(b, TableBlock) and b.text]

    ta, tb = texts(docx), texts(rtf)
    assert any(t.startswith("一、") for t in tb), "the auto-numbered labels keep their 、"
    assert ta == tb, [(a, b) for a, b in zip(ta, tb) if a != b][:3]

    def table(doc):
        t = next(b for b in doc.blocks if isinstance(b, TableBlock))
        return [(c.row, c.col, c.rowspan, c.colspan, c.text) for c in t.cells]
    assert table(rtf) == table(docx)
    assert _strip(_parse(legacy_samples["rtf"]))["notice"] == _strip(_parse(DOCX))["notice"]


def test_legacy_workbook_converts_for_the_tracker(tmp_path):
    """A returned 台账 saved as .xls (or .et) comes back as an .xlsx the ingest reads like the original."""
    from openpyxl import load_workbook
    from test_track_support import reference
    from pipeline.track.workbook import write_tracker
    xlsx = tmp_path / "台账.xlsx"
    write_tracker(reference(), xlsx)
    soffice = office.soffice_binary()
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    profile = tmp_path / "profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "xls", "--outdir", str(tmp_path), str(xlsx)], capture_output=True, timeout=180, check=True)
    xls = tmp_path / "台账.xls"
    et = tmp_path / "返回台账.et"
    shutil.copyfile(xls, et)
    before = xls.read_bytes()
    for legacy in (xls, et):
        assert office.is_legacy_workbook(legacy)
        out = office.legacy_workbook_to_xlsx(legacy, tmp_path / "converted")
        assert out.suffix == ".xlsx" and out.parent == tmp_path / "converted"
        orig, conv = load_workbook(xlsx), load_workbook(out)
        for name in ("重点任务", "主要指标"):
            a = [[c for c in row] for row in orig[name].iter_rows(values_only=True)]
            b = [[c for c in row] for row in conv[name].iter_rows(values_only=True)]
            assert a == b, name
    assert xls.read_bytes() == before, "the original is never modified"
    with pytest.raises(InputError, match="不是通知"):
        read_document(xls)


@pytest.mark.parametrize("tail", [b"garbage", b"\x00" * 512 + "WordDocument".encode("utf-16-le") + b"\xff" * 4000])
def test_damaged_legacy_file_gets_a_chinese_reason(tmp_path, tail):
    """Never garbage JSON: left to detection LibreOffice would import a broken .doc as plain text."""
    bad = tmp_path / "损坏.doc"
    bad.write_bytes(office.OLE_MAGIC + tail)
    with pytest.raises(InputError) as e:
        read_document(bad)
    assert "损坏.doc" in e.value.message and "可能已损坏" in e.value.reason


def test_conversion_time_limit(legacy_samples):
    data = legacy_samples["doc"].read_bytes()
    with pytest.raises(InputError, match="超时"):
        with office.converted(legacy_samples["doc"], data, "docx", timeout=0.05):
            pass


def test_warm_converter_gives_the_cold_result(legacy_samples):
    """The watcher's warm converter (UNO bridge) produces the same blocks as a cold soffice run."""
    cold = read_document(legacy_samples["doc"])
    warm = office.start_warm_converter()
    if warm is None:
        pytest.skip("no Python with python3-uno for the warm converter")
    try:
        out = legacy_samples["doc"].parent / "warm-check.docx"
        assert warm.convert(legacy_samples["doc"], out, "docx")
        again = read_document(legacy_samples["doc"])
    finally:
        office.stop_warm_converter()
    assert [getattr(b, "text", None) for b in again.blocks] == [getattr(b, "text", None) for b in cold.blocks]


def test_numbering_restores_the_separator_lost_after_a_chinese_counter():
    """The mechanism behind the .rtf labels, on any .docx: `%1?` after a Chinese counter is 一、;
    a decimal list's text is left as written (no guess what its separator was)."""
    from pipeline.readers.docx_numbering import Numbering
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = f"""<w:numbering xmlns:w="{w}">
      <w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>
        <w:lvlText w:val="%1?"/></w:lvl></w:abstractNum>
      <w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
        <w:lvlText w:val="%1?"/></w:lvl></w:abstractNum>
      <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
      <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>""".encode()
    n = Numbering(xml)
    assert [n.label("1", 0), n.label("1", 0)] == ["一、", "二、"]
    assert n.label("2", 0) == "1?"
