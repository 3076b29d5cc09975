"""`plandoc diff OLD NEW -o OUT.{json,html,pdf}` as a user runs it: formats, contract fields, the PDF
read back, and clear Chinese errors for bad input."""
from __future__ import annotations

import json
import re

import pytest

from conftest import SAMPLES, run_cli

OLD = SAMPLES / "zhoucun-2023-plan.txt"
NEW = SAMPLES / "zhoucun-2024-plan.txt"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("diff")
    results = {}
    for fmt in ("json", "html", "pdf"):
        path = out / f"d.{fmt}"
        proc = run_cli("diff", str(OLD), str(NEW), "-o", str(path), timeout=300)
        assert proc.returncode == 0, proc.stderr
        results[fmt] = path
    return results


def test_json_has_the_contract_fields(outputs):
    d = json.loads(outputs["json"].read_text(encoding="utf-8"))
    assert d["old"]["year"] == 2023 and d["new"]["year"] == 2024 and d["new"]["title"]
    for e in d["indicators"]:
        assert {"name", "unit", "change", "old", "new"} <= set(e)
    for e in d["targets"]:
        assert {"metric", "change", "old", "new"} <= set(e)
    for e in d["tasks"]:
        assert {"change", "old_id", "new_id", "old_title", "new_title", "similarity", "redline"} <= set(e)
    assert d["summary"]["indicators"]["rose"] == 6
    moved = [e for e in d["tasks"] if e["moved"]]
    assert [(e["old_id"], e["new_id"]) for e in moved] == [("2.1.3", "2.7.3")]


def test_html_is_self_contained(outputs):
    html = outputs["html"].read_text(encoding="utf-8")
    assert "<del>加快</del><ins>持续</ins>" in html
    assert "周村区2023年与2024年国民经济和社会发展计划比对报告" in html
    assert not re.search(r"<script|<link|<img|@import|url\(|https?://", html)


def test_pdf_reads_back(outputs):
    import pdfplumber
    with pdfplumber.open(outputs["pdf"]) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
        width, height = pdf.pages[0].width, pdf.pages[0].height
    assert (round(width), round(height)) == (595, 842)          # A4, like every 公文 output
    flat = re.sub(r"\s+", "", text)
    for s in ("比对报告", "一、主要指标变化", "二、正文预期目标变化", "三、重点任务变化", "金融机构", "扎实办好民生实事"):
        assert s in flat, s


def test_json_inputs_are_accepted(tmp_path):
    old_json = tmp_path / "old.json"
    assert run_cli("parse", str(OLD), "-o", str(old_json)).returncode == 0
    out = tmp_path / "d.json"
    proc = run_cli("diff", str(old_json), str(NEW), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["tasks"]["new"] == 2


def test_unknown_output_format_is_a_chinese_error(tmp_path):
    proc = run_cli("diff", str(OLD), str(NEW), "-o", str(tmp_path / "d.odt"))
    assert proc.returncode == 2      # a usage error refused before any work (issue 16; was 1 after parsing)
    assert "不支持的输出格式" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "d.odt").exists()


def test_missing_input_is_a_chinese_error(tmp_path):
    proc = run_cli("diff", str(tmp_path / "无此文件.txt"), str(NEW), "-o", str(tmp_path / "d.json"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "无此文件.txt" in proc.stderr
