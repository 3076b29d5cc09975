"""CJK typesetting on real rendered pages (issue 13, clreq): punctuation compression first, then the
adjustment spread over every inter-character gap (hanzi–Latin/digit ones included) with a cap. Measured
on the plan, the 通报 and the 比对报告 as PDFs: no gap between two body characters on any line grows
beyond a quarter em (the complaint was whole-character holes: "计 划 确 定 的 重 点 任 务 共25项")."""
from __future__ import annotations

from collections import defaultdict

import pdfplumber
import pytest

from conftest import SAMPLES, run_cli
from pipeline.render import gbt9704 as g
from pipeline.render.punct import compress_pairs

MAX_GAP_EM = 0.25
PLAN = SAMPLES / "zhoucun-2023-plan.txt"
NEW = SAMPLES / "zhoucun-2024-plan.txt"


def body_lines(path):
    """(page, text, chars) of every line of body-size (三号) text, characters in reading order."""
    out = []
    with pdfplumber.open(path) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            rows = defaultdict(list)
            for c in page.chars:
                if c["text"].strip() and abs(c["size"] - g.BODY_SIZE_PT) < 0.3:
                    rows[round(c["matrix"][5], 1)].append(c)
            for _, cs in sorted(rows.items(), reverse=True):
                cs.sort(key=lambda c: c["x0"])
                out.append((n, "".join(c["text"] for c in cs), cs))
    return out


def largest_gaps(path):
    """The widest gap between neighbouring characters on each line, in em of the body size."""
    return [(max(((b["x0"] - a["x1"]) / g.BODY_SIZE_PT for a, b in zip(cs, cs[1:])), default=0.0), n, text)
            for n, text, cs in body_lines(path)]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    out = tmp_path_factory.mktemp("gaps")
    files = {"plan": out / "plan.pdf", "diff": out / "diff.pdf"}
    assert run_cli("render", str(PLAN), "-o", str(files["plan"]), timeout=300).returncode == 0
    assert run_cli("diff", str(PLAN), str(NEW), "-o", str(files["diff"]), timeout=300).returncode == 0
    from test_track_support import filler_module, reference
    from pipeline.track.bulletin import make_bulletin
    produced = filler_module().make_rounds(reference(), out / "returns")
    files["bulletin"] = out / "bulletin.pdf"
    make_bulletin(reference(), produced["round2"], "2023-06-30", files["bulletin"], archive=out / "a.sqlite3")
    return files


@pytest.mark.parametrize("doc", ["plan", "bulletin", "diff"])
def test_no_gap_wider_than_a_quarter_em(pdfs, doc):
    gaps = largest_gaps(pdfs[doc])
    assert len(gaps) > 50
    worst = max(gaps)
    assert worst[0] <= MAX_GAP_EM, worst
    # lines with digits or Latin text are where the old hanzi-only stretch broke down
    mixed = [x for x in gaps if any(ch.isdigit() for ch in x[2])]
    assert len(mixed) > 10


def test_adjacent_marks_are_compressed(pdfs):
    pairs = []
    for _, text, cs in body_lines(pdfs["plan"]):
        for a, b in zip(cs, cs[1:]):
            if a["text"] in "。）”" and b["text"] in "。，、”“（":
                pairs.append(b["x0"] - a["x0"])
    assert pairs, "the reference plan has adjacent punctuation (”。 and the like)"
    assert all(d <= 0.6 * g.BODY_SIZE_PT for d in pairs), pairs          # a half-width first mark
    assert str(compress_pairs("通知》。")) == '通知<span class="halt">》</span>。'
    assert str(compress_pairs("（“快进键”）")) == '（<span class="halt">“</span>快进键<span class="halt">”</span>）'
