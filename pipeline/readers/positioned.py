"""Positioned characters and ruling edges of one page → the PDF path's page items (lines and tables).

Shared by the readers that produce characters with boxes but are not PDFs (OFD, OCR): they convert
their units to points (page top-left origin, y downwards), and from here on everything is the PDF
reader's code — fake-bold doubles removed, tables from ruling edges by pdfplumber's lattice finder
(spans rebuilt by `pdf_tables`), the remaining characters grouped into lines by `pdf_layout`.
Across pages, `pdf._drop_furniture` and `pdf._assemble` (page numbers, running headers, paragraphs
over page breaks, tables continued on the next page) finish the job, so all readers agree.
"""
from __future__ import annotations

from pdfplumber.table import TableFinder

from pipeline.readers.pdf import _assemble, _drop_furniture, _PageItems
from pipeline.readers.pdf_layout import build_lines, dedupe_chars
from pipeline.readers.pdf_tables import read_page_table

__all__ = ["char", "h_edge", "v_edge", "layout_page", "assemble_pages"]


def char(text: str, x0: float, top: float, x1: float, bottom: float, size: float, font: str | None = None) -> dict:
    """A character in pdfplumber's shape (points)."""
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "size": size,
            "fontname": font, "upright": True}


def h_edge(x0: float, x1: float, y: float) -> dict:
    return {"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0,
            "orientation": "h", "object_type": "line"}


def v_edge(x: float, top: float, bottom: float) -> dict:
    return {"x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0, "height": bottom - top,
            "orientation": "v", "object_type": "line"}


class _EdgePage:
    """Just enough of a pdfplumber page for its lattice table finder: ruling edges and a bbox."""

    def __init__(self, edges: list[dict]):
        self.edges, self.bbox = edges, (0, 0, 1e6, 1e6)


def layout_page(chars: list[dict], edges: list[dict], page_no: int, height: float) -> _PageItems:
    """One page's lines and tables, top to bottom (as `pdf._read_page` builds them from a PDF page)."""
    chars = dedupe_chars(chars)
    out = _PageItems(page_no, height)
    tables = []
    if edges:
        for t in TableFinder(_EdgePage(edges)).tables:
            if len(t.rows) >= 2 and max(len(r.cells) for r in t.rows) >= 2:
                tables.append(read_page_table(t, chars, page_no))
    if tables:
        def outside(c):
            x, y = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
            return not any(t.bbox[0] <= x <= t.bbox[2] and t.bbox[1] <= y <= t.bbox[3] for t in tables)
        chars = [c for c in chars if outside(c)]
    for line in build_lines(chars, page_no):
        out.items.append((line.top, "line", line))
    for t in tables:
        out.items.append((t.bbox[1], "table", t))
    out.items.sort(key=lambda it: it[0])
    return out


def assemble_pages(pages: list[_PageItems]) -> list:
    """Furniture removed, paragraphs and continued tables joined: the document's blocks."""
    _drop_furniture(pages)
    return _assemble(pages)
