"""OCR of scans (Tesseract chi_sim): a 300-dpi scan built from the sample PDF, a photo-like PNG, the
punctuation repairs, rule detection, and the clerk-facing warnings."""
from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter

import pytest

from pipeline.errors import InputError
from pipeline.parse import parse_file
from pipeline.readers import read_document
from pipeline.readers.ocr import fix_punctuation, rules_from_image
from conftest import SAMPLES

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                                     reason="tesseract-ocr / poppler-utils not installed (make test installs them)")


def facts(r: dict) -> Counter:
    """What a clerk relies on: cover fields, every numbered node, every target, every indicator cell."""
    f = []
    n = r.get("notice") or {}
    for k in ("title", "issuer", "date", "publicity"):
        f.append(("notice", k, n.get(k)))
    f.append(("notice", "doc_number", (n.get("doc_number") or {}).get("canonical")))
    f += [("addressee", a) for a in n.get("addressees", [])]

    def walk(nodes):
        for x in nodes:
            f.append(("node", x["id"], x["label"], x["title"]))
            walk(x["children"])
    walk(r["plan"]["sections"])
    for t in r["plan"]["targets"]:
        f.append(("target", t["metric"], t["value"], t["unit"], t["comparator"], t.get("low"), t.get("high")))
    for row in r["plan"]["indicators"]:
        f.append(("row", row["category"], row["name"], row["unit"]))
        for side in ("base", "target"):
            for part in ("value", "growth"):
                f.append(("cell", row["name"], side, part, row[side][part]["text"]))
    return Counter(f)


@pytest.fixture(scope="session")
def scan_300dpi(tmp_path_factory):
    """The sample PDF printed to paper and scanned: every page rendered at 300 dpi (pdftoppm), the
    images put back into an image-only PDF (Pillow) — no text layer left."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed")
    from PIL import Image
    d = tmp_path_factory.mktemp("scan")
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(SAMPLES / "zhoucun-2023-plan.pdf"), str(d / "s")],
                   check=True, timeout=300)
    pages = [Image.open(p).convert("L") for p in sorted(d.glob("s-*.png"))]
    out = d / "扫描件.pdf"
    pages[0].save(out, save_all=True, append_images=pages[1:], resolution=300)
    return out


@pytest.fixture(scope="session")
def scan_parse(scan_300dpi) -> dict:
    return json.loads(parse_file(scan_300dpi, keywords=False).model_dump_json())


# Measured on this scan: 79 % of the reference facts (Dec 2026). The goal is 98 %; what is
# missing is mostly single misread characters in long paragraphs (a target's metric) and in small
# table text (a lost decimal point). The floor keeps what works from regressing.
FACTS_FLOOR = 0.75


@needs_tesseract
def test_scan_gives_the_reference_facts(scan_parse):
    ref = facts(json.loads(parse_file(SAMPLES / "zhoucun-2023-plan.txt", keywords=False).model_dump_json()))
    got = facts(scan_parse)
    share = sum((ref & got).values()) / sum(ref.values())
    assert share >= FACTS_FLOOR, f"{share:.1%} of the reference facts"
    n = scan_parse["notice"]
    assert n["doc_number"]["canonical"] == "周政发〔2023〕34号", "【2023] → 〔2023〕 repaired"
    assert n["title"] == "关于印发周村区2023年国民经济和社会发展计划的通知"
    assert n["date"] == "2023-04-25" and n["issuer"] == "周村区人民政府"
    assert len(scan_parse["plan"]["indicators"]) >= 20, "the indicator table is read from the drawn rules"


@needs_tesseract
def test_scan_is_flagged_as_ocr_with_warnings(scan_parse):
    assert scan_parse["source"]["ocr"] is True and scan_parse["source"]["format"] == "pdf"
    codes = [w["code"] for w in scan_parse["warnings"]]
    assert "ocr_text" in codes
    msg = next(w["message"] for w in scan_parse["warnings"] if w["code"] == "ocr_text")
    assert "文字识别" in msg and "核对" in msg
    assert not any("— " in w["message"] and "页" not in w["message"] for w in scan_parse["warnings"])


@needs_tesseract
def test_photo_png_is_read(tmp_path):
    """A .png of the cover page (as a phone scan app saves it): format image, OCR flag, cover fields."""
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(SAMPLES / "zhoucun-2023-plan.pdf"), str(tmp_path / "封面")], check=True, timeout=120)
    doc = read_document(tmp_path / "封面.png")
    assert doc.format == "image" and doc.ocr
    text = "\n".join(getattr(b, "text", "") for b in doc.blocks)
    assert "周政发〔2023〕34号" in text and "周村区人民政府" in text


@needs_tesseract
def test_blank_scan_refused_with_reason(tmp_path):
    from PIL import Image
    p = tmp_path / "空白.png"
    Image.new("L", (1654, 2339), 255).save(p)
    with pytest.raises(InputError, match="没有得到任何文字"):
        read_document(p)


def test_broken_image_refused(tmp_path):
    p = tmp_path / "坏图.jpg"
    p.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 50)
    with pytest.raises(InputError, match="无法打开图片"):
        read_document(p)


@pytest.mark.parametrize("ocr,expected", [
    ("周政发【2023]34号", "周政发〔2023〕34号"),
    ("鲁政办字[2024］7号", "鲁政办字〔2024〕7号"),
    ("各镇政府丶街道办事处,周村经济开发区管委会", "各镇政府、街道办事处，周村经济开发区管委会"),
    ("地区生产总值增长5.5%左右;一般公共预算收入增长5%以上", "地区生产总值增长5.5%左右；一般公共预算收入增长5%以上"),
    ("(含文昌湖7个)", "（含文昌湖7个）"),
    ("〈含文昌湖1个）", "（含文昌湖1个）"),
    ("“向外“坚持以商招商", "“向外”坚持以商招商"),
    ('坚持"两区同创"，全力', "坚持“两区同创”，全力"),
    ("总投资394 .3亿元", "总投资394.3亿元"),
    ("新增就业5,000人，8:30开始", "新增就业5,000人，8:30开始"),       # digits keep their separators
    ("Windows 10 (x64)", "Windows 10 (x64)"),                          # Latin text untouched
])
def test_punctuation_repairs(ocr, expected):
    assert fix_punctuation(ocr) == expected


def test_rules_found_only_where_they_form_a_grid():
    """A 3×3 grid is found; a lone long dash and a long title stroke (一) are not rules."""
    import numpy as np
    from PIL import Image
    img = np.full((800, 800), 255, np.uint8)
    for y in (100, 160, 220):
        img[y:y + 2, 100:500] = 0
    for x in (100, 300, 500):
        img[100:222, x:x + 2] = 0
    img[400:402, 100:400] = 0            # a long dash with nothing crossing it
    img[600:606, 200:300] = 0            # a thick stroke
    rules = rules_from_image(Image.fromarray(img), 200)
    hs = sorted(round(r[1]) for r in rules if r[0] == "h")
    vs = sorted(round(r[1]) for r in rules if r[0] == "v")
    assert len(hs) == 3 and all(100 <= y <= 222 for y in hs)
    assert len(vs) == 3 and all(100 <= x <= 502 for x in vs)
