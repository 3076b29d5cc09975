"""The OCR engine: Tesseract 5 run as a process, its hOCR read into positioned characters.

Why a page's Tesseract is started before the page exists (`EngineProcess`): every run begins by
loading the Chinese model, ~0.15 s of a page's ~1.5 s (measured Dec 2026 on the reference scan), and
our own work on the page — rendering it, deskewing, finding rules, resampling — takes ~0.3 s
before the image exists. Started first with `stdin` as its input, Tesseract loads its model while
we prepare the page; we then write the page as an uncompressed PGM file and send its path. Tesseract
takes input on stdin that is not an image as a list of image files, and reads a file far faster than
an image on stdin, which it reads a byte at a time (3.9 MB of PGM: ~0.1 s; as PNG ~0.05 s, plus ~0.04 s
for us to encode it). The pixels are the same as with a plain run on the file, so is the result.

Several images in one run (the cells of a table) go through `run_tesseract` with a list file.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from pipeline.errors import InputError

OCR_LANG = "chi_sim"
PAGE_TIMEOUT_S = 120.0        # one page; a page that takes longer is not a page of a notice
_HINT = "请向发文单位索取 .docx 或可复制文字的 PDF"
_INSTALL_HINT = "服务器需安装 Tesseract 中文识别（Debian 软件包 tesseract-ocr、tesseract-ocr-chi-sim）"


def tesseract_binary() -> str | None:
    return shutil.which("tesseract")


@functools.lru_cache(maxsize=4)
def _languages(exe: str) -> frozenset[str]:
    """The models `exe` has: asked once per process (a watcher's worker reads many scans; each ask is a
    Tesseract start, ~20 ms)."""
    return frozenset(subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split())


def check_engine(path: Path) -> str:
    """The Tesseract to run for `path`, or the reason the server cannot read a scan."""
    exe = tesseract_binary()
    if exe is None:
        raise InputError(path, "这是扫描件（没有文本层），需要文字识别，但服务器未安装 Tesseract", hint=_INSTALL_HINT)
    if OCR_LANG not in _languages(exe):
        raise InputError(path, "这是扫描件（没有文本层），需要文字识别，但服务器缺少简体中文识别模型", hint=_INSTALL_HINT)
    return exe


@dataclass(slots=True)
class Glyph:
    """One recognised character: box in pixels, Tesseract's confidence (0-100), the OCR line it is in."""
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float
    line: str
    image: int = 0            # which image of a multi-image call (a table cell) the glyph came from


class _Hocr(HTMLParser):
    """Characters of Tesseract's hOCR with `hocr_char_boxes=1` (our own engine's output, not user HTML)."""

    _LINE_CLASSES = ("ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.glyphs: list[Glyph] = []
        self._line = ""
        self._word_conf = 0.0
        self._pending: tuple[list[float], float] | None = None
        self._image = -1

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls, title = a.get("class", ""), a.get("title", "")
        if cls == "ocr_page":
            self._image += 1
        elif cls in self._LINE_CLASSES:
            self._line = a.get("id", "")
        elif cls == "ocrx_word":
            conf = re.search(r"x_wconf\s+([\d.]+)", title)
            self._word_conf = float(conf.group(1)) if conf else 0.0
        elif cls == "ocrx_cinfo":
            box = re.search(r"x_bboxes\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)", title)
            conf = re.search(r"x_conf\s+([\d.]+)", title)
            if box:
                # the word's confidence, not the character's: Tesseract is sure of each glyph of a wrong word
                own = float(conf.group(1)) if conf else 100.0
                self._pending = ([float(v) for v in box.groups()], min(own, self._word_conf))

    def handle_data(self, data):
        if self._pending is not None and data.strip():
            (x0, top, x1, bottom), conf = self._pending
            self.glyphs.append(Glyph(data.strip(), x0, top, x1, bottom, conf, self._line, max(self._image, 0)))
            self._pending = None

    def handle_endtag(self, tag):
        self._pending = None


def _command(exe: str, source: str, lang: str, psm: str) -> list[str]:
    return [exe, source, "stdout", "-l", lang, "--psm", psm, "-c", "hocr_char_boxes=1", "hocr"]


def _env() -> dict[str, str]:
    return dict(os.environ, OMP_THREAD_LIMIT="1")      # single-threaded: pages run in parallel


def _glyphs(returncode: int, hocr: bytes, where: Path | str) -> list[Glyph]:
    if returncode != 0:
        raise InputError(where, f"文字识别失败（Tesseract 返回 {returncode}）", hint=_HINT)
    parser = _Hocr()
    parser.feed(hocr.decode("utf-8", "replace"))
    return parser.glyphs


def _timeout(where: Path | str) -> InputError:
    return InputError(where, f"文字识别超时（单页超过 {PAGE_TIMEOUT_S:.0f} 秒）", hint=_HINT)


def run_tesseract(exe: str, image: Path, lang: str = OCR_LANG, psm: str = "6") -> tuple[list[Glyph], float]:
    """Positioned characters with confidences of an image file, and the run's seconds.

    `image` may also be a text file listing several images (one model load for all the cells of a
    table); each glyph then says which image it came from (`Glyph.image`)."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(_command(exe, str(image), lang, psm), capture_output=True, timeout=PAGE_TIMEOUT_S,
                              env=_env())
    except subprocess.TimeoutExpired:
        raise _timeout(image) from None
    return _glyphs(proc.returncode, proc.stdout, image), time.perf_counter() - started


class EngineProcess:
    """One Tesseract run started ahead of its image: the model loads while the page is prepared.

    Use as a context manager; a run that never got its image (the page failed) is killed on exit."""

    def __init__(self, exe: str, lang: str = OCR_LANG, psm: str = "6"):
        self._proc = subprocess.Popen(_command(exe, "stdin", lang, psm), stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())

    def __enter__(self) -> EngineProcess:
        return self

    def __exit__(self, *exc) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.communicate()

    def recognise(self, image: Path) -> tuple[list[Glyph], float]:
        """The glyphs of the image file `image` and the seconds from handing it over to the end of the
        run: the recognition, not the model load that went on before."""
        started = time.perf_counter()
        try:
            hocr, _ = self._proc.communicate(f"{image}\n".encode(), timeout=PAGE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.communicate()
            raise _timeout(image) from None
        return _glyphs(self._proc.returncode, hocr, image), time.perf_counter() - started
