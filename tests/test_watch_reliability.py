"""Reliability of the drop folder under real concurrency: a slow writer, kill -9 at random moments
with restarts, two watchers on one inbox, and the --once batch. Every watcher here is a real
subprocess (`python -m pipeline watch …`) on real inotify/polling events."""
from __future__ import annotations

import collections
import os
import random
import time
from pathlib import Path

import pytest

from test_watch_support import (DISTRICTS, archive_rows, district_variant, needs_render, partial_outputs, run_once,
                                sample_text, sha, start_watcher, stop_watchers, terminal_count, tree_hashes,
                                wait_until)

pytestmark = needs_render


def notices(n: int) -> list[tuple[str, bytes]]:
    """n distinct, realistic notices: the reference plan re-issued by other districts and years."""
    text = sample_text()
    out = []
    for i in range(n):
        district, year = DISTRICTS[i % len(DISTRICTS)], 2023 + i // len(DISTRICTS)
        out.append((f"{district}{year}年计划.txt", district_variant(text, district, year).encode("utf-8")))
    return out


def assert_clean_end(inbox: Path, out: Path, dropped: dict[str, bytes]) -> list[dict]:
    """Every dropped file processed exactly once, its bytes in done/, one JSON + one PDF each, no debris."""
    rows = archive_rows(inbox)
    by_name = collections.Counter(r["name"] for r in rows)
    assert by_name == collections.Counter(list(dropped)), by_name
    assert all(r["state"] == "done" for r in rows), [(r["name"], r["state"], r["error"]) for r in rows]
    assert tree_hashes(inbox / "done") == {n: sha(b) for n, b in dropped.items()}
    pdfs, jsons = sorted(out.rglob("*.pdf")), sorted(out.rglob("*.json"))
    assert len(pdfs) == len(jsons) == len(dropped)
    assert sorted(str(p) for p in pdfs) == sorted(r["pdf_path"] for r in rows)
    for p in pdfs:
        data = p.read_bytes()
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:], f"partial PDF {p}"
    assert not partial_outputs(out), partial_outputs(out)
    assert not [n for n in os.listdir(inbox) if n in dropped], "left in the inbox"
    assert not any((inbox / ".plandoc" / "processing").rglob("*__*")), "claimed files left behind"
    return rows


@pytest.mark.timeout(90)
def test_slow_writer_is_processed_once_after_it_completes(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (a_name, a), (b_name, b) = notices(2)
    proc = start_watcher(inbox, out, log=tmp_path / "watch.log")
    try:
        assert wait_until(lambda: (inbox / ".plandoc" / "archive.sqlite3").exists(), 30)
        time.sleep(0.3)
        chunks = 12
        # writer 1 keeps the file open and writes a chunk every ~0.09 s (about 1 s in all)
        with open(inbox / a_name, "wb") as f:
            for i in range(chunks):
                f.write(a[i * len(a) // chunks:(i + 1) * len(a) // chunks])
                f.flush()
                time.sleep(0.09)
        # writer 2 re-opens the file to append each chunk (close-after-write fires every time)
        for i in range(chunks):
            with open(inbox / b_name, "ab") as f:
                f.write(b[i * len(b) // chunks:(i + 1) * len(b) // chunks])
            time.sleep(0.09)
        assert wait_until(lambda: terminal_count(inbox) >= 2, 60, interval=0.2)
        time.sleep(1.5)     # would a late event make it process anything again?
    finally:
        codes = stop_watchers(proc)
    assert codes == [0]
    rows = assert_clean_end(inbox, out, {a_name: a, b_name: b})
    for r in rows:
        assert r["byte_sha256"] == sha(a if r["name"] == a_name else b), "processed before the copy completed"
        assert r["attempts"] == 1


def _processes_marked(mark: str) -> list[int]:
    found = []
    needle = f"PLANDOC_TEST_MARK={mark}".encode()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if needle in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                    found.append(int(pid))
            except OSError:
                pass
    return found


@pytest.mark.timeout(170)
def test_kill_9_at_random_moments_twenty_times(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    stage = tmp_path / "stage"
    inbox.mkdir()
    stage.mkdir()
    dropped = dict(notices(8))
    pending = list(dropped)
    for name in pending[:3]:
        (inbox / name).write_bytes(dropped[name])
    pending = pending[3:]
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    log = tmp_path / "watch.log"
    kills = 0
    for cycle in range(20):
        # Every fourth life is killed while a notice is being worked on (the archive says `processing`),
        # a random moment of up to 0.5 s later, so an interrupted file is certain; the others die at a
        # random moment of their life, which may be start-up, claim, parse, render, move or idle.
        aimed = cycle % 4 == 1 and bool(pending)
        if aimed:
            name = pending.pop()
            (stage / name).write_bytes(dropped[name])
            os.rename(stage / name, inbox / name)
        # no warm-up: workers start in ~1 s, so kills land in claim, parse, render and move alike
        proc = start_watcher(inbox, out, log=log, PLANDOC_WATCH_RESCAN="0.5", PLANDOC_WATCH_WARMUP="0",
                             PLANDOC_TEST_MARK=str(tmp_path))
        if aimed:
            wait_until(lambda: any(r["state"] == "processing" for r in archive_rows(inbox)), 20, interval=0.05)
            time.sleep(rng.uniform(0.0, 0.5))
        else:
            time.sleep(rng.uniform(0.2, 3.5))
        proc.kill()                        # SIGKILL: no clean-up of any kind
        proc.wait()
        kills += 1
        # its workers die with it (nothing keeps writing outputs behind a restarted watcher's back)
        assert wait_until(lambda: not _processes_marked(str(tmp_path)), 5), _processes_marked(str(tmp_path))
        if pending and cycle % 3 == 0:     # clerks keep dropping files meanwhile
            name = pending.pop()
            (stage / name).write_bytes(dropped[name])
            os.rename(stage / name, inbox / name)
    for name in pending:
        (inbox / name).write_bytes(dropped[name])
    assert kills == 20
    final_log = tmp_path / "final.log"
    proc = start_watcher(inbox, out, log=final_log, PLANDOC_WATCH_RESCAN="0.5")
    try:
        assert wait_until(lambda: terminal_count(inbox) >= len(dropped)
                          and not (set(os.listdir(inbox)) & set(dropped)), 100, interval=0.3), \
            final_log.read_text(errors="replace")[-2000:]
        # the earlier lives may have finished everything: stop a watcher that is running, not one
        # whose interpreter is still starting (SIGTERM before any handler exists is a plain -15)
        assert wait_until(lambda: "开始监视" in final_log.read_text(errors="replace"), 60)
    finally:
        codes = stop_watchers(proc)
    assert codes == [0]
    rows = assert_clean_end(inbox, out, dropped)
    assert "Traceback" not in final_log.read_text(errors="replace")
    text = log.read_text(errors="replace") + final_log.read_text(errors="replace")
    # The only tracebacks of the killed runs come from a worker being spawned at the moment its watcher
    # died: its bootstrap finds the pipe closed and it exits. Anything else is a real error.
    for block in text.split("Traceback (most recent call last):")[1:]:
        assert "spawn_main" in block.split(" plandoc.watch ")[0], block[:1500]
    # the kills did interrupt work: claimed files were adopted by a later watcher and re-run
    assert "接续处理" in text and any(r["attempts"] > 1 for r in rows), [r["attempts"] for r in rows]


@pytest.mark.timeout(120)
def test_two_watchers_never_process_a_file_twice(tmp_path):
    inbox, out, stage = tmp_path / "inbox", tmp_path / "out", tmp_path / "stage"
    inbox.mkdir()
    stage.mkdir()
    distinct = notices(4)
    files = dict(distinct)
    # the same notice again under other names: exactly one of each content may be rendered
    files["副本-" + distinct[0][0]] = distinct[0][1]
    files["再发一次.txt"] = distinct[1][1]
    one = start_watcher(inbox, out, log=tmp_path / "w1.log")
    two = start_watcher(inbox, out, "--polling", log=tmp_path / "w2.log")
    try:
        assert wait_until(lambda: (inbox / ".plandoc" / "archive.sqlite3").exists(), 30)
        time.sleep(2.0)    # both up (and warmed) before the drop
        for name, data in files.items():
            (stage / name).write_bytes(data)
            os.rename(stage / name, inbox / name)
        assert wait_until(lambda: terminal_count(inbox) >= len(files), 90, interval=0.3)
        assert one.poll() is None and two.poll() is None
    finally:
        codes = stop_watchers(one, two)       # both stopped before either code is asserted
    assert codes == [0, 0]
    rows = archive_rows(inbox)
    assert collections.Counter(r["name"] for r in rows) == collections.Counter(list(files))
    states = collections.Counter(r["state"] for r in rows)
    assert states == {"done": 4, "duplicate": 2}, states
    by_token = {r["token"]: r for r in rows}
    for r in rows:
        if r["state"] == "duplicate":
            assert by_token[r["duplicate_of"]]["byte_sha256"] == r["byte_sha256"]
    assert tree_hashes(inbox / "done") == {n: sha(b) for n, b in files.items()}
    assert len(list(out.rglob("*.pdf"))) == len(list(out.rglob("*.json"))) == 4
    assert not partial_outputs(out)


@pytest.mark.timeout(120)
def test_once_processes_what_is_there_resumes_orphans_and_exits(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    files = dict(notices(3))
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    # work a dead watcher left claimed (its lock is free: nobody holds it)
    dead = inbox / ".plandoc" / "processing" / "deadbeef0000"
    dead.mkdir(parents=True)
    orphan_name, orphan = "遗留-" + notices(4)[3][0], notices(4)[3][1]
    (dead / f"{'a' * 16}__{orphan_name}").write_bytes(orphan)
    (inbox / ".plandoc" / "processing" / "deadbeef0000.lock").touch()
    (inbox / "坏文件.pdf").write_bytes(b"%PDF-1.4 broken")
    (inbox / "~$锁文件.docx").write_bytes(b"lock")
    result = run_once(inbox, out)
    assert result.returncode == 1, result.stderr[-2000:]     # one input was invalid
    assert "完成 4 份" in result.stderr and "失败 1 份" in result.stderr
    assert "Traceback" not in result.stderr
    rows = {r["name"]: r for r in archive_rows(inbox)}
    assert rows["坏文件.pdf"]["state"] == "failed"
    assert (inbox / "failed" / "坏文件.pdf.原因.txt").exists()
    assert (inbox / "~$锁文件.docx").exists() and "~$锁文件.docx" not in rows
    files[orphan_name] = orphan
    del rows["坏文件.pdf"]
    assert {n: r["state"] for n, r in rows.items()} == {n: "done" for n in files}
    assert not dead.exists()
    # a second run finds nothing new and changes nothing
    before = tree_hashes(inbox / "done")
    again = run_once(inbox, out)
    assert again.returncode == 0 and "完成 0 份" in again.stderr
    assert tree_hashes(inbox / "done") == before
    # the same content dropped again later is a duplicate, not a second output
    first = next(iter(files))
    (inbox / ("又一份" + first)).write_bytes(files[first])
    third = run_once(inbox, out)
    assert third.returncode == 0 and "重复 1 份" in third.stderr
    assert len(list(out.rglob("*.pdf"))) == len(files)


def _worker_pids(watcher_pid: int) -> list[int]:
    pids = []
    for task in os.listdir(f"/proc/{watcher_pid}/task"):
        with open(f"/proc/{watcher_pid}/task/{task}/children") as f:
            pids.extend(int(p) for p in f.read().split())
    return [p for p in pids if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]


def _kill_workers_while_processing(inbox: Path, watcher_pid: int, name: str, attempt: int) -> None:
    assert wait_until(lambda: any(r["name"] == name and r["state"] == "processing" and r["attempts"] >= attempt
                                  for r in archive_rows(inbox)), 60, interval=0.02)
    for pid in _worker_pids(watcher_pid):
        os.kill(pid, 9)


@pytest.mark.timeout(120)
def test_a_worker_dying_is_retried_then_the_file_is_failed_and_the_watcher_lives(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (first, a), (second, b) = notices(2)
    proc = start_watcher(inbox, out, log=tmp_path / "watch.log")
    try:
        assert wait_until(lambda: (inbox / ".plandoc" / "archive.sqlite3").exists(), 30)
        (inbox / first).write_bytes(a)
        _kill_workers_while_processing(inbox, proc.pid, first, 1)     # a crash: retried
        _kill_workers_while_processing(inbox, proc.pid, first, 2)     # again: this file kills workers
        assert wait_until(lambda: terminal_count(inbox) >= 1, 60)
        (inbox / second).write_bytes(b)
        assert wait_until(lambda: terminal_count(inbox) >= 2, 60)
        assert proc.poll() is None
    finally:
        codes = stop_watchers(proc)
    assert codes == [0]
    rows = {r["name"]: r for r in archive_rows(inbox)}
    assert rows[first]["state"] == "failed" and rows[first]["crashes"] == 2
    assert "异常退出" in (inbox / "failed" / f"{first}.原因.txt").read_text(encoding="utf-8")
    assert (inbox / "failed" / first).read_bytes() == a
    assert rows[second]["state"] == "done"
    assert not partial_outputs(out)


@pytest.mark.timeout(90)
def test_polling_watcher_survives_the_share_disappearing_and_coming_back(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (name, data), = notices(1)
    log = tmp_path / "watch.log"
    proc = start_watcher(inbox, out, "--polling", log=log)
    try:
        assert wait_until(lambda: "开始监视".encode() in log.read_bytes(), 30)
        inbox.rename(tmp_path / "unmounted")          # the network share goes away …
        assert wait_until(lambda: "无法访问".encode() in log.read_bytes(), 20)
        (tmp_path / "unmounted").rename(inbox)        # … and comes back
        time.sleep(1.0)
        (inbox / name).write_bytes(data)
        assert wait_until(lambda: terminal_count(inbox) >= 1, 60), log.read_text(errors="replace")[-2000:]
        assert proc.poll() is None
    finally:
        codes = stop_watchers(proc)
    assert codes == [0]
    assert_clean_end(inbox, out, {name: data})
    assert "Traceback" not in log.read_text(errors="replace")
