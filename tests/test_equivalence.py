"""One notice, three formats, one JSON: the reference notice as .txt, .docx and .pdf (samples/).

The .docx has auto-numbered headings and a real merged table; the .pdf is LibreOffice's print of that
.docx. The JSON must be identical except `source`, every `where` (provenance differs by nature:
lines vs paragraphs vs pages) and every Cell `inferred` (the .txt merges are inferred, the .docx/.pdf
merges are read).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.blocks import TableBlock
from pipeline.parse import parse_file
from pipeline.readers import read_document

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
STEM = "zhoucun-2023-plan"


def _strip(o):
    if isinstance(o, dict):
        return {k: _strip(v) for k, v in o.items() if k not in ("source", "where", "inferred")}
    if isinstance(o, list):
        return [_strip(v) for v in o]
    return o


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict]:
    out = {}
    for ext in ("txt", "docx", "pdf"):
        path = SAMPLES / f"{STEM}.{ext}"
        if not path.exists():
            pytest.skip(f"sample {path.name} missing (run `make samples`)")
        out[ext] = json.loads(parse_file(path, keywords=False).model_dump_json())
    return out


def _constructed_pairs() -> list[tuple[str, str]]:
    """Every sample notice that exists as .txt and in another format (e.g. a later constructed year)."""
    return [(txt.stem, ext) for txt in sorted(SAMPLES.glob("*.txt")) for ext in ("docx", "pdf")
            if txt.with_suffix("." + ext).exists()]


@pytest.mark.parametrize("stem,ext", _constructed_pairs() or [pytest.param(STEM, "docx", marks=pytest.mark.skip)])
def test_same_json_as_txt(stem, ext):
    a = _strip(json.loads(parse_file(SAMPLES / f"{stem}.txt", keywords=False).model_dump_json()))
    b = _strip(json.loads(parse_file(SAMPLES / f"{stem}.{ext}", keywords=False).model_dump_json()))
    assert b["plan"]["sections"] and b["plan"]["indicators"], "a vacuous parse would compare equal"
    for key in ("schema_version", "notice", "plan"):
        assert a[key] == b[key], f"{ext}: '{key}' differs from the .txt parse"
    # Warning messages name the place (第124行 / 第11页第13行), which is provenance: compare the codes.
    assert [w["code"] for w in a["warnings"]] == [w["code"] for w in b["warnings"]]


def test_formats_and_provenance_differ_only_where_expected(parsed):
    assert {e: parsed[e]["source"]["format"] for e in parsed} == {"txt": "txt", "docx": "docx", "pdf": "pdf"}
    # The PDF's provenance carries page numbers; the indicator table sits on a later page than the cover.
    rows = parsed["pdf"]["plan"]["indicators"]
    assert rows and all(r["where"]["page"] for r in rows)
    assert min(r["where"]["page"] for r in rows) > parsed["pdf"]["plan"]["sections"][0]["where"]["page"]


def test_merges_read_not_inferred_in_docx_and_pdf(parsed):
    """The parse is not vacuous: merged cells exist, and only the .txt had to infer them."""
    def merged_cells(result):
        return [(r["name"], side, part, c["inferred"]) for r in result["plan"]["indicators"]
                for side in ("base", "target") for part in ("value", "growth")
                for c in [r[side][part]] if c["merged"]]
    txt = merged_cells(parsed["txt"])
    assert txt, "the reference table has merged cells"
    for ext in ("docx", "pdf"):
        cells = merged_cells(parsed[ext])
        assert [c[:3] for c in cells] == [c[:3] for c in txt]
        assert not any(c[3] for c in cells), f"{ext}: merges come from the file, not inference"


def test_blocks_match_txt_reader_modulo_blank_lines():
    """Reader level: paragraph texts and the visible table text agree with the .txt reader's."""
    paths = {e: SAMPLES / f"{STEM}.{e}" for e in ("txt", "docx", "pdf")}
    if not all(p.exists() for p in paths.values()):
        pytest.skip("samples missing")
    docs = {e: read_document(p) for e, p in paths.items()}

    def texts(doc):
        return [b.text for b in doc.blocks if not isinstance(b, TableBlock) and b.text]

    def table_texts(doc):
        t = next(b for b in doc.blocks if isinstance(b, TableBlock))
        return [c.text for c in sorted(t.cells, key=lambda c: (c.row, c.col)) if c.text]

    assert texts(docs["docx"]) == texts(docs["txt"])
    assert texts(docs["pdf"]) == texts(docs["txt"])
    assert table_texts(docs["docx"]) == table_texts(docs["txt"]) == table_texts(docs["pdf"])


@pytest.mark.parametrize("kind", ["doc", "ofd"])
def test_same_json_from_doc_and_ofd(kind, request):
    """The reference notice as .doc (LibreOffice's own Word 97 file) and as OFD (scripts/make_ofd.py,
    the PDF's layout): same notice, plan and warning codes as the .txt. (The .rtf, whose LibreOffice
    export turns the 、 of list labels into ? (restored by the numbering reader), and the scan, which
    gives facts not identity, are compared in test_readers_legacy_office.py and test_readers_ocr.py.)"""
    path = (request.getfixturevalue("legacy_samples")["doc"] if kind == "doc"
            else request.getfixturevalue("reference_ofd"))
    a = _strip(json.loads(parse_file(SAMPLES / f"{STEM}.txt", keywords=False).model_dump_json()))
    got = json.loads(parse_file(path, keywords=False).model_dump_json())
    b = _strip(got)
    assert got["source"]["format"] == kind
    assert b["plan"]["sections"] and b["plan"]["indicators"]
    for key in ("schema_version", "notice", "plan"):
        assert a[key] == b[key], f"{kind}: '{key}' differs from the .txt parse"
    assert [w["code"] for w in a["warnings"]] == [w["code"] for w in b["warnings"]]
