"""Guard for the CJK justification patch (pipeline/render/justify.py, applied by weasy_compat.py) on the pinned WeasyPrint.

The patch reaches into WeasyPrint internals, so a WeasyPrint upgrade may silently turn it off
(the module then logs an error and falls back to ragged right). These tests fail in that case, and
show on the same text, in a process without the patch, that the lines do end short.
"""
from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pytest

from pipeline.render import gbt9704 as g
from pipeline.render import justify, weasy_compat

MIXED = ("全年完成固定资产投资165亿元，增长8%以上；新增城镇就业4000人以上，发放创业担保贷款4000万元以上，"
         "PM2.5平均浓度下降3%，建成5G基站120个，优良天数达到242天，职工门诊统筹保障由1500元提高到3000元。") * 3


def _lines(path):
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        groups = defaultdict(list)
        for c in page.chars:
            groups[round(page.height - c["matrix"][5], 1)].append(c)
        text = "".join(c["text"] for c in page.chars)
    return [sorted(cs, key=lambda c: c["x0"]) for _, cs in sorted(groups.items())], text


REPO = Path(__file__).resolve().parents[1]


def _html() -> str:
    width = g.mm(g.TYPE_AREA_WIDTH_MM)
    return (f'<html lang="zh-CN"><body style="margin:0"><p style="width:{width}pt;font-family:\'Noto Serif CJK SC\';'
            f'font-size:16pt;letter-spacing:{g.BODY_LETTER_SPACING_PT}pt;line-height:{g.LINE_PITCH_PT}pt;'
            f'text-align:justify;margin:0">{MIXED}</p></body></html>')


def _render(tmp_path, name):
    from weasyprint import CSS, HTML
    out = tmp_path / name
    HTML(string=_html()).write_pdf(out, stylesheets=[CSS(string="@page { size: A4; margin: 0 }")])
    return _lines(out), g.mm(g.TYPE_AREA_WIDTH_MM)


def test_patch_matches_the_pinned_weasyprint():
    assert weasy_compat._justify_problem() is None
    assert weasy_compat.install()["cjk-justify"] is True and weasy_compat.active("cjk-justify")


def test_stretchable_positions():
    # hanzi next to hanzi or to a digit/Latin run stretch (clreq: all gaps), a digit run never does,
    # and neither the first nor the last character of a text box is marked (Pango halves)
    assert justify.han_gaps("增长8%以上，新增") == 3          # 长(|8) 以(%|以|上) 新(|增)
    assert justify.han_gaps("达到100%。聚焦文旅") == 4         # 到 聚 焦 文
    assert justify.han_gaps("“快进键”。") == 2
    assert justify.han_gaps("PM2.5") == 0
    assert justify.han_gaps("甲乙") == 0
    # the byte pattern WeasyPrint's set_text sees marks exactly the same gaps
    for text in (MIXED, "“快进键”。", "㐀䶵丨龥豈"):
        assert len(justify._SPACE_OR_HAN_GAP.findall(text.replace(" ", "").encode())) == justify.han_gaps(text)


def test_lines_with_digits_end_flush_right_and_extract_cleanly(tmp_path):
    weasy_compat.install()
    (lines, text), width = _render(tmp_path, "justified.pdf")
    assert len(lines) >= 6
    for cs in lines[:-1]:
        assert cs[-1]["x1"] == pytest.approx(width, abs=0.3 * g.PT_PER_MM), "".join(c["text"] for c in cs)
    assert "\u200b" not in text and text.replace(" ", "") == MIXED


def test_without_the_patch_the_same_lines_end_short(tmp_path):
    """The baseline the patch improves on: WeasyPrint alone (a fresh process) leaves mixed lines ragged."""
    out = tmp_path / "plain.pdf"
    script = (f"import sys; sys.path.insert(0, {str(REPO)!r}); sys.path.insert(0, {str(REPO / 'tests')!r})\n"
              "from weasyprint import CSS, HTML\n"
              "from test_render_justify import _html\n"
              f"HTML(string=_html()).write_pdf({str(out)!r}, "
              "stylesheets=[CSS(string='@page { size: A4; margin: 0 }')])\n")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO, timeout=120)
    lines, _ = _lines(out)
    width = g.mm(g.TYPE_AREA_WIDTH_MM)
    shortfalls = [width - cs[-1]["x1"] for cs in lines[:-1]]
    assert max(shortfalls) > 1.0 * g.PT_PER_MM


def test_run_pattern_marks_the_same_bytes_as_the_per_hanzi_pattern():
    """set_text gets one match per run of stretched hanzi (fewer Pango attribute calls): the runs cover
    exactly the bytes of the per-hanzi matches, and none starts where set_text would double it."""
    from conftest import REFERENCE_TXT
    for line in [*REFERENCE_TXT.read_text(encoding="utf-8").splitlines(), MIXED, " 甲乙 丙\u00a0丁 ", "5个项目x"]:
        data = line.encode()
        per_hanzi = {i for m in justify._SPACE_OR_HAN_GAP.finditer(data) for i in range(*m.span())}
        runs = list(justify._SPACE_OR_HAN_RUN.finditer(data))
        assert {i for m in runs for i in range(*m.span())} == per_hanzi, line
        assert not [m for m in runs if m.end() - m.start() > 2 and m.start() in (0, len(data) - 1)]


def test_shortcuts_draw_exactly_what_weasyprint_s_own_way_draws(tmp_path):
    """The run pattern and the reused split layout (justify.shortcuts) change the work, not the
    page: every character of the justified reference plan sits at the same place, in the same face."""
    from conftest import REFERENCE_TXT
    from pipeline.parse import parse_file
    from pipeline.render.plan_pdf import render_plan_pdf
    from weasyprint.text import line_break
    weasy_compat.install()
    result = parse_file(REFERENCE_TXT)
    made = []
    real_create = line_break.create_layout

    def counting_create(*a, **k):
        made.append(1)
        return real_create(*a, **k)

    def chars(name):
        render_plan_pdf(result, tmp_path / name)
        with pdfplumber.open(tmp_path / name) as pdf:
            return [(c["text"], c["fontname"][7:], round(c["x0"], 3), round(c["top"], 3))
                    for p in pdf.pages for c in p.chars]
    try:
        line_break.create_layout = counting_create
        fast = chars("fast.pdf")
        fast_layouts = len(made)
        justify.shortcuts["on"] = False
        made.clear()
        slow = chars("slow.pdf")
    finally:
        justify.shortcuts["on"] = True
        line_break.create_layout = real_create
    assert fast == slow and len(fast) > 5000
    assert len(made) > fast_layouts + 100          # WeasyPrint's way built a Pango layout per stretched box
