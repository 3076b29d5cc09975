"""The OCR engine run (pipeline/readers/ocr_engine.py): a Tesseract started before its page exists
reads the page's file from a path sent on stdin — with the same result as a plain run on the file —
and the server's missing parts are named."""
from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.readers import ocr_engine
from pipeline.readers.ocr_engine import EngineProcess, run_tesseract

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                                     reason="tesseract-ocr / poppler-utils not installed (make test installs them)")


@pytest.fixture(scope="module")
def page_image(tmp_path_factory) -> Path:
    """Page 2 of the sample PDF at 200 dpi, as the page images handed to the engine are."""
    d = tmp_path_factory.mktemp("engine")
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-f", "2", "-l", "2", "-singlefile",
                    str(SAMPLES / "zhoucun-2023-plan.pdf"), str(d / "page")], check=True, timeout=120)
    return d / "page.pgm"


@needs_tesseract
def test_a_run_started_before_its_image_reads_what_a_plain_run_reads(page_image):
    exe = ocr_engine.tesseract_binary()
    plain, _ = run_tesseract(exe, page_image)
    with EngineProcess(exe) as engine:
        early, seconds = engine.recognise(page_image)
    assert len(plain) > 200 and seconds > 0
    assert [(g.text, g.x0, g.top, g.x1, g.bottom, g.conf) for g in early] == \
           [(g.text, g.x0, g.top, g.x1, g.bottom, g.conf) for g in plain]
    assert "年" in "".join(g.text for g in early)


@needs_tesseract
def test_an_engine_whose_page_never_came_is_ended(tmp_path):
    with EngineProcess(ocr_engine.tesseract_binary()) as engine:
        proc = engine._proc
    assert proc.poll() is not None, "the Tesseract of a failed page is not left running"


@needs_tesseract
def test_an_unreadable_page_file_is_a_named_failure(tmp_path):
    broken = tmp_path / "p-3-body.pgm"
    broken.write_bytes(b"P5\n10 10\n255\n")            # cut short: no pixels
    with EngineProcess(ocr_engine.tesseract_binary()) as engine, pytest.raises(InputError) as e:
        engine.recognise(broken)
    assert e.value.reason.startswith("文字识别失败（Tesseract 返回 ")


def _fake_tesseract(folder: Path, langs: str) -> None:
    exe = folder / "tesseract"
    exe.write_text(f"#!/bin/sh\nprintf 'List of available languages in \"/x/\" (2):\\n{langs}'\n", encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)


def test_a_server_without_the_chinese_model_is_named(tmp_path, monkeypatch):
    _fake_tesseract(tmp_path, "eng\\nosd\\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError) as e:
        ocr_engine.check_engine(Path("扫描件.pdf"))
    assert e.value.reason == "这是扫描件（没有文本层），需要文字识别，但服务器缺少简体中文识别模型"
    assert "tesseract-ocr-chi-sim" in e.value.hint


def test_a_server_with_the_chinese_model_passes(tmp_path, monkeypatch):
    _fake_tesseract(tmp_path, "chi_sim\\neng\\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert ocr_engine.check_engine(Path("扫描件.pdf")) == str(tmp_path / "tesseract")


def test_a_server_without_tesseract_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError) as e:
        ocr_engine.check_engine(Path("扫描件.pdf"))
    assert e.value.reason == "这是扫描件（没有文本层），需要文字识别，但服务器未安装 Tesseract"
