"""Markdown reader: a `.md` notice (as document indexes and note tools store them) → the same blocks.

What is not the document stays out of the body:
- YAML front matter between `---` lines becomes `SourceDoc.metadata` (secondary evidence, like a
  website header block: its 文号 may fill a gap, its 发布日期 is never the 成文日期);
- blockquote lines (`> …`: disclaimers added by the index) and a trailing `## 附件（官方直链）` link list
  are the index's furniture;
- heading marks (`# `) and emphasis marks are dropped, link syntax keeps only its text.
Pipe tables (`| a | b |` with a `|---|` rule) become a `TableBlock`; every other line becomes a
`TextBlock` carrying its line number in the file, blank lines kept, exactly like the text reader.
"""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.blocks import SourceDoc, TableBlock, TableCell, TextBlock, Where
from pipeline.errors import InputError
from pipeline.readers.txt import decode_text
from pipeline.text import normalize, strip_indent

_FRONT_KEY = re.compile(r"^\s*([^:：#\s][^:：]{0,20})\s*[:：]\s?(.*)$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
# Link lists the index appends after the document (attachment URLs), not part of the notice.
_INDEX_LINKS_HEAD = re.compile(r"^\s{0,3}#{1,6}\s*附件（官方直链）")


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    meta: dict[str, str] = {}
    for i in range(1, min(len(lines), 200)):
        if lines[i].strip() == "---":
            return meta, i + 1
        m = _FRONT_KEY.match(lines[i])
        if m:
            meta[m.group(1).strip()] = m.group(2).strip().strip("'\"")
    return {}, 0                      # no closing rule: not front matter


def _inline(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    return _EMPHASIS.sub(r"\2", text)


def _split_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [c.strip().replace("<br>", "\n").replace("<br/>", "\n") for c in re.split(r"(?<!\\)\|", s)]


def _pipe_table(lines: list[str], start: int, table_no: int) -> tuple[int, TableBlock | None]:
    """A header row, a rule row, then body rows, each with pipes. Returns (next index, table or None)."""
    if start + 1 >= len(lines) or "|" not in lines[start] or not _TABLE_RULE.match(lines[start + 1]):
        return start, None
    rows: list[tuple[int, list[str]]] = [(start, _split_row(lines[start]))]
    i = start + 2
    while i < len(lines) and "|" in lines[i] and lines[i].strip():
        rows.append((i, _split_row(lines[i])))
        i += 1
    cells = []
    for r, (ln, texts) in enumerate(rows):
        for k, t in enumerate(texts):
            cells.append(TableCell(text=_inline(t), row=r, col=k, where=Where(line=ln + 1, table=table_no, row=r + 1, col=k + 1)))
    n_cols = max(len(t) for _, t in rows)
    # A pipe table writes every cell (empty ones too), so positions are exact; spans are not expressible.
    return i, TableBlock(cells=cells, n_rows=len(rows), n_cols=n_cols, spans_known=True,
                         where=Where(line=start + 1, table=table_no))


def read_markdown(path: Path, data: bytes, sha256: str) -> SourceDoc:
    text, enc = decode_text(path, data)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, i = _front_matter(lines)
    blocks: list = []
    table_no = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if _INDEX_LINKS_HEAD.match(line):
            break
        if line.lstrip().startswith(">"):
            i += 1
            continue
        if "|" in line:
            end, table = _pipe_table(lines, i, table_no + 1)
            if table is not None:
                table_no += 1
                blocks.append(table)
                i = end
                continue
        body = _inline(_HEADING.sub("", line))
        blocks.append(TextBlock(text=strip_indent(body), norm=normalize(body), where=Where(line=i + 1)))
        i += 1
    if not any(isinstance(b, TableBlock) or not b.is_blank for b in blocks):
        raise InputError(path, "Markdown 文件没有正文内容（只有文件头信息）")
    return SourceDoc(path=str(path), sha256=sha256, format="md", blocks=blocks, encoding=enc, metadata=meta)
