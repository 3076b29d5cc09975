""".docx reader: Word paragraphs and tables → the same blocks the .txt reader gives for the same notice.

Why not `Paragraph.text` / `row.cells` from python-docx alone:
- Word auto-numbering labels (一、 （一） 1.) are not in the text; they are rendered here from
  numbering.xml (`docx_numbering.Numbering`) and put in front of the text (`auto_label`).
- `row.cells` repeats a merged cell at every grid position; here each `w:tc` is one source cell,
  placed on the grid by `gridBefore`/`gridSpan`, and `vMerge` continuations extend the cell above.
  Equal text is never a reason to merge (adjacent `—` or `保持稳定` cells are real).
- A soft line break (`w:br`) inside a paragraph is a line break in the text export too (titles are
  typed that way), so it splits the paragraph into several blocks.
Text boxes (版头, signatures in drawings) become their own blocks; the VML fallback copy of the same
text box is skipped. Deleted revisions are skipped, inserted ones kept.

The zip is checked before python-docx opens it (pipeline/zipguard.py, shared with the workbook
reader): not a zip, a zip bomb (every part inflated and capped), a DOCTYPE in a part, macros (a renamed .docm) or a missing main part → `InputError` in Chinese.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from docx import Document
from docx.opc.exceptions import PackageNotFoundError

from pipeline.blocks import SourceDoc, TableBlock, TableCell, TextBlock, Where
from pipeline.errors import InputError
from pipeline.readers.docx_numbering import Numbering
from pipeline.zipguard import guard_package, read_part
from pipeline.text import normalize, strip_indent

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_Q = "{%s}" % W
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

# Word's own tables stop at 63 columns; WPS/LibreOffice allow somewhat more. A gridSpan/gridBefore
# reaching past this is a malformed or hostile file: the grid is never built that wide.
MAX_TABLE_COLUMNS = 256
LEVELS = range(9)                # w:ilvl and w:outlineLvl are 0..8 (9 = body text for outlineLvl)
_MACRO_MARKERS = ("vbaproject.bin", "vbadata.xml")
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)
_INDENT = " \u3000\u00a0\t"

# Containers whose runs belong to the paragraph's visible text.
_INLINE_CONTAINERS = {_Q + t for t in ("hyperlink", "ins", "smartTag", "fldSimple", "customXml", "moveTo", "dir", "bdo")}
_SKIPPED = {_Q + t for t in ("del", "moveFrom", "pPr", "rPr", "proofErr", "bookmarkStart", "bookmarkEnd")}


def check_package(path: Path, data: bytes) -> zipfile.ZipFile:
    """Open the zip and refuse what must not reach python-docx (the shared package guard, then the
    Word-specific checks: macros, a main part). Returns the open ZipFile."""
    zf = guard_package(path, data, "Word 文档", "请重新获取原文件，或用 Word/WPS 打开后另存为 .docx")
    names = {i.filename.lower() for i in zf.infolist()}
    content_types = b""
    if "[content_types].xml" in names:
        content_types = read_part(zf, "[Content_Types].xml", path, "Word 文档")
    if any(n.rsplit("/", 1)[-1] in _MACRO_MARKERS for n in names) or b"macroEnabled" in content_types:
        raise InputError(path, "文档含有宏（启用宏的 .docm 文件），出于安全原因不处理",
                         hint="请在 Word 中另存为不含宏的 .docx（“Word 文档”）后重新放入")
    if "word/document.xml" not in names and b"wordprocessingml.document.main" not in content_types:
        if "xl/workbook.xml" in names:
            raise InputError(path, "这是 Excel 工作簿，不是 Word 文档", hint="请放入通知的 .docx/.pdf/.txt 文件")
        raise InputError(path, "压缩包里没有 Word 正文（缺少 word/document.xml），不是 .docx 文档",
                         hint="请用 Word/WPS 另存为 .docx")
    return zf


class _Styles:
    """Style facts the reader needs, following `basedOn`: name, outline level, numbering, font."""

    def __init__(self, doc):
        self._by_id: dict[str, object] = {}
        try:
            root = doc.styles.element
        except (KeyError, NotImplementedError):
            root = None
        if root is not None:
            for s in root.iter(_Q + "style"):
                self._by_id[s.get(_Q + "styleId")] = s
        self._cache: dict[str, dict] = {}

    def info(self, style_id: str | None) -> dict:
        if not style_id:
            style_id = self._default_paragraph_id()
        if style_id in self._cache:
            return self._cache[style_id]
        out: dict = {"name": None, "outline": None, "num_id": None, "ilvl": None, "font": None}
        seen = set()
        sid = style_id
        while sid and sid in self._by_id and sid not in seen:
            seen.add(sid)
            s = self._by_id[sid]
            if out["name"] is None:
                name = s.find(_Q + "name")
                out["name"] = name.get(_Q + "val") if name is not None else sid
            ppr = s.find(_Q + "pPr")
            if ppr is not None:
                ol = ppr.find(_Q + "outlineLvl")
                if out["outline"] is None and ol is not None:
                    out["outline"] = _level_attr(ol, "9", f"样式“{sid}”的大纲级别（w:outlineLvl）")
                num = ppr.find(_Q + "numPr")
                if num is not None and out["num_id"] is None:
                    nid, ilvl = num.find(_Q + "numId"), num.find(_Q + "ilvl")
                    if nid is not None:
                        out["num_id"] = nid.get(_Q + "val")
                    if ilvl is not None:
                        out["ilvl"] = _level_attr(ilvl, "0", f"样式“{sid}”的编号级别（w:ilvl）")
            rpr = s.find(_Q + "rPr")
            if out["font"] is None and rpr is not None:
                out["font"] = _east_asia_font(rpr)
            based = s.find(_Q + "basedOn")
            sid = based.get(_Q + "val") if based is not None else None
        if out["outline"] is None and out["name"]:
            m = _HEADING_NAME.match(out["name"].strip())
            if m:
                out["outline"] = int(m.group(1)) - 1
        if out["outline"] == 9:        # 9 = body text
            out["outline"] = None
        self._cache[style_id] = out
        return out

    def _default_paragraph_id(self) -> str | None:
        for sid, s in self._by_id.items():
            if s.get(_Q + "type") == "paragraph" and s.get(_Q + "default") in ("1", "true"):
                return sid
        return None


def _east_asia_font(rpr) -> str | None:
    f = rpr.find(_Q + "rFonts")
    if f is None:
        return None
    return f.get(_Q + "eastAsia") or f.get(_Q + "ascii")


class _Reader:
    def __init__(self, path: Path, doc, numbering: Numbering):
        self.path = path
        self.styles = _Styles(doc)
        self.numbering = numbering
        self.blocks: list = []
        self.paragraph_no = 0
        self.table_no = 0

    # ---- paragraphs ------------------------------------------------------------------------
    def paragraph_lines(self, p, boxes: list | None = None) -> tuple[list[str], dict]:
        """The paragraph's visible text split at soft line breaks, plus its hints (label, style, …)."""
        ppr = p.find(_Q + "pPr")
        style_id = num_id = None
        ilvl = None
        outline = None
        first_line_chars = None
        if ppr is not None:
            ps = ppr.find(_Q + "pStyle")
            style_id = ps.get(_Q + "val") if ps is not None else None
            num = ppr.find(_Q + "numPr")
            if num is not None:
                nid, lv = num.find(_Q + "numId"), num.find(_Q + "ilvl")
                num_id = nid.get(_Q + "val") if nid is not None else None
                ilvl = _level_attr(lv, "0", "编号级别（w:ilvl）") if lv is not None else None
            ol = ppr.find(_Q + "outlineLvl")
            if ol is not None:
                outline = _level_attr(ol, "9", "大纲级别（w:outlineLvl）")
            ind = ppr.find(_Q + "ind")
            if ind is not None and ind.get(_Q + "firstLineChars") is not None:
                first_line_chars = _int_attr(ind, "firstLineChars", "0", "首行缩进（w:firstLineChars）",
                                             range(-100_000, 100_001)) / 100
        st = self.styles.info(style_id)
        if num_id is None:
            num_id = st["num_id"]
        if ilvl is None:
            ilvl = st["ilvl"] or 0
        if outline is None:
            outline = st["outline"]
        elif outline == 9:
            outline = None
        lines: list[str] = [""]
        fonts: dict[str, int] = {}
        self._collect(p, lines, fonts, boxes)
        label = None
        if any(l.strip(_INDENT) for l in lines):
            label = self.numbering.label(num_id, ilvl)
        font = max(fonts, key=fonts.get) if fonts else st["font"]
        return lines, {"label": label, "style": st["name"], "outline": outline, "font": font,
                       "indent": first_line_chars}

    def _collect(self, el, lines: list[str], fonts: dict[str, int], boxes: list | None) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIPPED or not isinstance(tag, str):
                continue
            if tag == _Q + "r":
                self._run(child, lines, fonts, boxes)
            elif tag in _INLINE_CONTAINERS:
                self._collect(child, lines, fonts, boxes)
            elif tag == _Q + "sdt":
                content = child.find(_Q + "sdtContent")
                if content is not None:
                    self._collect(content, lines, fonts, boxes)

    def _run(self, r, lines: list[str], fonts: dict[str, int], boxes: list | None) -> None:
        rpr = r.find(_Q + "rPr")
        font = _east_asia_font(rpr) if rpr is not None else None
        n = 0
        for child in r:
            tag = child.tag
            if tag == _Q + "t":
                lines[-1] += child.text or ""
                n += len(child.text or "")
            elif tag == _Q + "tab":
                lines[-1] += "\t"
            elif tag in (_Q + "br", _Q + "cr"):
                if child.get(_Q + "type") not in ("page", "column"):
                    lines.append("")
            elif tag == _Q + "noBreakHyphen":
                lines[-1] += "-"
            elif boxes is not None and isinstance(tag, str):
                # Drawings / VML shapes: text boxes, skipping the VML fallback copy of a drawing.
                for tb in child.iter(_Q + "txbxContent"):
                    if any(a.tag == _MC_FALLBACK for a in tb.iterancestors()):
                        continue
                    boxes.append(tb)
        if font and n:
            fonts[font] = fonts.get(font, 0) + n

    def add_paragraph(self, p) -> None:
        self.paragraph_no += 1
        boxes: list = []
        lines, hints = self.paragraph_lines(p, boxes)
        for tb in boxes:                        # a text box's paragraphs come before its anchor's text
            for inner in tb.iter(_Q + "p"):
                self.add_paragraph(inner)
        label = hints["label"]
        for k, line in enumerate(lines):
            text = strip_indent(line)
            if not text:
                continue
            indent = hints["indent"]
            lead = line[:len(line) - len(line.lstrip(_INDENT))]
            if lead:
                indent = lead.count("\u3000") + 0.5 * (len(lead) - lead.count("\u3000"))
            auto = None
            if k == 0 and label:
                sep = " " if label[-1].isascii() and label[-1].isalnum() else ""
                text = label + sep + text
                auto = label
            self.blocks.append(TextBlock(text=text, norm=normalize(text), where=Where(paragraph=self.paragraph_no),
                                         style=hints["style"], outline_level=hints["outline"], auto_label=auto,
                                         font=hints["font"], indent=indent))

    # ---- tables ----------------------------------------------------------------------------
    def add_table(self, tbl) -> None:
        self.table_no += 1
        tno = self.table_no
        grid = tbl.find(_Q + "tblGrid")
        n_grid = len(grid.findall(_Q + "gridCol")) if grid is not None else 0
        cells: list[TableCell] = []
        owner: dict[tuple[int, int], TableCell] = {}
        rows = [tr for tr in _rows(tbl)]
        for r, tr in enumerate(rows):
            col = 0
            trpr = tr.find(_Q + "trPr")
            if trpr is not None:
                gb = trpr.find(_Q + "gridBefore")
                if gb is not None:
                    col = _int_attr(gb, "val", "0", f"第 {tno} 张表第 {r + 1} 行的前置空列数（w:gridBefore）",
                                    range(0, MAX_TABLE_COLUMNS))
            for tc in _cells(tr):
                tcpr = tc.find(_Q + "tcPr")
                span, vmerge = 1, None
                if tcpr is not None:
                    gs = tcpr.find(_Q + "gridSpan")
                    if gs is not None:
                        span = max(1, _int_attr(gs, "val", "1", f"第 {tno} 张表第 {r + 1} 行第 {col + 1} 列的合并列数"
                                                "（w:gridSpan）", range(-MAX_TABLE_COLUMNS, MAX_TABLE_COLUMNS + 1)))
                    if col + span > MAX_TABLE_COLUMNS:
                        raise InputError(self.path, f"表格宽度超出上限：合并单元格延伸到第 {col + span} 列"
                                         f"（上限 {MAX_TABLE_COLUMNS} 列），文档结构异常，不处理",
                                         where=f"第 {tno} 张表第 {r + 1} 行第 {col + 1} 列",
                                         hint="请用 Word/WPS 打开检查该表格后另存为 .docx")
                    vm = tcpr.find(_Q + "vMerge")
                    if vm is not None:
                        vmerge = vm.get(_Q + "val") or "continue"
                above = owner.get((r - 1, col))
                if vmerge == "continue" and above is not None:
                    above.rowspan = r - above.row + 1
                    for c in range(col, col + span):
                        owner[(r, c)] = above
                    col += span
                    continue
                raw = self._cell_text(tc)
                body = raw.lstrip(" \u3000")
                cell = TableCell(text=strip_indent(body) if "\n" not in body else
                                 "\n".join(strip_indent(x) for x in body.split("\n")),
                                 row=r, col=col, colspan=span,
                                 where=Where(table=tno, row=r + 1, col=col + 1, paragraph=self.paragraph_no),
                                 indent=len(raw) - len(body))
                cells.append(cell)
                for c in range(col, col + span):
                    owner[(r, c)] = cell
                col += span
        n_cols = max([n_grid] + [c.col + c.colspan for c in cells]) if cells else n_grid
        self.blocks.append(TableBlock(cells=cells, n_rows=len(rows), n_cols=n_cols, spans_known=True,
                                      where=Where(table=tno, paragraph=self.paragraph_no + 1)))

    def _cell_text(self, tc) -> str:
        parts: list[str] = []
        for child in tc:
            if child.tag == _Q + "p":
                lines, hints = self.paragraph_lines(child)
                text = "\n".join(lines)
                if hints["label"] and text.strip(_INDENT):
                    text = hints["label"] + text
                parts.append(text)
            elif child.tag == _Q + "tbl":          # a nested table: keep its text, row by row
                for tr in _rows(child):
                    parts.append(" ".join(self._cell_text(c).strip() for c in _cells(tr)))
            elif child.tag == _Q + "sdt":
                content = child.find(_Q + "sdtContent")
                if content is not None:
                    for p in content.iter(_Q + "p"):
                        parts.append("\n".join(self.paragraph_lines(p)[0]))
        while parts and not parts[-1].strip(_INDENT):
            parts.pop()
        while parts and not parts[0].strip(_INDENT):
            parts.pop(0)
        return "\n".join(parts)

    def walk(self, container) -> None:
        for child in container:
            if child.tag == _Q + "p":
                self.add_paragraph(child)
            elif child.tag == _Q + "tbl":
                self.add_table(child)
            elif child.tag in (_Q + "sdt", _Q + "customXml"):
                content = child.find(_Q + "sdtContent") if child.tag == _Q + "sdt" else child
                if content is not None:
                    self.walk(content)


class _BadValue(ValueError):
    """An attribute of the package XML that is not what the schema allows; `what` names it in Chinese."""

    def __init__(self, what: str, value: str | None, allowed: range):
        super().__init__(what)
        self.what, self.value, self.allowed = what, value, allowed


def _int_attr(el, attr: str, default: str, what: str, allowed: range) -> int:
    """An integer attribute (w:val …) checked against what the schema allows, never a traceback."""
    raw = el.get(_Q + attr, default)
    try:
        value = int(raw.strip()) if len(raw) < 12 else None
    except ValueError:
        value = None
    if value is None or value not in allowed:
        raise _BadValue(what, raw, allowed)
    return value


def _level_attr(el, default: str, what: str) -> int:
    """w:ilvl / w:outlineLvl: 0..8, and 9 (body text) for outline levels."""
    return _int_attr(el, "val", default, what, range(0, 10))


def _children(parent, tag: str):
    """The `tag` children of `parent` (rows of a table, cells of a row), also those wrapped in content
    controls: a `w:sdt` may stand where a row or a cell stands and hold it in its `w:sdtContent`, itself
    possibly another `w:sdt`. Only direct children count, so a nested table's rows stay its own."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == _Q + "sdt":
            content = child.find(_Q + "sdtContent")
            if content is not None:
                yield from _children(content, tag)


def _rows(tbl):
    return _children(tbl, _Q + "tr")


def _cells(tr):
    return _children(tr, _Q + "tc")


def read_docx(path: Path, data: bytes, sha256: str) -> SourceDoc:
    path = Path(path)
    zf = check_package(path, data)
    try:
        doc = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise InputError(path, f"无法打开 Word 文档（{type(e).__name__}）：文件结构不完整或不是标准 .docx",
                         hint="请用 Word/WPS 打开后另存为 .docx") from None
    except Exception as e:  # lxml XMLSyntaxError and friends: a damaged part
        raise InputError(path, f"Word 文档内容已损坏，无法解析（{type(e).__name__}）",
                         hint="请用 Word/WPS 打开后另存为 .docx") from None
    numbering_xml = _numbering_blob(doc)
    zf.close()
    try:
        numbering = Numbering(numbering_xml)
    except (ValueError, IndexError, KeyError, OverflowError) as e:
        raise InputError(path, f"自动编号定义（numbering.xml）中有无效的数值（{type(e).__name__}），文档结构异常",
                         hint="请用 Word/WPS 打开后另存为 .docx") from None
    reader = _Reader(path, doc, numbering)
    try:
        reader.walk(doc.element.body)
    except _BadValue as e:
        shown = (e.value or "")[:20] + ("…" if len(e.value or "") > 20 else "")
        lo, hi = max(e.allowed.start, 0), e.allowed.stop - 1
        raise InputError(path, f"{e.what}的值“{shown}”无效（应为 {lo}～{hi} 的整数：不是数字或超出上限），文档结构异常", where=f"第 {max(1, reader.paragraph_no)} 段附近",
                         hint="请用 Word/WPS 打开后另存为 .docx") from None
    except (ValueError, IndexError, KeyError, OverflowError, RecursionError) as e:
        raise InputError(path, f"Word 文档结构异常，无法读取（{type(e).__name__}）",
                         where=f"第 {max(1, reader.paragraph_no)} 段、第 {reader.table_no} 张表附近",
                         hint="请用 Word/WPS 打开后另存为 .docx") from None
    if not any(isinstance(b, TableBlock) or b.text for b in reader.blocks):
        raise InputError(path, "Word 文档里没有文字内容（可能只有图片或扫描件）", hint="请提供可编辑的原文件")
    return SourceDoc(path=str(path), sha256=sha256, format="docx", blocks=reader.blocks)


def _numbering_blob(doc) -> bytes | None:
    """numbering.xml as bytes, or None when the document has no lists."""
    try:
        part = doc.part.numbering_part
    except (KeyError, NotImplementedError):
        return None
    from lxml import etree
    return etree.tostring(part.element)
