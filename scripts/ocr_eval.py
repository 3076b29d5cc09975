"""`make ocr-eval`: how much of a notice survives a scan, measured on many documents, not one.

Why: the acceptance scan (the reference notice at 300 dpi) is a single document, and on it the share
of facts read moves by ±3 % with pixel differences too small to see (another rasteriser, another
resampling filter). A choice between OCR settings — speed against accuracy — needs more documents.

What it does, for every real Shanghai notice of the corpus that is a plan (renders) and has at most
`MAX_PAGES` pages, and for samples/zhoucun-2024-plan.docx (the reference notice is left out: it is the
acceptance test):
1. renders it as our GB/T 9704 PDF (`plandoc render`) — a PDF with a text layer;
2. "scans" it: every page rasterised at 300 dpi in grayscale and stored as JPEG in a new PDF, once clean
   and once noisy (tilt up to ±0.8°, blur, grain: a photocopy);
3. parses the text-layer PDF and both scans, and counts which facts of the first (cover fields, every
   numbered node, target, indicator cell: `facts` of tests/test_readers_ocr.py) the scans reproduce.
Renders and scans are kept in `.ocr-eval/` (git-ignored) so a second run only OCRs. About 160 pages:
some 5 minutes a condition on 2 cores.

    python scripts/ocr_eval.py            # per document and total, clean and noisy
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
CORPUS = Path(os.environ.get("PLANDOC_TEST_CORPUS") or REPO.parent / "shared" / "corpus")
WORK = REPO / ".ocr-eval"
MAX_PAGES = 8
SCAN_DPI = 300


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(next(ln.split()[1] for ln in info.splitlines() if ln.startswith("Pages:")))


def rendered() -> list[Path]:
    """The text-layer PDFs to scan (rendered once)."""
    sources = sorted((CORPUS / "real" / "shanghai").glob("sh-*.md")) + [REPO / "samples" / "zhoucun-2024-plan.docx"]
    out = []
    (WORK / "pdf").mkdir(parents=True, exist_ok=True)
    for src in sources:
        pdf = WORK / "pdf" / f"{src.stem}.pdf"
        if not pdf.exists():
            r = subprocess.run([sys.executable, "-m", "pipeline.cli", "render", str(src), "-o", str(pdf)],
                               cwd=REPO, capture_output=True, text=True)
            if r.returncode != 0:
                continue                     # not a plan (a letter without tasks or targets)
        if _pages(pdf) <= MAX_PAGES or src.stem.startswith("zhoucun"):
            out.append(pdf)
    return out


def scan(pdf: Path, noisy: bool) -> Path:
    """A scan of `pdf`: pages at 300 dpi gray, JPEG in a PDF; noisy = tilted, blurred and grainy."""
    import numpy as np
    from PIL import Image, ImageFilter
    out = WORK / "scans" / f"{pdf.stem}{'-noisy' if noisy else ''}.pdf"
    if out.exists():
        return out
    raster = WORK / "raster"
    raster.mkdir(parents=True, exist_ok=True)
    for old in raster.glob("*"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(SCAN_DPI), "-gray", "-png", str(pdf), str(raster / "p")], check=True)
    rnd = random.Random(pdf.stem)
    pages = []
    for png in sorted(raster.glob("p-*.png")):
        img = Image.open(png).convert("L")
        if noisy:
            img = img.rotate(rnd.uniform(-0.8, 0.8), resample=Image.BICUBIC, fillcolor=255)
            img = img.filter(ImageFilter.GaussianBlur(0.8))
            grain = np.random.default_rng(rnd.randint(0, 999)).normal(0, 12, (img.height, img.width))
            img = Image.fromarray(np.clip(np.asarray(img) + grain, 0, 255).astype(np.uint8))
        pages.append(img)
    out.parent.mkdir(parents=True, exist_ok=True)
    pages[0].save(out, save_all=True, append_images=pages[1:], resolution=SCAN_DPI)
    return out


def main() -> int:
    from pipeline.parse import parse_file
    from test_readers_ocr import facts
    totals: dict[str, list[int]] = {"clean": [0, 0], "noisy": [0, 0]}
    print(f"{'document':48s} {'clean':>12s} {'noisy':>12s}", flush=True)
    for pdf in rendered():
        want = facts(json.loads(parse_file(pdf, keywords=False).model_dump_json()))
        row = []
        for kind in ("clean", "noisy"):
            try:
                got = facts(json.loads(parse_file(scan(pdf, kind == "noisy"), keywords=False).model_dump_json()))
            except Exception as e:               # a refused scan counts as nothing read, and says why
                print(f"   {pdf.stem} ({kind}): {e}", flush=True)
                got = Counter()
            hit, n = sum((want & got).values()), sum(want.values())
            totals[kind][0] += hit
            totals[kind][1] += n
            row.append(f"{hit:4d}/{n:<4d}{hit / n:5.0%}")
        print(f"{pdf.stem:48s} {row[0]:>12s} {row[1]:>12s}", flush=True)
    print(f"{'total (facts of the text layer read from the scan)':48s} "
          + " ".join(f"{h:5d}/{n:<5d}{h / max(n, 1):6.1%}" for h, n in totals.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
