"""The kill -9 and two-watcher guarantees, extended to returned workbooks and plan revisions: every
workbook accepted exactly once, every revision one version, and no bulletin built from a
half-accepted round (the last bulletin of the period lists exactly the units accepted)."""
from __future__ import annotations

import collections
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_watch_support import (REPO, archive_rows, needs_render, partial_outputs, start_watcher, stop_watcher,
                                terminal_count, wait_until)

pytestmark = needs_render

SAMPLES = REPO / "samples"
OUTPUTS = "json,plain,tracker"          # the formal PDF and comparisons add render time, not concurrency


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    wb = tmp_path_factory.mktemp("workbooks")
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_progress_workbooks.py"),
                    str(SAMPLES / "zhoucun-2023-plan.txt"), str(wb)], check=True, capture_output=True, cwd=REPO)
    return {p.stem: p.read_bytes() for p in sorted((wb / "round1").glob("*.xlsx"))[:6]}


def _plan(target: str | None = None) -> bytes:
    text = (SAMPLES / "zhoucun-2023-plan.txt").read_text(encoding="utf-8")
    return (text.replace("新增城镇就业4000人以上", f"新增城镇就业{target}人以上") if target else text).encode("utf-8")


def _reports(inbox: Path) -> list[dict]:
    con = sqlite3.connect(str(inbox / ".plandoc" / "archive.sqlite3"), timeout=30)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM reports ORDER BY id")]
    finally:
        con.close()


def _drop(inbox: Path, stage: Path, name: str, data: bytes) -> None:
    (stage / name).write_bytes(data)
    os.rename(stage / name, inbox / name)


def _assert_year_consistent(inbox: Path, out: Path, units: set[str], versions: int) -> None:
    rows = archive_rows(inbox)
    assert all(r["state"] in ("done", "duplicate") for r in rows), [(r["name"], r["state"], r["error"]) for r in rows]
    reports = _reports(inbox)
    assert collections.Counter(r["token"] for r in reports).most_common(1)[0][1] == 1
    accepted = [r for r in reports if r["state"] == "accepted"]
    assert sorted(r["unit"] for r in accepted) == sorted(units), "every workbook accepted exactly once"
    copies = list((inbox / ".plandoc" / "reports").iterdir())
    assert sorted(p.name for p in copies if p.suffix == ".xlsx") == sorted(f"{r['token']}.xlsx" for r in accepted)
    plans = [r for r in rows if r["kind"] == "plan" and r["state"] == "done"]
    assert sorted(r["version"] for r in plans) == list(range(1, versions + 1))
    y23 = out / "周村区" / "2023"
    assert sorted(p.name for p in (y23 / "历次版本").iterdir()) == [f"第{i}版" for i in range(1, versions)]
    current = json.loads((y23 / "周村区2023年计划（解析结果）.json").read_text("utf-8"))
    assert current["source"]["path"] == max(plans, key=lambda r: r["version"])["name"]
    bulletin = json.loads((y23 / "通报" / "周村区2023年计划执行情况通报（截至2023年3月31日）（数据）.json")
                          .read_text("utf-8"))
    # the last bulletin was built from the whole round: all units, no more, no fewer
    assert sorted(u["unit"] for u in bulletin["submissions"]["reported"]) == sorted(units)
    assert sorted(f["unit"] for f in bulletin["reports"]) == sorted(units)
    assert not partial_outputs(out), partial_outputs(out)


@pytest.mark.timeout(300)
def test_two_watchers_workbooks_and_revisions(tmp_path, workbooks):
    inbox, out, stage = tmp_path / "inbox", tmp_path / "out", tmp_path / "stage"
    inbox.mkdir()
    stage.mkdir()
    one = start_watcher(inbox, out, log=tmp_path / "w1.log", PLANDOC_WATCH_OUTPUTS=OUTPUTS)
    two = start_watcher(inbox, out, "--polling", log=tmp_path / "w2.log", PLANDOC_WATCH_OUTPUTS=OUTPUTS)
    try:
        _drop(inbox, stage, "计划.txt", _plan())
        assert wait_until(lambda: terminal_count(inbox) >= 1, 120, interval=0.3)
        files = {"修订一.txt": _plan("4100"), "修订二.txt": _plan("4200"), "同一计划另存.txt": _plan() + b"\n"}
        files.update({f"{u}.xlsx": data for u, data in workbooks.items()})
        files["副本.xlsx"] = next(iter(workbooks.values()))         # the same bytes again: a duplicate
        for name, data in files.items():
            _drop(inbox, stage, name, data)
        assert wait_until(lambda: terminal_count(inbox) >= len(files) + 1, 200, interval=0.3)
        assert one.poll() is None and two.poll() is None
    finally:
        assert stop_watcher(one) == 0
        assert stop_watcher(two) == 0
    states = {r["name"]: r["state"] for r in archive_rows(inbox)}
    # 副本.xlsx and the workbook it copies arrive milliseconds apart and may be taken by the two watchers
    # at once: whichever reaches the plan's lock first is accepted, the other is the duplicate
    first = f"{next(iter(workbooks))}.xlsx"
    assert sorted((states["副本.xlsx"], states[first])) == ["done", "duplicate"], (states["副本.xlsx"], states[first])
    assert states["同一计划另存.txt"] == "duplicate"
    _assert_year_consistent(inbox, out, set(workbooks), versions=3)


@pytest.mark.timeout(400)
def test_kill_9_during_workbooks_and_revisions(tmp_path, workbooks):
    inbox, out, stage = tmp_path / "inbox", tmp_path / "out", tmp_path / "stage"
    inbox.mkdir()
    stage.mkdir()
    log = tmp_path / "watch.log"
    proc = start_watcher(inbox, out, log=log, PLANDOC_WATCH_OUTPUTS=OUTPUTS)
    try:
        _drop(inbox, stage, "计划.txt", _plan())
        assert wait_until(lambda: terminal_count(inbox) >= 1, 120, interval=0.3)
    finally:
        proc.kill()
        proc.wait()
    pending = [(f"{u}.xlsx", d) for u, d in workbooks.items()] + [("修订.txt", _plan("4300"))]
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    rng.shuffle(pending)
    for cycle in range(8):
        for _ in range(2 if pending else 0):
            if pending:
                _drop(inbox, stage, *pending.pop())
        proc = start_watcher(inbox, out, log=log, PLANDOC_WATCH_OUTPUTS=OUTPUTS, PLANDOC_WATCH_RESCAN="0.5")
        if cycle % 2:     # aimed: while a file is being worked on
            wait_until(lambda: any(r["state"] == "processing" for r in archive_rows(inbox)), 20, interval=0.05)
            time.sleep(rng.uniform(0.0, 1.0))
        else:
            time.sleep(rng.uniform(0.5, 4.0))
        proc.kill()
        proc.wait()
    for item in pending:
        _drop(inbox, stage, *item)
    final = start_watcher(inbox, out, log=tmp_path / "final.log", PLANDOC_WATCH_OUTPUTS=OUTPUTS,
                          PLANDOC_WATCH_RESCAN="0.5")
    try:
        assert wait_until(lambda: terminal_count(inbox) >= len(workbooks) + 2, 200, interval=0.3), \
            (tmp_path / "final.log").read_text(errors="replace")[-2000:]
        assert wait_until(lambda: "开始监视" in (tmp_path / "final.log").read_text(errors="replace"), 60)
    finally:
        assert stop_watcher(final) == 0
    _assert_year_consistent(inbox, out, set(workbooks), versions=2)
    assert "Traceback" not in (tmp_path / "final.log").read_text(errors="replace")
