"""The drop folder's own faults (issue 17): names taken by something that is not a folder (a FIFO or a
file called `done`/`failed`, a file called `.plandoc`), a read-only inbox, an archive that is garbled,
a folder, or deleted while a notice is processed, and files stranded in the claim folder by a failed
step. Every file ends in done/ or failed/ (with a Chinese reason), outputs of a failed row are never
left published, and what cannot start says why and exits 1 without touching the inbox."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from hostile_support import snapshot
from test_watch_support import REPO, archive_rows, needs_render, watcher_env

pytestmark = needs_render
SAMPLE = REPO / "samples" / "zhoucun-2023-plan.txt"
SAMPLE_2024 = REPO / "samples" / "zhoucun-2024-plan.txt"


def _watch_once(inbox, out, timeout=150, wrap: list[str] | None = None):
    cmd = [sys.executable, "-m", "pipeline", "watch", str(inbox), "--out", str(out), "--once"]
    return subprocess.run((wrap or []) + cmd, cwd=REPO, env=watcher_env(), capture_output=True, text=True,
                          timeout=timeout)


def _fast_outputs(monkeypatch):
    for k, v in watcher_env().items():
        if k.startswith("PLANDOC_WATCH"):
            monkeypatch.setenv(k, v)


def _claimed_task(inbox, out, name):
    """A file claimed the way the watcher claims it (rename into the claim folder, archive row)."""
    from pipeline.archive import Archive
    from pipeline.watch.claim import ProcessingArea
    from pipeline.watch.process import Task
    archive_path = inbox / ".plandoc" / "archive.sqlite3"
    archive = Archive(archive_path)
    area = ProcessingArea(inbox / ".plandoc" / "processing")
    claim = area.claim(inbox / name)
    archive.receive(claim.token, claim.name, claim.path)
    return Task(claim.token, claim.name, str(claim.path), str(inbox), str(out), str(archive_path)), archive, area


# -- names taken by something that is not a folder ----------------------------------------------------
@pytest.mark.timeout(120)
@pytest.mark.parametrize("blocker", ["fifo", "file", "link-to-file"])
@pytest.mark.parametrize("name", ["done", "failed"])
def test_a_non_folder_named_done_or_failed_never_fails_the_notice(tmp_path, monkeypatch, blocker, name):
    from pipeline.watch.process import process_task
    _fast_outputs(monkeypatch)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    good = SAMPLE.read_bytes() if name == "done" else b"\x00\x01not a notice" * 10
    (inbox / "通知.txt").write_bytes(good)
    target = inbox / name
    if blocker == "fifo":
        os.mkfifo(target)
    elif blocker == "file":
        target.write_bytes(b"a clerk's file called " + name.encode())
    else:
        (tmp_path / "elsewhere.txt").write_text("x", encoding="utf-8")
        target.symlink_to(tmp_path / "elsewhere.txt")
    task, archive, area = _claimed_task(inbox, out, "通知.txt")
    outcome = process_task(task)
    assert outcome.state == ("done" if name == "done" else "failed"), outcome
    assert (inbox / name).is_dir() and not (inbox / name).is_symlink()
    assert (inbox / name / "通知.txt").read_bytes() == good
    aside = [p for p in inbox.iterdir() if p.name.startswith(f"{name}（")]
    assert len(aside) == 1                               # the blocker kept, under a name the scan takes
    assert os.path.lexists(aside[0]) and (blocker != "file" or aside[0].read_bytes().startswith(b"a clerk"))
    assert not list(area.dir.iterdir())
    area.close()
    archive.close()


@pytest.mark.timeout(200)
def test_fifos_named_done_and_failed_never_fail_the_notices(tmp_path):
    """Through the real watcher: the FIFOs are renamed aside (and, like every FIFO, left alone, never
    opened: a read would block), every notice and every other file ends in done/ or failed/."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(SAMPLE, inbox / "a.txt")
    shutil.copy(SAMPLE_2024, inbox / "b.txt")
    (inbox / "坏.txt").write_bytes(b"\x00" * 64)
    (inbox / "failed").write_bytes(b"a clerk's file called failed")
    os.mkfifo(inbox / "done")
    proc = _watch_once(inbox, out)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    states = {r["name"]: r["state"] for r in archive_rows(inbox)}
    assert states["a.txt"] == "done" and states["b.txt"] == "done", states
    assert states["坏.txt"] == "failed", states
    assert (inbox / "done").is_dir() and (inbox / "failed").is_dir()
    left = sorted(p.name for p in inbox.iterdir() if p.name not in (".plandoc", "done", "failed"))
    assert len(left) <= 1 and all(name.startswith("done（") for name in left), left       # the FIFO, renamed
    assert left and os.path.exists(inbox / left[0]) and not (inbox / left[0]).is_file()
    kept = [p for p in (inbox / "failed").iterdir() if p.name.startswith("failed（") and not p.name.endswith(".txt")]
    assert [p.read_bytes() for p in kept] == [b"a clerk's file called failed"]                 # processed, kept
    processing = inbox / ".plandoc" / "processing"
    assert not [p for p in processing.rglob("*") if p.is_file() and not p.name.endswith(".lock")]


# -- what cannot start says why ---------------------------------------------------------------------
@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["file", "fifo", "link-to-file"])
def test_a_non_folder_named_plandoc_stops_the_watcher_with_a_reason(tmp_path, kind):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE, inbox / "通知.txt")
    meta = inbox / ".plandoc"
    if kind == "file":
        meta.write_text("某人的文件", encoding="utf-8")
    elif kind == "fifo":
        os.mkfifo(meta)
    else:
        (tmp_path / "x").write_text("x", encoding="utf-8")
        meta.symlink_to(tmp_path / "x")
    before = snapshot(inbox)
    proc = _watch_once(inbox, tmp_path / "out", timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert ".plandoc" in proc.stderr and "错误" in proc.stderr and "不是文件夹" in proc.stderr
    assert snapshot(inbox) == before


def _read_only_wrap(folder) -> list[str] | None:
    """Make `folder` read-only for the watcher: a read-only bind mount in a private mount namespace
    when running as root (root ignores permission bits), plain permission bits otherwise."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return []
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, "sh"]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("with_plandoc", [False, True])
def test_a_read_only_inbox_is_a_clear_error_at_start(tmp_path, with_plandoc):
    from pipeline.archive import Archive
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE, inbox / "通知.txt")
    if with_plandoc:                                       # bookkeeping made earlier, then the share went read-only
        Archive(inbox / ".plandoc" / "archive.sqlite3").close()
    before = snapshot(inbox)
    wrap = _read_only_wrap(inbox)
    if wrap is None:
        pytest.skip("no way to make a folder read-only for root here")
    try:
        proc = _watch_once(inbox, tmp_path / "out", timeout=60, wrap=wrap)
    finally:
        inbox.chmod(0o755)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "只读" in proc.stderr and str(inbox) in proc.stderr
    assert snapshot(inbox) == before


@pytest.mark.timeout(120)
@pytest.mark.parametrize("damage", ["garbled", "truncated-pdf", "directory", "foreign-sqlite"])
def test_a_damaged_archive_stops_the_watcher_with_a_reason_and_touches_nothing(tmp_path, damage):
    inbox = tmp_path / "inbox"
    (inbox / ".plandoc").mkdir(parents=True)
    shutil.copy(SAMPLE, inbox / "通知.txt")
    db = inbox / ".plandoc" / "archive.sqlite3"
    if damage == "garbled":
        db.write_bytes(os.urandom(8192))
    elif damage == "truncated-pdf":
        db.write_bytes((REPO / "samples" / "zhoucun-2023-plan.pdf").read_bytes()[:5000])
    elif damage == "directory":
        db.mkdir()
    else:
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE notes(x)")
        con.execute("PRAGMA user_version=99")
        con.commit()
        con.close()
    before = snapshot(inbox)
    proc = _watch_once(inbox, tmp_path / "out", timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "档案库" in proc.stderr and "archive.sqlite3" in proc.stderr
    assert snapshot(inbox) == before


# -- the archive deleted while a notice is processed -------------------------------------------------
@pytest.mark.timeout(120)
@pytest.mark.parametrize("when", ["after-outputs", "before-outputs"])
def test_archive_deleted_while_processing_fails_the_notice_and_publishes_nothing(tmp_path, monkeypatch, when):
    import pipeline.watch.plan_drop as plan_drop
    from pipeline.watch.process import process_task
    _fast_outputs(monkeypatch)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    data = SAMPLE.read_bytes()
    (inbox / "通知.txt").write_bytes(data)
    task, archive, area = _claimed_task(inbox, out, "通知.txt")

    def delete_archive():
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{task.archive_path}{suffix}")
            except FileNotFoundError:
                pass
    real = plan_drop.produce_plan_outputs

    def produce(*args, **kwargs):           # the fault at a chosen moment; the outputs are real
        if when == "before-outputs":
            delete_archive()
        written = real(*args, **kwargs)
        if when == "after-outputs":
            delete_archive()
        return written
    monkeypatch.setattr(plan_drop, "produce_plan_outputs", produce)
    outcome = process_task(task)
    assert outcome.state == "failed", outcome
    assert "档案库" in outcome.detail
    assert (inbox / "failed" / "通知.txt").read_bytes() == data
    reason = (inbox / "failed" / "通知.txt.原因.txt").read_text(encoding="utf-8")
    assert "档案库" in reason and "通知.txt" in reason
    assert not [p for p in out.rglob("*") if p.is_file()], list(out.rglob("*"))
    assert not list(area.dir.iterdir())
    area.close()
    archive.close()


# -- files stranded in our own claim folder ----------------------------------------------------------
@pytest.mark.timeout(150)
def test_a_file_stranded_in_the_claim_folder_is_requeued_and_processed(tmp_path, monkeypatch):
    from pipeline.watch.service import Watcher
    _fast_outputs(monkeypatch)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    data = SAMPLE.read_bytes()
    (inbox / "通知.txt").write_bytes(data)
    watcher = Watcher(inbox.resolve(), out.resolve(), warm_up=False)
    try:
        # what a failed step leaves: claimed (renamed into our folder), but never queued
        claim = watcher.area.claim(inbox.resolve() / "通知.txt")
        assert claim is not None and not (inbox / "通知.txt").exists()
        assert watcher.run_once() == 0
    finally:
        watcher.close()
    assert (inbox / "done" / "通知.txt").read_bytes() == data
    assert [(r["name"], r["state"]) for r in archive_rows(inbox)] == [("通知.txt", "done")]


@pytest.mark.timeout(150)
def test_a_claimed_file_started_again_and_again_is_failed_with_a_reason(tmp_path, monkeypatch):
    from pipeline.watch.service import MAX_ATTEMPTS, Watcher
    _fast_outputs(monkeypatch)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "通知.txt").write_bytes(SAMPLE.read_bytes())
    watcher = Watcher(inbox.resolve(), out.resolve(), warm_up=False)
    try:
        claim = watcher.area.claim(inbox.resolve() / "通知.txt")
        watcher.archive.receive(claim.token, claim.name, claim.path)
        for _ in range(MAX_ATTEMPTS):
            watcher.archive.start_processing(claim.token)
        assert watcher.requeue_own() == 0
    finally:
        watcher.close()
    assert (inbox / "failed" / "通知.txt").exists()
    reason = (inbox / "failed" / "通知.txt.原因.txt").read_text(encoding="utf-8")
    assert f"{MAX_ATTEMPTS} 次" in reason


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["通知\u202eexe.txt", "通知\x1b[31m红.txt", "通知\u2066隔离.txt", "通知\x07.txt"])
def test_reason_files_show_control_characters_in_names_escaped(tmp_path, monkeypatch, name):
    from pipeline.watch.process import process_task
    _fast_outputs(monkeypatch)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / name).write_bytes(b"\x00\x01\x02 not a notice" * 8)
    task, archive, area = _claimed_task(inbox, out, name)
    outcome = process_task(task)
    assert outcome.state == "failed"
    assert (inbox / "failed" / name).read_bytes() == b"\x00\x01\x02 not a notice" * 8   # the original, its name kept
    reason = (inbox / "failed" / f"{name}.原因.txt").read_text(encoding="utf-8")
    raw = [ch for ch in name if ord(ch) < 32 or ch in "\u202e\u2066"]
    assert not any(ch in reason for ch in raw), reason
    assert all(f"［U+{ord(ch):04X}］" in reason for ch in raw), reason
    area.close()
    archive.close()
