"""The 通报: figures for two constructed rounds (JSON contract, change since the previous round via
the archive, 未按时报送, computed-over-reported status) and the PDF (公文 look, text round-trip)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from pipeline.archive import Archive
from pipeline.track.bulletin import make_bulletin
from pipeline.track.bulletin_context import cite_task
from pipeline.track.config import CANONICAL_STATUSES, load_config
from test_track_support import filler_module, reference

CONTRACT_TASK_KEYS = {"id", "title", "status", "light", "lead", "stale"}
CONTRACT_IND_KEYS = {"id", "name", "target", "actual", "growth", "completion_pct", "vs_schedule_pts", "light"}


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory):
    base = tmp_path_factory.mktemp("bulletin")
    filler = filler_module()
    produced = filler.make_rounds(reference(), base / "returns")
    db = base / "archive.sqlite3"
    f1 = make_bulletin(reference(), produced["round1"], None, base / "r1.json", archive=db)
    f2 = make_bulletin(reference(), produced["round2"], "2023-06-30", base / "r2.json", archive=db)
    return base, produced, db, f1, f2, filler


def test_contract_shape(two_rounds):
    base, _, _, f1, f2, _ = two_rounds
    on_disk = json.loads((base / "r2.json").read_text(encoding="utf-8"))
    assert on_disk["as_of"] == "2023-06-30" and on_disk["schedule_pct"] == 50.0
    assert f1["as_of"] == "2023-03-31" and f1["schedule_pct"] == 25.0     # date from the workbooks
    assert set(on_disk["counts"]) == set(CANONICAL_STATUSES)
    assert on_disk["plan"] == {"title": "周村区2023年国民经济和社会发展计划", "region": "周村区", "year": 2023}
    for t in on_disk["tasks"]:
        assert CONTRACT_TASK_KEYS <= set(t)
        assert t["status"] in (*CANONICAL_STATUSES, None) and t["light"] in ("green", "yellow", "red", None)
    for i in on_disk["indicators"]:
        assert CONTRACT_IND_KEYS <= set(i)
    assert sum(on_disk["counts"].values()) + on_disk["unreported"] + len(on_disk["unassigned"]) == len(on_disk["tasks"])
    assert round(sum(on_disk["shares"].values()), 1) == 100.0


def test_figures_follow_the_reports(two_rounds):
    """Recompute a few figures independently from the merged reports."""
    _, produced, _, _, f2, _ = two_rounds
    from pipeline.track.ingest import ingest
    from pipeline.track.items import build_items
    cfg = load_config()
    items = build_items(reference(), cfg)
    merged = ingest(produced["round2"], items, cfg)
    for ind in f2["indicators"]:
        rep = merged.indicators.get(ind["id"])
        check = items.indicator(ind["id"]).absolute_target
        if rep and rep.report.actual is not None and check is not None and check.kind == "quantity":
            pct = rep.report.actual.__truediv__(check.target) * 100
            assert ind["completion_pct"] == pytest.approx(pct, abs=0.06)
            assert ind["vs_schedule_pts"] == pytest.approx(pct - 50.0, abs=0.11)
    for t in f2["targets"]:
        if t["computed_status"]:
            assert t["status"] == t["computed_status"]          # computed overrides reported
    assert any(t["disagree"] for t in f2["tasks"] + f2["targets"]), "constructed data has disagreements"
    lagging = {t["id"] for t in f2["tasks"] if t["status"] in ("滞后", "未启动")}
    assert set(f2["lagging"]) == lagging and lagging
    assert all(t["lead"] for t in f2["tasks"] if t["id"] in lagging)


def test_change_since_previous_and_stale(two_rounds):
    _, _, _, f1, f2, filler = two_rounds
    assert f1["previous"] is None
    prev = f2["previous"]
    assert prev["as_of"] == "2023-03-31"
    assert prev["counts"] == f1["counts"]
    assert prev["counts_delta"] == {s: f2["counts"][s] - f1["counts"][s] for s in CANONICAL_STATUSES}
    before = {t["id"]: t["status"] for t in f1["tasks"]}
    assert {c["id"] for c in prev["status_changes"]} == {t["id"] for t in f2["tasks"] if before[t["id"]] != t["status"]}
    # the department that returned round 1 unchanged is flagged, and only its open tasks
    stale = {t["id"] for t in f2["tasks"] if t["stale"]}
    expected = {t["id"] for t in f2["tasks"] if t["lead"] == filler.STALE_LEAD
                and t["status"] not in load_config().collection.stale_exempt}
    assert stale == expected and stale
    assert f2["stale_units"] == [filler.STALE_LEAD]
    assert not any(t["stale"] for t in f1["tasks"] if t["status"] is not None)


def test_rerun_same_round_records_nothing_new(two_rounds, tmp_path):
    base, produced, db, _, f2, _ = two_rounds
    copy = tmp_path / "a.sqlite3"
    shutil.copy(db, copy)
    archive = Archive(copy)
    n = len(archive.progress_history(f2["plan_key"]))
    archive.close()
    again = make_bulletin(reference(), produced["round2"], "2023-06-30", tmp_path / "again.json", archive=copy)
    archive = Archive(copy)
    assert len(archive.progress_history(f2["plan_key"])) == n
    archive.close()
    assert again["previous"]["as_of"] == "2023-03-31"


def test_bad_as_of(two_rounds, tmp_path):
    from pipeline.errors import InputError
    _, produced, _, _, _, _ = two_rounds
    for bad, reason in (("2023/06/30", "格式"), ("2024-03-31", "不在计划年度")):
        with pytest.raises(InputError, match=reason):
            make_bulletin(reference(), produced["round2"], bad, tmp_path / "x.json", archive=tmp_path / "a.db")


def test_pdf_bulletin(two_rounds, tmp_path):
    pdfplumber = pytest.importorskip("pdfplumber")
    base, produced, db, _, f2, _ = two_rounds
    copy = tmp_path / "a.sqlite3"
    shutil.copy(db, copy)
    out = tmp_path / "通报.pdf"
    make_bulletin(reference(), produced["round2"], "2023-06-30", out, archive=copy)
    with pdfplumber.open(out) as pdf:
        pages = pdf.pages
        # page by page without the "— N —" folios, so a paragraph that continues on the next page reads on
        text = "".join(re.sub(r"—\s*\d+\s*—\s*$", "", p.extract_text() or "") for p in pages)
        text = text.replace("\n", "").replace(" ", "")
        assert all(abs(p.width - 595.28) < 0.5 and abs(p.height - 841.89) < 0.5 for p in pages)
        fonts = {c["fontname"].split("+", 1)[-1] for p in pages for c in p.chars}
        chart_rects = len(pages[0].rects)
        cells = {(row[0] or "").replace("\n", "") for p in pages for table in p.extract_tables() for row in table}
    assert "重点工作任务1—6月进展情况的通报" in text
    assert "序时进度为50.0%" in text and "与上期（截至2023年3月31日）相比" in text
    for t in f2["tasks"]:
        if t["id"] in f2["lagging"]:
            assert cite_task(t["id"], t["title"]) in text and t["lead"] in text
    assert "未按时报送" in text and f2["stale_units"][0] in text
    assert "主要指标执行情况表" in text and "完成年度目标%" in text
    for i in f2["indicators"]:                                  # one table row per indicator
        assert i["name"] in cells, i["name"]
    assert fonts and all(f.startswith("PD-") for f in fonts), fonts      # our @font-face faces only
    assert "\u200b" not in text and "(cid:" not in text
    if shutil.which("pdftotext"):
        plain = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
        assert "滞后事项" in plain.replace(" ", "")
    segments = sum(1 for v in f2["shares"].values() if v)
    assert chart_rects >= 2 * segments                           # status bar segments + legend swatches


def test_cli_progress_files_space_separated(two_rounds, tmp_path):
    """The issue's form `--progress FILE...`: several workbooks after one flag, plus the repeated form."""
    from conftest import run_cli
    from test_track_support import reference_path
    _base, produced, _db, _f1, f2, _ = two_rounds
    files = [str(p) for p in produced["round2"]]
    env_archive = tmp_path / "a.sqlite3"
    import os
    os.environ["PLANDOC_ARCHIVE"] = str(env_archive)
    try:
        out = tmp_path / "cli.json"
        r = run_cli("bulletin", str(reference_path()), "--progress", *files, "--as-of", "2023-06-30", "-o", str(out))
        assert r.returncode == 0, r.stderr
        got = json.loads(out.read_text(encoding="utf-8"))
        assert got["counts"] == f2["counts"]
        out2 = tmp_path / "cli2.json"
        repeated = [x for f in files for x in ("--progress", f)]
        r = run_cli("bulletin", str(reference_path()), *repeated, "--as-of", "2023-06-30", "-o", str(out2))
        assert r.returncode == 0, r.stderr
        assert json.loads(out2.read_text(encoding="utf-8"))["counts"] == f2["counts"]
    finally:
        del os.environ["PLANDOC_ARCHIVE"]
