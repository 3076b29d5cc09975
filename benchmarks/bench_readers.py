"""Readers: .pdf parse time as a ratio to pdfplumber's bare `extract_text` over the same pages (goal
≤ 1.2×: one pass over the characters, no repeated page extraction), and .docx parse time (goal ≤ 100 ms).

Both are measured on the constructed samples in this run, best of several rounds (the machine is
shared, so the minimum is the honest estimate of the work itself).
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pdfplumber

from pipeline.readers.docx import read_docx
from pipeline.readers.pdf import read_pdf
from timing import best_of  # noqa: E402  (benchmarks/ is on sys.path: run.py)

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
ROUNDS = 5


def _best(fn, rounds: int = ROUNDS) -> float:
    return best_of(fn, rounds, warmup=True)          # warm-up: imports, font caches


def _bare_extract_text(data: bytes) -> int:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return sum(len(page.extract_text() or "") for page in pdf.pages)


def run() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pdf_path = SAMPLES / "zhoucun-2023-plan.pdf"
    docx_path = SAMPLES / "zhoucun-2023-plan.docx"
    pdf_data, docx_data = pdf_path.read_bytes(), docx_path.read_bytes()
    pdf_sha, docx_sha = hashlib.sha256(pdf_data).hexdigest(), hashlib.sha256(docx_data).hexdigest()
    with pdfplumber.open(io.BytesIO(pdf_data)) as pdf:
        n_pages = len(pdf.pages)

    base = _best(lambda: _bare_extract_text(pdf_data))
    ours = _best(lambda: read_pdf(pdf_path, pdf_data, pdf_sha))
    out.append((f"pdfplumber extract_text, {n_pages} pages (baseline)", f"{base * 1000:.0f} ms"))
    out.append(("read_pdf (blocks, tables, furniture removed)", f"{ours * 1000:.0f} ms"))
    out.append(("read_pdf / extract_text  (goal ≤ 1.2×)", f"{ours / base:.2f}×"))

    docx_t = _best(lambda: read_docx(docx_path, docx_data, docx_sha), rounds=10)
    out.append(("read_docx reference notice  (goal ≤ 100 ms)", f"{docx_t * 1000:.1f} ms"))
    return out


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<58} {value}")
