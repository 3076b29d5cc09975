"""OFD (GB/T 33190): real files from several vendors, the reference notice written as OFD by our own
script (scripts/make_ofd.py, from the sample PDF's layout), and hostile packages refused with reasons."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from pipeline.blocks import TableBlock
from pipeline.errors import InputError
from pipeline.parse import parse_file
from pipeline.readers import read_document
from conftest import CORPUS, CORPUS_SKIP, GOLD, SAMPLES

REAL = CORPUS / "real" / "ofd"


def _real(name: str) -> Path:
    p = REAL / name
    if not p.exists():
        pytest.skip(f"{CORPUS_SKIP}: real/ofd/{name}")
    return p


def _strip(o):
    if isinstance(o, dict):
        return {k: _strip(v) for k, v in o.items() if k not in ("source", "where", "inferred")}
    if isinstance(o, list):
        return [_strip(v) for v in o]
    return o


def test_red_header_notice_cover_fields():
    """The real 红头 公文 (路卫发〔2011〕76号): cover fields as read by eye from the file."""
    gold = json.loads((GOLD / "ofd_n_cover.json").read_text(encoding="utf-8"))
    result = json.loads(parse_file(_real("n.ofd"), keywords=False).model_dump_json())
    assert result["source"]["format"] == "ofd"
    n = result["notice"]
    assert n["title"] == gold["title"]
    assert {k: n["doc_number"][k] for k in gold["doc_number"]} == gold["doc_number"]
    assert n["addressees"] == gold["addressees"]
    assert n["issuer"] == gold["issuer"]
    assert n["date"] == gold["date"]
    assert n["body"].startswith(gold["body_starts"]) and n["body"].endswith(gold["body_ends"])
    assert "— 2 —" not in json.dumps(result, ensure_ascii=False), "page number furniture is dropped"


def test_reference_notice_as_ofd_parses_like_the_txt(reference_ofd):
    a = _strip(json.loads(parse_file(SAMPLES / "zhoucun-2023-plan.txt", keywords=False).model_dump_json()))
    got = json.loads(parse_file(reference_ofd, keywords=False).model_dump_json())
    b = _strip(got)
    assert got["source"]["format"] == "ofd"
    assert b["plan"]["sections"] and b["plan"]["indicators"]
    assert a["notice"] == b["notice"]
    assert a["plan"] == b["plan"]
    assert [w["code"] for w in a["warnings"]] == [w["code"] for w in b["warnings"]]
    rows = got["plan"]["indicators"]
    assert all(r["where"]["page"] for r in rows), "provenance keeps page numbers"


def test_table_from_path_objects():
    """z.ofd (4 pages of the OFD specification): its attribute table is drawn with PathObjects."""
    doc = read_document(_real("z.ofd"))
    tables = [b for b in doc.blocks if isinstance(b, TableBlock)]
    assert tables
    first = tables[0]
    header = [c.text for c in sorted(first.cells, key=lambda c: (c.row, c.col)) if c.row == 0]
    assert header == ["名称", "类型", "说明", "可选/必选"]
    assert any(c.text == "CodePosition" for c in first.cells)


@pytest.mark.parametrize("name,needle", [
    ("拿来主义_page6.ofd", "拿来主义"),
    ("doc1File.ofd", "十年生死两茫茫"),
    ("文字横向-数科.ofd", "一二三四"),
    ("1.ofd", "浙江增值税电子普通发票"),
    ("y.ofd", "数字档案室"),
])
def test_real_vendor_files_read(name, needle):
    doc = read_document(_real(name))
    text = "\n".join(b.text for b in doc.blocks if not isinstance(b, TableBlock))
    text += "\n".join(c.text for b in doc.blocks if isinstance(b, TableBlock) for c in b.cells)
    assert needle in text


def test_long_text_joins_lines_across_pages():
    doc = read_document(_real("拿来主义_page6.ofd"))
    paras = [b.text for b in doc.blocks if not isinstance(b, TableBlock)]
    assert paras[0] == "拿来主义"
    assert any(p.startswith("中国一向是所谓“闭关主义”") and p.endswith("。") for p in paras)


@pytest.mark.parametrize("name,needle", [("h.ofd", "没有文字"), ("ano.ofd", "无法解码")])
def test_real_files_without_usable_text_get_a_reason(name, needle):
    with pytest.raises(InputError, match=needle):
        read_document(_real(name))


def test_diagonal_watermark_annotations_are_not_text():
    """ano.ofd's pages carry 保密资料 watermarks as rotated annotation text; whatever else happens, they
    never become body text (checked on the annotation-bearing page via the walker)."""
    from pipeline.readers.ofd import _page_items, _PageDrawing, _Glyph
    d = _PageDrawing()
    d.glyphs = [_Glyph("正", 10, 15, 10, 15, 5, None, 0), _Glyph("文", 15, 20, 10, 15, 5, None, 0),
                _Glyph("保", 50, 55, 50, 55, 5, None, 45)]
    items = _page_items(d, 1, (0, 0, 210, 297))
    assert [obj.text for _, kind, obj in items.items if kind == "line"] == ["正文"]


# ---------------------------------------------------------------------------------- hostile packages

def _rebuild(src: Path, replace: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    zout.writestr(info.filename, replace[info.filename])
                continue
            zout.writestr(info.filename, zin.read(info.filename))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return buf.getvalue()


def _content(src: Path, name: str) -> str:
    with zipfile.ZipFile(src) as z:
        return z.read(name).decode("utf-8")


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
                  + ']><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content>&lol9;</ofd:Content></ofd:Page>')
XXE = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>&x;</ofd:DocRoot></ofd:DocBody></ofd:OFD>')


def _hostile_cases(ref: Path) -> dict[str, tuple[bytes, str]]:
    ofd_xml = _content(ref, "OFD.xml")
    doc_xml = _content(ref, "Doc_0/Document.xml")
    zeros = b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>"
    return {
        "billion-laughs": (_rebuild(ref, {"Doc_0/Pages/Page_0/Content.xml": BILLION_LAUGHS.encode()}), "DOCTYPE/ENTITY"),
        "external-entity": (_rebuild(ref, {"OFD.xml": XXE.encode()}), "DOCTYPE/ENTITY"),
        "zip-bomb": (_rebuild(ref, {}, {"Doc_0/Res/bomb.xml": zeros}), "压缩炸弹"),
        "missing-document": (_rebuild(ref, {"Doc_0/Document.xml": None}), "缺少"),
        "missing-page": (_rebuild(ref, {"Doc_0/Pages/Page_1/Content.xml": None}), "缺少"),
        "docroot-outside": (_rebuild(ref, {"OFD.xml": ofd_xml.replace("Doc_0/Document.xml", "../../etc/passwd").encode()}),
                            "包外"),
        "page-outside": (_rebuild(ref, {"Doc_0/Document.xml": doc_xml.replace("Pages/Page_0/Content.xml",
                                                                              "/../../Page_0.xml").encode()}), "包外"),
        "url-reference": (_rebuild(ref, {"OFD.xml": ofd_xml.replace("Doc_0/Document.xml", "http://127.0.0.1/x.xml").encode()}),
                          "包外"),
        "broken-xml": (_rebuild(ref, {"Doc_0/Pages/Page_0/Content.xml": b"<ofd:Page"}), "不是有效的 XML"),
        "not-a-zip": (b"OFD but not a zip" * 10, "不是 OFD"),
    }


@pytest.mark.parametrize("case", ["billion-laughs", "external-entity", "zip-bomb", "missing-document", "missing-page",
                                  "docroot-outside", "page-outside", "url-reference", "broken-xml", "not-a-zip"])
def test_hostile_ofd_refused_with_reason(reference_ofd, tmp_path, case):
    data, needle = _hostile_cases(reference_ofd)[case]
    p = tmp_path / f"{case}.ofd"
    p.write_bytes(data)
    with pytest.raises(InputError) as e:
        read_document(p)
    assert needle in e.value.reason, e.value.reason
    assert p.name in e.value.message


def test_composite_cycle_refused(reference_ofd, tmp_path):
    """A composite unit that draws itself must end with a reason, not recursion."""
    res = ('<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="http://www.ofdspec.org/2016">'
           '<ofd:CompositeGraphicUnits><ofd:CompositeGraphicUnit ID="900" Width="10" Height="10"><ofd:Content>'
           '<ofd:CompositeObject ID="901" ResourceID="900" Boundary="0 0 10 10"/>'
           '</ofd:Content></ofd:CompositeGraphicUnit></ofd:CompositeGraphicUnits></ofd:Res>')
    page = _content(reference_ofd, "Doc_0/Pages/Page_0/Content.xml").replace(
        "</ofd:Layer>", '<ofd:CompositeObject ID="902" ResourceID="900" Boundary="0 0 10 10"/></ofd:Layer>')
    p = tmp_path / "cycle.ofd"
    p.write_bytes(_rebuild(reference_ofd, {"Doc_0/PublicRes.xml": res.encode(),
                                           "Doc_0/Pages/Page_0/Content.xml": page.encode()}))
    with pytest.raises(InputError, match="嵌套过深"):
        read_document(p)


def test_renamed_ofd_is_recognised_by_content(reference_ofd, tmp_path):
    p = tmp_path / "公文"
    p.write_bytes(reference_ofd.read_bytes())
    assert read_document(p).format == "ofd"
