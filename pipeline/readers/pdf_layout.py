"""PDF characters → lines → paragraphs, CJK-aware.

A PDF has no paragraphs, only positioned glyphs. The rules here are the ones a reader of a printed
公文 uses:
- characters sharing a baseline band form a line (sorted left to right);
- no space is ever put between two CJK characters (text layers space out `2023 年`, spaced titles
  `税 务 总 局`: pdfplumber #1004); a space survives only between two Latin/digit characters;
- wrapped lines are rejoined; a paragraph ends when its line stops short of the right margin, the next
  line is indented (first-line indent) or centred, the vertical gap or font size changes, or the line
  ends in 。！？；： and the next one starts a label (一、 （一） 1.).
Geometry is measured per document (body left/right margin = the most common line start/end), so the
rules do not depend on page size or font.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.text import CN_LABEL_RUN

SPACE_CHARS = " \u00a0\u3000"
_LABEL_START = re.compile(rf"^(?:{CN_LABEL_RUN}[、，.．]|[（(](?:{CN_LABEL_RUN}|\d+)[）)]|\d+[.．、](?!\d)|第{CN_LABEL_RUN}[部章条])")
_END_PUNCT = "。！？；：!?;:"
# Line-breaking rules (禁则): these may not start a line / may not end one, so they travel with the
# character next to them; a wrapped line's first "token" includes them.
_NO_LINE_START = "，。、；：！？）》」』】〕〉”’…%％,.;:!?)]}·—"
_NO_LINE_END = "（《「『【〔〈“‘([{"


def is_wide(ch: str) -> bool:
    """CJK ideographs, kana, CJK/full-width punctuation and the quotes/dashes Chinese text uses."""
    return ord(ch) >= 0x2E80 or ch in "“”‘’—…·–"


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    font: str | None = None
    lead_spaces: int = 0          # space glyphs before the first visible character (table indents)
    first_token_width: float = 0  # width of what could not have been moved up to the previous line


@dataclass(slots=True)
class Paragraph:
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        out = ""
        for ln in self.lines:
            out = join_wrapped(out, ln.text) if out else ln.text
        return out


def join_wrapped(a: str, b: str) -> str:
    """Rejoin a wrapped line: no space unless both sides are Latin letters (an English word break)."""
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return a + " " + b
    return a + b


def dedupe_chars(chars: list[dict], tolerance: float = 1.0) -> list[dict]:
    """Drop fake-bold doubles: the same glyph (text, font, size) printed again within `tolerance` pt.

    Same rule as pdfplumber's `dedupe_chars` (#71), in one pass with a position grid instead of sorting.
    """
    kept: list[dict] = []
    grid: dict[tuple, list[dict]] = {}
    for c in chars:
        gx, gy = int(c["x0"] // tolerance), int(c["top"] // tolerance)
        key = (c["text"], c.get("fontname"), round(c["size"], 1))
        dup = False
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for o in grid.get((key, gx + dx, gy + dy), ()):
                    if abs(o["x0"] - c["x0"]) <= tolerance and abs(o["top"] - c["top"]) <= tolerance:
                        dup = True
                        break
                if dup:
                    break
            if dup:
                break
        if not dup:
            kept.append(c)
            grid.setdefault((key, gx, gy), []).append(c)
    return kept


def _fontname(name: str | None) -> str | None:
    if not name:
        return None
    return name.split("+", 1)[1] if "+" in name[:8] else name


def build_lines(chars: list[dict], page_no: int) -> list[Line]:
    """Group upright characters into lines by baseline band, in top-to-bottom order."""
    groups: list[list[dict]] = []
    bands: list[tuple[float, float]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        mid = (c["top"] + c["bottom"]) / 2
        if groups:
            top, bottom = bands[-1]
            if top <= mid <= bottom:
                groups[-1].append(c)
                bands[-1] = (min(top, c["top"]), max(bottom, c["bottom"]))
                continue
        groups.append([c])
        bands.append((c["top"], c["bottom"]))
    lines = []
    for g in groups:
        g.sort(key=lambda c: c["x0"])
        line = _make_line(g, page_no)
        if line is not None:
            lines.append(line)
    return lines


def _make_line(chars: list[dict], page_no: int) -> Line | None:
    visible = [c for c in chars if c["text"] not in SPACE_CHARS and c["text"].strip()]
    if not visible:
        return None
    lead = 0
    for c in chars:
        if c["text"] in SPACE_CHARS:
            lead += 1
        else:
            break
    out: list[str] = []
    prev = None
    pending_space = False
    for c in chars[lead:]:
        t = c["text"]
        if t in SPACE_CHARS or not t.strip():
            pending_space = True
            continue
        if prev is not None:
            gap = c["x0"] - prev["x1"]
            wide_gap = gap > 0.25 * max(c["size"], 1)
            if (pending_space or wide_gap) and not is_wide(prev["text"][-1]) and not is_wide(t[0]):
                out.append(" ")
        out.append(t)
        prev = c
        pending_space = False
    sizes = Counter(round(c["size"], 1) for c in visible)
    token_end = _first_token_end(visible)
    fonts = Counter(_fontname(c.get("fontname")) for c in visible)
    return Line(text="".join(out), x0=visible[0]["x0"], x1=visible[-1]["x1"],
                top=min(c["top"] for c in visible), bottom=max(c["bottom"] for c in visible),
                size=sizes.most_common(1)[0][0], page=page_no, font=fonts.most_common(1)[0][0],
                lead_spaces=lead, first_token_width=visible[token_end]["x1"] - visible[0]["x0"])


def _first_token_end(visible: list[dict]) -> int:
    """Index of the last character of the line's first unbreakable unit (禁则-aware)."""
    i, n = 0, len(visible)
    while i < n - 1 and visible[i]["text"] in _NO_LINE_END:
        i += 1
    ch = visible[i]["text"]
    if ch.isascii() and ch.isalnum():            # a Latin word or a number: never broken
        while i < n - 1 and visible[i + 1]["text"].isascii() and (visible[i + 1]["text"].isalnum()
                                                                  or visible[i + 1]["text"] in ".-"):
            i += 1
    # Glue what may not start a line; and, as UAX #14 (Pango, browsers) does, never break on either
    # side of a quotation mark: 展“快 and 新”经 stay whole.
    while i < n - 1:
        nxt = visible[i + 1]["text"]
        if nxt in _NO_LINE_START or nxt in "“‘":
            i += 1
            if nxt in "“‘”’" and i < n - 1 and visible[i + 1]["text"] not in _NO_LINE_START:
                i += 1
            continue
        break
    return i


@dataclass(slots=True)
class Margins:
    left: float
    right: float
    pitch: float       # usual baseline-to-baseline distance of body lines
    size: float        # body font size


def measure_margins(lines: list[Line]) -> Margins:
    """Body geometry: the commonest line start and end among body-size lines, and the usual pitch."""
    if not lines:
        return Margins(0, 0, 0, 0)
    size = Counter(l.size for l in lines).most_common(1)[0][0]
    body = [l for l in lines if abs(l.size - size) < 0.6] or lines
    left = Counter(round(l.x0) for l in body).most_common(1)[0][0]
    # Justified text ends at the margin; ragged text only approaches it: take the furthest line end,
    # ignoring the single furthest one (an overflowing URL or number must not move the margin).
    ends = sorted(l.x1 for l in body)
    right = ends[-2] if len(ends) >= 3 else ends[-1]
    pitches = [b.top - a.top for a, b in zip(body, body[1:])
               if a.page == b.page and 0 < b.top - a.top < 3 * size]
    pitch = sorted(pitches)[len(pitches) // 2] if pitches else 1.5 * size
    return Margins(left=left, right=right, pitch=pitch, size=size)


def starts_paragraph(prev: Line, line: Line, m: Margins) -> bool:
    """Does `line` start a new paragraph after `prev`? (See the module doc for the rules.)"""
    size = max(line.size, 1.0)
    if abs(prev.size - line.size) > 1.0:
        return True
    if prev.x1 + line.first_token_width < m.right - 0.25 * size:
        return True                                          # the next line's first word would have fitted
    if line.x0 > m.left + 0.8 * size:                        # first-line indent, centred or right-aligned
        return True
    if prev.page == line.page and line.top - prev.top > 1.6 * max(m.pitch, size):
        return True
    if prev.text and prev.text[-1] in _END_PUNCT and _LABEL_START.match(line.text):
        return True
    return False


def group_paragraphs(lines: list[Line], m: Margins) -> list[Paragraph]:
    paras: list[Paragraph] = []
    for line in lines:
        if paras and not starts_paragraph(paras[-1].lines[-1], line, m):
            paras[-1].lines.append(line)
        else:
            paras.append(Paragraph([line]))
    return paras


# -- reading order the line builder cannot follow: vertical text, two text columns -------------------
MIN_CHARS_FOR_ORDER_CHECK = 40
# A gutter between two text columns is wider than this many character sizes (a word space is < 1).
COLUMN_GUTTER_SIZES = 2.0


def unreadable_order(chars: list[dict], lines: list[Line], page_width: float) -> str | None:
    """"vertical" when the page's text runs in columns top to bottom (竖排), "columns" when two text
    columns sit side by side (分栏), else None. `build_lines` reads bands left to right across the
    page, which scrambles both; the caller warns instead of passing scrambled text on silently.

    Cheap first: most pages have lines of many characters and no wide gaps, and stop there."""
    visible = [c for c in chars if c["text"].strip() and c["text"] not in SPACE_CHARS]
    if len(visible) < MIN_CHARS_FOR_ORDER_CHECK or not lines:
        return None
    # 竖排 read as bands: each band takes one character from every column, so its characters stand far
    # apart (a band spans far more than its characters need)
    widths = sorted(c["x1"] - c["x0"] for c in visible[:400])
    width = widths[len(widths) // 2] or 1.0          # the usual glyph width (Latin letters are narrow)
    sparse = sum(1 for ln in lines if len(ln.text) > 1 and ln.x1 - ln.x0 > 1.3 * len(ln.text.replace(" ", "")) * width)
    if sparse >= 0.5 * len(lines) and _vertical_share(visible) > 0.5:
        return "vertical"
    if _two_line_columns(lines):
        return "columns"
    # a line wider than its characters need: a candidate (digits are narrower than a size: permissive)
    gapped = [ln for ln in lines if ln.x1 - ln.x0 > (len(ln.text) + 1.5) * ln.size]
    if len(gapped) >= 5 and len(gapped) >= 0.2 * len(lines) and _one_gutter(visible, gapped, len(lines), page_width):
        return "columns"
    return None


def _two_line_columns(lines: list[Line]) -> bool:
    """Columns whose baselines do not line up: the bands hold a left-half line or a right-half line,
    each running text (a signature or date at the right, a paragraph's short last line are few)."""
    left_edge, right_edge = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
    mid = (left_edge + right_edge) / 2
    long_lines = [ln for ln in lines if len(ln.text) >= 8]
    left = sum(1 for ln in long_lines if ln.x1 < mid)
    right = sum(1 for ln in long_lines if ln.x0 > mid)
    return right >= 5 and left >= 5 and min(left, right) >= 0.2 * len(lines)


def _vertical_share(visible: list[dict]) -> float:
    """Share of characters with the next one directly below, touching (a column of 竖排 text)."""
    size = sorted(c["size"] for c in visible)[len(visible) // 2] or 1.0
    by_column: dict[int, list[dict]] = {}
    for c in visible:
        by_column.setdefault(round(c["x0"] / (0.25 * size)), []).append(c)
    touching = 0
    for col in by_column.values():
        col.sort(key=lambda c: c["top"])
        touching += sum(1 for a, b in zip(col, col[1:]) if -0.1 * size <= b["top"] - a["bottom"] <= 0.4 * size)
    return touching / len(visible)


def _one_gutter(visible: list[dict], lines: list[Line], n_lines: int, page_width: float) -> bool:
    """Many lines break at one wide gap near the same x, with running text on both sides."""
    centres = []
    for ln in lines:
        band = sorted((c for c in visible if ln.top - 0.5 <= (c["top"] + c["bottom"]) / 2 <= ln.bottom + 0.5),
                      key=lambda c: c["x0"])
        gaps = [(b["x0"] - a["x1"], i) for i, (a, b) in enumerate(zip(band, band[1:]))
                if b["x0"] - a["x1"] > COLUMN_GUTTER_SIZES * max(a["size"], 1)]
        if len(gaps) == 1 and gaps[0][1] + 1 >= 6 and len(band) - gaps[0][1] - 1 >= 6:
            i = gaps[0][1]
            centres.append((band[i]["x1"] + band[i + 1]["x0"]) / 2)
    if len(centres) < 5 or len(centres) < 0.2 * n_lines:
        return False
    centres.sort()
    mid = centres[len(centres) // 2]
    near = sum(1 for x in centres if abs(x - mid) < 0.04 * page_width)
    return near >= 0.8 * len(centres) and 0.25 * page_width < mid < 0.75 * page_width
