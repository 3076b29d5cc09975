"""OCR for scans: image-only PDFs, PDFs whose text layer cannot be decoded, and .png/.jpg photos.

Engine: Tesseract 5 with Debian's `tesseract-ocr-chi-sim`, chosen over RapidOCR by measurement on the
reference notice's pages (README, "Formats"): better character accuracy (99.4 % of letters and digits
at 150 dpi against RapidOCR's 93.7 %), a fifth of the time per page on one core and ~100 MB instead
of ~800 MB per page, and no Python dependencies (RapidOCR pulls onnxruntime and OpenCV). Tesseract's
Chinese model reads running text best at ~150-200 dpi (body text ~35-45 px high); pages are taken at
`SCAN_DPI` (300) and the running text is resampled to `OCR_DPI` for recognition.

Per page (`prepare_page`, then `read_prepared` by a Tesseract that loaded its model meanwhile:
`ocr_engine.EngineProcess`): the tilt of a scan is measured and corrected (`skew_angle`); table rules are
found in the image (long dark runs, `rules_from_image`), erased, and become ruling edges, so tables go
through the same lattice finder as a PDF's drawn lines. Each table cell is recognised on its own at
300 dpi (`_read_cells`: two binarisation levels, the reading that explains the cell's ink, an English
re-read of numbers, a dash by its shape) — read with the page, cells of one row ran into one line and
small lone values (1, %, —) were dropped. Tesseract's hOCR with character boxes (`hocr_char_boxes=1`)
gives positioned characters with a confidence each; boxes are widened to the em square and one OCR
line gets one size, as a PDF's text layer would give them, and from there `positioned` hands over to
the PDF layout path. Before that, `ocr_words.correct_pages` swaps an unsure character for a
look-alike when that makes clearly more probable words (纳人 → 纳入, 万邑 → 万吨) and drops a
doubtful ？ Tesseract adds at a line end. Afterwards `fix_punctuation` repairs what OCR does to 公文 punctuation (half-width
，：；（） next to Chinese, 【2023] for 〔2023〕 in a 文号, 丶 for 、, quote directions, 10 . 1) —
generic rules on character classes, not a list of phrases. A PDF with a text layer whose some pages
are images only has just those pages recognised (`ocr_pdf_pages`, called by the PDF reader).

The result is marked `ocr=True` and carries a warning that the text came from OCR, plus one warning
listing the lines whose confidence is below `LOW_CONFIDENCE` (page and text), so the clerk knows what
to check against the paper. Pages are recognised in parallel, at most `ocr_workers()` at a time.
"""
from __future__ import annotations

import io
import math
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.diagnostics import DiagnosticCode, Diagnostics
from pipeline.blocks import SourceDoc, TableBlock, TextBlock, Where
from pipeline.errors import InputError
from pipeline.readers import ocr_labels, ocr_words
from pipeline.readers.ocr_engine import _HINT, OCR_LANG, EngineProcess, Glyph, check_engine, run_tesseract
from pipeline.readers.pdf_layout import is_wide
from pipeline.readers.positioned import assemble_pages, char, h_edge, layout_page, v_edge
from pipeline.text import normalize

OCR_DPI = 200                 # recognition resolution of running text (see the module doc and `make bench`)
SCAN_DPI = 300                # raster resolution: rules, deskew and table cells are read at this one
CELL_LANG = "chi_sim+eng"     # second reading of a cell chi_sim leaves without Han (numbers, %, a lone 1)
MAX_SKEW_DEG = 3.0            # a scan tilted more than this is not corrected (and likely unreadable)
RASTER_TIMEOUT_S = 120.0
MAX_PAGES = 60
LOW_CONFIDENCE = 70.0         # Tesseract word confidence (0-100) below which a line is listed
MIN_MEAN_CONFIDENCE = 50.0    # below this on average the "text" is noise (a blank page, random glyphs)
MAX_LISTED_LINES = 30
RULE_MIN_INCHES = 0.4         # a dark run this long is a drawn rule, not a stroke of a character
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


# ------------------------------------------------------------------------------------ workers

def ocr_workers() -> int:
    """Pages recognised at once: the CPUs this process may use, divided among the watcher's workers."""
    env = os.environ.get("PLANDOC_OCR_WORKERS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, cpus)


@dataclass(slots=True)
class PageResult:
    number: int
    dpi: int
    width_px: int
    height_px: int
    glyphs: list[Glyph] = field(default_factory=list)
    rules: list[tuple[str, float, float, float]] = field(default_factory=list)   # (h|v, pos, start, end) px


_RUN_BLOCK = 8                 # px: the coarse grid `_runs` screens rows on


def _runs(dark, min_len: int) -> list[tuple[int, int, int]]:
    """(row, start, end) of horizontal dark runs at least `min_len` long, neighbouring rows merged.

    Only the rows that can hold such a run are scanned exactly: a run of `min_len` covers at least
    `min_len // 8 - 1` consecutive wholly dark blocks of 8 px. For the long rules of a page of text
    that is a handful of rows instead of 3,500; for the short vertical ones still ~40 % faster."""
    import numpy as np
    row_ids = None
    if min_len >= 3 * _RUN_BLOCK:
        h, w = dark.shape
        blocks = dark[:, : w // _RUN_BLOCK * _RUN_BLOCK].reshape(h, w // _RUN_BLOCK, _RUN_BLOCK).all(axis=2)
        need = min_len // _RUN_BLOCK - 1
        # consecutive whole blocks: a run of `need` exists where the window sum reaches `need`
        sums = np.cumsum(blocks, axis=1, dtype=np.int32)
        window = sums[:, need - 1:] - np.pad(sums, ((0, 0), (1, 0)))[:, : sums.shape[1] - need + 1]
        row_ids = np.nonzero((window >= need).any(axis=1))[0]
        if row_ids.size == 0:
            return []
        dark = dark[row_ids]
    padded = np.pad(dark, ((0, 0), (1, 1))).astype(np.int8)
    diff = np.diff(padded, axis=1)
    rows, starts = np.nonzero(diff == 1)
    _, ends = np.nonzero(diff == -1)
    if row_ids is not None:
        rows = row_ids[rows]
    keep = (ends - starts) >= min_len
    merged: list[list[int]] = []            # [first row, last row, start, end]
    # In row order: sorted by start, the rows of one rule whose ends jitter by a pixel (an upscaled
    # 150-dpi scan) interleaved with other rules, and a row could join a rule far below it — the
    # rule it belonged to vanished and two table rows merged.
    for r, a, b in sorted(zip(rows[keep].tolist(), starts[keep].tolist(), ends[keep].tolist())):
        for m in merged[-32:]:
            if 0 <= r - m[1] <= 1 and abs(a - m[2]) <= 3 and abs(b - m[3]) <= 3:
                m[1] = r
                break
        else:
            merged.append([r, r, a, b])
    return [((m[0] + m[1]) / 2, m[2], m[3]) for m in merged]


def rules_from_image(gray, dpi: int) -> list[tuple[str, float, float, float]]:
    """Table rules drawn in a page image: ('h', y, x0, x1) / ('v', x, y0, y1) in pixels.

    A rule is a long straight dark run (`RULE_MIN_INCHES`); a shorter vertical run counts when it
    spans exactly between two long horizontal rules (the cell border of a low row). Only rules that
    cross another rule are kept — a table is a grid — so a dash —— or the stroke of 一 in a title is
    never mistaken for one (and never erased from the text)."""
    import numpy as np
    dark = np.asarray(gray) < 160
    long_len, short_len, tol = int(RULE_MIN_INCHES * dpi), int(0.1 * dpi), 3
    hs = _runs(dark, long_len)
    if not hs:
        return []                         # a grid needs a horizontal rule: a page of text stops here
    vs_all = _runs(dark.T, short_len)
    def between_h(x, y0, y1):
        ends = [y for y, a, b in hs if a - tol <= x <= b + tol]
        return any(abs(y - y0) <= tol + 1 for y in ends) and any(abs(y - y1) <= tol + 1 for y in ends)
    vs = [(x, a, b) for x, a, b in vs_all if b - a >= long_len or between_h(x, a, b)]
    def crosses(h, v):
        y, x0, x1 = h
        x, y0, y1 = v
        return x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol
    hs_kept = [h for h in hs if any(crosses(h, v) for v in vs)]
    vs_kept = [v for v in vs if any(crosses(h, v) for h in hs_kept)]
    return [("h", y, a, b) for y, a, b in hs_kept] + [("v", x, a, b) for x, a, b in vs_kept]


# ------------------------------------------------------------------------------------ pages

@dataclass(slots=True)
class PdfPage:
    """One page of a PDF to recognise, rendered only when a worker takes it up, so that at most one
    page a worker is held in memory: a 300-dpi page is 8.7 MB as PGM. `stem` names its scratch files."""
    path: Path                 # the user's file (for messages)
    src: Path                  # our copy of it
    number: int
    tmp: Path

    @property
    def stem(self) -> Path:
        return self.tmp / f"p-{self.number}"

    def load(self):
        """The page as a grayscale image at `SCAN_DPI`, rendered by pdftoppm (PGM on its stdout: 8.7 MB
        at 300 dpi, never written to disk).

        Taking a scan's own JPEG out of the PDF instead would save ~0.14 s a page (measured Dec 2026),
        but the pixels differ slightly from poppler's resampled rendering, and on the reference scan
        the facts read moved from 99.0 % to 95.9 % (noisy scan: 95.9 → 96.4 %): not taken."""
        from PIL import Image
        try:
            done = subprocess.run(["pdftoppm", "-r", str(SCAN_DPI), "-gray", "-f", str(self.number), "-l",
                                   str(self.number), "-singlefile", str(self.src)],
                                  capture_output=True, timeout=RASTER_TIMEOUT_S, check=True)
        except FileNotFoundError:
            raise InputError(self.path, "无法把 PDF 页面转为图像：未安装 poppler-utils（pdftoppm）") from None
        except subprocess.TimeoutExpired:
            raise InputError(self.path, "PDF 页面转图像超时，文件可能损坏", hint=_HINT) from None
        except subprocess.CalledProcessError:
            raise InputError(self.path, "PDF 页面无法转为图像（文件可能损坏）", hint=_HINT) from None
        try:
            with Image.open(io.BytesIO(done.stdout)) as rendered:
                return rendered.convert("L")
        except Exception:
            raise InputError(self.path, "PDF 页面无法转为图像（文件可能损坏）", hint=_HINT) from None


def _rasterize_pdf(path: Path, data: bytes, tmp: Path, pages: list[int] | None = None) -> list[PdfPage]:
    """The pages to recognise (all, at most `MAX_PAGES`, or the 1-based `pages`), rendered at
    `SCAN_DPI` in grayscale by the worker that recognises each (`PdfPage.render`)."""
    import pdfplumber
    src = tmp / "in.pdf"
    src.write_bytes(data)
    if pages is None:
        try:
            with pdfplumber.open(src) as pdf:
                count = len(pdf.pages)
        except Exception:
            raise InputError(path, "PDF 页面无法转为图像（文件可能损坏）", hint=_HINT) from None
        pages = list(range(1, min(count, MAX_PAGES) + 1))
    if not pages:
        raise InputError(path, "PDF 没有可识别的页面", hint=_HINT)
    return [PdfPage(path, src, n, tmp) for n in pages]


def _prepare_image(path: Path, data: bytes, tmp: Path) -> Path:
    """A photo or scanned image → one grayscale PNG at about `SCAN_DPI` (orientation from EXIF)."""
    from PIL import Image, ImageOps
    try:
        img = Image.open(io.BytesIO(data))
        img = ImageOps.exif_transpose(img)
        img = img.convert("L")
    except Image.DecompressionBombError:
        raise InputError(path, "图片像素过多（疑似解压炸弹），已拒绝", hint="请提供普通分辨率的扫描件") from None
    except Exception as e:
        raise InputError(path, f"无法打开图片（{type(e).__name__}），文件可能已损坏", hint="请重新拍照或扫描") from None
    # Without a trustworthy resolution, assume the page fills the image: a notice is A4 (8.27 in wide).
    dpi = img.info.get("dpi", (0, 0))[0] or 0
    if not 50 <= dpi <= 1200:
        dpi = img.width / 8.27
    scale = SCAN_DPI / dpi
    if abs(scale - 1) > 0.1:
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.LANCZOS)
    out = tmp / "p-1.png"
    img.save(out, compress_level=1)
    return out


def skew_angle(gray) -> float:
    """The tilt of a scanned page in degrees (counter-clockwise positive), 0 up to 0.1° (4 px across
    an A4 page at 300 dpi: nothing to correct).

    Text lines are horizontal runs of ink: rotated by the right angle, the rows' ink profile is the
    most uneven (dark lines, white gaps). Searched on a small binarised copy, coarse then fine; a page
    without enough ink keeps 0. Rule detection and Tesseract's line finder both assume level lines.
    The profile of a rotation is computed from the ink pixels' coordinates (each pixel's row after
    rotating it), not by rotating the image: 32 profiles in ~30 ms, where rotating took ~70 ms."""
    import numpy as np
    from PIL import Image
    small = gray.resize((max(1, gray.width // 3), max(1, gray.height // 3)), Image.BILINEAR)
    ink = np.asarray(small) < 160
    if ink.mean() < 0.5 / 255:
        return 0.0
    ys, xs = np.nonzero(ink)
    ys = ys[::2].astype(np.float64) - small.height / 2      # every other ink pixel is plenty
    xs = xs[::2].astype(np.float64) - small.width / 2
    reach = int(np.hypot(small.width, small.height)) + 2

    def score(angle: float) -> float:
        # each pixel shared between the two rows it falls between (rounding to one row aliases:
        # the unrotated grid then always looks sharpest)
        a = np.radians(angle)
        rows = ys * np.cos(a) - xs * np.sin(a) + reach
        low = np.floor(rows)
        share = rows - low
        low = low.astype(np.int64)
        profile = (np.bincount(low, weights=1 - share, minlength=2 * reach + 2)
                   + np.bincount(low + 1, weights=share, minlength=2 * reach + 2))
        return float(np.var(np.diff(profile)))

    best = max((a / 4 for a in range(int(-MAX_SKEW_DEG * 4), int(MAX_SKEW_DEG * 4) + 1)), key=score)
    best = max((best + a / 20 for a in range(-5, 6)), key=score)
    # a level page scores about the same a hair either way (1 px at this scale): leave it alone
    return 0.0 if abs(best) <= 0.1 or score(0.0) >= 0.97 * score(best) else best


def _deskew(gray):
    angle = skew_angle(gray)
    return gray if angle == 0.0 else turned(gray, angle)


ROTATE_BANDS = 2              # a tilted page is turned in this many bands at once


def turned(gray, angle: float):
    """`gray.rotate(angle, BICUBIC, fillcolor=255)` about the centre, the same pixels, computed in
    horizontal bands on `ROTATE_BANDS` threads: turning a 300-dpi page takes ~220 ms on one core, and
    Pillow lets go of the GIL while it transforms. Each band is the same affine map shifted by the
    band's first row (the matrix is Pillow's own for `rotate`; a test holds the two equal)."""
    from PIL import Image
    w, h = gray.size
    a = -math.radians(angle % 360.0)
    m = [round(math.cos(a), 15), round(math.sin(a), 15), 0.0, round(-math.sin(a), 15), round(math.cos(a), 15), 0.0]
    cx, cy = w / 2.0, h / 2.0
    m[2] = m[0] * -cx + m[1] * -cy + cx
    m[5] = m[3] * -cx + m[4] * -cy + cy
    edges = [h * k // ROTATE_BANDS for k in range(ROTATE_BANDS + 1)]

    def band(top: int, bottom: int):
        shifted = (m[0], m[1], m[2] + m[1] * top, m[3], m[4], m[5] + m[4] * top)
        return gray.transform((w, bottom - top), Image.AFFINE, shifted, Image.BICUBIC, fillcolor=255)
    with ThreadPoolExecutor(max_workers=ROTATE_BANDS) as pool:
        parts = list(pool.map(band, edges[:-1], edges[1:]))
    out = Image.new("L", (w, h), 255)
    for top, part in zip(edges, parts):
        out.paste(part, (0, top))
    return out


def _erase_rules(pixels, rules):
    """The page with its table rules painted white: Tesseract reads grid lines as 一 | _ and loses the
    cell text next to them. The rules themselves are kept as edges for the table finder."""
    pixels = pixels.copy()
    for orient, pos, start, end in rules:
        p, a, b = int(pos), int(start), int(end)
        if orient == "h":
            pixels[max(0, p - 3):p + 4, max(0, a - 2):b + 2] = 255
        else:
            pixels[max(0, a - 2):b + 2, max(0, p - 3):p + 4] = 255
    return pixels


def table_cells(rules) -> list[tuple[float, float, float, float]]:
    """Cell boxes (x0, top, x1, bottom, pixels) of the tables the rules draw — the same lattice finder
    the layout runs later, so a cell read here is the cell its text is assigned to."""
    from pdfplumber.table import TableFinder
    from pipeline.readers.positioned import _EdgePage
    edges = [h_edge(a, b, pos) if o == "h" else v_edge(pos, a, b) for o, pos, a, b in rules]
    cells = []
    for t in TableFinder(_EdgePage(edges)).tables:
        if len(t.rows) >= 2 and max(len(r.cells) for r in t.rows) >= 2:
            cells += [c for c in t.cells if c[2] - c[0] > 12 and c[3] - c[1] > 12]
    return cells


CELL_INSET = 5        # px at SCAN_DPI kept clear of a cell's rules (their erased remnants)
MIN_CELL_INK = 40     # dark pixels at SCAN_DPI: the smallest value (a 1, a dash) has about 80
CELL_PAD = 10         # white margin around a cell crop: Tesseract misses glyphs touching the edge


def _dash_in(crop) -> bool:
    """The cell's only ink is one thin horizontal stroke: a dash (no value). Tesseract drops a lone
    dash as noise or reads 一/-; its shape is unambiguous."""
    import numpy as np
    dark = crop < 128
    if not dark.any():
        return False
    ys, xs = np.nonzero(dark)
    h, w = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    return w >= 4 * h and h <= SCAN_DPI * 0.02 and dark.sum() >= 0.6 * h * w


def binarise(crop, level: float):
    """Black and white with the threshold at `level` of the way from ink to paper (levels taken from
    the crop itself, so a grey or dim scan is handled alike). Small table text is read at two levels:
    at 0.5 (Otsu-like) chi_sim reads 吨 as 邑 and 2.3 as 23 on a JPEG-blurred scan, at 0.75 (heavier
    strokes) it drops the boxy 四 as a frame; `_read_cells` keeps the better reading of each cell."""
    import numpy as np
    ink, paper = np.percentile(crop, 0.5), np.percentile(crop, 90)
    if paper - ink < 40:
        return crop
    return np.where(crop > ink + level * (paper - ink), 255, 0).astype(np.uint8)


def _coverage(glyphs: list[Glyph], dark) -> float:
    """Share of the crop's ink inside the glyph boxes: a reading that leaves ink unexplained has
    dropped a character (confidence does not show it — the glyphs it kept are sure)."""
    import numpy as np
    total = int(dark.sum())
    if not total:
        return 1.0
    mask = np.zeros_like(dark)
    for g in glyphs:
        mask[max(0, int(g.top) - 3):int(g.bottom) + 4, max(0, int(g.x0) - 3):int(g.x1) + 4] = True
    return float((dark & mask).sum()) / total


def _mean_conf(glyphs: list[Glyph]) -> float:
    return sum(g.conf for g in glyphs) / len(glyphs) if glyphs else 0.0


def _has_han(glyphs: list[Glyph]) -> bool:
    return any(re.match(_CJK, g.text) for g in glyphs)


def _read_cells(exe: str, pixels, cells, work: Path) -> list[Glyph]:
    """Every table cell recognised on its own (one Tesseract call per reading for all of them).

    Read as part of the page, cells in one row become one "line" and a merged cell's text mixes
    with its neighbours' rows; a small lone value (1, %, —) is dropped. Crops are taken at `SCAN_DPI`
    (table text is small) and read binarised at two levels (`binarise`), and at a third, thinner one
    where both leave ink unexplained; the reading that explains most of the cell's ink
    (`_coverage`), then the more confident one, is kept. A lone dash is
    recognised by its shape (`_dash_in`). A cell still without Han characters or with low confidence
    is read again with `CELL_LANG` as one line — chi_sim splits % into 9%6 and reads a lone 1 as 工,
    the English model does not — and kept if better, except that Latin letters never replace Han
    text (the English model turns 吨 into "ng")."""
    import numpy as np
    from PIL import Image
    crops: list[tuple[int, int, object]] = []            # (x offset, y offset, page pixels of the cell)
    for x0, top, x1, bottom in cells:
        ox, oy = int(x0) + CELL_INSET, int(top) + CELL_INSET
        crop = pixels[oy:int(bottom) - CELL_INSET, ox:int(x1) - CELL_INSET]
        if crop.size == 0 or (crop < 128).sum() < MIN_CELL_INK:
            continue                      # empty (or a few specks of scanner noise)
        crops.append((ox - CELL_PAD, oy - CELL_PAD, crop))
    if not crops:
        return []

    def batch(ks: list[int], level: float, lang: str, psm: str) -> dict[int, list[Glyph]]:
        tag = f"{lang}-{psm}-{level}"
        files = []
        for k in ks:
            crop = binarise(crops[k][2], level)
            padded = np.full((crop.shape[0] + 2 * CELL_PAD, crop.shape[1] + 2 * CELL_PAD), 255, np.uint8)
            padded[CELL_PAD:-CELL_PAD, CELL_PAD:-CELL_PAD] = crop
            f = work / f"cell-{k}-{tag}.pgm"
            Image.fromarray(padded).save(f)
            files.append(f)
        listing = work / f"cells-{tag}.txt"
        listing.write_text("".join(f"{f}\n" for f in files), encoding="utf-8")
        glyphs, _ = run_tesseract(exe, listing, lang, psm)
        by_image: dict[int, list[Glyph]] = {}
        for g in glyphs:
            by_image.setdefault(ks[g.image], []).append(g)
        return by_image

    def score(k: int, glyphs: list[Glyph]) -> tuple[float, float]:
        dark = np.pad(binarise(crops[k][2], 0.5) < 128, CELL_PAD)
        return round(_coverage(glyphs, dark) * 20) / 20, _mean_conf(glyphs)

    out: dict[int, list[Glyph]] = {}
    ks = []
    for k, (_, _, crop) in enumerate(crops):
        if _dash_in(crop):
            ys, xs = np.nonzero(crop < 128)
            size = SCAN_DPI * 0.15
            mid = (ys.min() + ys.max()) / 2 + CELL_PAD
            out[k] = [Glyph("—", xs.min() + CELL_PAD, mid - size / 2, xs.max() + CELL_PAD, mid + size / 2, 90.0, "dash")]
        else:
            ks.append(k)
    if ks:
        light, heavy = batch(ks, 0.5, OCR_LANG, "6"), batch(ks, 0.75, OCR_LANG, "6")
        for k in ks:
            a, b = light.get(k, []), heavy.get(k, [])
            out[k] = a if score(k, a) >= score(k, b) else b
        # ink left unexplained by both: a third, thinner reading (a boxy 四 on a blurred scan)
        thin_ks = [k for k in ks if score(k, out[k])[0] < 0.95]
        if thin_ks:
            thin = batch(thin_ks, 0.3, OCR_LANG, "6")
            for k in thin_ks:
                other = thin.get(k, [])
                sure = _mean_conf(other) >= max(LOW_CONFIDENCE, _mean_conf(out[k]) - 10)  # not broad garbage boxes
                if sure and score(k, other) > score(k, out[k]):
                    out[k] = other
        again = [k for k in ks if not _has_han(out[k]) or _mean_conf(out[k]) < LOW_CONFIDENCE]
        if again:
            second = batch(again, 0.75, CELL_LANG, "7")
            for k in again:
                other = second.get(k, [])
                latin_for_han = (_has_han(out[k]) and not _has_han(other)
                                 and any(g.text.isascii() and g.text.isalpha() for g in other))
                if other and not latin_for_han and score(k, other) > score(k, out[k]):
                    out[k] = other
    placed = []
    for k, glyphs in out.items():
        ox, oy = crops[k][0], crops[k][1]
        for g in glyphs:
            placed.append(Glyph(g.text, g.x0 + ox, g.top + oy, g.x1 + ox, g.bottom + oy, g.conf, f"cell{k}-{g.line}"))
    return placed


@dataclass(slots=True)
class PreparedPage:
    """A page made ready for the engine by `prepare_page`; `read_prepared` recognises it."""
    result: PageResult            # size and rules filled in, glyphs still to come
    body: Path                    # the running text at `OCR_DPI`, table cells blanked (PGM)
    pixels: object                # the page at `SCAN_DPI`, rules erased: where the table cells are cut from
    cells: list[tuple[float, float, float, float]]
    base: Path                    # what the page's scratch files are named after


def _at_ocr_dpi(image):
    """`image` (at `SCAN_DPI`) resampled to `OCR_DPI` for the engine."""
    from PIL import Image
    scale = OCR_DPI / SCAN_DPI
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.LANCZOS)


def prepare_page(number: int, image: Path | PdfPage) -> PreparedPage:
    """One page before recognition: deskewed, rules found and erased, table cells found and blanked,
    the rest resampled to `OCR_DPI`.

    The resampling (~55 ms a page) runs beside the tilt measure and the search for rules (~30 ms
    each): Pillow lets go of the GIL while it resamples. It starts on the page as loaded (most pages
    are level), again on a tilted page once it is turned, and once more after erasing rules."""
    import numpy as np
    from PIL import Image
    if isinstance(image, PdfPage):
        loaded, base = image.load(), image.stem
    else:
        with Image.open(image) as img:
            loaded, base = img.convert("L"), image
    with ThreadPoolExecutor(max_workers=1) as side:
        resampled = side.submit(_at_ocr_dpi, loaded)
        gray = _deskew(loaded)
        if gray is not loaded:
            resampled = side.submit(_at_ocr_dpi, gray)
        rules = rules_from_image(gray, SCAN_DPI)
        small = resampled.result()
    result = PageResult(number, SCAN_DPI, gray.width, gray.height, rules=rules)
    pixels = np.asarray(gray)
    cells = table_cells(rules) if rules else []
    if rules:
        pixels = _erase_rules(pixels, rules)
        body = pixels.copy() if cells else pixels
        for x0, top, x1, bottom in cells:
            body[int(top):int(bottom) + 1, int(x0):int(x1) + 1] = 255
        small = _at_ocr_dpi(Image.fromarray(body))
    body_file = base.with_name(base.stem + "-body.pgm")
    small.save(body_file)
    return PreparedPage(result, body_file, pixels, cells, base)


def read_prepared(exe: str, engine: EngineProcess, page: PreparedPage) -> PageResult:
    """The page's running text read by `engine` (started while the page was prepared), then its table
    cells one by one. Glyph boxes are in pixels at `SCAN_DPI`."""
    result = page.result
    glyphs, _ = engine.recognise(page.body)
    page.body.unlink()
    scale = OCR_DPI / SCAN_DPI
    result.glyphs = [Glyph(g.text, g.x0 / scale, g.top / scale, g.x1 / scale, g.bottom / scale, g.conf, g.line)
                     for g in glyphs]
    if page.cells:
        work = page.base.with_name(page.base.stem + "-cells")
        work.mkdir(exist_ok=True)
        result.glyphs += _read_cells(exe, page.pixels, page.cells, work)
    return result


def _recognise(exe: str, number: int, image: Path | PdfPage) -> PageResult:
    """One page, prepared while its Tesseract loads the model (`EngineProcess`), then recognised.

    Preparing the next page while this one is recognised was tried (one thread more than pages read
    at once): on this project's 2-core machines Tesseract then ran 10–25 % slower, more than the
    preparation it hid (Dec 2026), so a worker does one page at a time."""
    with EngineProcess(exe) as engine:
        return read_prepared(exe, engine, prepare_page(number, image))


_PAGE_NUMBER_OCR = re.compile(r"^[一—–\-_~－=DO\s]*(\d{1,3})[一—–\-_~－=DO\s]*$")


def _page_number_line(text: str) -> str | None:
    """OCR reads the dashes of `— 7 —` as 一, _, D…: a margin line of one number between such marks."""
    m = _PAGE_NUMBER_OCR.match(text)
    return m.group(1) if m and text.strip() != m.group(1) else None


MARGIN_BAND = 0.12            # share of the page height at the top and at the bottom where page numbers sit


def _in_margin(page: PageResult, glyphs: list[Glyph]) -> bool:
    band = MARGIN_BAND * page.height_px
    return glyphs[0].top < band or glyphs[-1].bottom > page.height_px - band


def _unreadable_marks(text: str, conf: float) -> bool:
    """A few unreadable marks (a margin's page number "— 3 —" read as "2 9 ." or "，-昌= -" at 0-10 %, a
    speck). A real margin line (抄送, 印发) is read with far higher confidence."""
    return len(text) <= 8 and (conf < 20 or (conf < MIN_MEAN_CONFIDENCE and not re.search(_CJK, text)))


def _page_items(page: PageResult):
    scale = 72.0 / page.dpi
    by_line: dict[str, list[Glyph]] = {}
    for g in page.glyphs:
        by_line.setdefault(g.line, []).append(g)
    chars = []
    for glyphs in by_line.values():
        text = "".join(g.text for g in glyphs)
        in_margin = _in_margin(page, glyphs)
        if in_margin and _unreadable_marks(text, _mean_conf(glyphs)):
            # left in, it sat between two pages and ended the paragraph running over them
            continue
        number = _page_number_line(text) if in_margin else None
        if number is not None:
            # rewrite as the printed form, so the shared furniture rule recognises and drops it
            g0, g1 = glyphs[0], glyphs[-1]
            w = (g1.x1 - g0.x0) / (len(number) + 2)
            glyphs = [Glyph(t, g0.x0 + i * w, g0.top, g0.x0 + (i + 1) * w, g0.bottom, g0.conf, g0.line)
                      for i, t in enumerate("—" + number + "—")]
        # One OCR line is set in one size, as a PDF's run is: the height of its Han characters (digits,
        # Latin and punctuation boxes are shorter; left alone a line rich in numbers looked smaller
        # type than its neighbours, and the layout path started a new paragraph at it).
        heights = sorted(g.bottom - g.top for g in glyphs if re.match(_CJK, g.text))
        line_size = heights[len(heights) // 2] * scale if len(heights) >= 3 else None
        for g in glyphs:
            size = line_size if line_size is not None else (g.bottom - g.top) * scale
            c = char(g.text, g.x0 * scale, g.top * scale, g.x1 * scale, g.bottom * scale, size)
            c["conf"] = g.conf
            chars.append(c)
    edges = []
    for orient, pos, start, end in page.rules:
        if orient == "h":
            edges.append(h_edge(start * scale, end * scale, pos * scale))
        else:
            edges.append(v_edge(pos * scale, start * scale, end * scale))
    _snap_sizes(chars)
    _em_boxes(chars)
    return layout_page(chars, edges, page.number, page.height_px * scale)


_INK_LEFT = "，。、；：！？”’）》」』】〕〉"     # full-width punctuation drawn in the left of its square


def _em_boxes(chars: list[dict]) -> None:
    """Widen a CJK character's OCR box (tight around the ink) to its em square, as a PDF text layer
    gives it (the advance width). Otherwise a line ending in 由 or ， seems to stop short of the right
    margin and the layout path ends the paragraph there — a wrapped sentence split in two."""
    for c in chars:
        t, size = c["text"], c["size"]
        if len(t) != 1 or not is_wide(t) or t in "—…" or c["x1"] - c["x0"] >= size:
            continue
        if t in _INK_LEFT:
            c["x1"] = c["x0"] + size       # (never move a box's left edge past its neighbour: order is by x0)
        elif not re.match(_CJK, t):
            continue
        else:
            mid = (c["x0"] + c["x1"]) / 2
            c["x0"], c["x1"] = mid - size / 2, mid + size / 2


def _snap_sizes(chars: list[dict]) -> None:
    """OCR boxes are tight around the ink, so sizes jitter; round them to the page's common sizes."""
    if not chars:
        return
    from collections import Counter
    buckets = Counter(round(c["size"]) for c in chars if is_wide(c["text"]))
    common: list[int] = []
    for s, n in buckets.most_common():
        # a size within 10 % of a commoner one is that size blurred (a grainy scan spreads 15 over
        # 14-16), not a second type size: kept apart, lines alternating 14/16 each began a paragraph
        if n >= 5 and not any(abs(s - c) <= 0.1 * c for c in common):
            common.append(s)
    common = common or [round(chars[0]["size"])]
    for c in chars:
        nearest = min(common, key=lambda s: abs(s - c["size"]))
        if abs(nearest - c["size"]) <= 0.2 * nearest:
            c["size"] = float(nearest)
            mid = (c["top"] + c["bottom"]) / 2
            c["top"], c["bottom"] = mid - nearest / 2, mid + nearest / 2


# ------------------------------------------------------------------------------------ punctuation

_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
_YEAR_BRACKETS = re.compile(r"(?<=[\u3400-\u9fff])\s*[【\[［〔﹝(（{]\s*((?:19|20)\d{2})\s*[】\]］〕﹞)）}]\s*(?=\d{1,4}\s*号)")
_SPACED_DECIMAL = re.compile(r"(?<=\d)\s+(?=[.．]\s*\d)|(?<=\d[.．])\s+(?=\d)")
_O_IN_NUMBER = re.compile(r"(?<=\d)[Oo〇](?=[\d%％])|(?<=\d[.．])[Oo〇]|(?<=\d)[Oo〇](?=[.．]\d)")
_L_IN_NUMBER = re.compile(r"(?<=\d)[lI|](?=\d|[.．]\d)|(?<=\d[.．])[lI|](?=\d|%)")
_STRAY_OPENING = re.compile(r"(?<=[”\"])[“\"](?=[。，；：！？、]|$)")   # an opening quote cannot precede closing punctuation
_NUMBER_CELL = re.compile(r"[-+−]?\s*\d[\d\s.．,]*%?")
_MIXED_PARENS = re.compile(r"(?:〈([^〈〉（）()]{0,40})[）)]|[（(]([^〈〉（）()]{0,40})〉)")
_MIXED_PAIR = re.compile(r"[【〔﹝\[［]([^【】〔〕\[\]［］]{1,20})[】〕﹞\]］]")


def fix_punctuation(text: str) -> str:
    """Repair OCR's confusions of 公文 punctuation (see the module doc); digits and letters untouched."""
    if not text:
        return text
    text = text.replace("丶", "、")
    # letters that look like digits, between digits (or a digit and %): 2O23, 1O%, 2l.5 — a word never
    # sits inside a number, so these are the engine's O/0 and l/1 confusions
    text = _O_IN_NUMBER.sub("0", text)
    text = _L_IN_NUMBER.sub("1", text)
    text = _SPACED_DECIMAL.sub("", _SPACED_DECIMAL.sub("", text))   # 251 . 2 → 251.2: a point's box sits apart
    text = _YEAR_BRACKETS.sub(lambda m: f"〔{m.group(1)}〕", text)
    # a bracket pair whose halves disagree (〔…】, 【…] ) is one kind: 〔〕 around numbers, 【】 otherwise
    def pair(m):
        inner = m.group(1)
        whole = m.group(0)
        if whole[0] + whole[-1] in ("〔〕", "【】", "[]", "［］", "﹝﹞"):
            return whole
        return f"〔{inner}〕" if re.fullmatch(r"\s*\d[\d\s]*", inner) else f"【{inner}】"
    text = _MIXED_PAIR.sub(pair, text)
    out = list(text)
    n = len(out)

    def wide_at(i: int) -> bool:
        return 0 <= i < n and is_wide(out[i]) and out[i] not in "“”‘’"

    for i, ch in enumerate(out):
        prev_wide, next_wide = wide_at(i - 1), wide_at(i + 1)
        if ch in _HALF_TO_FULL and (prev_wide or next_wide):
            if ch in ",:" and i > 0 and i + 1 < n and out[i - 1].isdigit() and out[i + 1].isdigit():
                continue                                    # 5,000 / 8:30
            out[i] = _HALF_TO_FULL[ch]
        elif ch == "(" and (next_wide or prev_wide):
            out[i] = "（"
        elif ch == ")" and (prev_wide or next_wide):
            out[i] = "）"
    text = "".join(out)
    # 〈…） and （…〉: one parenthesis pair misread on one side
    text = _MIXED_PARENS.sub(lambda m: f"（{m.group(1) if m.group(1) is not None else m.group(2)}）", text)
    # double quotes (straight or curly, as OCR guesses the direction): Chinese text does not nest them,
    # so they alternate opening / closing through the paragraph
    if re.search(r'["“”]', text):
        # Chinese text does not nest double quotes: they alternate opening / closing. Tesseract reads
        # an opening “ reliably and a closing ” often as " (measured on the reference pages: every
        # opening right, a third of the closings straight), so the opening quote decides the pair —
        # a pair that opens straight was printed straight ("四新" in a table) and stays so.
        out, opened = [], None
        for ch in text:
            if ch in '"“”':
                if opened is None:
                    opened = '"' if ch == '"' else "“"
                    ch = opened
                else:
                    ch, opened = ('"' if opened == '"' else "”"), None
            elif ch in "。！？；" and opened is not None:
                opened = None        # a quote lost or added by OCR upsets only its own sentence
            out.append(ch)
        text = "".join(out)
        text = _STRAY_OPENING.sub("", text)
    return text


_LONE_DASH = re.compile(r"[一—－\-_–~]{1,2}")


def _fix_block(b):
    if isinstance(b, TableBlock):
        for c in b.cells:
            c.text = fix_punctuation(c.text)
            if _NUMBER_CELL.fullmatch(c.text.strip()):
                c.text = re.sub(r"\s+", "", c.text)   # a cell holding one number: OCR's gaps are not spaces
            if _LONE_DASH.fullmatch(c.text.strip()):
                c.text = "—"                   # a cell's lone dash ("no value") read as 一 or -
        return b
    text = fix_punctuation(b.text)
    if text != b.text:
        b.text, b.norm = text, normalize(text)
    return b


# ------------------------------------------------------------------------------------ the reader

def _low_confidence_lines(pages: list[PageResult]) -> list[tuple[int, str, float]]:
    """(page, line text, mean confidence) of every OCR line whose characters average below the threshold,
    except what the layout drops from the margin (`_page_items`): a page number (“一6一” for — 6 —) or
    unreadable marks — nothing there for the clerk to check."""
    out = []
    for p in pages:
        lines: dict[str, list[Glyph]] = {}
        for g in p.glyphs:
            lines.setdefault(g.line, []).append(g)
        for glyphs in lines.values():
            conf = sum(g.conf for g in glyphs) / len(glyphs)
            raw = "".join(g.text for g in glyphs)
            text = fix_punctuation(raw)
            margin_furniture = _in_margin(p, glyphs) and (_page_number_line(raw) or _unreadable_marks(raw, conf))
            if conf < LOW_CONFIDENCE and len(text) >= 2 and not margin_furniture:
                out.append((p.number, text, conf))
    return out


def _add_low_confidence_note(out: Diagnostics, pages: list[PageResult]) -> None:
    """The `ocr_low_confidence` note listing the doubtful lines (at most `MAX_LISTED_LINES` of them)."""
    low = _low_confidence_lines(pages)
    if low:
        shown = "；".join(f"第{pg}页“{text}”（{conf:.0f}%）" for pg, text, conf in low[:MAX_LISTED_LINES])
        more = f"等共{len(low)}行" if len(low) > MAX_LISTED_LINES else f"共{len(low)}行"
        out.add(DiagnosticCode.ocr_low_confidence, f"以下各行识别置信度低于{LOW_CONFIDENCE:.0f}%，请重点核对（{more}）：{shown}",
                Where(page=low[0][0]))


def _diagnostics(pages: list[PageResult]) -> Diagnostics:
    """The clerk-facing notes of an OCR read."""
    n = sum(len(p.glyphs) for p in pages)
    mean = sum(g.conf for p in pages for g in p.glyphs) / max(n, 1)
    out = Diagnostics()
    out.add(DiagnosticCode.ocr_text, f"本文件没有可用的文本层，内容由文字识别（OCR）得到（共{len(pages)}页，平均置信度{mean:.0f}%），"
                        "数字、标点和专有名词请与原件核对", Where(page=1))
    _add_low_confidence_note(out, pages)
    return out


def recognise_pages(path: Path, images: list[Path], progress=None, numbers: list[int] | None = None) -> list[PageResult]:
    """OCR every page image, at most `ocr_workers()` at a time; results in page order. `numbers` are
    the images' page numbers in the document (1, 2, … unless only some pages are recognised)."""
    exe = check_engine(path)
    numbers = numbers or list(range(1, len(images) + 1))
    results: list[PageResult | None] = [None] * len(images)
    with ThreadPoolExecutor(max_workers=min(ocr_workers(), len(images))) as pool:
        futures = {pool.submit(_recognise, exe, numbers[i], img): i for i, img in enumerate(images)}
        for fut in futures:
            i = futures[fut]
            try:
                results[i] = fut.result()
            except InputError as e:
                raise InputError(path, e.reason, where=f"第{numbers[i]}页", hint=e.hint) from None
            if progress is not None:
                progress(i + 1, len(images))
    return results   # type: ignore[return-value]


def _progress_bar(path: Path, total: int):
    """A progress bar on a terminal (batch `plandoc parse` of a long scan); silent otherwise."""
    if total < 3 or not sys.stderr.isatty():
        return None, lambda: None
    from rich.progress import Progress
    bar = Progress(transient=True)
    task = bar.add_task(f"文字识别 {path.name}", total=total)
    bar.start()
    return (lambda done, _total: bar.update(task, completed=done)), bar.stop


def read_ocr(path: Path, data: bytes, sha256: str, kind: str) -> SourceDoc:
    """`kind` "pdf" (a scan or an undecodable text layer) or "image" (a photo / scanned image)."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="plandoc-ocr-") as tmp:
        tmp_dir = Path(tmp)
        images = _rasterize_pdf(path, data, tmp_dir) if kind == "pdf" else [_prepare_image(path, data, tmp_dir)]
        update, stop = _progress_bar(path, len(images))
        try:
            pages = recognise_pages(path, images, update)
        finally:
            stop()
    ocr_words.correct_pages(pages)
    words = [g for p in pages for g in p.glyphs]
    if not words:
        raise InputError(path, "这是扫描件或图片（无文本层），文字识别没有得到任何文字（可能是空白、过于模糊或不是文字）",
                         hint="请重新扫描（建议 300 dpi、黑白或灰度）或索取电子版")
    mean = sum(w.conf for w in words) / len(words)
    if mean < MIN_MEAN_CONFIDENCE:
        raise InputError(path, f"这是扫描件或图片（无文本层），文字识别结果不可靠（平均置信度 {mean:.0f}%）",
                         hint="请重新扫描（建议 300 dpi、黑白或灰度）或索取电子版")
    blocks = [_fix_block(b) for b in assemble_pages([_page_items(p) for p in pages])]
    blocks = [b for b in blocks if not isinstance(b, TextBlock) or b.text]
    if not blocks:
        raise InputError(path, "文字识别后没有正文内容", hint=_HINT)
    diagnostics = _diagnostics(pages)
    _restore_labels(blocks, diagnostics)
    doc = SourceDoc(path=str(path), sha256=sha256, format="pdf" if kind == "pdf" else "image", blocks=blocks,
                    diagnostics=diagnostics, ocr=True)
    return doc


def ocr_pdf_pages(path: Path, data: bytes, numbers: list[int]):
    """The image-only pages `numbers` of a PDF that otherwise has a text layer (a scanned attachment
    appended to a printed notice): each recognised on its own. Returns the layout path's page items
    of the pages read (page number → items, to take their place among the text pages), the
    clerk-facing notes, and the pages whose recognition is too unsure to use. A page where OCR finds
    nothing at all is a blank page: in neither. Raises `InputError` when there is no OCR engine."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="plandoc-ocr-") as tmp:
        images = _rasterize_pdf(path, data, Path(tmp), pages=numbers)
        pages = recognise_pages(path, images, numbers=numbers)
    ocr_words.correct_pages(pages)
    read = [p for p in pages if p.glyphs and _mean_conf(p.glyphs) >= MIN_MEAN_CONFIDENCE]
    unsure = [p for p in pages if p.glyphs and _mean_conf(p.glyphs) < MIN_MEAN_CONFIDENCE]
    out = Diagnostics()
    for p in unsure:
        out.add(DiagnosticCode.pdf_page_without_text, f"第{p.number}页没有文本层（可能是扫描页），文字识别结果不可靠"
                f"（平均置信度{_mean_conf(p.glyphs):.0f}%），内容未读取", Where(page=p.number))
    if read:
        listed = "、".join(str(p.number) for p in read)
        mean = _mean_conf([g for p in read for g in p.glyphs])
        out.add(DiagnosticCode.ocr_pages, f"第{listed}页没有文本层（扫描页），内容由文字识别（OCR）得到（平均置信度{mean:.0f}%），"
                                          "数字、标点和专有名词请与原件核对", Where(page=read[0].number))
        _add_low_confidence_note(out, read)
    return {p.number: _page_items(p) for p in read}, out, [p.number for p in unsure]


def _page_of(block) -> int | None:
    where = getattr(block, "where", None)
    return getattr(where, "page", None) if where is not None else None


def fix_ocr_blocks(blocks: list, pages: set[int], diagnostics: Diagnostics | None = None) -> list:
    """`fix_punctuation` and the label repair on the blocks that come from OCR'd pages (by their
    provenance); the text-layer blocks around them only serve as the labels' siblings."""
    out = [_fix_block(b) if _page_of(b) in pages else b for b in blocks]
    _restore_labels(out, diagnostics, lambda b: _page_of(b) in pages)
    return out


def _restore_labels(blocks: list, diagnostics: Diagnostics | None, may_change=None) -> None:
    """Misread heading labels restored from their siblings (ocr_labels), each one reported."""
    for r in ocr_labels.repair_labels(blocks, may_change):
        if diagnostics is not None:
            diagnostics.add(DiagnosticCode.ocr_label_restored,
                            f"编号“{r.old}”识别有误，按前后同级编号更正为“{r.new}”，请与原件核对", r.block.where)


def pdf_needs_ocr(data: bytes) -> bool:
    """True when a PDF opens but has no usable text layer: no characters at all, or mostly `(cid:N)`
    glyphs (fonts without a Unicode map) — the two cases the PDF reader refuses as 无文本层."""
    import pdfplumber
    from pipeline.readers.pdf import MAX_CID_SHARE
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            visible = cid = 0
            for page in pdf.pages[:MAX_PAGES]:
                for c in page.chars:
                    t = c.get("text", "")
                    if t.strip():
                        visible += 1
                        cid += t.startswith("(cid:")
                page.close()
    except Exception:
        return False                   # encrypted, damaged: the PDF reader's reason stands
    return visible == 0 or cid / visible > MAX_CID_SHARE

