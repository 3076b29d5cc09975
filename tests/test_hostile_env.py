"""Environment faults and bad parse JSON, through the real CLI, bounded: -o an existing folder or a
path under a file, outputs with the user's umask, NaN/Infinity and deep nesting in a parse JSON, a
folder named .json. Exit 1 (or 0 where it is fine), a Chinese reason with the place, no traceback,
nothing left behind."""
from __future__ import annotations

import json
import os
import stat

import pytest

from hostile_support import assert_refused, run_bounded, snapshot
from test_track_support import reference_path


@pytest.fixture(scope="module")
def plan_json(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "plan.json"
    proc = run_bounded("parse", str(reference_path()), "-o", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


@pytest.mark.timeout(120)
@pytest.mark.parametrize("command, suffix", [("parse", ".json"), ("tracker", ".xlsx")])
def test_output_an_existing_folder_or_under_a_file(tmp_path, plan_json, command, suffix):
    src = reference_path() if command == "parse" else plan_json
    folder = tmp_path / f"已有文件夹{suffix}"
    folder.mkdir()
    afile = tmp_path / "普通文件"
    afile.write_text("x", encoding="utf-8")
    before = snapshot(tmp_path)
    proc = run_bounded(command, str(src), "-o", str(folder))
    assert_refused(proc, folder, "文件夹")
    proc = run_bounded(command, str(src), "-o", str(afile / f"out{suffix}"))
    assert_refused(proc, afile, "不是文件夹")
    assert snapshot(tmp_path) == before


@pytest.mark.timeout(120)
def test_outputs_follow_the_umask_not_0600(tmp_path, plan_json):
    out = tmp_path / "台账.xlsx"
    old = os.umask(0o022)
    try:
        proc = run_bounded("tracker", str(plan_json), "-o", str(out))
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


@pytest.mark.timeout(120)
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_a_parse_json_are_refused(tmp_path, plan_json, constant):
    text = plan_json.read_text(encoding="utf-8")
    data = json.loads(text)
    data["schema_version"] = data["schema_version"]
    bad = tmp_path / "bad.json"
    bad.write_text(text.replace('"schema_version"', f'"x_bad": {constant}, "schema_version"', 1), encoding="utf-8")
    before = snapshot(tmp_path)
    proc = run_bounded("tracker", str(bad), "-o", str(tmp_path / "t.xlsx"))
    assert_refused(proc, bad, constant.lstrip("-"))
    assert snapshot(tmp_path) == before


@pytest.mark.timeout(120)
def test_a_folder_or_a_deep_array_named_json(tmp_path):
    folder = tmp_path / "plan.json"
    folder.mkdir()
    proc = run_bounded("render", str(folder), "-o", str(tmp_path / "x.pdf"))
    assert_refused(proc, folder, "文件夹")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    proc = run_bounded("render", str(deep), "-o", str(tmp_path / "x.pdf"))
    assert_refused(proc, deep)
    assert not (tmp_path / "x.pdf").exists()


def _encrypted_office() -> bytes:
    """The shape of a password-protected .docx/.xlsx (MS-OFFCRYPTO): an OLE compound file whose
    directory names the streams EncryptionInfo and EncryptedPackage (UTF-16LE, 128-byte entries).
    Synthetic: no encryption library is kept here to produce a real one."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    def entry(name: str) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return raw + b"\0" * (64 - len(raw)) + len(raw).to_bytes(2, "little") + b"\x02" + b"\0" * 61
    return header + entry("Root Entry") + entry("EncryptionInfo") + entry("EncryptedPackage") + os.urandom(4096)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", ["加密通知.docx", "加密通知.doc", "无扩展名"])
def test_password_protected_office_file_is_named_as_such(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(_encrypted_office())
    before = snapshot(tmp_path)
    proc = run_bounded("parse", str(path))
    assert_refused(proc, path, "密码")
    assert "旧版" not in proc.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.timeout(120)
@pytest.mark.parametrize("padding", [b"\0" * 4096, b"\n" * 4096, b" " * 100_000, b"\r\n\x1a"])
def test_padding_after_eof_is_not_an_incomplete_pdf(tmp_path, padding):
    pdf = (reference_path().parent / "zhoucun-2023-plan.pdf").read_bytes()
    path = tmp_path / "补齐.pdf"
    path.write_bytes(pdf + padding)
    proc = run_bounded("parse", str(path), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    cut = tmp_path / "截断.pdf"
    cut.write_bytes(pdf[: len(pdf) * 2 // 3] + padding)
    proc = run_bounded("parse", str(cut))
    assert_refused(proc, cut, "不完整")


@pytest.mark.timeout(60)
def test_a_fifo_named_json_does_not_block(tmp_path):
    fifo = tmp_path / "plan.json"
    os.mkfifo(fifo)
    proc = run_bounded("render", str(fifo), "-o", str(tmp_path / "x.pdf"), timeout=30)
    assert_refused(proc, fifo, "管道")
    assert stat.S_ISFIFO(fifo.stat().st_mode) and not (tmp_path / "x.pdf").exists()
