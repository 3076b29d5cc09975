""".pdf reader (pdfplumber): one pass over each page's characters → the same blocks as the .txt reader.

Per page: fake-bold doubles removed (`pdf_layout.dedupe_chars`, pdfplumber #71), tables found from ruling lines
(only on pages that have lines or rectangles), the remaining characters grouped into lines
(`pdf_layout`). Across pages: page numbers (`— 1 —`, `第1页`, `1/5`) and running headers/footers
(the same line, digits masked, at the top or bottom of most pages) are dropped, lines are grouped
into paragraphs — a paragraph may continue over a page break — and a table continued on the next
page is joined with its repeated header dropped (`pdf_tables`). Provenance keeps page numbers.

Refused with a Chinese reason (never garbage JSON): a truncated file (no `%%EOF`), an encrypted file
we cannot open, a damaged file, and a PDF with no usable text layer — a scan (no characters at all)
or fonts without a Unicode map (`(cid:NNN)` glyphs, pdfplumber #286).
"""
from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pdfplumber

from pipeline.blocks import SourceDoc, TextBlock, Where
from pipeline.diagnostics import DiagnosticCode, Diagnostics
from pipeline.errors import InputError
from pipeline.readers.pdf_layout import (Line, build_lines, dedupe_chars, group_paragraphs, measure_margins,
                                         unreadable_order)
from pipeline.readers.pdf_tables import PageTable, join_continuation, read_page_table, to_block
from pipeline.text import normalize

# Share of `(cid:NNN)` glyphs above which the text layer is unusable (a few can be stray symbols).
MAX_CID_SHARE = 0.05
# Page margins (share of the page height) where page numbers and running headers live.
FURNITURE_BAND = 0.12

_CID = re.compile(r"^\(cid:\d+\)$")
_PAGE_NUMBER = re.compile(
    r"^(?:[—–\-－―~～]{1,3}\s*\d{1,4}\s*[—–\-－―~～]{1,3}"
    r"|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[-–]?\s*\d{1,4}\s*[-–]?)$")
_DIGITS = re.compile(r"\d+")


def _check_complete(path: Path, data: bytes) -> None:
    """A saved PDF ends with %%EOF (possibly followed by a newline); a cut download does not."""
    # Padding after the marker (NULs or blanks from a transfer tool or a fixed-size block write) is harmless.
    if b"%%EOF" not in data.rstrip(b"\x00 \t\r\n\x0c\x1a")[-2048:]:
        raise InputError(path, "PDF 文件不完整（缺少文件结束标记 %%EOF，可能下载或复制中断）",
                         hint="请重新下载或向发文单位索取完整文件")


def _open(path: Path, data: bytes):
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except Exception as e:  # pdfminer raises many types; classify by the cause chain
        raise _classify(path, e) from None
    return pdf, pages


def _classify(path: Path, e: BaseException, where: str | None = None) -> InputError:
    names = []
    cur: BaseException | None = e
    while cur is not None and len(names) < 6:
        names.append(type(cur).__name__ + " " + str(cur))
        cur = cur.__cause__ or cur.__context__
    blob = " ".join(names)
    if "Password" in blob or "Encrypt" in blob or "encrypt" in blob:
        return InputError(path, "PDF 已加密（需要密码才能打开），无法读取内容", where=where,
                          hint="请向发文单位索取未加密的 PDF，或提供 .docx/.txt 版本")
    return InputError(path, f"PDF 文件已损坏或结构不完整，无法解析（{type(e).__name__}）", where=where,
                      hint="请重新下载或用 PDF 阅读器另存一份后重试")


class _PageItems:
    """What one page contributes, in top-to-bottom order: ("line", Line) or ("table", PageTable)."""

    def __init__(self, number: int, height: float):
        self.number = number
        self.height = height
        self.items: list[tuple[float, str, object]] = []
        self.order: str | None = None      # "vertical" / "columns": text the line order scrambles


def _readable(c: dict) -> bool:
    """A character drawn the way a line is read: upright and advancing left to right (a page shown
    turned by 180° has upright glyphs whose matrix runs right to left, upside down)."""
    m = c.get("matrix")
    return c.get("upright", True) and (m is None or m[0] > 0)


def _turned(page) -> int:
    """Characters with text that are not readable in this view of the page."""
    return sum(1 for c in page.chars if c["text"].strip() and not _readable(c))


def _upright_view(page):
    """The page as its text reads. `/Rotate` turns a page for display; a page turned after its text
    was laid out (rotated in a viewer and saved, a landscape scan setting) shows every character on
    its side or upside down, and the lines would be read as columns or backwards. When the unrotated
    view has more readable characters, that view is read. Returns (page, degrees turned back)."""
    if not page.rotation:
        return page, 0
    readable = sum(1 for c in page.chars if c["text"].strip() and _readable(c))
    obj = page.page_obj
    saved = (obj.attrs.get("Rotate"), getattr(obj, "rotate", 0))
    obj.attrs["Rotate"] = 0                   # in memory only: the bytes were read into a buffer
    obj.rotate = 0
    flat = pdfplumber.page.Page(page.pdf, obj, page.page_number, page.initial_doctop)
    if sum(1 for c in flat.chars if c["text"].strip() and _readable(c)) > readable:
        return flat, page.rotation
    obj.attrs["Rotate"], obj.rotate = saved
    flat.close()
    return page, 0


def _read_page(page, number: int) -> tuple[_PageItems, int, int]:
    chars = dedupe_chars([c for c in page.chars if _readable(c)])
    n_visible = sum(1 for c in chars if c["text"].strip())
    n_cid = sum(1 for c in chars if _CID.match(c["text"]))
    out = _PageItems(number, float(page.height))
    out.order = None
    tables: list[PageTable] = []
    if page.lines or page.rects:
        for t in page.find_tables():
            if len(t.rows) >= 2 and max(len(r.cells) for r in t.rows) >= 2:
                tables.append(read_page_table(t, chars, number))
    if tables:
        def outside(c):
            x, y = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
            return not any(t.bbox[0] <= x <= t.bbox[2] and t.bbox[1] <= y <= t.bbox[3] for t in tables)
        chars = [c for c in chars if outside(c)]
    lines = build_lines(chars, number)
    out.order = unreadable_order(chars, lines, float(page.width))
    for line in lines:
        out.items.append((line.top, "line", line))
    for t in tables:
        out.items.append((t.bbox[1], "table", t))
    out.items.sort(key=lambda it: it[0])
    return out, n_visible, n_cid


def _drop_furniture(pages: list[_PageItems]) -> None:
    """Remove page numbers and running headers/footers (by frequency over the pages)."""
    def in_band(p: _PageItems, line: Line) -> bool:
        return line.top < FURNITURE_BAND * p.height or line.bottom > (1 - FURNITURE_BAND) * p.height

    counts: Counter[str] = Counter()
    for p in pages:
        keys = {_DIGITS.sub("#", ln.text) for _, kind, ln in p.items if kind == "line" and in_band(p, ln)}
        counts.update(keys)
    repeated = {k for k, n in counts.items() if len(pages) >= 3 and n >= max(3, (len(pages) + 1) // 2)}
    for p in pages:
        kept = []
        for item in p.items:
            _, kind, obj = item
            if kind == "line" and in_band(p, obj):
                compact = obj.text.replace(" ", "")
                if _PAGE_NUMBER.match(compact) or _DIGITS.sub("#", obj.text) in repeated:
                    continue
            kept.append(item)
        p.items = kept


def read_pdf(path: Path, data: bytes, sha256: str) -> SourceDoc:
    path = Path(path)
    _check_complete(path, data)
    pdf, pages = _open(path, data)
    page_items: list[_PageItems] = []
    visible = cid = 0
    diagnostics = Diagnostics()
    turned_pages: list[int] = []               # pages whose text is on its side even after turning back
    rotation_of: dict[int, int] = {}
    blank: list[int] = []                      # pages without a text layer: OCRed when the rest has text
    try:
        for i, page in enumerate(pages, start=1):
            try:
                view, turned_back = _upright_view(page)
                items, n_vis, n_cid = _read_page(view, i)
                n_turned = _turned(view) if n_vis == 0 or view.rotation or turned_back else 0
            except InputError:
                raise
            except Exception as e:
                raise _classify(path, e, where=f"第{i}页") from None
            if items.order:
                diagnostics.add(DiagnosticCode.pdf_reading_order,
                                f"第{i}页的文字{_ORDER_ZH[items.order]}，按横排逐行读出的顺序可能错乱，请核对该页内容",
                                Where(page=i))
            if turned_back:
                diagnostics.add(DiagnosticCode.pdf_page_rotated,
                                f"第{i}页设置了旋转 {turned_back}°，已按文字方向转正后读取", Where(page=i))
            if n_turned and n_turned >= n_vis:
                turned_pages.append(i)
                rotation_of[i] = page.rotation
                diagnostics.add(DiagnosticCode.pdf_text_not_upright,
                                f"第{i}页的文字是旋转或竖排的（{n_turned} 个字符"
                                f"{f'，页面旋转 {page.rotation}°' if page.rotation else ''}），无法按行读取，内容未读取",
                                Where(page=i))
            elif n_vis == 0:
                blank.append(i)
            visible += n_vis
            cid += n_cid
            page_items.append(items)
            page.close()
    finally:
        pdf.close()
    if not page_items:
        raise InputError(path, "PDF 没有任何页面", hint="请重新导出 PDF")
    if visible == 0 and turned_pages:
        turns = sorted({rotation_of[i] for i in turned_pages if rotation_of[i]})
        turn = f"（页面设置了旋转 {'、'.join(f'{t}°' for t in turns)}）" if turns else ""
        raise InputError(path, f"PDF 的文字是旋转或竖排的{turn}，无法按行读取", where=_pages_zh(turned_pages),
                         hint="请向发文单位索取 .docx，或用 PDF 阅读器把页面转正（横排）后另存再放入")
    if visible == 0:
        raise InputError(path, "这是扫描件或图片 PDF，没有可用的文本层（无文本层，需要先做文字识别 OCR）",
                         hint="请向发文单位索取 .docx 或可复制文字的 PDF")
    if cid / visible > MAX_CID_SHARE:
        raise InputError(path, f"PDF 的文本层无法解码（{cid / visible:.0%} 的字符是 (cid:NNN) 乱码，字体缺少 Unicode 映射），"
                               "相当于无文本层", hint="请向发文单位索取 .docx 或重新导出嵌入字体的 PDF")
    ocr_pages = _ocr_blank_pages(path, data, blank, page_items, diagnostics) if visible and blank else set()
    _drop_furniture(page_items)
    blocks = _assemble(page_items)
    if ocr_pages:
        from pipeline.readers.ocr import fix_ocr_blocks
        blocks = fix_ocr_blocks(blocks, ocr_pages, diagnostics)
    if not blocks:
        raise InputError(path, "PDF 中没有正文内容（只有页码或页眉）")
    return SourceDoc(path=str(path), sha256=sha256, format="pdf", blocks=blocks, diagnostics=diagnostics,
                     ocr=bool(ocr_pages))


def _ocr_blank_pages(path: Path, data: bytes, blank: list[int], page_items: list[_PageItems],
                     diagnostics: Diagnostics) -> set[int]:
    """A PDF with a text layer whose some pages are images only (a scanned attachment appended):
    those pages are recognised one by one and take their place in page order, so paragraphs and
    tables run on across them as across text pages. Without an OCR engine (or if it fails) they are
    reported as unread, as before; a page OCR finds empty is a blank page and needs no note.
    Returns the numbers of the pages that came from OCR."""
    from pipeline.readers.ocr import MAX_PAGES, ocr_pdf_pages
    from pipeline.readers.ocr_engine import tesseract_binary
    wanted = [n for n in blank if n <= MAX_PAGES]
    unread = blank
    done: set[int] = set()
    if tesseract_binary() is not None and wanted:
        try:
            items, notes, unsure = ocr_pdf_pages(path, data, wanted)
        except InputError:
            pass                                   # the engine is broken: the pages stay unread
        else:
            for n, page in items.items():
                page_items[n - 1] = page
            diagnostics.extend(notes)              # includes the unsure pages' own reason
            done = set(items)
            unread = [n for n in blank if n not in wanted]
    for n in unread:
        diagnostics.add(DiagnosticCode.pdf_page_without_text, f"第{n}页没有文本层（可能是扫描页），内容未读取", Where(page=n))
    return done


_ORDER_ZH = {"vertical": "是竖排的（从上到下、从右到左成列）", "columns": "分为左右两栏"}


def _pages_zh(pages: list[int]) -> str:
    shown = "、".join(str(p) for p in pages[:10])
    return f"第{shown}页" + (f"等 {len(pages)} 页" if len(pages) > 10 else "")


def _assemble(pages: list[_PageItems]) -> list:
    """Reading order across pages: paragraphs from runs of lines, tables joined over page breaks."""
    all_lines = [obj for p in pages for _, kind, obj in p.items if kind == "line"]
    margins = measure_margins(all_lines)
    blocks: list = []
    run: list[Line] = []
    para_no = table_no = 0
    last_table: PageTable | None = None     # the table that ended the previous page, if nothing followed it

    def flush():
        nonlocal para_no, run
        for para in group_paragraphs(run, margins):
            para_no += 1
            first = para.lines[0]
            text = para.text
            indent = round(max(0.0, first.x0 - margins.left) / max(first.size, 1) * 2) / 2
            blocks.append(TextBlock(text=text, norm=normalize(text), where=Where(page=first.page, paragraph=para_no),
                                    font=first.font, indent=indent))
        run = []

    for p in pages:
        for k, (_, kind, obj) in enumerate(p.items):
            if kind == "line":
                run.append(obj)
                last_table = None
                continue
            flush()
            if (last_table is not None and k == 0 and last_table.n_cols == obj.n_cols
                    and last_table.row_pages[-1] == p.number - 1):
                join_continuation(last_table, obj)
                continue
            table_no += 1
            last_table = obj
            blocks.append(("table", obj, table_no))
        # a table continues only onto the very next page's first item
        if p.items and p.items[-1][1] != "table":
            last_table = None
    flush()
    return [to_block(b[1], b[2]) if isinstance(b, tuple) else b for b in blocks]
