"""Subfolders dropped into the inbox, and returned 台账 that arrive before their plan (issue 12).

Real watcher subprocesses on real inotify events: a department's folder copied in the way `cp -r`
or Explorer does it (the folder first, then its files one by one, one of them written in chunks over
seconds), bookkeeping folders that must never be read, and workbooks that wait in 等待计划/ across a
restart until their plan is dropped."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_watch_support import (REPO, archive_rows, district_variant, docx_bytes, needs_render, run_once,
                                sample_text, start_watcher, stop_watchers, terminal_count, text_pdf, wait_until)

pytestmark = needs_render

SAMPLES = REPO / "samples"


def _log(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.mark.timeout(240)
def test_dropped_subfolder_is_processed_file_by_file(tmp_path):
    inbox, out, elsewhere = tmp_path / "inbox", tmp_path / "out", tmp_path / "elsewhere"
    inbox.mkdir()
    elsewhere.mkdir()
    notice = district_variant(sample_text(), "张店区").encode("utf-8")
    # bookkeeping and hidden folders hold notice-looking files that must never be taken
    for folder in (inbox / "done" / "旧文件夹", inbox / "failed" / "旧文件夹", inbox / "等待计划",
                   inbox / ".隐藏", inbox / ".plandoc" / "reports"):
        folder.mkdir(parents=True)
        (folder / "博山区计划.txt").write_bytes(district_variant(sample_text(), "博山区").encode("utf-8"))
    # a linked folder is never followed (the link itself is refused, its target left alone)
    (elsewhere / "临淄区计划.txt").write_bytes(district_variant(sample_text(), "临淄区").encode("utf-8"))
    os.symlink(elsewhere, inbox / "链接文件夹")
    (inbox / "空文件夹").mkdir()            # made empty by the clerk: not ours to remove
    log = tmp_path / "watch.log"
    proc = start_watcher(inbox, out, log=log)
    try:
        assert wait_until(lambda: "处理进程已就绪" in _log(log), 60), _log(log)
        # the department's folder arrives: folder first, then files, the .docx written in chunks over ~3 s
        dept = inbox / "工信局报送"
        (dept / "通知").mkdir(parents=True)
        (dept / "通知" / "张店区计划.txt").write_bytes(notice)
        (dept / "说明.pdf").write_bytes(text_pdf())
        slow = docx_bytes(district_variant(sample_text(), "淄川区").splitlines())
        with open(dept / "淄川区计划.docx", "wb") as f:
            step = len(slow) // 6 + 1
            for i in range(0, len(slow), step):
                f.write(slow[i:i + step])
                f.flush()
                time.sleep(0.6)
        assert wait_until(lambda: terminal_count(inbox) >= 4, 180, interval=0.25), _log(log)
        # the emptied department folder goes (after its quiet time); the clerk's empty folder stays
        assert wait_until(lambda: not dept.exists(), 30), sorted(str(p) for p in dept.rglob("*"))
        time.sleep(2)       # a few more rescans: nothing else may be taken
    finally:
        codes = stop_watchers(proc)
    assert codes == [0], _log(log)
    rows = archive_rows(inbox)
    by_name = {r["name"]: r for r in rows}
    assert len(by_name) == len(rows), "a file was taken twice"
    assert {n: r["state"] for n, r in by_name.items()} == {
        "工信局报送/通知/张店区计划.txt": "done", "工信局报送/淄川区计划.docx": "done",
        "工信局报送/说明.pdf": "failed", "链接文件夹": "failed"}
    # the slowly written .docx was taken whole, once
    docx_row = by_name["工信局报送/淄川区计划.docx"]
    assert docx_row["attempts"] == 1 and docx_row["byte_size"] == len(slow)
    # originals keep their subfolder path in done/ and failed/, and the reason names it
    assert (inbox / "done" / "工信局报送" / "通知" / "张店区计划.txt").read_bytes() == notice
    assert (inbox / "done" / "工信局报送" / "淄川区计划.docx").read_bytes() == slow
    assert (inbox / "failed" / "工信局报送" / "说明.pdf").read_bytes() == text_pdf()
    reason = (inbox / "failed" / "工信局报送" / "说明.pdf.原因.txt").read_text("utf-8")
    assert reason.startswith("文件：工信局报送/说明.pdf\n"), reason
    for region in ("张店区", "淄川区"):
        assert (out / region / "2023" / f"{region}2023年计划.pdf").read_bytes().startswith(b"%PDF-")
    # bookkeeping, hidden and linked folders untouched
    for folder in (inbox / "done" / "旧文件夹", inbox / "failed" / "旧文件夹", inbox / "等待计划", inbox / ".隐藏",
                   inbox / ".plandoc" / "reports"):
        assert (folder / "博山区计划.txt").exists(), folder
    assert (elsewhere / "临淄区计划.txt").exists() and not (out / "临淄区").exists()
    assert not (out / "博山区").exists()
    assert (inbox / "空文件夹").is_dir()
    assert "Traceback" not in log.read_text(errors="replace")


# -- workbooks before their plan ------------------------------------------------------------------
@pytest.fixture(scope="module")
def round1(tmp_path_factory) -> Path:
    wb = tmp_path_factory.mktemp("workbooks")
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_progress_workbooks.py"),
                    str(SAMPLES / "zhoucun-2023-plan.txt"), str(wb)], check=True, capture_output=True, cwd=REPO)
    return wb / "round1"


def _db(inbox: Path, sql: str) -> list[dict]:
    con = sqlite3.connect(str(inbox / ".plandoc" / "archive.sqlite3"), timeout=30)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql)]
    finally:
        con.close()


def _waiting_count(inbox: Path) -> int | None:
    """Rows of the archive's `waiting` table, or None while there is none yet: the archive file exists
    from the moment the watcher opens it, a little before its migrations have created the tables."""
    if not (inbox / ".plandoc" / "archive.sqlite3").exists():
        return None
    try:
        return len(_db(inbox, "SELECT * FROM waiting"))
    except sqlite3.OperationalError:
        return None


def _copy_in(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    tmp.rename(target)


OUTPUTS = "json,plain"     # the bulletin is what is under test, not the plan's other outputs


@pytest.mark.timeout(300)
def test_workbooks_before_the_plan_wait_across_a_restart(tmp_path, round1):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    waiting = inbox / "等待计划"
    gx = (round1 / "区工业和信息化局.xlsx").read_bytes()
    zj = (round1 / "区住房和城乡建设局.xlsx").read_bytes()
    log1 = tmp_path / "w1.log"
    first = start_watcher(inbox, out, log=log1, PLANDOC_WATCH_OUTPUTS=OUTPUTS)
    try:
        _copy_in(inbox / "工信局-一季度.xlsx", gx)
        _copy_in(inbox / "住建局" / "一季度台账.xlsx", zj)          # also from a department's folder
        assert wait_until(lambda: _waiting_count(inbox) == 2, 120), _log(log1)
        assert wait_until(lambda: (waiting / "住建局" / "一季度台账.xlsx").exists(), 30)
    finally:
        codes = stop_watchers(first)
    assert codes == [0], _log(log1)
    # parked, visible, explained — not failed, not processed
    assert (waiting / "工信局-一季度.xlsx").read_bytes() == gx
    assert (waiting / "住建局" / "一季度台账.xlsx").read_bytes() == zj
    note = (waiting / "工信局-一季度.xlsx.等待说明.txt").read_text("utf-8")
    assert "还没有收到这份计划" in note and "《周村区2023年国民经济和社会发展计划》" in note and "自动" in note, note
    assert (waiting / "住建局" / "一季度台账.xlsx.等待说明.txt").read_text("utf-8").startswith(
        "文件：住建局/一季度台账.xlsx\n")
    assert not (inbox / "failed").exists() and not _db(inbox, "SELECT * FROM reports")
    assert {r["state"] for r in archive_rows(inbox)} == {"received"}
    assert "等待计划" in log1.read_text(errors="replace")
    index = (out / "index.html").read_text("utf-8")
    assert "等待计划的台账" in index and "住建局/一季度台账.xlsx" in index

    # a new watcher (a restart): the workbooks still wait; then the plan is dropped and they go through
    log2 = tmp_path / "w2.log"
    second = start_watcher(inbox, out, log=log2, PLANDOC_WATCH_OUTPUTS=OUTPUTS)
    try:
        assert wait_until(lambda: "处理进程已就绪" in _log(log2), 60), _log(log2)
        time.sleep(2.5)      # two rescans
        assert len(_db(inbox, "SELECT * FROM waiting")) == 2 and (waiting / "工信局-一季度.xlsx").exists()
        _copy_in(inbox / "周村区2023年计划.txt", (SAMPLES / "zhoucun-2023-plan.txt").read_bytes())
        assert wait_until(lambda: terminal_count(inbox) >= 3, 240, interval=0.25), _log(log2)
    finally:
        codes = stop_watchers(second)
    assert codes == [0], _log(log2)
    rows = archive_rows(inbox)
    assert len(rows) == 3 and {r["state"] for r in rows} == {"done"}, [(r["name"], r["state"], r["error"]) for r in rows]
    reports = _db(inbox, "SELECT * FROM reports")
    assert sorted((r["name"], r["state"], r["as_of"]) for r in reports) == [
        ("住建局/一季度台账.xlsx", "accepted", "2023-03-31"), ("工信局-一季度.xlsx", "accepted", "2023-03-31")]
    assert not _db(inbox, "SELECT * FROM waiting")
    assert (inbox / "done" / "住建局" / "一季度台账.xlsx").read_bytes() == zj
    assert (inbox / "done" / "工信局-一季度.xlsx").read_bytes() == gx
    assert not [p for p in waiting.rglob("*") if p.is_file()], "waiting folder emptied (notes too)"
    bulletin = out / "周村区" / "2023" / "通报" / "周村区2023年计划执行情况通报（截至2023年3月31日）.pdf"
    assert bulletin.read_bytes().startswith(b"%PDF-")
    assert "计划已到" in log2.read_text(errors="replace")
    assert "等待计划的台账" not in (out / "index.html").read_text("utf-8")


@pytest.mark.timeout(240)
def test_once_takes_a_workbook_dropped_with_its_plan_in_any_order(tmp_path, round1):
    """--once on a batch holding the workbooks and their plan: whichever is taken first, every
    workbook is accepted in the same run (the ones that started waiting are released)."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    names = ["区工业和信息化局.xlsx", "区统计局.xlsx", "区住房和城乡建设局.xlsx"]
    for n in names:
        _copy_in(inbox / "报送" / n, (round1 / n).read_bytes())
    _copy_in(inbox / "周村区2023年计划.txt", (SAMPLES / "zhoucun-2023-plan.txt").read_bytes())
    result = run_once(inbox, out, timeout=200, PLANDOC_WATCH_OUTPUTS=OUTPUTS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "完成 4 份，重复 0 份，失败 0 份\n" in result.stderr, result.stderr[-2000:]
    reports = _db(inbox, "SELECT * FROM reports")
    assert sorted(r["name"] for r in reports if r["state"] == "accepted") == sorted(f"报送/{n}" for n in names)
    assert not _db(inbox, "SELECT * FROM waiting")
    assert not (inbox / "报送").exists() or not any((inbox / "报送").iterdir())


@pytest.mark.timeout(300)
def test_waiting_workbooks_survive_a_kill_mid_release_and_a_clerk_removing_one(tmp_path, round1):
    """The states a kill -9 or a clerk can leave, set up on disk exactly as they would be: one waiting
    workbook already renamed into a dead watcher's processing area (killed right after releasing it),
    one taken out of 等待计划/ by the clerk. The next run processes the first exactly once and records
    the second as given up — nothing waits forever, nothing is accepted twice."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    names = {"工信局.xlsx": "区工业和信息化局.xlsx", "统计局.xlsx": "区统计局.xlsx", "财政局.xlsx": "区财政局.xlsx"}
    for dropped, source in names.items():
        _copy_in(inbox / dropped, (round1 / source).read_bytes())
    first = run_once(inbox, out, timeout=120, PLANDOC_WATCH_OUTPUTS=OUTPUTS)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "等待计划 3 份" in first.stderr, first.stderr[-2000:]
    waiting = {r["name"]: r for r in _db(inbox, "SELECT * FROM waiting")}
    assert sorted(waiting) == sorted(names)
    # a watcher killed right after releasing 工信局.xlsx: the file sits in its (unlocked) area
    dead = inbox / ".plandoc" / "processing" / "0123456789ab"
    dead.mkdir(parents=True)
    (dead.parent / "0123456789ab.lock").touch()
    w = waiting["工信局.xlsx"]
    os.rename(w["path"], dead / f"{w['token']}__工信局.xlsx")
    # the clerk deletes 财政局.xlsx from 等待计划/
    gone = Path(waiting["财政局.xlsx"]["path"])
    gone.unlink()
    gone.with_name(gone.name + ".等待说明.txt").unlink()

    _copy_in(inbox / "周村区2023年计划.txt", (SAMPLES / "zhoucun-2023-plan.txt").read_bytes())
    second = run_once(inbox, out, timeout=200, PLANDOC_WATCH_OUTPUTS=OUTPUTS)
    assert second.returncode == 0, second.stderr[-3000:]
    rows = {r["name"]: r for r in archive_rows(inbox)}
    assert {n: r["state"] for n, r in rows.items()} == {
        "工信局.xlsx": "done", "统计局.xlsx": "done", "财政局.xlsx": "failed", "周村区2023年计划.txt": "done"}
    assert "移出" in rows["财政局.xlsx"]["error"]
    reports = _db(inbox, "SELECT * FROM reports")
    assert sorted((r["name"], r["state"]) for r in reports) == [("工信局.xlsx", "accepted"), ("统计局.xlsx", "accepted")]
    assert not _db(inbox, "SELECT * FROM waiting")
    assert not any((inbox / ".plandoc" / "processing").rglob("*__*")), "claimed files left behind"
    assert (inbox / "done" / "工信局.xlsx").read_bytes() == (round1 / "区工业和信息化局.xlsx").read_bytes()


@pytest.mark.timeout(240)
def test_output_folder_inside_the_inbox_is_never_taken_as_input(tmp_path):
    """`--out` pointing into the inbox (a clerk's "收文/成品"): its PDFs, JSON and 台账 are subfolder
    files like any other, and must never come back as drops — not in the run that wrote them, not later."""
    inbox = tmp_path / "inbox"
    out = inbox / "成品"
    (inbox / "各区通知").mkdir(parents=True)
    _copy_in(inbox / "各区通知" / "张店区计划.txt", district_variant(sample_text(), "张店区").encode("utf-8"))
    _copy_in(inbox / "淄川区计划.txt", district_variant(sample_text(), "淄川区").encode("utf-8"))
    first = run_once(inbox, out, timeout=150, PLANDOC_WATCH_OUTPUTS="json,plain,tracker")
    assert first.returncode == 0 and "完成 2 份，重复 0 份，失败 0 份" in first.stderr, first.stderr[-2000:]
    produced = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert any(p.suffix == ".xlsx" for p in produced) and any(p.suffix == ".pdf" for p in produced), produced
    again = run_once(inbox, out, timeout=60, PLANDOC_WATCH_OUTPUTS="json,plain,tracker")
    assert again.returncode == 0 and "完成 0 份，重复 0 份，失败 0 份" in again.stderr, again.stderr[-2000:]
    assert sorted(r["name"] for r in archive_rows(inbox)) == ["各区通知/张店区计划.txt", "淄川区计划.txt"]
    assert sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file()) == produced
