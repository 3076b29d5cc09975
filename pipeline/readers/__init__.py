"""Readers: a file in, a `SourceDoc` (list of blocks) out. One entry point, `read_document`.

The format is decided by the file's bytes first and its extension second, so a renamed file is
recognised (or rejected with a clear reason) rather than mis-read. Legacy binaries (.doc, .wps, .xls)
are rejected with a conversion hint.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.blocks import SourceDoc
from pipeline.errors import InputError

# A notice is a few hundred KB at most; anything far larger is a mistake (or an attack).
MAX_INPUT_BYTES = 30 * 1024 * 1024

SUPPORTED = (".txt", ".docx", ".pdf", ".md", ".markdown", ".html", ".htm")
MARKDOWN_EXTS = (".md", ".markdown")
HTML_EXTS = (".html", ".htm", ".xhtml")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # .doc/.xls/.wps/.et (legacy Office binaries)


def sniff_format(path: Path, head: bytes) -> str:
    """Decide the reader from magic bytes, falling back to the extension for plain text."""
    ext = path.suffix.lower()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if ext in (".docx", ".docm", ".dotx", ".zip", ""):
            return "docx"
        if ext == ".txt":
            raise InputError(path, "扩展名为 .txt，但内容是压缩包（可能是 Word 或 Excel 文件）", hint="请确认文件类型后重新放入")
        return "docx"
    if head.startswith(_OLE_MAGIC):
        raise InputError(path, "这是旧版 Office 二进制文件（.doc/.wps/.xls 等），无法直接读取",
                         hint="请用 Word 或 WPS 另存为 .docx 后重新放入")
    if ext == ".pdf":
        raise InputError(path, "扩展名为 .pdf，但文件不是 PDF（缺少 %PDF 文件头）", hint="请重新导出 PDF")
    if ext in (".docx", ".docm"):
        raise InputError(path, "扩展名为 .docx，但文件不是有效的 Word 文档（不是 zip 格式）", hint="请用 Word 重新保存为 .docx")
    if ext in MARKDOWN_EXTS:
        return "md"
    if ext in HTML_EXTS or head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    if ext == ".txt" or ext == "":
        return "txt"
    raise InputError(path, f"不支持的文件类型“{ext}”", hint="可处理的格式：.txt、.docx、.pdf、.md、.html")


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
    fmt = sniff_format(path, data[:64])
    sha = hashlib.sha256(data).hexdigest()
    if fmt == "txt":
        from pipeline.readers.txt import read_txt
        return read_txt(path, data, sha)
    if fmt == "md":
        from pipeline.readers.markdown import read_markdown
        return read_markdown(path, data, sha)
    if fmt == "html":
        from pipeline.readers.html import read_html
        return read_html(path, data, sha)
    if fmt == "docx":
        from pipeline.readers.docx import read_docx
        return read_docx(path, data, sha)
    from pipeline.readers.pdf import read_pdf
    return read_pdf(path, data, sha)
