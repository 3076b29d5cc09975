"""One WeasyPrint `FontConfiguration` and one parsed stylesheet per process, reused by every render.

Why: building a `FontConfiguration` per render made WeasyPrint fetch every `@font-face` file again
(Noto .ttc collections are 20–27 MB each), copy it into a fresh temporary folder and have fontconfig
and Pango load it anew — about 90 MB read, written and mapped per render, and the main reason a
render cost 1.2 s and the resident size grew by ~90 MB per render. WeasyPrint is built for sharing:
`add_font_face` returns early for a face it already holds, its own user-agent stylesheets are module
level `CSS` objects used by every document, and `FontConfiguration`'s own caches (strut layouts,
font features) are keyed by style values, not by document. Each `Document` keeps a reference to the
configuration it was laid out with, so an evicted configuration lives on as long as a document needs
it.

The configuration is `weasy_compat.font_configuration`'s (the `local-faces` adaptation): it registers
our font files where they lie instead of having WeasyPrint copy them, and names exactly the face of a
collection we measured.

What is shared is keyed by what determines it: the configuration by the exact faces (family name and
file), the stylesheet by its full text (which names every face URL), so a different `FontSet` or an
edited stylesheet template never sees a stale object. Pango and fontconfig objects are not
thread-safe, hence `LOCK`: renders in one process are serialised (they were CPU-bound anyway).
"""
from __future__ import annotations

import atexit
import logging
import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass

from pipeline.render.fonts import FontSet

LOCK = threading.RLock()
MAX_FONT_CONFIGS = 4     # distinct FontSets in one process (tests configure a few)
MAX_STYLESHEETS = 8      # distinct stylesheet texts (plan, bulletin, diff share one today)

_font_configs: OrderedDict[tuple, object] = OrderedDict()
_stylesheets: OrderedDict[tuple, "SharedStylesheet"] = OrderedDict()


@dataclass(frozen=True)
class SharedStylesheet:
    """A parsed stylesheet and what building it did, replayed into every report that uses it."""

    css: object                   # weasyprint.CSS
    served: tuple[str, ...]       # URLs (the font files) its fetcher served
    warnings: tuple[str, ...]     # WeasyPrint warnings while parsing it (bad CSS, unloadable fonts)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        try:
            self.messages.append(record.getMessage())
        except Exception:  # pragma: no cover - a malformed record must not break the render
            self.messages.append(str(record.msg))


@contextmanager
def weasyprint_warnings():
    """Collect WeasyPrint's warnings (it logs instead of raising) into the yielded list."""
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        yield collect.messages
    finally:
        logger.removeHandler(collect)


def faces_key(fonts: FontSet) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((f.family, str(f.path)) for f in fonts.faces()))


def _remember(cache: OrderedDict, key, value, limit: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > limit:
        cache.popitem(last=False)


def font_config(fonts: FontSet):
    """The process's `FontConfiguration` for these faces (created on first use). Call under LOCK."""
    key = faces_key(fonts)
    config = _font_configs.get(key)
    if config is None:
        from pipeline.render.weasy_compat import font_configuration
        config = font_configuration(fonts.faces())
        _remember(_font_configs, key, config, MAX_FONT_CONFIGS)
    else:
        _font_configs.move_to_end(key)
    return config


def stylesheet(css_text: str, fonts: FontSet, base_url: str, make_fetcher) -> SharedStylesheet:
    """The parsed stylesheet for this text and these faces, parsed (and its fonts loaded) once.

    `make_fetcher()` is called only when the stylesheet is parsed for the first time; its refusals
    propagate and nothing is cached then. Call under LOCK.
    """
    key = (faces_key(fonts), base_url, css_text)
    hit = _stylesheets.get(key)
    if hit is not None:
        _stylesheets.move_to_end(key)
        return hit
    from weasyprint import CSS
    fetcher = make_fetcher()
    with weasyprint_warnings() as warnings:
        css = CSS(string=css_text, base_url=base_url, url_fetcher=fetcher, font_config=font_config(fonts))
    hit = SharedStylesheet(css, tuple(fetcher.served), tuple(warnings))
    _remember(_stylesheets, key, hit, MAX_STYLESHEETS)
    return hit


def clear() -> None:
    """Drop every shared object (WeasyPrint then removes its temporary font folders)."""
    with LOCK:
        _stylesheets.clear()
        _font_configs.clear()


def cached_counts() -> tuple[int, int]:
    """(font configurations, stylesheets) held now — for tests."""
    return len(_font_configs), len(_stylesheets)


# `FontConfiguration.__del__` removes its temporary copy of the fonts; at interpreter shutdown module
# globals may be torn down before it runs, so release them while the interpreter is still whole.
atexit.register(clear)
