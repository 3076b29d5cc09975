"""CLI conventions (issue 16): --version, Chinese usage errors, enum choices, refusals before work, one
error boundary (input 1 / usage 2 / internal 3, never a traceback), validated settings from the environment."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO, run_cli


def _no_english_usage(text: str) -> None:
    for word in ("Usage", "Invalid value", "Missing", "Traceback", "No such option"):
        assert word not in text, text


def test_version():
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("plandoc ")


def test_diff_refuses_an_unsupported_output_before_reading_the_plans(tmp_path):
    # the plans do not even exist: reading them would be exit 1, so exit 2 proves nothing was read
    r = run_cli("diff", str(tmp_path / "old.txt"), str(tmp_path / "new.txt"), "-o", str(tmp_path / "x.txt"))
    assert r.returncode == 2, r.stderr
    assert "不支持的输出格式" in r.stderr and ".txt" in r.stderr
    _no_english_usage(r.stderr)
    assert not (tmp_path / "x.txt").exists()


def test_style_is_a_choice_with_a_chinese_error(reference_txt, tmp_path):
    r = run_cli("render", str(reference_txt), "-o", str(tmp_path / "a.pdf"), "--style", "fancy")
    assert r.returncode == 2
    assert "--style 只能是 plain、formal" in r.stderr
    _no_english_usage(r.stderr)


@pytest.mark.parametrize("args,needle", [
    (("bulletin", "plan.txt", "-o", "b.pdf"), "缺少选项 --progress"),
    (("parse",), "缺少参数 FILE"),
    (("parse", "--bogus", "x"), "没有选项 --bogus"),
    (("frobnicate",), "没有这个命令"),
])
def test_usage_errors_are_chinese_exit_2(args, needle):
    r = run_cli(*args)
    assert r.returncode == 2
    assert needle in r.stderr and "用法" in r.stderr
    _no_english_usage(r.stderr)


def test_word_document_given_as_workbook_is_a_clear_input_error(reference_txt, tmp_path):
    wrong = tmp_path / "填报.docx"
    wrong.write_bytes((REPO / "samples" / "zhoucun-2024-plan.docx").read_bytes())
    r = run_cli("bulletin", str(reference_txt), "--progress", str(wrong), "-o", str(tmp_path / "b.pdf"))
    assert r.returncode == 1
    assert "Word 文档" in r.stderr and ".xlsx" in r.stderr
    _no_english_usage(r.stderr)


@pytest.mark.parametrize("variable,value", [("PLANDOC_WATCH_WORKERS", "two"), ("PLANDOC_PDF_VARIANT", "pdf/a-9z")])
def test_bad_watch_setting_names_the_variable_and_touches_nothing(tmp_path, variable, value):
    inbox = tmp_path / "收文"
    inbox.mkdir()
    env = dict(os.environ, PYTHONIOENCODING="utf-8", **{variable: value})
    r = subprocess.run([sys.executable, "-m", "pipeline", "watch", str(inbox), "--once"], cwd=REPO,
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1
    assert variable in r.stderr and value in r.stderr
    assert list(inbox.iterdir()) == []
    _no_english_usage(r.stderr)


def test_internal_error_exits_3_with_a_log_and_no_traceback(monkeypatch, tmp_path, capsys, reference_txt):
    import pipeline.cache
    import pipeline.parse
    from pipeline import cli

    def broken(*a, **k):
        raise RuntimeError("simulated bug")
    monkeypatch.setattr(pipeline.parse, "parse_file", broken)
    monkeypatch.setattr(pipeline.cache, "CACHE_ROOT", tmp_path / "cache")
    monkeypatch.setattr(sys, "argv", ["plandoc", "parse", str(reference_txt)])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 3
    err = capsys.readouterr().err
    log = tmp_path / "cache" / "logs" / "plandoc-error.log"
    assert "内部错误" in err and str(log) in err and "Traceback" not in err
    assert "simulated bug" in log.read_text(encoding="utf-8")


def _command_names() -> list[str]:
    import typer.main

    from pipeline.cli import app
    return sorted(typer.main.get_command(app).commands)


@pytest.mark.parametrize("args", [(), *[(name,) for name in _command_names()]], ids=lambda a: " ".join(a) or "plandoc")
def test_help_is_chinese(args):
    """Every help page (the app's and each command's) reads in Chinese: the usage line, its metavars
    and the help option's own line are translated, not only the panels."""
    r = run_cli(*args, "--help")
    assert r.returncode == 0, r.stderr
    for english in ("Usage", "OPTIONS", "Show this message", "COMMAND", "ARGS"):
        assert english not in r.stdout, r.stdout
    assert "用法：" in r.stdout and "显示本帮助并退出" in r.stdout and "[选项]" in r.stdout


def test_usage_error_shows_the_chinese_usage_line():
    r = run_cli("frobnicate")
    assert r.returncode == 2
    assert "用法：" in r.stderr and "[选项] 命令 [参数]..." in r.stderr
    _no_english_usage(r.stderr)


def _run_with_env(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONIOENCODING="utf-8", **env), timeout=180)


@pytest.mark.parametrize("value", ["pdf/a-9z", "PDF-A", "none"])
def test_bad_pdf_variant_names_the_variable_and_the_allowed_values(reference_txt, tmp_path, value):
    out = tmp_path / "plan.pdf"
    r = _run_with_env("render", str(reference_txt), "-o", str(out), PLANDOC_PDF_VARIANT=value)
    assert r.returncode == 1, r.stderr
    assert "PLANDOC_PDF_VARIANT" in r.stderr and f"“{value}”" in r.stderr
    assert "pdf/a-2b" in r.stderr and "pdf/ua-1" in r.stderr and "留空" in r.stderr
    assert not out.exists()
    _no_english_usage(r.stderr)


def test_blank_pdf_variant_writes_a_plain_pdf(reference_txt, tmp_path):
    out = tmp_path / "plan.pdf"
    r = _run_with_env("render", str(reference_txt), "-o", str(out), PLANDOC_PDF_VARIANT="")
    assert r.returncode == 0, r.stderr
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    with out.open("rb") as f:
        catalog = PDFDocument(PDFParser(f)).catalog
    assert "OutputIntents" not in catalog and "Metadata" not in catalog     # no PDF/A markers


def test_chosen_pdf_variant_is_written(reference_txt, tmp_path):
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1
    out = tmp_path / "plan.pdf"
    r = _run_with_env("render", str(reference_txt), "-o", str(out), PLANDOC_PDF_VARIANT=" pdf/a-3b ")
    assert r.returncode == 0, r.stderr
    with out.open("rb") as f:
        xmp = resolve1(PDFDocument(PDFParser(f)).catalog["Metadata"]).get_data()
    assert b'pdfaid:part="3"' in xmp


@pytest.mark.parametrize("args", [("render", "plan.txt", "-o", "x.pdf"), ("diff", "old.txt", "new.txt", "-o", "x.pdf"),
                                  ("bulletin", "plan.txt", "--progress", "a.xlsx", "-o", "x.pdf")])
def test_bad_pdf_variant_is_refused_before_the_inputs_are_read(tmp_path, args):
    # none of the inputs exist: reading one would say 文件不存在, so naming the variable proves nothing was read
    r = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=tmp_path, capture_output=True, text=True,
                       env=dict(os.environ, PYTHONIOENCODING="utf-8", PLANDOC_PDF_VARIANT="pdf/a-9z"), timeout=120)
    assert r.returncode == 1 and "PLANDOC_PDF_VARIANT" in r.stderr and "文件不存在" not in r.stderr, r.stderr
    assert not (tmp_path / "x.pdf").exists()
