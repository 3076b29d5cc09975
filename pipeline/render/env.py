"""The Jinja environment every 公文 template renders in: autoescape on, strict undefined, our filters.

Parsed text is untrusted, so autoescape is on for every template (the stylesheet template included:
it only ever receives our numbers and ASCII family names) and no template applies `|safe` to parsed
text. Filters that need font metrics close over the `FontSet` of the current render.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from pipeline import words
from pipeline.cache import CACHE_ROOT
from pipeline.render import gbt9704 as g
from pipeline.text import drawable
from pipeline.render.fonts import CodepointSet, FontSet
from pipeline.render.linebreak import keep_tail
from pipeline.render.punct import compress_pairs
from pipeline.render.reuse import faces_key
from pipeline.resources import templates_dir

TEMPLATES_DIR = templates_dir()      # package data (pipeline.templates), see pipeline/resources.py
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

    Why dynamic programming: trying every combination of cuts is O(words^(lines-1)) — a 250-character
    title took minutes. With the total width fixed, the most even split is the one with the least sum
    of squared line widths, which a backward pass finds in O(lines x words x words-per-line); each
    possible first line is then completed optimally and scored exactly (evenness + shape preference).
    """
    text = " ".join(text.split())
    if width_of(text) <= max_width:
        return [text]
    words = _words(text)
    n_words = len(words)
    cut_ok = [False] + [words[i][0] not in _NO_LINE_START and words[i - 1][-1] not in _NO_LINE_END
                        for i in range(1, n_words)] + [True]
    widths: dict[tuple[int, int], float] = {}

    def line(a: int, b: int) -> str:
        return "".join(words[a:b]).strip()

    def width(a: int, b: int) -> float:
        if (a, b) not in widths:
            widths[(a, b)] = width_of(line(a, b))
        return widths[(a, b)]

    def ends_from(a: int):
        """Line ends after word `a` whose line fits (widths grow with the end: stop at the first overflow)."""
        for b in range(a + 1, n_words + 1):
            if width(a, b) > max_width:
                return
            if cut_ok[b]:
                yield b

    inf = float("inf")
    for n in range(2, MAX_TITLE_LINES + 1):
        # best[k][i]: least sum of squared widths setting words[i:] on exactly k lines; nxt: the first cut.
        best = [[inf] * (n_words + 1) for _ in range(n + 1)]
        nxt = [[-1] * (n_words + 1) for _ in range(n + 1)]
        best[0][n_words] = 0.0
        for k in range(1, n):
            for i in range(n_words - 1, -1, -1):
                if i and not cut_ok[i]:
                    continue
                for b in ends_from(i):
                    cost = best[k - 1][b]
                    if cost < inf:
                        cost += width(i, b) ** 2
                        if cost < best[k][i]:
                            best[k][i], nxt[k][i] = cost, b
        choice: tuple[float, list[str]] | None = None
        for first_end in ends_from(0):
            if best[n - 1][first_end] == inf:
                continue
            bounds, at = [0, first_end], first_end
            for k in range(n - 1, 0, -1):
                at = nxt[k][at]
                bounds.append(at)
            ws = [width(a, b) for a, b in zip(bounds, bounds[1:])]
            mean = sum(ws) / n
            score = sum((w - mean) ** 2 for w in ws) + (0.5 if ws[-1] > ws[0] else 0.0)
            if choice is None or score < choice[0]:
                choice = (score, [line(a, b) for a, b in zip(bounds, bounds[1:])])
        if choice:
            return choice[1]
    return [text]   # one unbreakable run, or too long for the lines allowed: let the browser wrap it


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
    # The name says the compile-time options: Jinja keys its cache on the template source only, and code
    # compiled without `finalize` never calls it (the suffix changed when `_finalize` was added).
    return _BytecodeCache(str(BYTECODE_DIR), "%s.finalize.jinja")


_envs: dict[tuple, Environment] = {}
_envs_lock = threading.Lock()


def _finalize(value):
    """Every value a template prints goes through text.drawable (Markup stays Markup: these characters
    are never part of markup)."""
    if isinstance(value, str):
        text = drawable(value)
        if text is not value:
            return Markup(text) if isinstance(value, Markup) else text
    return value


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
    env = Environment(loader=FileSystemLoader(str(templates_dir)), autoescape=True, finalize=_finalize,
                      bytecode_cache=_bytecode_cache(), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=False)
    type_width = g.mm(g.TYPE_AREA_WIDTH_MM)

    def title_lines(text: str, size: float = g.TITLE_SIZE_PT) -> list[str]:
        return break_title(text, lambda s: fonts.text_width("xbs", s, size), type_width)

    primary = fonts.chains["fang"][0].coverage
    env.filters["gaps"] = lambda text: compress_pairs(running_text(text, primary))   # 标点挤压: punct.py
    env.filters["date_zh"] = date_zh
    env.filters["cell"] = keep_tail            # no single character on a cell's last line: linebreak.py
    env.filters["title_lines"] = title_lines
    env.globals["g"] = g
    env.globals["css"] = g.css_values()
    env.globals["fonts"] = fonts
    return env
