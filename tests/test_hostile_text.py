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
