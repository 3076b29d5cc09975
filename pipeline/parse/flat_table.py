"""Tables flattened to one cell per paragraph, with no markers (web pages, copy-paste, indexed .md).

A table survives such flattening only as a *shape*: a header run of short label cells (序号 / 指标名称 /
单位 / 属性 / 2030年目标), then the cells row by row. This detector works on blocks, so every reader
benefits, and rebuilds a `TableBlock` the indicator-table parser reads like any other:

1. Cells. In a text whose paragraphs are separated by blank lines, the lines of one paragraph are one
   cell (`“十五五”` + `目标`); where the text has no blank lines at all, every line is a cell.
2. Header. At least `MIN_HEADER` consecutive short cells, at least two of them header words
   (序号, 指标, 单位, 属性, 类别, years, 目标, 现状…), none a number.
3. Rows. When the first header cell is 序号, a row starts at each serial number 1, 2, 3, … in turn
   (the strongest delimiter a flattened table keeps); otherwise rows are runs of the header's width.
   The table ends where the next serial number does not come, or at prose (a sentence, a heading label).
4. Merges. Empty cells and the covered cells of vertical merges are simply missing, so rows come out
   short. A short row's cells are placed where their kinds (number vs. text) agree best with the full
   rows; a text column left empty under a text cell of the row above is a vertical merge (rowspan),
   flagged `inferred`. Header cells beyond the body width are wrapped header text and are joined.
Nothing here decides what a column means: that stays with the indicator-table parser.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from pipeline.blocks import Block, TableBlock, TableCell, TextBlock, Where
from pipeline.parse.labels import match_label

HEADER_WORD = re.compile(r"序号|序|指标|名称|项目|单位|属性|类别|类型|(19|20)\d{2}\s*年|目标|现状|基期|规划|预期|完成|计划|"
                         r"增长|增速|绝对值|数值|备注|“十[一二三四五六七八九]五”|责任|牵头|任务|时间|进度|内容|地区|街镇|合计")
MIN_HEADER = 3
MAX_HEADER = 12
MAX_HEADER_CELL = 10          # characters of one header cell (指标名称, 2030年目标, “十五五”规划目标)
MAX_CELL = 400                # a longer paragraph is prose, never a cell
_NUMBERISH = re.compile(r"^[≥≤＞＜><约~～\-－—−]?\s*\d+(?:\.\d+)?\s*(%|％|以上|以下|左右)?$")
_SENTENCE = re.compile(r"[。！？]$|[。！？].{8,}")


@dataclass(slots=True)
class _Cell:
    text: str
    where: Where
    first: int            # block index of its first line
    last: int             # block index of its last line


def _cells(blocks: list[Block], start: int, end: int, limit: int | None = None) -> list[_Cell]:
    """Paragraph cells of blocks[start:end]: consecutive non-blank lines join when the text uses blank lines.
    `limit` stops after that many cells (the header probe must not walk the whole document)."""
    probe = blocks[start:min(end, start + 2 * MAX_HEADER + 2)]     # how the table's own header is written
    blank_separated = any(isinstance(b, TextBlock) and b.is_blank for b in probe)
    out: list[_Cell] = []
    prev_blank = True
    for k in range(start, end):
        b = blocks[k]
        if not isinstance(b, TextBlock):
            break
        if b.is_blank:
            prev_blank = True
            continue
        if blank_separated and not prev_blank and out:
            c = out[-1]
            c.text = f"{c.text}\n{b.text}"
            c.last = k
        else:
            if limit is not None and len(out) >= limit:
                break
            out.append(_Cell(b.text, b.where, k, k))
        prev_blank = False
    return out


def _is_header_cell(text: str) -> bool:
    t = text.replace("\n", "")
    return 0 < len(t) <= MAX_HEADER_CELL and not _NUMBERISH.match(t) and not _SENTENCE.search(t) \
        and match_label(t) is None


def _kind(text: str) -> str:
    return "num" if _NUMBERISH.match(text.replace("\n", "").strip()) else "text"


def _serial(text: str) -> int | None:
    t = text.strip()
    return int(t) if t.isdigit() and len(t) <= 3 else None


def _split_rows(cells: list[_Cell], width: int, serial: bool) -> tuple[list[list[_Cell]], int]:
    """Body rows and the number of cells they used."""
    rows: list[list[_Cell]] = []
    i, n = 0, len(cells)
    if serial:
        expect = 1
        while i < n and _serial(cells[i].text) == expect:
            # The row ends at the next serial number; a value equal to it (row 1 ending in "2") comes
            # first, so take the farthest candidate the header width allows.
            j, k = None, i + 1
            while k < n and k - i <= width and _is_cell(cells[k].text):
                if _serial(cells[k].text) == expect + 1:
                    j = k
                k += 1
            if j is None:
                rows.append(cells[i:k])
                i = k
                break
            rows.append(cells[i:j])
            i, expect = j, expect + 1
        return rows, i
    while (i + width <= n and all(_is_cell(c.text) for c in cells[i:i + width]) and _kind(cells[i].text) == "text"
           and any(_kind(c.text) == "num" for c in cells[i:i + width])):    # a data row holds a number
        rows.append(cells[i:i + width])
        i += width
    return rows, i


def _is_cell(text: str) -> bool:
    t = text.replace("\n", "")
    return len(t) <= MAX_CELL and match_label(t) is None or _NUMBERISH.match(t) is not None


def _place(row: list[_Cell], width: int, profile: list[str]) -> list[int]:
    """Columns for a short row's cells: keep their order, agree best with the column kinds of full rows;
    ties go to leaving the leftmost text columns empty (merged category cells sit on the left)."""
    if len(row) >= width:
        return list(range(width))
    best, best_score = None, None
    for cols in itertools.combinations(range(width), len(row)):
        if cols[0] != 0:
            continue                      # the serial / first column is always printed
        score = sum(1 for c, k in zip(row, cols) if _kind(c.text) == profile[k])
        skipped = [k for k in range(width) if k not in cols]
        key = (score, -sum(skipped))
        if best_score is None or key > best_score:
            best, best_score = list(cols), key
    return best or list(range(len(row)))


def _build(header: list[_Cell], rows: list[list[_Cell]], table_no: int) -> TableBlock:
    width = max(len(r) for r in rows)
    # Header cells beyond the body width are wrapped header text: join each surplus cell to the one
    # before it when it carries no header word of its own (“十五五” + 目标), else keep the first `width`.
    head = list(header)
    while len(head) > width:
        k = next((k for k in range(len(head) - 1, 0, -1) if not HEADER_WORD.search(head[k].text)
                  or head[k].text in ("目标", "值")), len(head) - 1)
        head[k - 1] = _Cell(head[k - 1].text + head[k].text, head[k - 1].where, head[k - 1].first, head[k].last)
        del head[k]
    full = [r for r in rows if len(r) == width]
    profile = []
    for k in range(width):
        kinds = [_kind(r[k].text) for r in full]
        profile.append(max(set(kinds), key=kinds.count) if kinds else "text")
    cells: list[TableCell] = []
    for k, c in enumerate(head):
        cells.append(TableCell(text=c.text, row=0, col=k, where=_where(c.where, table_no, 1, k)))
    owner: dict[int, TableCell] = {}          # column → the last text cell printed in it (for rowspans)
    unexplained = 0                           # cells missing from a row with no merged cell above them
    for r, row in enumerate(rows, start=1):
        cols = _place(row, width, profile)
        for c, k in zip(row, cols):
            tc = TableCell(text=c.text, row=r, col=k, where=_where(c.where, table_no, r + 1, k))
            cells.append(tc)
            owner[k] = tc
        for k in range(width):
            if k in cols:
                continue
            above = owner.get(k)
            if above is not None and _kind(above.text) == "text" and above.row + above.rowspan == r:
                above.rowspan += 1              # a vertically merged cell, printed once
                above.inferred = True
            else:
                unexplained += 1
    return TableBlock(cells=cells, n_rows=len(rows) + 1, n_cols=width, spans_known=True,
                      where=_where(header[0].where, table_no, None, None),
                      confident=unexplained == 0 and len(head) == len(header))


def _where(w: Where, table_no: int, row: int | None, col: int | None) -> Where:
    return Where(page=w.page, line=w.line, paragraph=w.paragraph, table=table_no, row=row,
                 col=col + 1 if col is not None else None)


def find_flat_tables(blocks: list[Block]) -> tuple[list[Block], list[tuple[str, str, Where]]]:
    """Blocks with every flattened table replaced by one `TableBlock`; plus warnings naming the place."""
    out: list[Block] = []
    warnings: list[tuple[str, str, Where]] = []
    table_no = sum(1 for b in blocks if isinstance(b, TableBlock))
    i, n = 0, len(blocks)
    while i < n:
        b = blocks[i]
        if not isinstance(b, TextBlock) or b.is_blank or not _is_header_cell(b.norm) or not HEADER_WORD.search(b.norm):
            out.append(b)
            i += 1
            continue
        end = i
        while end < n and isinstance(blocks[end], TextBlock) and end - i < 4000:
            end += 1
        cells = _cells(blocks, i, end, limit=MAX_HEADER + 1)
        h = 0
        while h < len(cells) and h < MAX_HEADER and _is_header_cell(cells[h].text):
            h += 1
        words = sum(1 for c in cells[:h] if HEADER_WORD.search(c.text))
        serial = bool(cells) and cells[0].text.strip() in ("序号", "序")
        if h < MIN_HEADER or words < max(2, h - 1) or (serial and (h >= len(cells) or _serial(cells[h].text) != 1)):
            out.append(b)
            i += 1
            continue
        cells = _cells(blocks, i, end)
        header = cells[:h]
        rows, used = _split_rows(cells[h:], h, serial)
        if len(rows) < 2 or max(len(r) for r in rows) < 2:
            out.append(b)
            i += 1
            continue
        table_no += 1
        table = _build(header, rows, table_no)
        out.append(table)
        short = [r for r in rows if len(r) < table.n_cols]
        if not table.confident:
            warnings.append(("table_unsure",
                             f"表格（{header[0].where.describe() or '表头'}起）被拆成每格一段，部分单元格无法确定所在列，"
                             "未读取其中的指标行（表内数字也不作为正文目标），请核对原表", header[0].where))
        elif short:
            warnings.append(("table_cells_missing",
                             f"表格（{header[0].where.describe() or '表头'}起）有 {len(short)} 行单元格少于表头列数，"
                             "已按同列内容类型对齐，空出的文字列视为上一行的合并单元格", header[0].where))
        i = rows[-1][-1].last + 1
    return out, warnings
