"""Huge text without line breaks: paragraph and document limits in every reader's output, so time,
memory and the JSON stay proportional to a notice (a 29 MB single line used to take 4.3 GB)."""
from __future__ import annotations

import io
import zipfile

import pytest

from hostile_support import assert_refused, run_bounded, snapshot
from test_watch_support import CONTENT_TYPES, DOCX_MAIN, RELS, document_xml

HEAD = "某区2024年国民经济和社会发展计划\n"
SENTENCE = "全年目标如下。"      # 7 characters, 21 bytes in UTF-8


def _one_line(n_bytes: int) -> str:
    return HEAD + SENTENCE * (n_bytes // 21) + "\n"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case, text, place", [
    ("29MB-one-line", lambda: _one_line(29 * 1024 * 1024), "第2行"),
    ("8MB-one-line", lambda: _one_line(8 * 1024 * 1024), "第2行"),
    ("150k-chars-one-line", lambda: HEAD + SENTENCE * 21_500 + "\n", "第2行"),
    ("many-lines-1.2M-chars", lambda: HEAD + (SENTENCE * 1000 + "\n") * 172, "上限"),
    ("one-line-gbk", lambda: _one_line(4 * 1024 * 1024), "第2行"),
])
def test_huge_text_is_refused_quickly_with_the_place(tmp_path, case, text, place):
    path = tmp_path / f"{case}.txt"
    path.write_bytes(text().encode("gbk" if "gbk" in case else "utf-8"))
    before = snapshot(tmp_path)
    proc = run_bounded("parse", str(path), "-o", str(tmp_path / "out.json"), mem_mb=1024, timeout=60)
    assert_refused(proc, path, place, "上限")
    assert snapshot(tmp_path) == before


@pytest.mark.timeout(120)
def test_a_long_paragraph_in_a_docx_is_refused_too(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES % DOCX_MAIN)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", document_xml([HEAD.strip(), SENTENCE * 30_000]))
    path = tmp_path / "长段落.docx"
    path.write_bytes(buf.getvalue())
    proc = run_bounded("parse", str(path), mem_mb=1024, timeout=60)
    assert_refused(proc, path, "第2段", "上限")


@pytest.mark.timeout(120)
def test_a_whole_notice_on_one_line_below_the_limit_still_parses(tmp_path):
    body = ("做好今年工作要坚持稳中求进。" * 60 + "一、总体要求。" + "全年目标如下。" * 2000 +
            "二、重点任务。（一）扩大投资。推进项目建设。" + "加快发展。" * 2000 + "（二）促进消费。举办活动。")
    path = tmp_path / "oneline.txt"
    path.write_text(HEAD + body + "\n", encoding="utf-8")
    out = tmp_path / "out.json"
    proc = run_bounded("parse", str(path), "-o", str(out), mem_mb=1536, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.stat().st_size < 60 * path.stat().st_size      # output proportional to the input


# -- encodings: any Chinese encoding, decided generically (issue 17) ---------------------------------
TRADITIONAL = """某區2024年國民經濟和社會發展計劃
一、總體要求
做好2024年工作，要堅持穩中求進工作總基調，完整、準確、全面貫徹新發展理念，推動經濟實現質的有效提升和量的合理增長。
二、主要預期目標
全區經濟社會發展主要預期目標為：地區生產總值增長5%左右；一般公共預算收入增長6%以上；固定資產投資增長8%以上。
三、重點任務
（一）擴大有效投資。推進重點項目建設，全年完成投資100億元以上，新開工項目30個。
（二）促進消費升級。舉辦各類促消費活動20場以上，社會消費品零售總額增長6%。
（三）保障和改善民生。新增城鎮就業3000人，城鎮登記失業率控制在3%以內。
"""


@pytest.mark.parametrize("encoding, text, expected", [
    ("big5", TRADITIONAL, "cp950"),
    ("cp950", TRADITIONAL.replace("\n", "\r\n"), "cp950"),                 # Windows line ends
    ("big5hkscs", TRADITIONAL.replace("某區", "灣仔區").replace("（三）", "（三）㗎"), "big5hkscs"),
    ("big5", TRADITIONAL.split("\n")[0] + "\n", "cp950"),                  # one short line
    ("gbk", TRADITIONAL.split("\n")[0] + "\n", "gb18030"),                 # the same line in GBK
    ("gb18030", TRADITIONAL.replace("某區", "㐀𠀀區"), "gb18030"),          # four-byte characters
    ("gb2312", HEAD + "全年目标如下。\n", "gb18030"),
])
def test_legacy_encodings_are_told_apart_and_read(encoding, text, expected):
    from pathlib import Path

    from pipeline.readers.txt import decode_text
    decoded, used = decode_text(Path("x.txt"), text.encode(encoding))
    assert used == expected
    assert decoded == text


def test_the_reference_notice_in_gbk_is_never_read_as_big5():
    from pathlib import Path

    from pipeline.readers.txt import decode_text
    from test_track_support import reference_path
    text = reference_path().read_text(encoding="utf-8")
    for cut in (200, 2000, len(text)):                 # short and long samples
        decoded, used = decode_text(Path("x.txt"), text[:cut].encode("gbk"))
        assert used == "gb18030" and decoded == text[:cut]


def test_a_big5_notice_parses_through_the_cli_with_its_traditional_text(tmp_path):
    import json
    path = tmp_path / "某區計劃.txt"
    path.write_bytes(TRADITIONAL.encode("big5"))
    proc = run_bounded("parse", str(path), timeout=60)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    plan = json.loads(proc.stdout)["plan"]
    assert plan["title"] == "某區2024年國民經濟和社會發展計劃"
    labels = [s["label"] for s in plan["sections"]]
    assert labels == ["一、", "二、", "三、"]
    assert [c["title"] for c in plan["sections"][2]["children"]] == ["擴大有效投資", "促進消費升級", "保障和改善民生"]
    assert path.read_bytes() == TRADITIONAL.encode("big5")


def test_binary_still_refused_by_every_legacy_reading(tmp_path):
    import random
    rng = random.Random(17)
    path = tmp_path / "乱码.txt"
    path.write_bytes(bytes(rng.randrange(0x81, 0xff) for _ in range(5000)))
    proc = run_bounded("parse", str(path), timeout=60)
    assert_refused(proc, path, "编码")


# -- control and bidi characters: never fail render, never printed raw -------------------------------
def test_the_unprintable_ranges_are_exactly_the_unicode_categories():
    import sys
    import unicodedata

    from pipeline.errors import _UNPRINTABLE
    if unicodedata.unidata_version != "14.0.0":
        pytest.skip(f"ranges written for Unicode 14, this Python has {unicodedata.unidata_version}")
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        want = ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
        assert bool(_UNPRINTABLE.match(ch)) == want, hex(c)


@pytest.fixture(scope="module")
def plan_json(tmp_path_factory):
    from test_track_support import reference_path
    out = tmp_path_factory.mktemp("plan") / "plan.json"
    proc = run_bounded("parse", str(reference_path()), "-o", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out.read_text(encoding="utf-8")


INVISIBLES = ["\u202e", "\u202d\u2067", "\u200f\u061c", "\x01\x1b", "\u2028", "\ufeff\u2060"]


def _sprinkle(text: str, every: int) -> str:
    """Insert one of INVISIBLES at the start of every `every`-th text value of a parse JSON."""
    import re
    n = [0]

    def put(m):
        n[0] += 1
        mark = INVISIBLES[n[0] % len(INVISIBLES)] if n[0] % every == 0 else ""
        return m.group(0) + json_escape(mark)
    return re.sub(r'"(text|name|title|label)": "', put, text)


def json_escape(s: str) -> str:
    import json
    return json.dumps(s)[1:-1]


@pytest.mark.timeout(240)
@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_bidi_and_control_characters_render_and_are_not_drawn(tmp_path, plan_json, suffix):
    plan = tmp_path / "plan.json"
    plan.write_text(_sprinkle(plan_json, 7), encoding="utf-8")
    out = tmp_path / f"plan{suffix}"
    proc = run_bounded("render", str(plan), "-o", str(out), timeout=200)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    if suffix == ".pdf":
        import subprocess
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
        assert "此件公开发布" in text.replace("\n", "") or "公开发布" in text
        assert not any(ch in text for ch in "\u202e\u202d\u2067\u200f\x01\x1b")
    else:
        with zipfile.ZipFile(out) as z:
            xml = z.read("word/document.xml").decode("utf-8")
        assert not any(ch in xml for ch in "\u202e\u202d\u2067\u200f\u061c")


@pytest.mark.timeout(120)
def test_a_tracker_from_text_with_control_characters_is_written(tmp_path, plan_json):
    from openpyxl import load_workbook
    plan = tmp_path / "plan.json"
    plan.write_text(_sprinkle(plan_json, 3), encoding="utf-8")
    out = tmp_path / "台账.xlsx"
    proc = run_bounded("tracker", str(plan), "-o", str(out))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    for ws in load_workbook(out).worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and ("\u202e" in v or "\x1b" in v) for v in row)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mark", ["\u202e", "\x1b[31m", "\u2066", "\x07"])
def test_messages_escape_control_characters_and_render_errors_name_the_file(tmp_path, plan_json, mark):
    """A glyph no face has, right after a control character: the render fails (exit 1) with the input
    file named and the control character shown as ［U+XXXX］, never raw."""
    import json
    data = json.loads(plan_json)
    data["notice"]["title"] = "关于印发" + mark + "\U0001F9FF" + "计划的通知"
    plan = tmp_path / f"控制{len(mark)}.json"
    plan.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    proc = run_bounded("render", str(plan), "-o", str(tmp_path / "x.pdf"), timeout=100)
    assert_refused(proc, plan, "第1页", "U+1F9FF")
    assert not any(ord(ch) < 32 and ch not in "\n\t" or ch in "\u202e\u2066" for ch in proc.stderr), proc.stderr
    assert not (tmp_path / "x.pdf").exists()
