"""Numbering past （九十九）: the ladder reads （一百）, （一百零一）, 一百、, 100. and （100） as the next items
instead of folding them into the 99th item's text; malformed numerals (一百百、, 百、) stay text."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from hostile_support import run_bounded
from pipeline.parse.labels import cn_to_int, int_to_cn, match_label
from test_watch_support import CONTENT_TYPES, DOCX_MAIN, RELS, document_xml


def test_label_numerals_round_trip_to_nine_thousand_nine_hundred_ninety_nine():
    for n in range(1, 10_000):
        assert cn_to_int(int_to_cn(n)) == n, (n, int_to_cn(n))
    assert [int_to_cn(n) for n in (100, 101, 110, 112, 120, 999, 1000, 1005, 1010, 1100)] == [
        "一百", "一百零一", "一百一十", "一百一十二", "一百二十", "九百九十九", "一千", "一千零五", "一千零一十", "一千一百"]


@pytest.mark.parametrize("text, rung, number", [
    ("一百、其他事项", 1, 100), ("一百零一、其他", 1, 101), ("（一百）加强监管", 2, 100), ("(一百零五)做好", 2, 105),
    ("（一百一十）推进", 2, 110), ("（一百十二）推进", 2, 112), ("（二百）推进", 2, 200), ("（一千零一）推进", 2, 1001),
    ("100.完善制度", 3, 100), ("120、完善制度", 3, 120), ("（100）完善", 4, 100), ("101）完善", 4, 101),
    ("第一百零一章 附则", -1, 101), ("九十九、收尾", 1, 99),
])
def test_labels_past_ninety_nine_are_on_their_rung(text, rung, number):
    label = match_label(text)
    assert label is not None and (label.rung, label.number) == (rung, number), label


@pytest.mark.parametrize("text", ["一百百、x", "百、x", "十百、x", "一二三四、x", "二〇二三、x", "（零）x",
                                  "100.5%以上", "2023.全年", "一百零、x", "（一千千）x"])
def test_malformed_numerals_stay_text(text):
    assert match_label(text) is None


def _notice(n_items: int, style: str) -> list[str]:
    lines = ["某区2024年国民经济和社会发展计划", "一、总体要求", "做好今年工作，要坚持稳中求进。", "二、重点任务"]
    for i in range(1, n_items + 1):
        label = {"l2": f"（{int_to_cn(i)}）", "l3": f"{i}.", "l4": f"（{i}）"}[style]
        lines.append(f"{label}推进第{i}项工作。全年完成投资{i}亿元以上。")
    return lines


def _items(plan: dict) -> list[dict]:
    node = plan["sections"][1]
    while node["children"] and len(node["children"]) == 1:
        node = node["children"][0]
    return node["children"]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("fmt", ["txt", "docx"])
@pytest.mark.parametrize("style, n_items", [("l2", 130), ("l3", 120), ("l4", 105)])
def test_a_notice_with_more_than_ninety_nine_items_keeps_every_item(tmp_path, fmt, style, n_items):
    lines = _notice(n_items, style)
    path = tmp_path / f"长清单.{fmt}"
    if fmt == "txt":
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", CONTENT_TYPES % DOCX_MAIN)
            z.writestr("_rels/.rels", RELS)
            z.writestr("word/document.xml", document_xml(lines))
        path.write_bytes(buf.getvalue())
    proc = run_bounded("parse", str(path), timeout=90)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    items = _items(json.loads(proc.stdout)["plan"])
    assert len(items) == n_items, [c["label"] for c in items][-5:]
    for i, item in enumerate(items, start=1):
        assert item["title"] == f"推进第{i}项工作", (i, item["label"], item["title"])
        assert f"第{i + 1}项" not in item["text"]          # no later item folded into this one


def test_a_sections_list_past_one_hundred():
    lines = ["某区2024年计划"] + [f"{int_to_cn(i)}、第{i}部分工作" for i in range(95, 106)]
    got = [match_label(line) for line in lines[1:]]
    assert [label.number for label in got] == list(range(95, 106))
