"""HTML reader: a saved web page of a notice → the same blocks as every other reader.

Government sites publish notices as pages; clerks save them (.html/.htm). The document is the text
of the block elements (p, div, h1–h6, li, td…) in reading order; `<table>` becomes a `TableBlock` with
its rowspan/colspan (spans known). Page chrome stays out: script/style/noscript/template, navigation,
header/footer/aside, forms and buttons are skipped with everything inside them; the remaining chrome
lines (打印 / 关闭窗口 / breadcrumbs) are the parser's furniture rules, as for scraped text.
Built on the standard library's tolerant `html.parser` (no network, no extra package).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from pipeline.blocks import SourceDoc, TableBlock, TableCell, TextBlock, Where
from pipeline.errors import InputError
from pipeline.readers.txt import decode_text
from pipeline.text import normalize, strip_indent

SKIP_TAGS = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button",
             "select", "iframe", "svg", "head"}
BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "main", "body", "ul", "ol",
              "blockquote", "pre", "center", "dd", "dt", "tr", "table", "caption", "hr"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "col", "wbr", "source", "area", "base"}
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", re.I)
_WS = re.compile(r"[ \t\r\n\f]+")


class _Table:
    def __init__(self) -> None:
        self.rows: list[list[tuple[str, int, int]]] = []   # (text, rowspan, colspan)
        self.cell: list[str] | None = None
        self.spans = (1, 1)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[str | _Table] = []
        self.buf: list[str] = []
        self.skip = 0
        self.tables: list[_Table] = []

    # -- text flow
    def _flush(self) -> None:
        text = "".join(self.buf)
        self.buf = []
        for line in text.split("\n"):
            line = _WS.sub(" ", line).strip()
            if line:
                self.items.append(line)

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            if tag not in _VOID:
                self.skip += 1
            return
        if self.skip:
            return
        if self.tables and tag in ("td", "th"):
            t = self.tables[-1]
            a = dict(attrs)
            t.cell = []
            t.spans = (_int(a.get("rowspan")), _int(a.get("colspan")))
            return
        if self.tables and tag == "tr":
            self.tables[-1].rows.append([])
            return
        if tag == "table":
            self._flush()
            self.tables.append(_Table())
            return
        if tag == "br":
            self._text("\n")
        elif tag in BLOCK_TAGS:
            if self.tables and self.tables[-1].cell is not None:
                self._text("\n")
            else:
                self._flush()

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if self.tables and tag in ("td", "th"):
            t = self.tables[-1]
            if t.cell is not None:
                if not t.rows:
                    t.rows.append([])
                text = "\n".join(x for x in (_WS.sub(" ", s).strip() for s in "".join(t.cell).split("\n")) if x)
                t.rows[-1].append((text, *t.spans))
                t.cell = None
            return
        if tag == "table" and self.tables:
            self.items.append(self.tables.pop())
            return
        if tag in BLOCK_TAGS and not self.tables:
            self._flush()

    def handle_data(self, data):
        if not self.skip:
            self._text(data)

    def _text(self, s: str) -> None:
        if self.tables:
            t = self.tables[-1]
            if t.cell is not None:
                t.cell.append(s)
            return                      # text between cells is layout whitespace
        self.buf.append(s)

    def close(self):
        super().close()
        self._flush()


def _int(v) -> int:
    try:
        return max(1, int(v))
    except (TypeError, ValueError):
        return 1


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    m = _CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii", "replace").lower()
        if enc in ("gb2312", "gbk"):
            enc = "gb18030"
        try:
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(path, data)


def _table_block(t: _Table, table_no: int, paragraph: int) -> TableBlock | None:
    rows = [r for r in t.rows if r]
    if not rows:
        return None
    occupied: set[tuple[int, int]] = set()
    cells: list[TableCell] = []
    n_cols = 0
    for r, row in enumerate(rows):
        col = 0
        for text, rowspan, colspan in row:
            while (r, col) in occupied:
                col += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied.add((r + dr, col + dc))
            cells.append(TableCell(text=text, row=r, col=col, rowspan=rowspan, colspan=colspan,
                                   where=Where(paragraph=paragraph, table=table_no, row=r + 1, col=col + 1)))
            col += colspan
            n_cols = max(n_cols, col)
    n_rows = max(max(r for r, _ in occupied) + 1, len(rows))
    for c in cells:                      # a rowspan running past the last row is clipped
        c.rowspan = min(c.rowspan, n_rows - c.row)
    return TableBlock(cells=cells, n_rows=n_rows, n_cols=n_cols, spans_known=True,
                      where=Where(paragraph=paragraph, table=table_no))


def read_html(path: Path, data: bytes, sha256: str) -> SourceDoc:
    text, enc = _decode(path, data)
    parser = _Collector()
    try:
        parser.feed(text)
        parser.close()
    except Exception as e:                    # html.parser is tolerant; this is a last resort
        raise InputError(path, f"网页文件无法解析（{e}）", hint="请用浏览器另存为“网页，仅 HTML”后重新放入") from None
    blocks: list = []
    table_no = 0
    for item in parser.items:
        paragraph = len(blocks) + 1
        if isinstance(item, _Table):
            tb = _table_block(item, table_no + 1, paragraph)
            if tb is not None:
                table_no += 1
                blocks.append(tb)
            continue
        blocks.append(TextBlock(text=strip_indent(item), norm=normalize(item), where=Where(paragraph=paragraph)))
    if not blocks:
        raise InputError(path, "网页中没有正文内容")
    return SourceDoc(path=str(path), sha256=sha256, format="html", blocks=blocks, encoding=enc)
