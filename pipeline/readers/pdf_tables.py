"""PDF tables: ruling lines → cells with true spans; a table continued on the next page is joined.

pdfplumber's `extract()` gives `None` for positions covered by a merged cell (#79, #420, #685, …);
the spans are rebuilt here from the cell boxes instead: the distinct column and row edges of all
cell boxes form the grid, and a box covering k grid columns has colspan k. `""` is an empty cell,
never a covered one. Cell text is built by the same line builder as body text (so CJK spacing rules
are the same), with wrapped lines rejoined and real paragraph breaks kept as "\\n".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.blocks import TableBlock, TableCell, Where
from pipeline.readers.pdf_layout import build_lines, join_wrapped

EDGE_TOLERANCE = 2.0   # points: box edges closer than this are the same grid line


@dataclass(slots=True)
class PageTable:
    """One table part on one page, before joining continuations."""
    page: int
    bbox: tuple[float, float, float, float]
    cells: list[TableCell]
    n_rows: int
    n_cols: int
    row_pages: list[int] = field(default_factory=list)


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > EDGE_TOLERANCE:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def _in_box(c: dict, box) -> bool:
    x = (c["x0"] + c["x1"]) / 2
    y = (c["top"] + c["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def cell_text(chars: list[dict], box, page_no: int) -> tuple[str, int]:
    """Text of one cell and its leading-space count (offices indent child rows with spaces)."""
    lines = build_lines(chars, page_no)
    if not lines:
        return "", 0
    width = box[2] - box[0]
    out = lines[0].text
    for prev, ln in zip(lines, lines[1:]):
        # A line that ran to the cell's right edge wrapped; one that stopped short ended a paragraph.
        full = prev.x1 >= box[2] - max(0.08 * width, 1.5 * prev.size)
        out = join_wrapped(out, ln.text) if full else out + "\n" + ln.text
    return out, lines[0].lead_spaces


def read_page_table(table, chars: list[dict], page_no: int) -> PageTable:
    """Turn one pdfplumber `Table` into source cells with spans (chars: the page's deduped chars)."""
    boxes = list(table.cells)
    xs = _cluster([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _cluster([b[1] for b in boxes] + [b[3] for b in boxes])
    inside = [c for c in chars if _in_box(c, table.bbox)]
    cells: list[TableCell] = []
    for b in boxes:
        col, col_end = _index(xs, b[0]), _index(xs, b[2])
        row, row_end = _index(ys, b[1]), _index(ys, b[3])
        if col_end <= col or row_end <= row:
            continue
        mine = [c for c in inside if _in_box(c, b)]
        text, indent = cell_text(mine, b, page_no)
        cells.append(TableCell(text=text, row=row, col=col, rowspan=row_end - row, colspan=col_end - col,
                               where=Where(page=page_no, row=row + 1, col=col + 1), indent=indent))
    cells.sort(key=lambda c: (c.row, c.col))
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    return PageTable(page=page_no, bbox=table.bbox, cells=cells, n_rows=n_rows, n_cols=n_cols,
                     row_pages=[page_no] * n_rows)


def header_rows(t: PageTable) -> int:
    """Rows the header occupies: as deep as the tallest cell of the first row."""
    first = [c for c in t.cells if c.row == 0]
    return max((c.rowspan for c in first), default=1)


def _row_texts(t: PageTable, rows: range) -> list[tuple[int, int, int, str]]:
    return sorted((c.row, c.col, c.colspan, c.text) for c in t.cells if c.row in rows)


def join_continuation(first: PageTable, part: PageTable) -> PageTable:
    """Append `part` (the next page's table) to `first`: drop its repeated header, rejoin a cut row."""
    h = header_rows(first)
    skip = 0
    if part.n_rows > h and _row_texts(first, range(h)) == _row_texts(part, range(h)):
        skip = h
    moved = [c for c in part.cells if c.row >= skip]
    # A row cut by the page break continues with an empty first cell: glue it to the last row.
    first_row = [c for c in moved if c.row == skip]
    last_row = [c for c in first.cells if c.row == first.n_rows - 1]
    cut = (first_row and last_row and not any(c.text for c in first_row if c.col == 0)
           and any(c.text for c in last_row if c.col == 0)
           and all(c.rowspan == 1 for c in first_row))
    if cut:
        by_col = {c.col: c for c in last_row}
        for c in first_row:
            if c.col in by_col and c.text:
                above = by_col[c.col]
                above.text = join_wrapped(above.text, c.text) if above.text else c.text
        moved = [c for c in moved if c.row != skip]
        skip += 1
    offset = first.n_rows - skip
    for c in moved:
        c.row += offset
        first.cells.append(c)
    first.row_pages += part.row_pages[skip:]
    first.n_rows += part.n_rows - skip
    return first


def to_block(t: PageTable, table_no: int) -> TableBlock:
    for c in t.cells:
        c.where = Where(page=t.row_pages[c.row] if c.row < len(t.row_pages) else t.page,
                        table=table_no, row=c.row + 1, col=c.col + 1)
    return TableBlock(cells=t.cells, n_rows=t.n_rows, n_cols=t.n_cols, spans_known=True,
                      where=Where(page=t.page, table=table_no))
