""".ofd reader (GB/T 33190): positioned characters and ruling lines → the PDF layout path → the same blocks.

Why our own and not a PyPI package: the candidates were inspected (Dec 2026). `easyofd` is an OFD→PDF/image
converter: it extracts the whole package to disk, parses with xmltodict, keeps each TextCode as one string
at its Boundary (no per-character positions from DeltaX/DeltaY, CTM not applied, no templates), and
pulls in PyMuPDF, reportlab and loguru; `ofdparser` (0.0.8) is its unmaintained predecessor with the same
model. Neither gives positioned characters, both would need the same hostile-input guards around them.
What a reader needs is small: walk the XML, place each character, and hand characters and lines to the
layout code we already trust for PDF — so this module does that, and `ofd_package` guards the container.

The model, following the specification:
- `OFD.xml` → `DocBody/DocRoot` → `Document.xml`: page list (`Pages/Page@BaseLoc`), default page area,
  `PublicRes`/`DocumentRes` (fonts: ID → FontName; composite graphic units), `TemplatePage`s.
- Each page draws its templates (`Template@TemplateID`, background ones first) and its own `Content`
  layers; `PageBlock` groups nest; `CompositeObject@ResourceID` draws a `CompositeGraphicUnit` from
  the resources; page annotations (`Annotations.xml` → `PageAnnot`) add their `Appearance` objects.
- A graphic object's `Boundary` (x y w h, mm) places its own coordinate system, `CTM` (a b c d e f)
  maps into it; nested objects compose both. `TextCode` X/Y is the baseline of the first character;
  `DeltaX`/`DeltaY` give the advances (`g N D` = N times D); a TextCode without X/Y continues where the
  previous one ended. `CGTransform` maps codes to glyphs for drawing only: the characters we read are
  the TextCode's own Unicode text, which producers keep alongside the glyph ids.
- `PathObject/AbbreviatedData` (S/M/L/B/Q/A/C commands): straight horizontal and vertical segments
  become ruling edges, from which `pdfplumber.table`'s lattice finder builds table cells — exactly
  as for a PDF page.
Text is converted from mm to pt so the layout code's tolerances mean the same thing. Characters not
aligned with the page's dominant direction (diagonal watermarks such as 保密资料) are dropped, like
non-upright PDF characters; a page whose text is all turned by 90°/180°/270° is read in its own
frame. A file without any text (seals and drawings only) is refused with a reason.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.diagnostics import DiagnosticCode, Diagnostics
from pipeline.blocks import SourceDoc, Where
from pipeline.errors import InputError
from pipeline.readers.ofd_package import OfdPackage, child, child_text, children, descendants, local
from pipeline.readers.pdf import _PageItems
from pipeline.readers.pdf_layout import is_wide
from pipeline.readers.positioned import assemble_pages, char, h_edge, layout_page, v_edge

MM_TO_PT = 72 / 25.4
DEFAULT_PAGE_MM = (0.0, 0.0, 210.0, 297.0)       # A4, when neither the page nor the document says
ASCENT, DESCENT = 0.86, 0.14                     # share of the font size above / below the baseline
MAX_OBJECTS_PER_PAGE = 200_000                   # a page with more drawing objects is not a notice
MAX_NESTING = 32                                 # composite units referring to each other
# Share of private-use characters above which the text is unusable: an embedded subset font whose codes
# are not Unicode (the OFD twin of a PDF font without ToUnicode); a few can be real symbols.
MAX_PRIVATE_USE_SHARE = 0.05
_HINT = "请向发文单位索取 .docx 或可复制文字的 PDF/OFD 版本"
_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

Matrix = tuple[float, float, float, float, float, float]   # a b c d e f: x' = a x + c y + e, y' = b x + d y + f
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """m applied after n (first n, then m)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _numbers(text: str | None) -> list[float]:
    return [float(v) for v in _NUM.findall(text or "")]


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    v = _numbers(text)
    return (v[0], v[1], v[2], v[3]) if len(v) >= 4 else None


def _object_matrix(el, parent: Matrix) -> Matrix:
    """Parent ∘ translate(Boundary origin) ∘ CTM."""
    box = _box(el.get("Boundary"))
    m = parent
    if box:
        m = _mul(m, (1.0, 0.0, 0.0, 1.0, box[0], box[1]))
    ctm = _numbers(el.get("CTM"))
    if len(ctm) == 6:
        m = _mul(m, tuple(ctm))
    return m


def deltas(spec: str | None) -> list[float]:
    """DeltaX/DeltaY values, expanding the `g N D` run-length form."""
    out: list[float] = []
    tokens = (spec or "").split()
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            try:
                n, d = int(float(tokens[i + 1])), float(tokens[i + 2])
            except ValueError:
                i += 1
                continue
            out.extend([d] * max(0, min(n, 100_000)))
            i += 3
            continue
        try:
            out.append(float(tokens[i]))
        except ValueError:
            pass
        i += 1
    return out


@dataclass(slots=True)
class _Resources:
    fonts: dict[str, str]
    units: dict[str, tuple]           # composite unit ID → (element, part name)
    templates: dict[str, str]         # template ID → part name


@dataclass(slots=True)
class _Glyph:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: str | None
    angle: int                        # text direction, degrees (0 = left to right)


class _PageDrawing:
    """Everything one page draws that we use: glyphs and straight segments, in page mm."""

    def __init__(self):
        self.glyphs: list[_Glyph] = []
        self.segments: list[tuple[float, float, float, float]] = []
        self.objects = 0


def _read_resources(pkg: OfdPackage, doc_part: str, common) -> _Resources:
    res = _Resources({}, {}, {})
    parts = [child_text(common, "PublicRes"), child_text(common, "DocumentRes")]
    for ref in [r for r in parts if r]:
        part = pkg.resolve(ref, doc_part, "资源文件")
        if not pkg.exists(part):
            continue                 # a missing resource costs font names, not text: read on
        root = pkg.xml(part, "资源文件")
        for font in descendants(root, "Font"):
            res.fonts[font.get("ID", "")] = font.get("FontName") or font.get("FamilyName") or ""
        for unit in descendants(root, "CompositeGraphicUnit"):
            res.units[unit.get("ID", "")] = (unit, part)
    for tpl in children(common, "TemplatePage"):
        res.templates[tpl.get("ID", "")] = pkg.resolve(tpl.get("BaseLoc"), doc_part, "模板页")
    return res


class _Walker:
    """Walks graphic objects, composing transforms, collecting glyphs and segments for one page."""

    def __init__(self, pkg: OfdPackage, res: _Resources, page_no: int):
        self.pkg, self.res, self.page_no = pkg, res, page_no
        self.out = _PageDrawing()

    def walk(self, container, m: Matrix, depth: int = 0) -> None:
        if depth > MAX_NESTING:
            raise InputError(self.pkg.path, "OFD 复合对象嵌套过深（可能循环引用），已拒绝", where=f"第{self.page_no}页",
                             hint=_HINT)
        for el in container:
            self.out.objects += 1
            if self.out.objects > MAX_OBJECTS_PER_PAGE:
                raise InputError(self.pkg.path, "OFD 页面图形对象过多，不像是一份公文，已拒绝",
                                 where=f"第{self.page_no}页", hint=_HINT)
            kind = local(el.tag)
            if kind in ("Layer", "PageBlock", "Content"):
                self.walk(el, m, depth + 1)
            elif kind == "TextObject":
                self._text(el, _object_matrix(el, m))
            elif kind == "PathObject":
                self._path(el, _object_matrix(el, m))
            elif kind == "CompositeObject":
                unit = self.res.units.get(el.get("ResourceID", ""))
                if unit is not None:
                    content = child(unit[0], "Content")
                    if content is not None:
                        self.walk(content, _object_matrix(el, m), depth + 1)

    def _text(self, el, m: Matrix) -> None:
        size = _numbers(el.get("Size"))
        size = size[0] if size else 3.5
        hscale = _numbers(el.get("HScale"))
        hscale = hscale[0] if hscale else 1.0
        font = self.res.fonts.get(el.get("Font", ""))
        scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2])) or 1.0
        angle = round(math.degrees(math.atan2(m[1], m[0]))) % 360
        x = y = 0.0
        for code in children(el, "TextCode"):
            text = code.text or ""
            if code.get("X") is not None:
                x = (_numbers(code.get("X")) or [0.0])[0]
            if code.get("Y") is not None:
                y = (_numbers(code.get("Y")) or [0.0])[0]
            dx, dy = deltas(code.get("DeltaX")), deltas(code.get("DeltaY"))
            for i, ch in enumerate(text):
                natural = size * (1.0 if is_wide(ch) else 0.5) * hscale
                adv = dx[i] if i < len(dx) else natural
                width = min(adv, natural) if adv > 0 else natural
                corners = [_apply(m, x, y - ASCENT * size), _apply(m, x + width, y - ASCENT * size),
                           _apply(m, x, y + DESCENT * size), _apply(m, x + width, y + DESCENT * size)]
                if ch.strip():
                    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
                    self.out.glyphs.append(_Glyph(ch, min(xs), max(xs), min(ys), max(ys), size * scale, font, angle))
                elif ch in "\u3000 ":
                    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
                    self.out.glyphs.append(_Glyph(ch, min(xs), max(xs), min(ys), max(ys), size * scale, font, angle))
                x += adv
                if i < len(dy):
                    y += dy[i]

    def _path(self, el, m: Matrix) -> None:
        data = child_text(el, "AbbreviatedData")
        if not data:
            return
        tokens = data.split()
        arity = {"S": 2, "M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
        i = 0
        cur = start = None
        while i < len(tokens):
            op = tokens[i]
            n = arity.get(op)
            if n is None:
                i += 1
                continue
            args = []
            try:
                args = [float(t) for t in tokens[i + 1:i + 1 + n]]
            except ValueError:
                return
            if len(args) < n:
                return
            i += 1 + n
            if op in ("S", "M"):
                cur = start = (args[0], args[1])
            elif op == "L":
                if cur is not None:
                    self._segment(m, cur, (args[0], args[1]))
                cur = (args[0], args[1])
            elif op == "C":
                if cur is not None and start is not None:
                    self._segment(m, cur, start)
                cur = start
            else:
                cur = (args[-2], args[-1])

    def _segment(self, m: Matrix, p, q) -> None:
        a, b = _apply(m, *p), _apply(m, *q)
        self.out.segments.append((a[0], a[1], b[0], b[1]))


def _rotate(angle: int, x: float, y: float) -> tuple[float, float]:
    """Rotate a point by -angle (multiples of 90°), so text drawn at `angle` reads left to right."""
    if angle == 90:
        return y, -x
    if angle == 180:
        return -x, -y
    if angle == 270:
        return -y, x
    return x, y


def _page_items(drawing: _PageDrawing, page_no: int, page_box) -> tuple[_PageItems, int]:
    """Glyphs and segments of one page → the PDF path's page items (lines and tables)."""
    angles = Counter(g.angle for g in drawing.glyphs if g.text.strip())
    angle = angles.most_common(1)[0][0] if angles else 0
    if angle not in (0, 90, 180, 270):
        angle = 0
    px0, py0, pw, ph = page_box
    corners = [_rotate(angle, x, y) for x in (px0, px0 + pw) for y in (py0, py0 + ph)]
    ox, oy = min(c[0] for c in corners), min(c[1] for c in corners)
    height = (max(c[1] for c in corners) - oy) * MM_TO_PT

    def place(x0, y0, x1, y1):
        a, b = _rotate(angle, x0, y0), _rotate(angle, x1, y1)
        return ((min(a[0], b[0]) - ox) * MM_TO_PT, (min(a[1], b[1]) - oy) * MM_TO_PT,
                (max(a[0], b[0]) - ox) * MM_TO_PT, (max(a[1], b[1]) - oy) * MM_TO_PT)

    chars = []
    for g in drawing.glyphs:
        if abs(((g.angle - angle + 180) % 360) - 180) > 2:
            continue                                   # a diagonal watermark or a turned label
        x0, top, x1, bottom = place(g.x0, g.top, g.x1, g.bottom)
        chars.append(char(g.text, x0, top, x1, bottom, g.size * MM_TO_PT, g.font))
    edges = []
    for sx0, sy0, sx1, sy1 in drawing.segments:
        x0, top, x1, bottom = place(sx0, sy0, sx1, sy1)
        if bottom - top <= 0.5 and x1 - x0 > 1:
            edges.append(h_edge(x0, x1, top))
        elif x1 - x0 <= 0.5 and bottom - top > 1:
            edges.append(v_edge(x0, top, bottom))
    return layout_page(chars, edges, page_no, height)


def _is_private_use(ch: str) -> bool:
    o = ord(ch)
    return 0xE000 <= o <= 0xF8FF or o >= 0xF0000


def _annotation_parts(pkg: OfdPackage, doc_part: str, root) -> dict[str, list[str]]:
    """Page ID → its annotation parts (`Annotations.xml` → `Page@PageID` → `FileLoc`)."""
    ref = child_text(root, "Annotations")
    if not ref:
        return {}
    part = pkg.resolve(ref, doc_part, "注释列表")
    if not pkg.exists(part):
        return {}
    out: dict[str, list[str]] = {}
    for page in descendants(pkg.xml(part, "注释列表"), "Page"):
        loc = child_text(page, "FileLoc")
        if loc:
            out.setdefault(page.get("PageID", ""), []).append(pkg.resolve(loc, part, "页面注释"))
    return out


def read_ofd(path: Path, data: bytes, sha256: str) -> SourceDoc:
    path = Path(path)
    pkg = OfdPackage(path, data)
    ofd = pkg.xml(pkg.resolve("OFD.xml", "", "OFD.xml"), "入口文件 OFD.xml")
    if local(ofd.tag) != "OFD":
        raise InputError(path, "不是 OFD 文件（入口文件 OFD.xml 的根元素不是 OFD）", hint=_HINT)
    body = child(ofd, "DocBody")
    doc_part = pkg.resolve(child_text(body, "DocRoot"), "OFD.xml", "文档根节点 DocRoot")
    root = pkg.xml(doc_part, "文档描述 Document.xml")
    common = child(root, "CommonData")
    res = _read_resources(pkg, doc_part, common)
    default_box = _box(child_text(child(common, "PageArea"), "PhysicalBox")) or DEFAULT_PAGE_MM
    annots = _annotation_parts(pkg, doc_part, root)
    pages = descendants(child(root, "Pages") if child(root, "Pages") is not None else root, "Page")
    if not pages:
        raise InputError(path, "OFD 文件没有任何页面", hint=_HINT)
    page_items: list[_PageItems] = []
    diagnostics = Diagnostics()
    visible = private = letters = 0
    for number, page_ref in enumerate(pages, start=1):
        part = pkg.resolve(page_ref.get("BaseLoc"), doc_part, f"第{number}页")
        page = pkg.xml(part, f"第{number}页的页面描述")
        box = _box(child_text(child(page, "Area"), "PhysicalBox")) or default_box
        walker = _Walker(pkg, res, number)
        templates = children(page, "Template")
        for zorder in ("Background", None):
            for tpl in templates:
                if (tpl.get("ZOrder") == "Background") != (zorder == "Background"):
                    continue
                tpl_part = res.templates.get(tpl.get("TemplateID", ""))
                if tpl_part and pkg.exists(tpl_part):
                    content = child(pkg.xml(tpl_part, "模板页"), "Content")
                    if content is not None:
                        walker.walk(content, IDENTITY)
        content = child(page, "Content")
        if content is not None:
            walker.walk(content, IDENTITY)
        for annot_part in annots.get(page_ref.get("ID", ""), []):
            if not pkg.exists(annot_part):
                continue
            for annot in descendants(pkg.xml(annot_part, "页面注释"), "Annot"):
                if annot.get("Visible", "true") == "false" or annot.get("Type") == "Watermark":
                    continue
                for appearance in children(annot, "Appearance"):
                    walker.walk(appearance, _object_matrix(appearance, IDENTITY))
        items = _page_items(walker.out, number, box)
        texts = [g.text for g in walker.out.glyphs if g.text.strip()]
        n_visible = len(texts)
        # measured among letters (leader dots and digits would dilute a garbled heading to nothing)
        letters += sum(1 for t in texts if unicodedata.category(t)[0] == "L" or _is_private_use(t))
        private += sum(1 for t in texts if _is_private_use(t))
        if n_visible == 0:
            diagnostics.add(DiagnosticCode.ofd_page_without_text, f"第{number}页没有文字（可能是图片或印章），内容未读取",
                            Where(page=number))
        visible += n_visible
        page_items.append(items)
    if visible == 0:
        raise InputError(path, "OFD 文件中没有文字（只有图片、印章或图形，可能是扫描件）", hint=_HINT)
    if private > MAX_PRIVATE_USE_SHARE * letters:
        raise InputError(path, f"OFD 的文字无法解码（{private / letters:.0%} 的字符是嵌入字体的私有编码，不是 Unicode），"
                               "相当于没有文本层", hint=_HINT)
    blocks = assemble_pages(page_items)
    if not blocks:
        raise InputError(path, "OFD 中没有正文内容（只有页码或页眉）", hint=_HINT)
    return SourceDoc(path=str(path), sha256=sha256, format="ofd", blocks=blocks, diagnostics=diagnostics)
