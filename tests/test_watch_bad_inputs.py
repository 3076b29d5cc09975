"""Reliability: a running watcher fed ≥ 40 bad (and a few odd-but-valid) inputs the suite generates.

Every file must end in failed/ beside a Chinese reason, or in done/ where it is in fact valid; the
watcher must keep running; nothing may be lost or changed; nothing outside the inbox may be read
(a symlink to /etc/passwd, file:// and http://127.0.0.1 references inside the text).
"""
from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from test_watch_support import (RENDER_AVAILABLE, archive_rows, docx_bytes, encrypted_pdf, image_only_pdf,
                                partial_outputs, sample_text, start_watcher, stop_watcher, terminal_count,
                                text_pdf, tree_hashes, wait_until, zip_bomb_docx, district_variant)

FAIL, OK = "failed", "ok"


class NoConnectionsServer:
    """A TCP listener on 127.0.0.1 that records whether anything connected to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop = True
        self.thread.join(2)
        self.sock.close()


def generate(inbox: Path, outside: Path, port: int) -> dict[str, str]:
    """Write the inputs; return name → expected end (failed / ok / either)."""
    text = sample_text()
    gbk_sample = text.encode("gb18030")
    expect: dict[str, str] = {}

    def put(name: str, data: bytes, want: str) -> None:
        (inbox / name).write_bytes(data)
        expect[name] = want

    # empty and blank
    for ext in ("txt", "docx", "pdf", "doc"):
        put(f"空文件.{ext}", b"", FAIL)
    put("只有空白.txt", "  \n\u3000\u3000\n\t\n".encode("utf-8"), FAIL)
    put("只有BOM.txt", b"\xef\xbb\xbf", FAIL)
    # huge (sparse: cheap to make, still 40 MB to the reader)
    for ext in ("txt", "pdf"):
        with open(inbox / f"巨大.{ext}", "wb") as f:
            f.write(b"%PDF-1.4\n" if ext == "pdf" else "计划\n".encode())
            f.truncate(40 * 1024 * 1024)
        expect[f"巨大.{ext}"] = FAIL
    # binary under each extension
    rnd = os.urandom(64 * 1024)
    for ext in ("txt", "docx", "pdf", "doc", "xlsx", "wps", "png"):
        put(f"二进制.{ext}", b"\x89BIN" + rnd, FAIL)
    put("无扩展名二进制", b"\x00\x01\x02" + rnd, FAIL)
    put("零字节填充.txt", b"\x00" * 10000, FAIL)
    put("控制字符.txt", bytes(range(1, 32)) * 200, FAIL)
    put("旧版Word.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rnd, FAIL)
    put("旧版改名.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rnd, FAIL)
    # PDFs
    put("加密.pdf", encrypted_pdf(), FAIL)
    good_pdf = text_pdf()
    put("截断.pdf", good_pdf[: len(good_pdf) // 2], FAIL)
    put("只有图片.pdf", image_only_pdf(), FAIL)
    put("假PDF.pdf", b"<html><body>not a pdf</body></html>", FAIL)
    put("PDF头后全是垃圾.pdf", b"%PDF-1.7\n" + rnd, FAIL)
    put("英文短PDF.pdf", good_pdf, FAIL)          # readable, but not a plan
    # Word packages
    zip_bomb_docx(inbox / "压缩炸弹.docx", expanded_mb=200)
    expect["压缩炸弹.docx"] = FAIL
    paras = text.splitlines()
    # a renamed .docm, one macro marker per file: each of the reader's two checks must refuse its own
    put("宏文档改名.docx", docx_bytes(paras, macro="content_type"), FAIL)
    put("含宏工程.docx", docx_bytes(paras, macro="vba"), FAIL)
    put("空压缩包.docx", b"PK\x05\x06" + b"\x00" * 18, FAIL)
    put("损坏压缩包.docx", b"PK\x03\x04" + rnd[:4096], FAIL)
    put("压缩包当文本.txt", docx_bytes(["你好"]), FAIL)
    put("表格改名.xlsx", docx_bytes(["你好"]), FAIL)
    # encodings
    put("GBK标成UTF8.txt", b"\xef\xbb\xbf" + gbk_sample, FAIL)      # UTF-8 BOM in front of GBK bytes
    put("GBK正文.txt", district_variant(text, "博山区").encode("gb18030"), OK)
    put("UTF16乱序.txt", b"\xff\xfe" + b"\x00\xd8" * 50, FAIL)          # lone surrogates
    put("不是计划的备忘.txt", "会议纪要\n请各位准时参加。\n".encode(), FAIL)
    put("网页源码.txt", b"<html><head><title>x</title></head><body><p>hello</p></body></html>", FAIL)
    # hostile content inside an otherwise valid notice
    lines = district_variant(text, "张店区").splitlines()
    lines.insert(20, "<script>alert('x')</script><iframe src=\"file:///etc/passwd\"></iframe>")
    put("含脚本.txt", "\n".join(lines).encode(), OK)
    lines = district_variant(text, "淄川区").splitlines()
    lines.insert(20, f"<img src=\"http://127.0.0.1:{port}/x.png\"><link rel=\"stylesheet\" href=\"http://127.0.0.1:{port}/a.css\">"
                     f" 详见 http://127.0.0.1:{port}/ 与 file:///etc/passwd")
    put("含本机链接.txt", "\n".join(lines).encode(), OK)
    # names
    put("名字 有 空格.txt", b"\x00\xff" + rnd[:100], FAIL)
    put("a..b.txt", rnd[:500], FAIL)
    put("-rf.txt", rnd[:500], FAIL)
    put("--help.txt", rnd[:500], FAIL)
    put("-", rnd[:500], FAIL)
    put("长" * 80 + ".txt", rnd[:500], FAIL)                 # 244 bytes: at the file-name limit
    put("长名字有效" * 16 + ".txt", district_variant(text, "临淄区").encode(), OK)
    put("周村区 2023年 计划（副本）.txt", text.encode(), OK)          # valid: the sample itself
    put("周村区计划-再次发送.txt", text.encode(), OK)                  # same bytes again: duplicate
    put("周村区计划-CRLF另存.txt", text.replace("\n", "\r\n").encode(), OK)   # re-saved: bytes differ
    # links: never followed
    secret = outside / "outside-notice.txt"
    secret.write_text(district_variant(text, "高青县"), encoding="utf-8")
    os.symlink("/etc/passwd", inbox / "链接到passwd.txt")
    os.symlink(secret, inbox / "链接到外部通知.txt")
    os.symlink(inbox.parent / "inbox" / "不存在的目标.txt", inbox / "断开的链接.txt")
    os.symlink("../" + outside.name + "/" + secret.name, inbox / "相对链接..txt")
    for name in ("链接到passwd.txt", "链接到外部通知.txt", "断开的链接.txt", "相对链接..txt"):
        expect[name] = FAIL
    return expect


def make_ignored(inbox: Path) -> list[str]:
    names = ["~$周村区计划.docx", ".~lock.周村区计划.docx#", "下载中.part", "临时.tmp", ".隐藏文件.txt"]
    for n in names:
        (inbox / n).write_bytes(b"lock")
    (inbox / "子文件夹").mkdir()
    os.mkfifo(inbox / "命名管道.txt")
    return names + ["子文件夹", "命名管道.txt"]


@pytest.mark.timeout(170)
def test_bad_inputs_end_in_failed_with_reasons_and_watcher_survives(tmp_path):
    inbox, out, outside = tmp_path / "inbox", tmp_path / "out", tmp_path / "outside"
    stage = tmp_path / "stage"      # same depth as the inbox, so relative links mean the same
    for d in (inbox, outside, stage):
        d.mkdir()
    server = NoConnectionsServer()
    passwd_before = Path("/etc/passwd").read_bytes()
    proc = start_watcher(inbox, out, log=tmp_path / "watch.log")
    try:
        # Drop while the watcher is running: events, not only the start-up scan, must pick them up.
        assert wait_until(lambda: (inbox / ".plandoc" / "archive.sqlite3").exists(), 30)
        ignored = make_ignored(inbox)
        expect = generate(stage, outside, server.port)
        before = tree_hashes(stage)
        assert len(expect) >= 40
        outside_before = tree_hashes(outside)
        for name in expect:             # the way copy tools finish: rename into place
            os.rename(stage / name, inbox / name)

        assert wait_until(lambda: terminal_count(inbox) >= len(expect), 140, interval=0.5), \
            (tmp_path / "watch.log").read_text(errors="replace")[-3000:]
        assert proc.poll() is None, "the watcher must keep running after bad input"
    finally:
        code = stop_watcher(proc)
        server.close()
    log = (tmp_path / "watch.log").read_text(errors="replace")
    assert code == 0
    assert "Traceback" not in log

    rows = {r["name"]: r for r in archive_rows(inbox)}
    assert set(rows) == set(expect)
    for name, want in expect.items():
        row = rows[name]
        final = Path(row["final_path"])
        assert final.parent == inbox / ("failed" if row["state"] == "failed" else "done")
        # nothing lost, nothing changed: the very bytes (or link) are in done/ or failed/
        assert tree_hashes(final.parent).get(final.name) == before[name], name
        if final.name != name:       # only a name at the file-name limit is shortened, never renamed
            assert len(name.encode()) > 200 and final.name.endswith(Path(name).suffix)
        if row["state"] == "failed":
            reason = final.with_name(final.name + ".原因.txt").read_text(encoding="utf-8")
            assert f"文件：{name}" in reason and "问题：" in reason and "处理建议：" in reason
            assert any("\u4e00" <= ch <= "\u9fff" for ch in reason.split("问题：", 1)[1])
            assert "Traceback" not in reason
        if want == FAIL:
            assert row["state"] == "failed", (name, row["state"])
        if name in ("宏文档改名.docx", "含宏工程.docx"):
            assert "宏" in reason, reason
        elif want == OK and RENDER_AVAILABLE:
            assert row["state"] in ("done", "duplicate"), (name, row["error"])
    # ignored names are left alone, untouched, unrecorded
    for n in ignored:
        assert os.path.lexists(inbox / n), n
    assert not set(expect) & set(os.listdir(inbox)), "a dropped file was left in the inbox"
    assert tree_hashes(outside) == outside_before
    assert Path("/etc/passwd").read_bytes() == passwd_before
    assert server.connections == 0, "a reference inside a notice made the pipeline open a connection"
    assert not partial_outputs(out)
    assert not any((inbox / ".plandoc" / "processing").rglob("*__*")), "claimed files left behind"
    # the link targets were not read: their content appears in no output
    for j in out.rglob("*.json"):
        body = j.read_text(encoding="utf-8")
        assert "root:x:0:0" not in body and "高青县" not in body
    if RENDER_AVAILABLE:
        # same bytes under another name, and CRLF re-save: recorded as duplicates of one notice
        dups = [rows[n] for n in ("周村区 2023年 计划（副本）.txt", "周村区计划-再次发送.txt", "周村区计划-CRLF另存.txt")]
        assert sorted(r["state"] for r in dups) == ["done", "duplicate", "duplicate"]
        original = next(r for r in dups if r["state"] == "done")
        assert all(r["duplicate_of"] == original["token"] for r in dups if r["state"] == "duplicate")
        assert len(list(out.rglob("*.pdf"))) == sum(1 for r in rows.values() if r["state"] == "done")
