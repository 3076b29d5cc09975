"""Plain-text reader: any Chinese encoding → lines as TextBlocks, flattened tables as TableBlocks.

Encoding: BOM (UTF-8/UTF-16) → strict UTF-8 → UTF-16 without BOM (NUL pattern) → the legacy double-byte
encodings GB18030 (GBK, GB2312) and Big5 (traditional, Taiwan/Hong Kong); never errors="ignore". The two
legacy families overlap in byte ranges, so text usually decodes strictly in both: the one whose characters
are common Chinese (see `_common_share`) wins. Traditional characters stay traditional. Line ends (CRLF, lone CR) become LF first; provenance line numbers refer to
that normalised text.

Flattened tables (the way web pages and Word "save as text" write them): one cell per line, each
line starting with a TAB; a TAB-only line is an empty cell; a blank line ends a row; a bare line right
after a cell line continues that cell; merged cells are written once. The reader rebuilds such a run
of lines into a `TableBlock` with `spans_known=False`: merges are the parser's job (they need the
header grid and the category structure, which are not format matters).
"""
from __future__ import annotations

import codecs
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
            candidates.append(_LEGACY)
    tried = []
    for enc in candidates:
        if enc is _LEGACY:                    # scored only when UTF-8 failed (the usual file pays nothing)
            candidates.extend(e for e in _legacy_order(data) if e not in tried)
            continue
        tried.append(enc)
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_binary(text):
            continue
        return text.replace("\ufeff", ""), enc
    raise InputError(path, "无法识别文件编码：既不是 UTF-8/UTF-16，也不是 GB18030/GBK 或 Big5 文本，或者是二进制文件",
                     hint="请用记事本或 WPS 另存为 UTF-8 文本")


# Both legacy families, in the order tried when they score alike: GB18030 (the mainland's standard) first.
# cp950 is Microsoft's Big5 (what Windows writes), big5hkscs adds the Hong Kong characters.
LEGACY_ENCODINGS = ("gb18030", "cp950", "big5hkscs")
_SAMPLE_BYTES = 16384
# A notice in its right encoding is > 90 % common characters (the reference: 99 %); random or binary
# bytes read as GB18030 are about 35 %, Big5 text read as GB18030 about 35 % too.
MIN_COMMON_SHARE = 0.7
_LEGACY = "legacy double-byte"


def _legacy_order(data: bytes) -> list[str]:
    """The legacy encodings ordered by how Chinese a strict decoding of a sample looks.

    Why a score and not "first that decodes": Big5 bytes are almost all valid GB18030 (and GB2312 bytes
    valid Big5), decoding to rare characters, kana and private-use code points. Counting the share of
    common characters tells the right reading apart generically, whatever the text says."""
    sample = data[:_SAMPLE_BYTES]
    scored = []
    for rank, enc in enumerate(LEGACY_ENCODINGS):
        try:
            # incremental, not final: a double-byte character cut at the sample's end is no error
            text = codecs.getincrementaldecoder(enc)().decode(sample, final=len(data) <= _SAMPLE_BYTES)
        except UnicodeDecodeError:
            continue
        share = _common_share(text)
        if share >= MIN_COMMON_SHARE:
            scored.append((-share, rank, enc))
    return [enc for _, _, enc in sorted(scored)]


_common: frozenset[str] | None = None


def _common_chars() -> frozenset[str]:
    """ASCII, the common punctuation of both standards, and the common Han characters of both:
    GB2312 level 1 (rows 16–55, the 3,755 most used simplified characters) and Big5 常用字
    (lead bytes A4–C6, the 5,401 most used traditional ones). Built from the codecs, once."""
    global _common
    if _common is None:
        chars = {chr(c) for c in range(0x20, 0x7f)} | set("\n\t\r\u3000")
        for lead in range(0xb0, 0xd8):
            for trail in range(0xa1, 0xff):
                try:
                    chars.add(bytes((lead, trail)).decode("gb2312"))
                except UnicodeDecodeError:
                    pass
        for lead in range(0xa4, 0xc7):
            for trail in list(range(0x40, 0x7f)) + list(range(0xa1, 0xff)):
                try:
                    chars.add(bytes((lead, trail)).decode("cp950"))
                except UnicodeDecodeError:
                    pass
        chars.update("，。、；：？！（）《》〈〉“”‘’—…·〔〕【】％．－／0123456789")
        chars.update(chr(0xFF10 + i) for i in range(10))
        _common = frozenset(chars)
    return _common


def _common_share(text: str) -> float:
    if not text:
        return 0.0
    common = _common_chars()
    return sum(1 for ch in text if ch in common) / len(text)


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
