"""Jinja template → laid-out pages → checked → PDF: the render core every 公文 output shares.

The plan PDF, the progress bulletin and the diff report differ only in their template and context;
this module owns what they have in common and what must never be skipped:

- refuse early without HarfBuzz subsetting (`fonts.require_harfbuzz_subset`);
- apply the adaptations of WeasyPrint internals once (`weasy_compat.py`: CJK justification, font
  files read lazily and registered in place);
- resolve the font chains once per render; the WeasyPrint `FontConfiguration` and the parsed
  stylesheet are shared by every render of the process (`reuse.py`: fonts are loaded once);
- route every resource through `ProjectOnlyFetcher`;
- after layout and before a byte is written, check that every character drawn has a glyph in the
  font chain of its box (WeasyPrint would otherwise draw tofu silently and pdfplumber would then read
  nothing from that page), and turn WeasyPrint's own missing-glyph warnings into errors;
- write the file atomically.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.fsutil import atomic_write_bytes
from pipeline.render import weasy_compat
from pipeline.render.env import TEMPLATES_DIR, make_env
from pipeline.settings import render_settings

from pipeline.render.fonts import FontSet, needs_glyph, require_harfbuzz_subset, resolve_fonts

STYLESHEET = "gongwen.css.j2"
CONTEXT_CHARS = 12   # characters of surrounding text quoted in a missing-glyph message


@dataclass
class RenderReport:
    """What a render did, for logs, `make run` and tests."""

    pages: int = 0
    seconds: float = 0.0
    justified: bool = False
    fallback_chars: dict[str, str] = field(default_factory=dict)   # character → face that served it
    warnings: list[str] = field(default_factory=list)              # WeasyPrint warnings (CSS, fonts)
    served: list[str] = field(default_factory=list)                # URLs the fetcher served
    refused: list[str] = field(default_factory=list)
    fonts: FontSet | None = None


def _context(line, text: str, ch: str) -> str:
    """Up to CONTEXT_CHARS characters either side of `ch`, from its whole line when it was set in a
    span of its own (a fallback face), so the clerk can find the sentence."""
    if line is not None:
        whole = "".join(getattr(b, "text", "") or "" for b in line.descendants() if hasattr(b, "pango_layout"))
        if ch in whole:
            text = whole
    i = text.index(ch)
    return text[max(0, i - CONTEXT_CHARS):i + CONTEXT_CHARS].replace("\u200b", "")


def _check_glyphs(document, fonts: FontSet, report: RenderReport, label: str) -> None:
    """Every drawn character must be in a face of its box's font-family list (our faces only).

    Looked up once per distinct character and family list (a plan draws ~20,000 characters but only
    ~1,000 distinct ones), so the check costs milliseconds, not a tenth of the render.
    """
    from weasyprint.formatting_structure.boxes import LineBox

    by_family = {f.family: f for f in fonts.faces()}
    faces_of: dict[tuple, dict[str, object]] = {}     # family list → character → face (None: no glyph)
    for page_no, page in enumerate(document.pages, start=1):
        line = None          # the line box being walked: its whole text is the message's context
        for box in page._page_box.descendants():
            if isinstance(box, LineBox):
                line = box
            text = getattr(box, "text", None)
            if not text or not hasattr(box, "pango_layout"):
                continue
            families = tuple(box.style["font_family"])
            chain = [by_family[name] for name in families if name in by_family]
            known = faces_of.setdefault(families, {})
            missing = []
            for ch in set(text).difference(known):
                if not needs_glyph(ch):
                    known[ch] = chain[0] if chain else None
                    continue
                face = next((f for f in chain if ord(ch) in f.coverage), None)
                if face is None:
                    missing.append(ch)
                    continue
                known[ch] = face
                if face is not chain[0]:
                    report.fallback_chars.setdefault(ch, face.family)
            if missing:
                ch = text[min(text.index(c) for c in missing)]     # the first one in reading order
                context = _context(line, text, ch)
                names = "、".join(f.family for f in chain) or "（未指定字体）"
                raise InputError(None, f"第{page_no}页“{context}”中的字符“{ch}”（U+{ord(ch):04X}）"
                                       f"在已配置的字体（{names}）中都没有字形，无法排版{label}",
                                 hint="请改用常用字，或配置包含该字的字体（环境变量 PLANDOC_FONT_FANG 等）")


IMPRINT_MIN_GAP_LINES = 1   # at least one blank line between the last text and the 版记


def imprint_needs_new_page(document) -> bool:
    """Does the 版记 (set at the foot of the last page, partials/imprint.html.j2) overlap the text above
    it, or come closer than a blank line? Then it moves to a page of its own (typesetting.md §3, 版记).
    `document` is WeasyPrint's laid-out document."""
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox

    from pipeline.render import gbt9704 as g
    page = document.pages[-1]._page_box
    content = [b for child in page.children if not isinstance(child, MarginBox)   # not the page number
               for b in child.descendants()]
    imprint_top, imprint_lines, text_bottom = None, set(), 0.0
    for box in content:
        el = getattr(box, "element", None)
        if imprint_top is None and el is not None and "imprint" in (el.get("class") or "").split() \
                and box.element_tag == "div":
            imprint_top = box.position_y
            imprint_lines = {id(b) for b in box.descendants()}
    if imprint_top is None:
        return False
    for box in content:
        if isinstance(box, LineBox) and id(box) not in imprint_lines and box.children:
            text_bottom = max(text_bottom, box.position_y + box.height)
    return text_bottom > imprint_top - IMPRINT_MIN_GAP_LINES * g.LINE_PITCH_PT


def imprint_move(pages: int, no_room: bool, duplex: bool) -> str | None:
    """Where the 版记 goes after a first layout of `pages` pages (typesetting.md §3, 版记):
    None (it stays at the foot of the last page), "page" (the next page: single-sided), "even" (the
    next page, which is even: the 版记 of a duplex document is on the back of its last leaf) or
    "even-quiet" (the even page after a blank one; neither of them carries a page number)."""
    if not duplex:
        return "page" if no_room else None
    if pages % 2:
        return "even"
    return "even-quiet" if no_room else None


def imprint_relayout(context: dict):
    """The `relayout` of a document whose `context["imprint"]` sits at the foot of the last page: lay
    out once more when the 版记 must move (`imprint_move`; duplex when the margins are mirrored)."""
    from pipeline.render import gbt9704 as g

    def relayout(document):
        imp = context.get("imprint")
        if not imp or imp.get("new_page"):
            return None
        move = imprint_move(len(document.pages), imprint_needs_new_page(document),
                            g.MIRROR_MARGINS and g.IMPRINT_ON_EVEN_PAGE)
        if move is None:
            return None
        imp["new_page"] = move
        return context
    return relayout


def render_pdf(template: str, context: dict, out: str | Path, *, fonts: FontSet | None = None,
               label: str = "", relayout=None) -> RenderReport:
    """Render `templates/<template>` with `context` into the PDF `out`. Raises InputError (Chinese).

    `relayout(document)` may look at the laid-out pages and return a changed context to lay out once
    more (an element placed by where the pages end, such as the 版记 at the foot of the last page);
    None keeps the first layout."""
    t0 = time.perf_counter()
    # PDF/A-2b by default (what 公文 archives ask for); PLANDOC_PDF_VARIANT, validated, picks another or none
    variant = render_settings().pdf_variant
    require_harfbuzz_subset()
    report = RenderReport(justified=weasy_compat.install()["cjk-justify"])
    fonts = fonts or resolve_fonts()
    report.fonts = fonts
    env = make_env(fonts)
    html_text = env.get_template(template).render(**context)
    css_text = env.get_template(STYLESHEET).render()

    from weasyprint import HTML

    from pipeline.render import reuse
    from pipeline.render.fetcher import ProjectOnlyFetcher, RefusedFetch

    base = TEMPLATES_DIR.as_uri() + "/"
    fetcher = ProjectOnlyFetcher([TEMPLATES_DIR], fonts.allowed_paths())
    try:
        with reuse.LOCK:
            sheet = reuse.stylesheet(css_text, fonts, base,
                                     lambda: ProjectOnlyFetcher([TEMPLATES_DIR], fonts.allowed_paths()))
            with reuse.weasyprint_warnings() as warnings:
                document = HTML(string=html_text, base_url=base, url_fetcher=fetcher).render(
                    stylesheets=[sheet.css], font_config=reuse.font_config(fonts))
                again = relayout(document) if relayout is not None else None
                if again is not None:
                    html_text = env.get_template(template).render(**again)
                    document = HTML(string=html_text, base_url=base, url_fetcher=fetcher).render(
                        stylesheets=[sheet.css], font_config=reuse.font_config(fonts))
                _check_glyphs(document, fonts, report, label)
                pdf = document.write_pdf(**({"pdf_variant": variant} if variant else {}))
    except RefusedFetch as e:
        raise InputError(None, f"排版时试图读取项目以外的资源（{e.url}），已拒绝") from None
    report.warnings = [*sheet.warnings, *warnings]
    missing = [m for m in report.warnings if ".notdef" in m or "glyphs missing" in m]
    if missing:
        raise InputError(None, f"排版时有字符缺少字形：{missing[0]}", hint="请配置包含这些字符的字体")
    atomic_write_bytes(out, pdf)
    report.pages = len(document.pages)
    # the fonts were fetched once per process, when the shared stylesheet was parsed (reuse.py)
    report.served, report.refused = [*sheet.served, *fetcher.served], fetcher.refused
    report.seconds = time.perf_counter() - t0
    return report
