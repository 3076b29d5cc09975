"""Plain-text reader: any Chinese encoding → lines as TextBlocks, flattened tables as TableBlocks.

Encoding: BOM (UTF-8/UTF-16) → strict UTF-8 → UTF-16 without BOM (NUL pattern) → strict GB18030;
never errors="ignore". Line ends (CRLF, lone CR) become LF first; provenance line numbers refer to
that normalised text.

Flattened tables (the way web pages and Word "save as text" write them): one cell per line, each
line starting with a TAB; a TAB-only line is an empty cell; a blank line ends a row; a bare line right
after a cell line continues that cell; merged cells are written once. The reader rebuilds such a run
of lines into a `TableBlock` with `spans_known=False`: merges are the parser's job (they need the
header grid and the category structure, which are not format matters).
"""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.blocks import SourceDoc, TableBlock, TableCell, TextBlock, Where
from pipeline.errors import InputError
from pipeline.text import normalize, strip_indent

# Share of C0 control characters (other than TAB/LF/CR/FF) above which decoded text is binary garbage.
MAX_CONTROL_SHARE = 0.01
# Share of characters from ASCII, CJK, CJK punctuation and full-width forms a real notice exceeds.
MIN_PLAUSIBLE_SHARE = 0.85
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_PLAUSIBLE = re.compile(r"[\x00-\x7f\u00a0\u00b7\u2014\u2015\u2018\u2019\u201c\u201d\u2026\u2160-\u216b\u3000-\u9fff\uff00-\uffef]")


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Raises InputError when no strict decoding fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8"]
        sample = data[:4096]
        if b"\x00" in sample:
            # Text never holds NUL; UTF-16 without BOM has NULs in the high byte of ASCII characters
            # (line ends at least), all in one parity.
            even, odd = sample[0::2].count(0), sample[1::2].count(0)
            candidates = ["utf-16-le" if odd > even else "utf-16-be"]
        else:
            candidates.append("gb18030")
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_binary(text):
            continue
        return text.replace("\ufeff", ""), enc
    raise InputError(path, "无法识别文件编码：既不是 UTF-8/UTF-16，也不是 GB18030/GBK 文本，或者是二进制文件",
                     hint="请用记事本或 WPS 另存为 UTF-8 文本")


def _looks_binary(text: str) -> bool:
    """Control characters, or (for a sample) too few characters a Chinese document is made of."""
    if "\x00" in text:
        return True
    n = len(text)
    if n == 0:
        return False
    if len(_CONTROL.findall(text)) / n > MAX_CONTROL_SHARE:
        return True
    sample = text[:4000]
    return len(_PLAUSIBLE.findall(sample)) / len(sample) < MIN_PLAUSIBLE_SHARE


def read_txt(path: Path, data: bytes, sha256: str) -> SourceDoc:
    text, enc = decode_text(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not any(l.strip(" \t\u3000\u00a0") for l in lines):
        raise InputError(path, "文件只有空白，没有正文内容")
    blocks = []
    i, n, table_no = 0, len(lines), 0
    while i < n:
        line = lines[i]
        if line.startswith("\t"):
            end, table = _read_flat_table(lines, i, table_no + 1)
            if table is not None:
                table_no += 1
                blocks.append(table)
                i = end
                continue
        blocks.append(TextBlock(text=strip_indent(line), norm=normalize(line), where=Where(line=i + 1)))
        i += 1
    return SourceDoc(path=str(path), sha256=sha256, format="txt", blocks=blocks, encoding=enc)


def _read_flat_table(lines: list[str], start: int, table_no: int) -> tuple[int, TableBlock | None]:
    """Collect the flattened table starting at `start`. Returns (next line index, table or None)."""
    rows: list[list[TableCell]] = []
    cur: list[TableCell] = []
    i, n = start, len(lines)
    last_was_cell = False
    while i < n:
        line = lines[i]
        if line.startswith("\t"):
            raw = line[1:]
            body = raw.lstrip(" \u3000")
            cur.append(TableCell(text=body.rstrip(" \t\u3000"), row=len(rows), col=len(cur),
                                 where=Where(line=i + 1, table=table_no, row=len(rows) + 1, col=len(cur) + 1),
                                 indent=len(raw) - len(body)))
            last_was_cell = True
        elif not line.strip(" \u3000\u00a0"):
            if cur:
                rows.append(cur)
                cur = []
            last_was_cell = False
        elif last_was_cell and cur:
            # A bare line right after a cell line continues that cell (a cell with several paragraphs).
            cell = cur[-1]
            extra = strip_indent(line)
            cell.text = f"{cell.text}\n{extra}" if cell.text else extra
        else:
            break
        i += 1
    if cur:
        rows.append(cur)
    if len(rows) < 2 or sum(1 for r in rows if len(r) >= 2) < 2:
        return start, None
    # Trailing blank lines belong to the text after the table, not to it.
    while i > start and not lines[i - 1].strip(" \u3000\u00a0"):
        i -= 1
    cells = [c for r in rows for c in r]
    n_cols = max(len(r) for r in rows)
    return i, TableBlock(cells=cells, n_rows=len(rows), n_cols=n_cols, spans_known=False,
                         where=Where(line=start + 1, table=table_no))
