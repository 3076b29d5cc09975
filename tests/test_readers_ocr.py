"""OCR of scans (Tesseract chi_sim): a 300-dpi scan built from the sample PDF, a photo-like PNG, the
punctuation repairs, rule detection, and the clerk-facing warnings."""
from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

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
    cells = {(row["name"], side, part): row[side][part]["text"] for row in scan_parse["plan"]["indicators"]
             for side in ("base", "target") for part in ("value", "growth")}
    # the small lone values whole-page OCR dropped or split: a lone 1, a dash, a decimal
    assert cells[("研发经费投入占比", "target", "growth")] == "1"
    assert cells[("地区生产总值", "target", "value")] == "—"
    assert cells[("进出口总额", "base", "value")] == "56.3"


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
    ('坚持“两区同创"，全力', "坚持“两区同创”，全力"),               # OCR's usual: closing read straight
    ('"四新"经济增加值占比', '"四新"经济增加值占比'),                  # printed straight: opens straight
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


# ------------------------------------------------------------------ the scan measured, clean and noisy

# Measured Dec 2026 (issue 15c, adjacent-character counts of real government prose as the second opinion
# on look-alike hanzi): a 300-dpi scan gives 99.0 % (192/194; 97.9 % with the word dictionary alone,
# 96.9 % before either), the noisy scan 97.9 % (97.4 %), 150 dpi 94.3 % (93.3 %). 两污 → 雨污 and
# 新人驻 → 新入驻 are now repaired; left: 小埠 (巷/埠 is no classic look-alike pair, and adding it after
# seeing it here would tune the table to this scan) and, at 150 dpi, misread table labels (轿定 for 固定).
# The 300-dpi floor is the goal; the others keep what works from regressing.
FACTS_FLOOR = 0.98
NOISY_FACTS_FLOOR = 0.93        # three pages (SCANNED_PAGES): 95.9 % measured
LOW_DPI_FACTS_FLOOR = 0.88      # three pages: 90.9 % measured (misread table labels weigh more on them)


# The noisy and 150-dpi scans are of three pages — two of running text and the indicator table — not
# all eleven (the full 300-dpi scan above reads every page): the same paths at a third of the CPU time,
# so `make test` stays within its budget. Their reference is the sample PDF's own text layer of the
# same pages (a notice cut to three pages parses differently from the whole).
SCANNED_PAGES = (4, 5, 11)


def _pages_of_sample(tmp_path) -> Path:
    """The sample PDF cut to `SCANNED_PAGES` (poppler's pdfseparate/pdfunite) and those pages at 300 dpi."""
    parts = []
    for n in SCANNED_PAGES:
        subprocess.run(["pdfseparate", "-f", str(n), "-l", str(n), str(SAMPLES / "zhoucun-2023-plan.pdf"),
                        str(tmp_path / f"part-{n}.pdf")], check=True, timeout=120)
        parts.append(str(tmp_path / f"part-{n}.pdf"))
    cut = tmp_path / "原件节选.pdf"
    subprocess.run(["pdfunite", *parts, str(cut)], check=True, timeout=120)
    return cut


def _share(path, reference) -> float:
    ref = facts(json.loads(parse_file(reference, keywords=False).model_dump_json()))
    got = facts(json.loads(parse_file(path, keywords=False).model_dump_json()))
    assert sum(ref.values()) >= 100, "the three pages carry most of the notice's facts"
    return sum((ref & got).values()) / sum(ref.values())


@needs_tesseract
def test_noisy_scan_still_gives_the_facts(tmp_path):
    """The scan as a worn office scanner gives it — tilted (a different angle per page, up to 0.8°),
    slightly blurred, grainy — so the OCR path is not tuned to clean pixels: deskew, binarisation of
    the table cells and the layout's paragraph rules must hold."""
    import random
    import numpy as np
    from PIL import Image, ImageFilter
    cut = _pages_of_sample(tmp_path)
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(cut), str(tmp_path / "s")], check=True, timeout=300)
    rnd, noise = random.Random(7), np.random.default_rng(3)
    pages = []
    for p in sorted(tmp_path.glob("s-*.png")):
        im = Image.open(p).convert("L").rotate(rnd.uniform(-0.8, 0.8), resample=Image.BICUBIC, fillcolor=255)
        a = np.asarray(im.filter(ImageFilter.GaussianBlur(0.8))).astype(np.int16)
        pages.append(Image.fromarray(np.clip(a + noise.normal(0, 12, a.shape), 0, 255).astype(np.uint8)))
    out = tmp_path / "旧扫描仪.pdf"
    pages[0].save(out, save_all=True, append_images=pages[1:], resolution=300)
    share = _share(out, cut)
    assert share >= NOISY_FACTS_FLOOR, f"{share:.1%} of the reference facts"


@needs_tesseract
def test_150_dpi_scan_gives_the_facts(tmp_path):
    """A scan at 150 dpi (a fax-grade office scanner setting): the page is upscaled to 300 dpi for the
    table rules and cells, thin rules must still be found whole."""
    from PIL import Image
    cut = _pages_of_sample(tmp_path)
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", str(cut), str(tmp_path / "s")], check=True, timeout=300)
    pages = [Image.open(p).convert("L") for p in sorted(tmp_path.glob("s-*.png"))]
    out = tmp_path / "低分辨率.pdf"
    pages[0].save(out, save_all=True, append_images=pages[1:], resolution=150)
    share = _share(out, cut)
    assert share >= LOW_DPI_FACTS_FLOOR, f"{share:.1%} of the reference facts"


def test_skew_is_measured_and_a_level_page_left_alone():
    from PIL import Image, ImageDraw
    from pipeline.readers.ocr import skew_angle
    img = Image.new("L", (1200, 1600), 255)
    d = ImageDraw.Draw(img)
    for y in range(100, 1500, 45):                     # lines of "text": rows of dark blocks
        for x in range(100, 1100, 40):
            d.rectangle((x, y, x + 30, y + 28), fill=0)
    assert skew_angle(img) == 0.0
    tilted = img.rotate(1.2, resample=Image.BICUBIC, fillcolor=255)
    assert abs(skew_angle(tilted) + 1.2) <= 0.15, "the angle that levels the page again"


@pytest.mark.parametrize("size,angle", [((1201, 1601), -0.7), ((800, 1133), 2.9), ((640, 480), 0.15),
                                         ((2481, 3508), -1.35)])
def test_a_page_turned_in_bands_is_the_page_turned_whole(size, angle):
    """The tilted page is turned in bands on two threads: every pixel as Pillow's own `rotate` gives it
    (odd sizes: the bands do not split evenly)."""
    import numpy as np
    from PIL import Image, ImageDraw
    from pipeline.readers.ocr import turned
    img = Image.new("L", size, 255)
    d = ImageDraw.Draw(img)
    for y in range(20, size[1] - 40, 37):
        for x in range(15, size[0] - 40, 29):
            d.rectangle((x, y, x + 21, y + 25), fill=(x * 7 + y * 3) % 200)
    whole = img.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    assert np.array_equal(np.asarray(turned(img, angle)), np.asarray(whole))


@pytest.mark.parametrize("ocr,expected", [
    ("涵养城市”气质“。推动“双下降“。", "涵养城市“气质”。推动“双下降”。"),      # each sentence on its own
    ("结出乡村振兴“新硕果”“。推进", "结出乡村振兴“新硕果”。推进"),               # “ cannot precede 。
    ("总投资10 . 1亿元", "总投资10.1亿元"),
    ("2O23年增长1O%，完成2l.5亿元、3.O5", "2023年增长10%，完成21.5亿元、3.05"),   # O/0 and l/1 inside numbers
    ("VOCs削减量、COD排放、Windows 10 Pro", "VOCs削减量、COD排放、Windows 10 Pro"),   # letters outside numbers kept
])
def test_more_punctuation_repairs(ocr, expected):
    assert fix_punctuation(ocr) == expected


# ------------------------------------------------------------------ mixed PDFs: text pages + scanned pages

@pytest.fixture(scope="module")
def mixed_pdf(tmp_path_factory):
    """The sample PDF with its page 5 (running text) and page 11 (the indicator table) replaced by
    scans of themselves: a printed notice with scanned pages put in, as offices do with attachments."""
    if shutil.which("pdfunite") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed")
    from PIL import Image
    d = tmp_path_factory.mktemp("mixed")
    src = SAMPLES / "zhoucun-2023-plan.pdf"
    subprocess.run(["pdfseparate", str(src), str(d / "t-%d.pdf")], check=True, timeout=120)
    parts = []
    for n in range(1, 12):
        if n in (5, 11):
            subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-f", str(n), "-l", str(n), "-singlefile",
                            str(src), str(d / f"img-{n}")], check=True, timeout=120)
            Image.open(d / f"img-{n}.png").save(d / f"i-{n}.pdf", resolution=300)
            parts.append(d / f"i-{n}.pdf")
        else:
            parts.append(d / f"t-{n}.pdf")
    out = d / "混合.pdf"
    subprocess.run(["pdfunite", *map(str, parts), str(out)], check=True, timeout=120)
    return out


@needs_tesseract
def test_mixed_pdf_ocrs_only_the_image_pages_in_order(mixed_pdf):
    r = json.loads(parse_file(mixed_pdf, keywords=False).model_dump_json())
    ref = json.loads(parse_file(SAMPLES / "zhoucun-2023-plan.txt", keywords=False).model_dump_json())
    assert r["source"]["format"] == "pdf" and r["source"]["ocr"] is True
    notes = [w for w in r["warnings"] if w["code"] == "ocr_pages"]
    assert len(notes) == 1 and "第5、11页" in notes[0]["message"], "the diagnostic names the OCR'd pages"
    assert not any(w["code"] == "pdf_page_without_text" for w in r["warnings"])
    # the text pages are read from the text layer (exactly), the scanned ones take their place in order
    def ids(nodes):
        return [x["id"] for n in nodes for x in [n, *[c for c in n["children"]]]]
    assert ids(r["plan"]["sections"]) == ids(ref["plan"]["sections"])
    assert r["notice"] == ref["notice"], "the cover (page 1) comes from the text layer, untouched"
    ref_f, got_f = facts(ref), facts(r)
    share = sum((ref_f & got_f).values()) / sum(ref_f.values())
    assert share >= FACTS_FLOOR, f"{share:.1%} of the reference facts"
    assert len(r["plan"]["indicators"]) >= 20, "the scanned table page is read"
    pages = {row["where"]["page"] for row in r["plan"]["indicators"]}
    assert pages == {11}


def test_mixed_pdf_without_an_ocr_engine_reports_the_pages_unread(mixed_pdf, tmp_path, monkeypatch):
    """No Tesseract on the server: the text pages are still read, the image pages are named as unread."""
    monkeypatch.setenv("PATH", str(tmp_path))             # an empty directory: no tesseract, no pdftoppm
    doc = read_document(mixed_pdf)
    assert doc.format == "pdf" and not doc.ocr
    unread = [d for d in doc.diagnostics if d.code.value == "pdf_page_without_text"]
    assert [d.where.page for d in unread] == [5, 11]
    assert any("周政发〔2023〕34号" in getattr(b, "text", "") for b in doc.blocks)


@needs_tesseract
def test_blank_page_in_a_text_pdf_is_neither_ocr_nor_unread(tmp_path):
    """A white separator page (an image-only page with nothing on it) between text pages: OCR finds
    nothing, so it is not reported as an OCR'd page nor as an unread one."""
    from PIL import Image
    src = SAMPLES / "zhoucun-2023-plan.pdf"
    subprocess.run(["pdfseparate", "-f", "1", "-l", "2", str(src), str(tmp_path / "t-%d.pdf")], check=True, timeout=120)
    Image.new("L", (2480, 3508), 255).save(tmp_path / "white.pdf", resolution=300)
    out = tmp_path / "夹白页.pdf"
    subprocess.run(["pdfunite", str(tmp_path / "t-1.pdf"), str(tmp_path / "white.pdf"), str(tmp_path / "t-2.pdf"), str(out)],
                   check=True, timeout=120)
    doc = read_document(out)
    assert not doc.ocr
    assert [d.code.value for d in doc.diagnostics if d.code.value in ("ocr_pages", "pdf_page_without_text")] == []
    assert any("周政发〔2023〕34号" in getattr(b, "text", "") for b in doc.blocks)


# ------------------------------------------------------------------ word-plausibility correction

def _glyphs(text: str, confs: dict[int, float] | None = None):
    from pipeline.readers.ocr import Glyph
    confs = confs or {}
    return [Glyph(t, i * 40.0, 0.0, i * 40.0 + 38, 40.0, confs.get(i, 96.0), "line_1") for i, t in enumerate(text)]


@pytest.mark.parametrize("read,conf_at,expected", [
    ("已完成万邑粮食", {4: 25.0}, "已完成万吨粮食"),          # 吨 read as 邑 (a table cell on a blurred scan)
    ("新建厂房已投人使用", {6: 60.0}, "新建厂房已投入使用"),
    ("工作己经完成", {2: 70.0}, "工作已经完成"),
    ("工作己经完成", {}, "工作己经完成"),                     # a sure glyph is kept as read
    ("推进千企转型", {2: 40.0}, "推进千企转型"),              # 于企 is likelier by letter frequency only: kept
    ("医办养结合", {1: 80.0}, "医办养结合"),                  # no clear margin: kept
    ("新人驻企业", {1: 80.0}, "新人驻企业"),                  # 新人 is a word too: no margin, kept
    ("发改办财金规", {2: 65.0}, "发改办财金规"),              # 办 reads as part of 改办: kept, though 改为 is likelier
    ("部门含作", {2: 46.0}, "部门合作"),
])
def test_confusable_characters_corrected_by_words(read, conf_at, expected):
    from pipeline.readers.ocr_words import correct_line
    glyphs = _glyphs(read, conf_at)
    correct_line(glyphs)
    assert "".join(g.text for g in glyphs) == expected


@pytest.mark.parametrize("read,conf_at,expected", [
    ("建设基层“5+N?示范点", {8: 11.0}, "建设基层“5+N”示范点"),   # the closing quote read as ?
    ("实施5+N？", {5: 30.0}, "实施5+N"),                           # a doubtful ？ at the line end
    ("这是为什么？", {}, "这是为什么？"),                           # a sure one is kept
    ("是否完成？请于", {4: 30.0}, "是否完成？请于"),               # not at the line end, no open quote
])
def test_doubtful_question_marks(read, conf_at, expected):
    from pipeline.readers.ocr_words import drop_stray_question_marks
    assert "".join(g.text for g in drop_stray_question_marks(_glyphs(read, conf_at))) == expected


@pytest.mark.parametrize("read,conf_at,expected", [
    ("园区新人驻企业", {3: 80.0}, "园区新入驻企业"),          # 新人 and 入驻 both words: the neighbours decide
    ("实现两污分流", {2: 55.0}, "实现雨污分流"),              # 雨污 is in no dictionary, common in real prose
    ("园区新人驻企业", {}, "园区新人驻企业"),                 # a sure glyph is kept as read
    ("加强人才队伍", {2: 30.0}, "加强人才队伍"),              # right as read: 人才 is common, 入才/八才 are not
])
def test_confusable_characters_corrected_by_neighbours(read, conf_at, expected):
    from pipeline.readers.ocr_words import correct_line_by_neighbours
    glyphs = _glyphs(read, conf_at)
    correct_line_by_neighbours(glyphs)
    assert "".join(g.text for g in glyphs) == expected


def test_neighbour_counts_change_nothing_in_correct_text():
    """The reference notice (held out: the counts come from other real documents) read as if every
    glyph were unsure: not one of its look-alike characters is "corrected"."""
    from pipeline.readers.ocr_words import CONFUSABLE, correct_line_by_neighbours
    looked_at = changed = 0
    for line in (SAMPLES / "zhoucun-2023-plan.txt").read_text(encoding="utf-8").splitlines():
        glyphs = _glyphs(line.strip(), dict.fromkeys(range(len(line)), 0.0))
        looked_at += sum(g.text in CONFUSABLE for g in glyphs)
        changed += correct_line_by_neighbours(glyphs)
    assert looked_at > 400 and changed == 0


def test_confusable_table_is_symmetric():
    from pipeline.readers.ocr_words import CONFUSABLE
    assert all(c in CONFUSABLE[o] for c, others in CONFUSABLE.items() for o in others)
    assert "入" in CONFUSABLE["人"] and "已" in CONFUSABLE["己"] and "吨" in CONFUSABLE["邑"]


def test_doubtful_lines_listed_without_the_page_numbers():
    """A page number read badly in the bottom margin (“一6一” for — 6 —) is dropped by the layout: it is
    not listed for checking; a doubtful line of text is, and so is a number-like line in the body."""
    from pipeline.readers.ocr import Glyph, PageResult, _low_confidence_lines
    page = PageResult(6, 300, 2480, 3508)

    def line(text, top, conf, name):
        return [Glyph(t, 300 + 40 * i, top, 338 + 40 * i, top + 40, conf, name) for i, t in enumerate(text)]
    page.glyphs = (line("完成4.5公里雨污管网改造", 1200, 55.0, "l1") + line("一6一", 3300, 40.0, "l2")
                   + line("一6一", 1800, 40.0, "l3") + line("建成区全部实现", 1300, 95.0, "l4")
                   + line("11", 3350, 0.0, "l5"))                     # a page number read at 0 %: dropped too
    assert [(n, text) for n, text, _ in _low_confidence_lines([page])] == [(6, "完成4.5公里雨污管网改造"), (6, "一6一")]


def _line(*boxes):
    """Glyphs of one OCR line from (text, x0, x1) with the ink height of body text at 300 dpi (44 px)."""
    from pipeline.readers.ocr import Glyph
    return [Glyph(t, x0, 1214.0, x1, 1258.0, 82.0, "line_1") for t, x0, x1 in boxes]


@pytest.mark.parametrize("boxes,expected,left", [
    # measured on a 0.5°-tilted scan of the reference: "5.5%以上" read as 5.59%, the 9 twice a digit's width
    ([("5", 334, 360), (".", 369, 376), ("5", 386, 412), ("9", 417, 468), ("%", 472, 501), ("以", 502, 579)],
     "5.5%以", 417),
    ([("1", 300, 314), ("0", 320, 380), ("％", 383, 420)], "1％", 320),             # full-width % too
    ([("5", 386, 412), ("9", 417, 443), ("%", 447, 501)], "59%", 447),              # a real 9: digit-wide
    ([("9", 417, 468), ("%", 485, 520)], "9%", 485),                                # not touching the %
    ([("9", 417, 468), ("以", 472, 520)], "9以", None),                             # no % after it
    ([("万", 417, 468), ("%", 472, 501)], "万%", 472),                              # not a digit
])
def test_a_digit_cut_from_a_percent_sign_is_dropped(boxes, expected, left):
    """The % takes back the dropped digit's ink: its box starts where the digit's did."""
    from pipeline.readers.ocr_words import merge_split_percent
    out = merge_split_percent(_line(*boxes))
    assert "".join(g.text for g in out) == expected
    assert [g.x0 for g in out if g.text in "%％"] == ([left] if left is not None else [])
