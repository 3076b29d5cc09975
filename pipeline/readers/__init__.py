"""Readers: a file in, a `SourceDoc` (list of blocks) out. One entry point, `read_document`.

The format is decided by the file's bytes first and its extension second, so a renamed file is
recognised (or rejected with a clear reason) rather than mis-read. Legacy Word/WPS files (.doc, .wps,
.rtf) are converted by LibreOffice and read as .docx (`office`); a legacy workbook (.xls/.et) is a 台账,
not a notice, and is refused here with a hint (the tracker converts it: `office.legacy_workbook_to_xlsx`).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.blocks import SourceDoc
from pipeline.errors import InputError

# A notice is a few hundred KB at most; anything far larger is a mistake (or an attack).
MAX_INPUT_BYTES = 30 * 1024 * 1024

# Text limits, whatever the format: a notice's longest paragraph is a few thousand characters and a
# whole plan tens of thousands. Past these the parse's time and output grow far beyond the input's
# worth (an 8 MB line took 33 s and 1.8 GB), so the reader refuses, naming the place.
MAX_BLOCK_CHARS = 100_000
MAX_DOCUMENT_CHARS = 1_000_000

SUPPORTED = (".txt", ".docx", ".pdf", ".doc", ".wps", ".rtf", ".ofd", ".png", ".jpg", ".jpeg", ".tif", ".tiff",
             ".md", ".markdown", ".html", ".htm")
MARKDOWN_EXTS = (".md", ".markdown")
HTML_EXTS = (".html", ".htm", ".xhtml")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # .doc/.xls/.wps/.et (legacy Office binaries)
# A password-protected .docx/.xlsx is an OLE container holding the streams EncryptionInfo and
# EncryptedPackage (MS-OFFCRYPTO); their names are stored in UTF-16LE in the directory.
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")


def sniff_format(path: Path, head: bytes) -> str:
    """Decide the reader from magic bytes, falling back to the extension for plain text.

    `head` is the whole file (legacy Office files are recognised by their stream names)."""
    ext = path.suffix.lower()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if ext == ".ofd" or _is_ofd_package(head):
            return "ofd"
        if ext in (".docx", ".docm", ".dotx", ".zip", ""):
            return "docx"
        if ext == ".txt":
            raise InputError(path, "扩展名为 .txt，但内容是压缩包（可能是 Word 或 Excel 文件）", hint="请确认文件类型后重新放入")
        return "docx"
    legacy = _legacy_format(path, head)
    if legacy:
        return legacy
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")) or \
            (head.startswith(b"BM") and ext == ".bmp"):
        return "image"
    if ext == ".ofd":
        raise InputError(path, "扩展名为 .ofd，但文件不是 OFD（不是 zip 包，可能已损坏）", hint="请重新导出 OFD 或索取 PDF 版本")
    if ext == ".pdf":
        raise InputError(path, "扩展名为 .pdf，但文件不是 PDF（缺少 %PDF 文件头）", hint="请重新导出 PDF")
    if ext in (".docx", ".docm"):
        raise InputError(path, "扩展名为 .docx，但文件不是有效的 Word 文档（不是 zip 格式）", hint="请用 Word 重新保存为 .docx")
    if ext in MARKDOWN_EXTS:
        return "md"
    if ext in HTML_EXTS or head[:256].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    if ext == ".txt" or ext == "":
        return "txt"
    raise InputError(path, f"不支持的文件类型“{ext}”", hint="可处理的格式：.txt、.docx、.pdf、.doc、.wps、.rtf、.ofd、.md、.html，以及扫描图片 .png/.jpg/.tif")


def _is_ofd_package(data: bytes) -> bool:
    """An OFD is a zip whose root holds OFD.xml (whatever the file is called)."""
    import io
    import zipfile
    try:
        return "OFD.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def _legacy_format(path: Path, head: bytes) -> str | None:
    """"doc"/"wps"/"rtf" for a legacy Word/WPS file; a legacy workbook is refused (it is a 台账)."""
    from pipeline.readers.office import OLE_MAGIC, RTF_MAGIC, ole_kind
    if head.startswith(RTF_MAGIC):
        return "rtf"
    if not head.startswith(OLE_MAGIC):
        return None
    kind = ole_kind(head)
    ext = path.suffix.lower()
    if kind == "sheet" or (kind is None and ext in (".xls", ".et", ".ett", ".xlt")):
        raise InputError(path, "这是旧版 Office 的 Excel/WPS 表格（.xls/.et），不是通知文件",
                         hint="通知请放入 .doc/.docx/.pdf/.ofd/.txt；已填报的台账请按台账报送")
    if kind == "text":
        return "wps" if ext in (".wps", ".wpt") else "doc"
    raise InputError(path, "这是旧版 Office 二进制文件，但其中既没有 Word 文档也没有 Excel 表格（可能已损坏）",
                     hint="请用 Word 或 WPS 另存为 .docx 后重新放入")


def read_document(path: str | Path) -> SourceDoc:
    """Read any supported file into blocks. Raises `InputError` with a Chinese reason on bad input."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(path, "文件不存在") from None
    except OSError as e:
        raise InputError(path, f"无法读取文件（{e.strerror}）") from None
    if path.is_dir():
        raise InputError(path, "这是一个文件夹，不是文件")
    if size == 0:
        raise InputError(path, "文件为空（0 字节）", hint="请确认文件已完整保存后重新放入")
    if size > MAX_INPUT_BYTES:
        raise InputError(path, f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_INPUT_BYTES // 1048576} MB），不像是一份通知",
                         hint="请检查是否放错了文件")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"无法读取文件（{e.strerror}）") from None
    if data.startswith(_OLE_MAGIC) and _ENCRYPTED_OOXML in data:
        raise InputError(path, "文件受密码保护（已加密），无法读取", hint="请在 Word/WPS/Excel 中取消密码（另存为不加密的 .docx/.xlsx）后重新放入")
    fmt = sniff_format(path, data)
    sha = hashlib.sha256(data).hexdigest()
    if fmt == "txt":
        from pipeline.readers.txt import read_txt
        return check_text_limits(read_txt(path, data, sha))
    if fmt == "md":
        from pipeline.readers.markdown import read_markdown
        return check_text_limits(read_markdown(path, data, sha))
    if fmt == "html":
        from pipeline.readers.html import read_html
        return check_text_limits(read_html(path, data, sha))
    if fmt == "docx":
        from pipeline.readers.docx import read_docx
        return check_text_limits(read_docx(path, data, sha))
    if fmt == "ofd":
        from pipeline.readers.ofd import read_ofd
        return check_text_limits(read_ofd(path, data, sha))
    if fmt in ("doc", "wps", "rtf"):
        from pipeline.readers.office import read_legacy_text
        return check_text_limits(read_legacy_text(path, data, sha, fmt))
    if fmt == "image":
        from pipeline.readers.ocr import read_ocr
        return check_text_limits(read_ocr(path, data, sha, "image"))
    from pipeline.readers.pdf import read_pdf
    try:
        return check_text_limits(read_pdf(path, data, sha))
    except InputError as refused:
        return check_text_limits(_read_pdf_by_ocr(path, data, sha, refused))


def check_text_limits(doc: SourceDoc) -> SourceDoc:
    """Refuse a paragraph or a document far longer than any notice (every reader's output passes here).
    Also makes the recorded path printable (a GBK-byte file name would break the JSON)."""
    from pipeline.errors import displayable
    doc.path = displayable(doc.path)
    total = 0
    for block in doc.blocks:
        texts = [block.text] if hasattr(block, "text") else [c.text for c in getattr(block, "cells", [])]
        for text in texts:
            n = len(text or "")
            total += n
            if n > MAX_BLOCK_CHARS:
                where = getattr(block, "where", None)
                raise InputError(doc.path, f"一段文字长达 {n:,} 字（上限 {MAX_BLOCK_CHARS:,} 字），没有换行，不像是一份通知",
                                 where=where.describe() if where is not None else None,
                                 hint="请检查文件是否完整、换行是否丢失（例如从网页复制时），或按段落另存后重新放入")
    if total > MAX_DOCUMENT_CHARS:
        raise InputError(doc.path, f"文字总量 {total:,} 字，超过上限（{MAX_DOCUMENT_CHARS:,} 字），不像是一份通知",
                         hint="请检查是否放错了文件，或把多份文件分开放入")
    return doc


def _read_pdf_by_ocr(path: Path, data: bytes, sha: str, refused: InputError) -> SourceDoc:
    """A PDF refused for want of a usable text layer (a scan, fonts without a Unicode map) is OCRed;
    any other refusal (encrypted, truncated, damaged) stands. If OCR fails too, both reasons are given."""
    from pipeline.readers.ocr import pdf_needs_ocr, read_ocr
    if not pdf_needs_ocr(data):
        raise refused
    try:
        return read_ocr(path, data, sha, "pdf")
    except InputError as e:
        raise InputError(path, f"{refused.reason}；文字识别（OCR）也未能读出：{e.reason}", where=e.where,
                         hint=refused.hint) from None
