"""Long titles: line breaking is dynamic programming (not every combination of cuts), so a 250- or
400-character title renders in normal time, and titles still break only between words."""
from __future__ import annotations

import json
import time

import pytest

from hostile_support import run_bounded
from pipeline.render import gbt9704 as g
from pipeline.render.fonts import resolve_fonts
from test_track_support import reference_path

BASE = "关于进一步加强和改进国民经济和社会发展计划执行情况监督检查工作推动高质量发展的实施意见"


@pytest.fixture(scope="module")
def measure():
    fonts = resolve_fonts()
    calls = [0]

    def width_of(s: str) -> float:
        calls[0] += 1
        return fonts.text_width("xbs", s, g.TITLE_SIZE_PT)
    return width_of, calls


@pytest.mark.parametrize("n_chars", [30, 45, 60, 75, 90, 250, 400])
def test_title_breaking_is_fast_and_breaks_between_words(measure, n_chars):
    from pipeline import words
    from pipeline.render.env import break_title
    width_of, calls = measure
    title = (BASE * 20)[:n_chars]
    calls[0] = 0
    t0 = time.process_time()
    lines = break_title(title, width_of, g.mm(g.TYPE_AREA_WIDTH_MM))
    spent = time.process_time() - t0
    assert "".join(lines) == title
    assert calls[0] < 60 * n_chars, calls[0]          # proportional to the title, not combinatorial
    assert spent < 5, spent
    if len(lines) > 1:
        ends, at = set(), 0
        for w in words.cut(title):
            at += len(w)
            ends.add(at)
        at = 0
        for line in lines[:-1]:
            at += len(line)
            assert at in ends, (line, lines)            # never inside a word like 发展/计划


@pytest.mark.timeout(240)
@pytest.mark.parametrize("n_chars", [250, 400])
def test_plan_with_a_huge_title_renders_in_normal_time(tmp_path, n_chars):
    plan = tmp_path / "plan.json"
    assert run_bounded("parse", str(reference_path()), "-o", str(plan)).returncode == 0
    data = json.loads(plan.read_text(encoding="utf-8"))
    long_title = (BASE * 20)[:n_chars]
    data["notice"]["title"] = long_title
    if isinstance(data.get("plan"), dict) and data["plan"].get("title"):
        data["plan"]["title"] = long_title
    plan.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "plan.pdf"
    proc = run_bounded("render", str(plan), "-o", str(out), timeout=200)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert out.read_bytes().startswith(b"%PDF-")
