"""`plandoc render`: a parsed plan (`ParseResult`) → the formatted plan as a GB/T 9704 PDF.

This module only shapes data for `templates/plan.html.j2`: it turns the node tree into paragraphs of
runs (which span takes which heading font is decided here from the ladder; how each looks is decided
by the stylesheet), computes the few offsets the standard ties to string widths (signature, date,
issuer mark), and rebuilds the indicator table's row/col spans from the model's merged cells.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.render import gbt9704 as g
from pipeline.render.engine import RenderReport, imprint_relayout, render_pdf
from pipeline.render.env import date_zh
from pipeline.render.fonts import FontSet, resolve_fonts
from pipeline.schema import Imprint, Node, ParseResult, Row

STYLES = ("plain", "formal")
# Heading span class by ladder level (1 一、黑体 · 2 （一）楷体 · 3 1. 仿宋 · 4 （1） 仿宋).
LEVEL_CLASS = {0: "h1", 1: "h1", 2: "h2", 3: "h3", 4: "h4"}
# A heading title ending in one of these is the first sentence of its paragraph (run-in heading).
SENTENCE_END = "。！？；：…"
CN_NUMERALS = "一二三四五六七八九十"
ISSUER_MARK_INK_DROP_EM = 0.105
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Run:
    text: str
    kind: str = "text"          # text | h1 | h2 | h3 | h4


@dataclass
class Para:
    runs: list[Run] = field(default_factory=list)
    heading: str | None = None  # a stand-alone heading line: its class; None for running text


@dataclass
class TableCellOut:
    text: str
    cls: str = ""
    rowspan: int = 1
    colspan: int = 1


@dataclass
class TableRowOut:
    cells: list[TableCellOut]
    kind: str = "item"          # item | category


# --- Running text ---------------------------------------------------------------------------------

def _split(text: str) -> list[str]:
    return [p.strip() for p in (text or "").split("\n") if p.strip()]


def _heading_text(node: Node) -> str:
    # 第一章　规划背景: a part/chapter label is set off from its title by a full-width space, as printed
    gap = "\u3000" if node.level == 0 and (node.label or "").startswith("第") and node.title else ""
    return f"{node.label or ''}{gap}{node.title}"


def _body_after_title(node: Node) -> str:
    """The node's own text without a repeated title (some parsers keep the title inside `text`)."""
    text = node.text or ""
    for lead in (_heading_text(node), node.title):
        if lead and text.startswith(lead):
            return text[len(lead):]
    return text


def _closing_mark(node: Node) -> str:
    """The delimiter the source had after a run-in title, which the model does not keep.

    Run-in sentences end in 。; a parallel run of very short phrases (向西，/向东，) ends in ，
    (the parser recognises those by length, so the same threshold decides here).
    """
    from pipeline.parse.headlines import MIN_HEADLINE_HAN
    title = node.title or ""
    if node.title_end:                       # the parser recorded the source's mark
        return node.title_end
    if title and title[-1] in SENTENCE_END + "，,":
        return ""
    if node.kind == "headline" and not node.label and len(_HAN.findall(title)) < MIN_HEADLINE_HAN:
        return "，"
    return "。"


def _is_run_in(node: Node) -> bool:
    """Does the heading open its paragraph (（一）聚力推进……“快进键”。全力以赴……) or stand alone?

    Provenance decides when the first child starts in the heading's own paragraph; otherwise a title
    that is a sentence (inner ，；) is run-in and a caption (一、总体要求) stands on its own line.
    """
    if node.kind == "headline":
        return True
    w = node.where
    if node.children:
        c = node.children[0].where
        if (w.line is not None and w.line == c.line and w.page == c.page) or \
                (w.paragraph is not None and w.paragraph == c.paragraph):
            return True
    return any(ch in (node.title or "") for ch in "，；,;")


def node_paragraphs(node: Node, out: list[Para]) -> None:
    """Append the paragraphs of `node` itself (not its children) to `out`, in reading order.

    Headlines continue the paragraph they sit in (as in the source, where an item with its run-in
    headlines is one paragraph); only numbered headings take a heading font, and only for their span.
    """
    cls = LEVEL_CLASS.get(node.level, "h4") if node.kind != "headline" else None
    heading = _heading_text(node)
    body = _split(_body_after_title(node))
    if node.kind == "headline":
        lead = [Run(heading + _closing_mark(node))] if heading else []
        first = lead + ([Run(body.pop(0))] if body else [])
        if out and out[-1].heading is None and first:
            out[-1].runs.extend(first)
        elif first:
            out.append(Para(first))
    elif heading and _is_run_in(node):
        first = Para([Run(heading + _closing_mark(node), cls)])
        if body:
            first.runs.append(Run(body.pop(0)))
        out.append(first)
    elif heading:
        out.append(Para([Run(heading, cls)], heading=cls))
    out.extend(Para([Run(p)]) for p in body)


def plan_paragraphs(result: ParseResult) -> list[Para]:
    out = [Para([Run(p)]) for p in _split(result.plan.preamble)]
    for node in result.plan.walk():           # document order: a heading, its text, then its children
        node_paragraphs(node, out)
    return out


# --- Signature, date, 版头 -------------------------------------------------------------------------

def signature_layout(fonts: FontSet, issuers: list[str], date: str, style: str) -> dict:
    """Offsets (pt from the 版心 left) of the signature lines and the date (typesetting.md §3)."""
    width = g.mm(g.TYPE_AREA_WIDTH_MM)
    pitch = g.CHAR_PITCH_PT

    def w(s: str) -> float:
        return fonts.text_width("fang", s, g.BODY_SIZE_PT, g.BODY_LETTER_SPACING_PT)

    sig_w = max((w(s) for s in issuers), default=0.0)
    date_w = w(date) if date else 0.0
    if style == "formal":   # sealed layout: date ends 4 字 from the right, signature centred over it
        date_left = width - g.SEALED_DATE_RIGHT_CHARS * pitch - date_w
        centre = date_left + date_w / 2
        lines = [{"text": s, "left": max(0.0, centre - w(s) / 2)} for s in issuers]
    else:                   # no seal: signature 2 字 from the right, date 2 字 right of its start
        sig_left = width - g.SIGNATURE_RIGHT_CHARS * pitch - sig_w
        date_left = sig_left + g.DATE_SHIFT_CHARS * pitch
        if date_left + date_w > width - g.SIGNATURE_RIGHT_CHARS * pitch:
            date_left = width - g.SIGNATURE_RIGHT_CHARS * pitch - date_w
            sig_left = date_left - g.DATE_SHIFT_CHARS * pitch
        lines = [{"text": s, "left": max(0.0, sig_left)} for s in issuers]
    return {"issuer_lines": lines, "date": date, "date_left": max(0.0, date_left)}


def banner_layout(fonts: FontSet, mark: str, doc_number: str | None) -> dict:
    """The largest issuer-mark size that fits one 版心 line, and its offset below the 版心 top."""
    width = g.mm(g.TYPE_AREA_WIDTH_MM)
    size = g.ISSUER_MARK_MAX_PT
    while size > g.ISSUER_MARK_MIN_PT and fonts.text_width("xbs", mark, size) > width:
        size -= 0.5
    # With line-height = font size the em box starts at the line top; hanzi ink starts a little
    # below it (measured for Noto Serif CJK Bold: the ink top lands 0.105 em lower than the line top).
    offset = g.mm(g.ISSUER_MARK_TOP_MM) - ISSUER_MARK_INK_DROP_EM * size
    return {"mark": mark, "mark_size": size, "mark_offset": offset, "doc_number": doc_number}


# --- Indicator table ------------------------------------------------------------------------------

def _cell_text(cell) -> str:
    return (cell.text or "").strip() if cell is not None else ""


def indicator_table(rows: list[Row], units_note: str | None = None) -> dict:
    """Head rows and body rows with spans. Merged cells (`merged: true`, same text, adjacent) become
    one cell with colspan/rowspan; category rows get their 一、二、 labels back; rows under a
    category are indented."""
    base_label = next((r.base.label for r in rows if r.base.label), None) or "基期"
    target_label = next((r.target.label for r in rows if r.target.label), None) or "目标"
    head = [
        [TableCellOut("指标名称", rowspan=2), TableCellOut("单位", rowspan=2),
         TableCellOut(base_label, colspan=2), TableCellOut(target_label, colspan=2)],
        [TableCellOut("绝对值"), TableCellOut("增长%"), TableCellOut("绝对值"), TableCellOut("增长%")],
    ]
    # Grid: (text, merged) per column, with the row kind.
    grid: list[tuple[str, list[tuple[str, bool]]]] = []
    seen_categories: list[str] = []
    for row in rows:
        if row.category not in seen_categories:
            seen_categories.append(row.category)
            label = CN_NUMERALS[len(seen_categories) - 1] + "、" if len(seen_categories) <= 10 else ""
            if row.name != row.category:
                grid.append(("category", [(label + row.category, False)] + [("", False)] * 5))
            else:
                grid.append(("category", _value_cells(row, label + row.name)))
                continue
        if row.name == row.category:
            grid.append(("category", _value_cells(row, row.name)))
        else:
            grid.append(("item", _value_cells(row, row.name)))
    body = _spans(grid)
    return {"head": head, "body": body, "n_cols": 6, "units_note": units_note}


def _value_cells(row: Row, name: str) -> list[tuple[str, bool]]:
    cells = [row.base.value, row.base.growth, row.target.value, row.target.growth]
    return [(name, False), (row.unit or "", False)] + [(_cell_text(c), bool(c.merged)) for c in cells]


def _spans(grid: list[tuple[str, list[tuple[str, bool]]]]) -> list[TableRowOut]:
    n_rows, n_cols = len(grid), len(grid[0][1]) if grid else 0
    covered = [[False] * n_cols for _ in range(n_rows)]
    out: list[TableRowOut] = []
    for r, (kind, cells) in enumerate(grid):
        row_out: list[TableCellOut] = []
        for c in range(n_cols):
            if covered[r][c]:
                continue
            text, merged = cells[c]
            colspan = rowspan = 1
            if merged and text:   # grow a rectangle over free cells that repeat the same merged text
                while (c + colspan < n_cols and not covered[r][c + colspan]
                       and cells[c + colspan] == (text, True)):
                    colspan += 1
                while r + rowspan < n_rows and grid[r + rowspan][0] == kind and all(
                        not covered[r + rowspan][c + k] and grid[r + rowspan][1][c + k] == (text, True)
                        for k in range(colspan)):
                    rowspan += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    covered[r + dr][c + dc] = True
            cls = ("name child" if kind == "item" else "name") if c == 0 else ""
            row_out.append(TableCellOut(text, cls, rowspan, colspan))
        out.append(TableRowOut(row_out, kind))
    return out


# --- Entry point ----------------------------------------------------------------------------------

def plan_context(result: ParseResult, style: str, fonts: FontSet, imprint: Imprint | None = None) -> dict:
    plan = result.plan
    attachment_title = plan.attachment_title or ("附件" if plan.indicators else None)
    notice_ctx = None
    if result.notice is not None:
        n = result.notice
        issuers = n.issuers or ([n.issuer] if n.issuer else [])
        doc_number = n.doc_number.canonical or n.doc_number.text if n.doc_number else None
        banner = None
        if style == "formal" and (n.issuer or issuers):
            banner = banner_layout(fonts, f"{n.issuer or ''.join(issuers)}文件", doc_number)
        notice_ctx = {
            "title": n.title,
            "banner": banner,
            "addressees": (n.addressees_text + "：") if n.addressees_text else _addressee_line(n.addressees),
            "paragraphs": [Para([Run(p)]) for p in _split(n.body)],
            "attachments": [a for a in n.attachments if a != plan.attachment_title],
            "signature": {**signature_layout(fonts, issuers, date_zh(n.date), style),
                          "publicity": (n.publicity or "").strip("（）() ") or None},
        }
    if notice_ctx is not None:
        notice_ctx["pitch"] = None          # the cover's own line pitch when it must be tightened (fit.py)
    if notice_ctx is not None and style == "formal":
        from pipeline.render.env import make_env
        from pipeline.render.fit import cover_pitch
        n_title = len(make_env(fonts).filters["title_lines"](notice_ctx["title"]))
        notice_ctx["pitch"] = cover_pitch(fonts, notice_ctx, n_title)
    attachments = []
    if plan.indicators or plan.attachment_title:
        attachments.append({
            "label": "附件",
            "title": plan.attachment_title,
            "table": indicator_table(plan.indicators, plan.table_units_note) if plan.indicators else None,
        })
    return {
        "style": style,
        "imprint": plan_imprint(result, imprint) if style == "formal" else None,
        "doc": pdf_metadata(result),
        "notice": notice_ctx,
        "plan": {"title": plan.title, "paragraphs": plan_paragraphs(result),
                 "attachments": [attachment_title] if attachments and attachment_title else []},
        "attachments": attachments,
    }


def plan_imprint(result: ParseResult, given: Imprint | None = None) -> dict | None:
    """The 版记 (GB/T 9704 §7.4) of the formal plan: the source's (`notice.imprint`), with the fields the
    configuration gives (`given`, e.g. `plandoc render --cc`) taking precedence. Without a 印发机关
    the issuing organ prints it; without a 印发日期, the notice's date. None when neither gives a 抄送
    nor a 印发 line."""
    n = result.notice
    src = n.imprint if n is not None and n.imprint is not None else Imprint()
    cc_text = (given.cc_text if given and given.cc_text else None) or src.cc_text or \
        ("、".join(src.cc) if src.cc else None)
    printer = (given.printer if given else None) or src.printer
    date = (given.print_date if given else None) or src.print_date
    if not (cc_text or printer or date):
        return None
    printer = printer or (n.issuer if n is not None else None) or result.plan.region or ""
    date = date or (n.date if n is not None else None)
    return {"cc": (cc_text.rstrip("。.") + "。") if cc_text else None,
            "printer": printer, "date": (date_zh(date) + "印发") if date else "", "new_page": False}


def pdf_metadata(result: ParseResult) -> dict:
    """Title, author (the issuing organ), subject (the plan) and keywords of the PDF's document info."""
    plan, n = result.plan, result.notice
    title = (n.title if n else None) or plan.title or "计划"
    keywords = [k for k in (plan.region, f"{plan.year}年" if plan.year else None, "国民经济和社会发展计划") if k]
    if n and n.doc_number:
        keywords.insert(0, n.doc_number.canonical or n.doc_number.text)
    return {"title": title, "author": (n.issuer if n else None) or plan.region or None,
            "subject": plan.title if plan.title and plan.title != title else None, "keywords": keywords}


def _addressee_line(addressees: list[str]) -> str | None:
    """Rejoin the addressee items; the model keeps items, the page shows the list ending in ：."""
    if not addressees:
        return None
    return "、".join(addressees) + "："


def render_plan_pdf(result: ParseResult, out: Path, style: str = "plain", *,
                    fonts: FontSet | None = None, imprint: Imprint | None = None) -> RenderReport:
    """Render the plan to `out` (atomically). Raises InputError with a Chinese reason on failure."""
    if style not in STYLES:
        raise InputError(None, f"不支持的排版样式“{style}”", hint="可选 plain 或 formal")
    if not result.plan.sections and not result.plan.preamble and not result.plan.indicators:
        raise InputError(result.source.path, "解析结果里没有计划正文，无法排版", hint="请确认输入的是计划通知")
    fonts = fonts or resolve_fonts()
    context = plan_context(result, style, fonts, imprint)
    return render_pdf("plan.html.j2", context, out, fonts=fonts, label="计划", relayout=imprint_relayout(context))
