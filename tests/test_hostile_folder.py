"""The drop folder's bookkeeping under faults, in-process on real files: GBK-byte names, `.plandoc`
deleted under a running watcher, a claim given back when its archive row cannot be written, and the
completeness rules (a zip still being written, a stalled empty file, a file renamed in while open)."""
from __future__ import annotations

import io
import os
import shutil
import zipfile

from pipeline.watch.claim import ProcessingArea
from pipeline.watch.names import display_name, fit_name, safe_stem
from pipeline.watch.settle import SettleTracker

GBK_NAME = os.fsdecode("周村区2023年计划.txt".encode("gbk"))      # as unzipped from a Windows archive


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_gbk_byte_names_are_fitted_claimed_and_shown_readable(tmp_path):
    assert display_name(GBK_NAME) == "周村区2023年计划.txt"
    assert display_name("已是UTF-8.txt") == "已是UTF-8.txt"
    long = os.fsdecode(("很长的名字" * 40 + ".docx").encode("gbk"))
    fitted = fit_name(long, 18)
    assert len(os.fsencode(fitted)) <= 255 - 18 and fitted.endswith(".docx")
    assert safe_stem(GBK_NAME)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / GBK_NAME).write_bytes(b"x")
    area = ProcessingArea(inbox / ".plandoc" / "processing")
    claim = area.claim(inbox / GBK_NAME)
    assert claim is not None and claim.name == "周村区2023年计划.txt"
    assert claim.path.read_bytes() == b"x"
    assert os.fsencode(claim.path.name).endswith("周村区2023年计划.txt".encode("gbk"))   # bytes kept on disk
    assert area.unclaim(claim, inbox / GBK_NAME)
    assert (inbox / GBK_NAME).read_bytes() == b"x"
    area.close()


def test_plandoc_deleted_while_running_is_recreated_on_the_next_claim(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    area = ProcessingArea(inbox / ".plandoc" / "processing")
    shutil.rmtree(inbox / ".plandoc")
    (inbox / "通知.txt").write_bytes(b"notice")
    claim = area.claim(inbox / "通知.txt")
    assert claim is not None and claim.path.read_bytes() == b"notice"
    assert claim.path.parent == area.dir and area.dir.is_dir()
    assert area.claim(inbox / "不存在.txt") is None            # a vanished file is still just None
    area.close()


def test_unclaim_never_overwrites_a_new_file_of_the_same_name(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    area = ProcessingArea(inbox / ".plandoc" / "processing")
    (inbox / "a.txt").write_bytes(b"first")
    claim = area.claim(inbox / "a.txt")
    (inbox / "a.txt").write_bytes(b"second")                  # the clerk dropped another meanwhile
    assert area.unclaim(claim, inbox / "a.txt")
    assert (inbox / "a.txt").read_bytes() == b"second"
    assert sorted(p.read_bytes() for p in inbox.glob("a*.txt")) == [b"first", b"second"]
    area.close()


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document/>" + "内容" * 20000)
    return buf.getvalue()


def test_a_docx_written_in_chunks_is_not_ready_until_its_central_directory_is(tmp_path):
    clock = Clock()
    tracker = SettleTracker(settle=1.0, clock=clock)
    data = _docx_bytes()
    path = tmp_path / "慢慢复制.docx"
    with open(path, "wb") as f:
        for k in range(0, len(data) - 200, len(data) // 6):
            f.write(data[k:k + len(data) // 6])
            f.flush()
            tracker.closed(str(path))                 # even a close event in the middle
            clock.t += 3.0                            # and a writer pausing for seconds
            assert not tracker.ready(str(path))
            clock.t += 3.0
            assert not tracker.ready(str(path)), "half a zip taken"
        f.seek(0)
        f.write(data)
    tracker.closed(str(path))
    clock.t += 0.3
    assert tracker.ready(str(path))


def test_a_stalled_empty_file_waits_and_a_renamed_in_file_still_gets_the_grace(tmp_path):
    clock = Clock()
    tracker = SettleTracker(settle=1.0, clock=clock)
    empty = tmp_path / "正在写.txt"
    empty.touch()
    tracker.closed(str(empty))
    clock.t += 3.0
    assert not tracker.ready(str(empty))            # a writer stalled for 3 s: not "文件为空"
    clock.t += 3.0
    assert tracker.ready(str(empty))                # empty for long: let the reader say so
    moved = tmp_path / "改名放入.txt"
    moved.write_bytes(b"half")
    tracker.arrived_whole(str(moved))
    assert not tracker.ready(str(moved))            # not at once: the writer may still hold it open
    with open(moved, "ab") as f:
        f.write(b" and the rest")
    clock.t += 0.3
    assert not tracker.ready(str(moved))            # it grew: the grace saw it
    clock.t += 1.1
    assert tracker.ready(str(moved))


def test_cli_parse_of_a_gbk_byte_name_gives_readable_json_and_messages(tmp_path):
    import json

    from hostile_support import run_bounded
    from test_track_support import reference_path
    good = tmp_path / GBK_NAME
    good.write_bytes(reference_path().read_bytes())
    proc = run_bounded("parse", str(good))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["source"]["path"].endswith("周村区2023年计划.txt")
    bad = tmp_path / os.fsdecode("坏文件.pdf".encode("gbk"))
    bad.write_bytes(b"not a pdf")
    proc = run_bounded("parse", str(bad))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "坏文件.pdf" in proc.stderr and "PDF" in proc.stderr
    assert bad.read_bytes() == b"not a pdf"
