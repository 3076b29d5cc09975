"""The CLI as a user runs it: parse/schema output, exit codes, Chinese errors without tracebacks."""
from __future__ import annotations

import json

import pytest

from conftest import run_cli


def test_schema_is_json_schema():
    r = run_cli("schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    assert schema["title"] == "PlandocParse"
    assert {"schema_version", "source", "notice", "plan", "warnings"} <= set(schema["properties"])
    assert {"Node", "Row", "Cell", "Target", "Provenance"} <= set(schema["$defs"])


def test_parse_to_file_and_stdout(tmp_path, reference_txt):
    out = tmp_path / "out.json"
    r = run_cli("parse", str(reference_txt), "-o", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["notice"]["doc_number"]["serial"] == 34
    r2 = run_cli("parse", str(reference_txt))
    assert json.loads(r2.stdout)["plan"]["title"] == data["plan"]["title"]


@pytest.mark.parametrize("name,content,needle", [
    ("empty.txt", b"", "文件为空"),
    ("binary.txt", bytes(range(256)) * 64, "编码"),
    ("undecodable.txt", "国民经济".encode("gb18030") + b"\xff\xff\xff\x80\x80" * 20, "编码"),
    ("fake.pdf", b"hello", "不是 PDF"),
    ("fake.docx", b"hello", "不是有效的 Word"),
    ("notes.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "旧版 Office"),
])
def test_bad_input_exit_1_chinese_message(tmp_path, name, content, needle):
    p = tmp_path / name
    p.write_bytes(content)
    r = run_cli("parse", str(p))
    assert r.returncode == 1
    assert needle in r.stderr and name in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_huge_file_rejected(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as f:
        f.write(("一、标题\n" + "正文内容。" * 20 + "\n").encode("utf-8") * 200_000)   # ~50 MB
    assert p.stat().st_size > 40 * 1024 * 1024
    r = run_cli("parse", str(p))
    assert r.returncode == 1 and "文件过大" in r.stderr and "huge.txt" in r.stderr


def test_missing_file_and_usage_error(tmp_path):
    r = run_cli("parse", str(tmp_path / "nope.txt"))
    assert r.returncode == 1 and "文件不存在" in r.stderr
    r = run_cli("parse")
    assert r.returncode == 2
