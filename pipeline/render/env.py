"""The Jinja environment every 公文 template renders in: autoescape on, strict undefined, our filters.

Parsed text is untrusted, so autoescape is on for every template (the stylesheet template included:
it only ever receives our numbers and ASCII family names) and no template applies `|safe` to parsed
text. Filters that need font metrics close over the `FontSet` of the current render.
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from pipeline import words
from pipeline.render import gbt9704 as g
from pipeline.render.fonts import PROJECT_ROOT, CodepointSet, FontSet, codepoints
from pipeline.render.justify import mark_gaps

TEMPLATES_DIR = PROJECT_ROOT / "templates"

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# A line may not start with these, nor end with the openers (避头尾), nor split a number from its unit.
_NO_LINE_START = set("，。、：；）》”’！？％%…·—年月日号")
_NO_LINE_END = set("（《“‘")
MAX_TITLE_LINES = 4


def date_zh(value: str | None) -> str:
    """ISO date → 2023年4月25日 (GB/T 9704: full year, no zero padding). Other text passes through."""
    if not value:
        return ""
    m = _ISO_DATE.match(value.strip())
    if not m:
        return value
    y, mo, d = (int(x) for x in m.groups())
    return f"{y}年{mo}月{d}日"


def _words(text: str) -> list[str]:
    """Word tokens (jieba's segmentation, read from an on-disk index: `pipeline/words.py`), so a title never
    breaks inside a word."""
    return words.cut(text)


def break_title(text: str, width_of, max_width: float) -> list[str]:
    """Split a title into the fewest lines that fit, breaking only between words, most even first.

    Even lines give the trapezoid/diamond shapes the standard asks for; among equally even splits the
    one whose longest line comes first or in the middle wins (正梯形 / 菱形).
    """
    text = " ".join(text.split())
    if width_of(text) <= max_width:
        return [text]
    words = _words(text)
    cuts = [i for i in range(1, len(words))
            if words[i][0] not in _NO_LINE_START and words[i - 1][-1] not in _NO_LINE_END]
    for n in range(2, MAX_TITLE_LINES + 1):
        best: tuple[float, list[str]] | None = None
        for combo in itertools.combinations(cuts, n - 1):
            bounds = (0, *combo, len(words))
            lines = ["".join(words[a:b]).strip() for a, b in zip(bounds, bounds[1:])]
            widths = [width_of(line) for line in lines]
            if max(widths) > max_width:
                continue
            mean = sum(widths) / n
            score = sum((w - mean) ** 2 for w in widths) + (0.5 if widths[-1] > widths[0] else 0.0)
            if best is None or score < best[0]:
                best = (score, lines)
        if best:
            return best[1]
    return [text]   # one unbreakable run: let the browser wrap it


def running_text(text: str, primary: CodepointSet) -> Markup:
    """Running text, escaped, with U+200B between hanzi (justification) and every character the
    body face lacks wrapped in `<span class="fallback">`.

    A fallback face (Noto for 堃 in a FandolFang line) has other ascent/descent; left in the line's
    own text box it makes that line taller than the grid pitch. In a span no taller than its font
    size it stays inside the line's strut, so the page keeps its 22 lines.
    """
    text = mark_gaps(text)
    out: list[str] = []
    run: list[str] = []
    run_fallback = False
    for ch in text:
        fallback = ord(ch) not in primary and not ch.isspace() and ch != "\u200b"
        if fallback != run_fallback and run:
            piece = str(escape("".join(run)))
            out.append(f'<span class="fallback">{piece}</span>' if run_fallback else piece)
            run = []
        run.append(ch)
        run_fallback = fallback
    if run:
        piece = str(escape("".join(run)))
        out.append(f'<span class="fallback">{piece}</span>' if run_fallback else piece)
    return Markup("".join(out))


def make_env(fonts: FontSet, templates_dir: Path = TEMPLATES_DIR) -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_dir)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=False)
    type_width = g.mm(g.TYPE_AREA_WIDTH_MM)

    def title_lines(text: str, size: float = g.TITLE_SIZE_PT) -> list[str]:
        return break_title(text, lambda s: fonts.text_width("xbs", s, size), type_width)

    primary = codepoints(fonts.chains["fang"][0].path)
    env.filters["gaps"] = lambda text: running_text(text, primary)
    env.filters["date_zh"] = date_zh
    env.filters["title_lines"] = title_lines
    env.globals["g"] = g
    env.globals["css"] = g.css_values()
    env.globals["fonts"] = fonts
    return env
