"""The Jinja environment every 公文 template renders in: autoescape on, strict undefined, our filters.

Parsed text is untrusted, so autoescape is on for every template (the stylesheet template included:
it only ever receives our numbers and ASCII family names) and no template applies `|safe` to parsed
text. Filters that need font metrics close over the `FontSet` of the current render.
"""
from __future__ import annotations

import itertools
import re
import threading
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from pipeline import words
from pipeline.cache import CACHE_ROOT
from pipeline.render import gbt9704 as g
from pipeline.render.fonts import PROJECT_ROOT, CodepointSet, FontSet
from pipeline.render.punct import compress_pairs
from pipeline.render.reuse import faces_key

TEMPLATES_DIR = PROJECT_ROOT / "templates"
# Compiled templates survive the process (Jinja checks each against its source's checksum).
BYTECODE_DIR = CACHE_ROOT / "jinja"

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
    """Running text, escaped, with every character the body face lacks wrapped in
    `<span class="fallback">` (justification needs no markup: justify.py).

    A fallback face (Noto for 堃 in a FandolFang line) has other ascent/descent; left in the line's
    own text box it makes that line taller than the grid pitch. In a span no taller than its font
    size it stays inside the line's strut, so the page keeps its 22 lines.
    """
    out: list[str] = []
    run: list[str] = []
    run_fallback = False
    for ch in text:
        fallback = ord(ch) not in primary and not ch.isspace()
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


class _BytecodeCache(FileSystemBytecodeCache):
    """Jinja's on-disk cache, except that a read-only or full cache folder only costs time."""

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> _BytecodeCache | None:
    try:
        BYTECODE_DIR.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _BytecodeCache(str(BYTECODE_DIR), "%s.jinja")


_envs: dict[tuple, Environment] = {}
_envs_lock = threading.Lock()


def make_env(fonts: FontSet, templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """The environment for these faces and templates, built once per process.

    Why shared: an Environment compiles each template on first use and keeps it; a new one per render
    recompiled the plan templates every time (~0.1 s, a sixth of a warm render). Its filters close
    over the font metrics, so it is keyed by the exact faces; Jinja reloads a template whose file
    changed (auto_reload), so an edited template is never served stale.
    """
    key = (faces_key(fonts), str(templates_dir))
    with _envs_lock:
        env = _envs.get(key)
        if env is None:
            env = _envs[key] = _build_env(fonts, templates_dir)
        return env


def _build_env(fonts: FontSet, templates_dir: Path) -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_dir)), autoescape=True,
                      bytecode_cache=_bytecode_cache(), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=False)
    type_width = g.mm(g.TYPE_AREA_WIDTH_MM)

    def title_lines(text: str, size: float = g.TITLE_SIZE_PT) -> list[str]:
        return break_title(text, lambda s: fonts.text_width("xbs", s, size), type_width)

    primary = fonts.chains["fang"][0].coverage
    env.filters["gaps"] = lambda text: compress_pairs(running_text(text, primary))   # 标点挤压: punct.py
    env.filters["date_zh"] = date_zh
    env.filters["title_lines"] = title_lines
    env.globals["g"] = g
    env.globals["css"] = g.css_values()
    env.globals["fonts"] = fonts
    return env
