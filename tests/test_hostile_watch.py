"""The drop folder under hostile timing, with a real watcher subprocess: a .docx copied slowly in
chunks (pauses longer than the settle time, no close in between) must be taken once, whole; `.plandoc`
deleted while the watcher runs is recreated and the next drop still processed."""
from __future__ import annotations

import shutil
import time

import pytest

from test_watch_support import (REPO, archive_rows, needs_render, sha, start_watcher, stop_watcher, terminal_count,
                                tree_hashes, wait_until)

pytestmark = needs_render
SAMPLE_DOCX = REPO / "samples" / "zhoucun-2023-plan.docx"


@pytest.mark.timeout(150)
@pytest.mark.parametrize("mode", ["--polling", "inotify"])
def test_a_docx_copied_slowly_in_chunks_is_taken_once_whole(tmp_path, mode):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    data = SAMPLE_DOCX.read_bytes()
    args = (mode,) if mode.startswith("--") else ()
    proc = start_watcher(inbox, out, *args, log=tmp_path / "watch.log")
    try:
        assert wait_until(lambda: (inbox / ".plandoc" / "archive.sqlite3").exists(), 30)
        target = inbox / "慢速复制.docx"
        chunks = 5
        step = len(data) // chunks + 1
        with open(target, "wb") as f:                 # open the whole time, pausing past the settle time
            for k in range(chunks):
                f.write(data[k * step:(k + 1) * step])
                f.flush()
                time.sleep(1.2)
        assert wait_until(lambda: terminal_count(inbox) >= 1, 90, interval=0.3)
        time.sleep(1.5)                               # a second (wrong) take would show up by now
    finally:
        assert stop_watcher(proc) == 0
    rows = archive_rows(inbox)
    assert [(r["name"], r["state"]) for r in rows] == [("慢速复制.docx", "done")], rows
    assert tree_hashes(inbox / "done") == {"慢速复制.docx": sha(data)}
    assert "Traceback" not in (tmp_path / "watch.log").read_text(encoding="utf-8", errors="replace")


@pytest.mark.timeout(150)
def test_plandoc_deleted_while_running_is_recreated(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    proc = start_watcher(inbox, out, log=tmp_path / "watch.log")
    try:
        assert wait_until(lambda: (inbox / ".plandoc" / "archive.sqlite3").exists(), 30)
        time.sleep(1.0)
        shutil.rmtree(inbox / ".plandoc")
        time.sleep(0.5)
        data = (REPO / "samples" / "zhoucun-2023-plan.txt").read_bytes()
        (tmp_path / "n.txt").write_bytes(data)
        (tmp_path / "n.txt").rename(inbox / "通知.txt")
        assert wait_until(lambda: terminal_count(inbox) >= 1, 90, interval=0.3), \
            (tmp_path / "watch.log").read_text(encoding="utf-8", errors="replace")[-3000:]
    finally:
        assert stop_watcher(proc) == 0
    assert [(r["name"], r["state"]) for r in archive_rows(inbox)] == [("通知.txt", "done")]
    assert tree_hashes(inbox / "done") == {"通知.txt": sha(data)}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("where", ["out-is-a-file", "out-under-a-file"])
def test_out_pointing_at_a_file_is_a_clear_error_and_strands_nothing(tmp_path, where):
    import os
    import subprocess
    import sys

    from test_watch_support import watcher_env
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = (REPO / "samples" / "zhoucun-2023-plan.txt").read_bytes()
    (inbox / "通知.txt").write_bytes(data)
    afile = tmp_path / "输出"
    afile.write_text("x", encoding="utf-8")
    out = afile if where == "out-is-a-file" else afile / "sub"
    proc = subprocess.run([sys.executable, "-m", "pipeline", "watch", str(inbox), "--out", str(out), "--once"],
                          cwd=REPO, env=watcher_env(), capture_output=True, text=True, timeout=100)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "不是文件夹" in proc.stderr and str(afile) in proc.stderr
    assert (inbox / "通知.txt").read_bytes() == data
    assert sorted(os.listdir(inbox)) == ["通知.txt"]
