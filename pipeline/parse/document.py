"""Blocks → ParseResult: find the layers, then hand each to its parser.

Layers (domain.md §1): [website chrome] → [cover notice] → plan title → body → [附件 indicator table]
→ [版记 remnant]. The attachment region is found *before* numbering is scanned, because flattened
category rows (一、地区生产总值) look exactly like L1 headings.
"""
from __future__ import annotations

import re

from pipeline.blocks import SourceDoc, TableBlock, TextBlock
from pipeline.diagnostics import DiagnosticCode as Code, Diagnostics
from pipeline.parse.cover import (ATTACHMENT_LINE, parse_closing, parse_cover, parse_doc_number, parse_imprint,
                                  title_object)
from pipeline.parse.dates import parse_date
from pipeline.parse.header_block import split_header_block
from pipeline.parse.labels import match_label
from pipeline.parse.table import is_indicator_table, parse_table
from pipeline.parse.tree import build_tree
from pipeline.schema import ParseResult, Plan, Source
from pipeline.text import CN_LABEL_RUN, squeeze_cjk_spaces

_RULE_LINE = re.compile(r"^[-—－―_＿=＝─━·.…\s]+$")
_ATTACHMENT_HEAD = re.compile(r"^附\s*件\s*\d*\s*$")
_CHROME = re.compile(r"^(下载|打印|全屏|收藏|分享|关闭|【?字号|【\s*大\s*中\s*小|扫一扫|来源[:：]|浏览次数|当前位置|首页\s*[>＞])")
_PLAN_GENRE = re.compile(r"(计划|规划|报告|要点|纲要|方案|安排|意见)([（(][^）)]*[）)])?(草案)?$")
_TERMINAL = re.compile(r"[。；！？]")
_TITLE_REGION_YEAR = re.compile(r"^(?P<region>[\u4e00-\u9fff]{2,20}?)(?P<year>(19|20)\d{2})\s*年")
_TITLE_YEAR_REGION = re.compile(r"^(?P<year>(19|20)\d{2})\s*年(?P<region>[\u4e00-\u9fff]{1,12}?(省|自治区|市|区|县|旗|州|盟))")
_ANY_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
MAX_TITLE_LEN = 60
# A year range in a title (（2021—2035年）, (2024-2026年), 2025年—2027年) is the plan's period, never its year.
_YEAR_RANGE = re.compile(r"[（(]?\s*(?:19|20)\d{2}\s*年?\s*[-—–－~～至到]+\s*(?:19|20)?\d{2,4}\s*年?\s*[）)]?")
_MULTI_YEAR = re.compile(r"[“\"]?十[一二三四五六七八九]五[”\"]?|[三五]年(行动)?(计划|规划|方案)")


def _is_furniture(b: TextBlock) -> bool:
    return bool(_RULE_LINE.match(b.norm)) or bool(_CHROME.match(b.norm))


_OPEN_AT_END = re.compile(r"[（(“《〔［\[]$")
_BARE_YEAR = re.compile(r"^(19|20)\d{2}$")      # a date broken after its year: "2014" / "年8月26日"


def rejoin_broken_lines(paras: list[TextBlock]) -> list[TextBlock]:
    """Rejoin a paragraph that ends in an opening bracket with the next one (scrape defect: "（" / "三）…"),
    and a bare year with the 年… line that continues it (a date broken inside a table-like layout)."""
    out: list[TextBlock] = []
    for b in paras:
        if out and (_OPEN_AT_END.search(out[-1].norm) or (_BARE_YEAR.match(out[-1].norm) and b.norm.startswith("年"))):
            prev = out[-1]
            out[-1] = TextBlock(text=prev.text + b.text, norm=prev.norm + b.norm, where=prev.where, style=prev.style,
                                outline_level=prev.outline_level, auto_label=prev.auto_label, font=prev.font,
                                indent=prev.indent)
        else:
            out.append(b)
    return out


# A document that lost its line breaks: split before L1/L2 labels that follow terminal punctuation.
_RUN_ON_SPLIT = re.compile(rf"(?<=[。！？；：])\s*(?={CN_LABEL_RUN}、|[（(]{CN_LABEL_RUN}[）)])")
RUN_ON_MIN_CHARS = 3000          # only paragraphs this long are suspected of being a whole document


def split_run_on(paras: list[TextBlock]) -> list[TextBlock]:
    """Whole-document-on-one-line inputs (domain.md §5, hard wraps): split at labels after 。；：."""
    out: list[TextBlock] = []
    for b in paras:
        if len(b.norm) < RUN_ON_MIN_CHARS or len(b.norm) != len(b.text):
            out.append(b)
            continue
        pos = 0
        for m in _RUN_ON_SPLIT.finditer(b.norm):
            if m.start() > pos:
                out.append(TextBlock(text=b.text[pos:m.start()].strip(), norm=b.norm[pos:m.start()].strip(), where=b.where))
            pos = m.end()
        out.append(TextBlock(text=b.text[pos:].strip(), norm=b.norm[pos:].strip(), where=b.where))
    return out


ATTACHMENT_LOOKAHEAD = 4      # non-blank blocks between a 附件 head and its table (the table's title)


def _attachment_start(blocks: list) -> int:
    """Where the 附件 region starts: a 附件 head whose table follows within a few lines; else a table after
    which no numbered heading comes (the table closes the document); else nowhere."""
    for i, b in enumerate(blocks):
        if isinstance(b, TextBlock) and _ATTACHMENT_HEAD.match(b.norm):
            seen = 0
            for nb in blocks[i + 1:]:
                if isinstance(nb, TableBlock):
                    return i
                if not nb.is_blank:
                    seen += 1
                    if seen > ATTACHMENT_LOOKAHEAD:
                        break
    for i, b in enumerate(blocks):
        if isinstance(b, TableBlock):
            if not any(isinstance(a, TextBlock) and match_label(a.norm) is not None and match_label(a.norm).rung <= 1
                       for a in blocks[i + 1:]):
                return i
    return len(blocks)


def _looks_like_title(norm: str) -> bool:
    t = squeeze_cjk_spaces(norm)
    return (0 < len(t) <= MAX_TITLE_LEN and not _TERMINAL.search(t) and match_label(t) is None
            and not t.endswith(("：", ":")))


def _metadata_fields(meta: dict[str, str]) -> dict[str, str]:
    """Front matter / page metadata (a reader's `SourceDoc.metadata`) under the header-block labels."""
    out = {}
    for key in ("标题", "文号", "发文字号", "成文日期"):
        v = (meta.get(key) or "").strip()
        if v and v not in ("-", "—", "无"):
            out[key] = v
    return out


MAX_PLAN_TITLE_LINES = 3


def _plan_title_lines(rest: list[TextBlock], i: int) -> int:
    """How many lines from `i` make the plan title (0: none). Titles wrap (`…碳达峰碳中和` / `及节能减排重点
    工作安排`, `…三年行动计划` / `（2019—2021）`): the longest run of title-shaped lines ending in a genre wins."""
    for k in range(MAX_PLAN_TITLE_LINES, 0, -1):
        run = rest[i:i + k]
        if len(run) < k or not all(_looks_like_title(b.norm) and not _ATTACHMENT_HEAD.match(b.norm) for b in run):
            continue
        joined = "".join(squeeze_cjk_spaces(b.norm) for b in run)
        if len(joined) <= MAX_TITLE_LEN + 10 and _PLAN_GENRE.search(joined):
            return k
    return 0


def _fill_from_header(notice, header: dict[str, str], diagnostics: Diagnostics) -> None:
    """Secondary evidence: only what the body itself lacks, and never a posting date as 成文日期."""
    full = squeeze_cjk_spaces(header.get("标题", ""))
    cut = squeeze_cjk_spaces(notice.title)
    if full and cut and full != cut and full.startswith(cut) and not cut.endswith(("通知", "意见", "批复", "函", "决定")):
        notice.title = full
        diagnostics.add(Code.title_from_header, f"正文标题“{cut}”不完整，采用文件信息中的“{full}”")
    number = header.get("发文字号") or header.get("文号")
    if notice.doc_number is None and number:
        notice.doc_number = parse_doc_number(number)
        if notice.doc_number:
            diagnostics.add(Code.doc_number_from_header, f"正文中没有发文字号，采用网页信息栏中的“{number}”")
    if notice.date is None and header.get("成文日期"):
        iso, _ = parse_date(header["成文日期"]) if "年" in header["成文日期"] else (_iso(header["成文日期"]), None)
        if iso:
            notice.date = iso
            diagnostics.add(Code.date_from_header, f"正文中没有成文日期，采用网页信息栏中的“{header['成文日期']}”")


def _iso(s: str) -> str | None:
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", s.strip())
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


IMPRINT_TAIL = 10      # non-blank lines at the end of the document searched for the 版记


def _split_imprint(blocks: list):
    """(blocks without the 版记, the 版记, where it starts) — the 版记 closes the whole document, after the attachments,
    so it is cut off before anything else reads the tail (it is neither a table row nor plan text).
    Only text after the last table is searched."""
    tail: list[int] = []
    for i in range(len(blocks) - 1, -1, -1):
        b = blocks[i]
        if isinstance(b, TableBlock) or len(tail) >= IMPRINT_TAIL:
            break
        if isinstance(b, TextBlock) and not b.is_blank and not _is_furniture(b):
            tail.append(i)
    tail.reverse()
    found = parse_imprint([blocks[i] for i in tail])
    if found is None:
        return blocks, None, None
    return blocks[:tail[found.start]], found.imprint, blocks[tail[found.start]].where


def parse_document(doc: SourceDoc, *, keywords: bool = True) -> ParseResult:
    diagnostics = Diagnostics(doc.diagnostics)        # the one collector for this parse (reader's remarks first)
    # 0. Tables flattened one cell per paragraph become TableBlocks (any reader: web text, .md, copy-paste).
    from pipeline.parse.flat_table import find_flat_tables
    source_blocks, imprint, imprint_where = _split_imprint(doc.blocks)
    blocks, flat_warnings = find_flat_tables(source_blocks)
    for c, m, w in flat_warnings:
        diagnostics.add(Code(c), m, w)
    # 1. Split off the attachment region: a "附件" head line that leads to a table (or the last table when
    #    no heading follows it). Tables inside the body (a 主要指标 table under 一、) are parsed where they stand.
    att_start = _attachment_start(blocks)
    paras = split_run_on(rejoin_broken_lines([b for b in blocks[:att_start]
                                              if isinstance(b, TextBlock) and not b.is_blank and not _is_furniture(b)]))
    body_tables = [b for b in blocks[:att_start] if isinstance(b, TableBlock)]
    # 2. A website header block (标题/索引号/文号… labels) is metadata, not the document.
    header, header_end = split_header_block(paras)
    if header_end:
        diagnostics.add(Code.header_block, f"开头 {header_end} 行是网页信息栏（{'、'.join(header)}），已作为辅助信息跳过",
                        paras[0].where)
        paras = paras[header_end:]
    # 3. Cover notice.
    cover = parse_cover(paras, diagnostics)
    notice = cover.notice
    if notice is not None and imprint is not None:
        notice.imprint = imprint
    elif imprint is not None:
        diagnostics.add(Code.imprint_without_notice,
                        f"文末的版记（{'抄送：' + imprint.cc_text if imprint.cc_text else ''}"
                        f"{imprint.printer or ''}{'印发' if imprint.print_date else ''}）没有对应的通知封面，未写入结果",
                        imprint_where)
    header = {**_metadata_fields(doc.metadata), **header}
    if notice is not None and header:
        _fill_from_header(notice, header, diagnostics)
    rest = paras[cover.end:]
    # 4. Plan title: the first title-shaped paragraph before the first label.
    plan = Plan()
    title_i = None
    title_len = 1
    for i, b in enumerate(rest[:12]):
        if match_label(b.norm):
            break
        k = _plan_title_lines(rest, i)
        if k:
            title_i, title_len = i, k
            break
    if title_i is None and rest and _looks_like_title(rest[0].norm) and notice is None:
        title_i = 0
    if title_i is not None:
        plan.title = "".join(squeeze_cjk_spaces(b.text).strip() for b in rest[title_i:title_i + title_len])
        pre_title = rest[:title_i]
        body = rest[title_i + title_len:]
    else:
        pre_title = []
        body = rest
        if notice is not None:
            plan.title = title_object(notice) or None
    if notice is None and pre_title:
        diagnostics.add(Code.header_skipped, f"标题前有 {len(pre_title)} 行未识别的内容（网页信息栏等），已忽略",
                        pre_title[0].where)
    # 4. Attachment notes (附件：…) close the plan text; they are not tasks.
    attachments: list[str] = []
    body_paras: list[TextBlock] = []
    for b in body:
        m = ATTACHMENT_LINE.match(b.norm)
        if m:
            attachments.append(m.group(1).strip())
        else:
            body_paras.append(b)
    if notice is not None:
        notice.attachments = attachments
        if notice.issuer is None:
            body_paras = body_paras[:parse_closing(body_paras, notice)]
        if notice.issuer is None and cover.title_issuers:
            notice.issuers = list(cover.title_issuers)
            notice.issuer = "、".join(notice.issuers)
            diagnostics.add(Code.issuer_from_title, f"没有落款机关，发文机关取自标题：{notice.issuer}")
    # 5. Region and year.
    src_title = _YEAR_RANGE.sub("", plan.title or "")
    multi_year = src_title != (plan.title or "") or bool(_MULTI_YEAR.search(src_title))
    m = _TITLE_REGION_YEAR.match(src_title)
    m = m or _TITLE_YEAR_REGION.match(src_title)
    if m:
        plan.region, plan.year = m.group("region"), int(m.group("year"))
    else:
        m2 = _ANY_YEAR.search(src_title) or (None if multi_year else next(
            (mm for b in body_paras[:5] if (mm := _ANY_YEAR.search(b.norm))), None))
        if m2:
            plan.year = int(m2.group(1))
    # 6. The numbered tree.
    sections, preamble = build_tree(body_paras, diagnostics)
    plan.sections = sections
    plan.preamble = preamble
    if not sections:
        diagnostics.add(Code.no_headings, "正文中没有找到“一、”“（一）”等编号标题")
    # 7. Indicator tables in the attachment region.
    inferred = []
    tail = blocks[att_start:]
    for b in body_tables:
        if not is_indicator_table(b):
            continue
        res = parse_table(b, plan.year, row_id_start=len(plan.indicators) + 1, diagnostics=diagnostics)
        plan.indicators.extend(res.rows)
        inferred.extend(res.inferred)
    for i, b in enumerate(tail):
        if not isinstance(b, TableBlock) or not is_indicator_table(b):
            continue
        res = parse_table(b, plan.year, row_id_start=len(plan.indicators) + 1, diagnostics=diagnostics)
        if not res.rows:
            continue
        plan.indicators.extend(res.rows)
        inferred.extend(res.inferred)
        if plan.attachment_title is None:
            heads = [t for t in tail[:i] if isinstance(t, TextBlock) and not t.is_blank
                     and not _ATTACHMENT_HEAD.match(t.norm) and not _is_furniture(t)]
            if heads:
                plan.attachment_title = squeeze_cjk_spaces(heads[-1].text)
    if plan.attachment_title is None and attachments:
        plan.attachment_title = attachments[0]
    # 8. Prose targets, table↔body reconciliation, keywords.
    from pipeline.parse.corroborate import check_inferred_merges
    check_inferred_merges(plan, inferred, diagnostics)
    from pipeline.parse.targets import attach_targets
    preamble_paras = []
    for b in body_paras:
        if match_label(b.norm):
            break
        preamble_paras.append((b.text, b.where))
    attach_targets(plan, diagnostics, preamble_paras)
    for node in plan.walk():
        node._paras = []                  # parse-time provenance of text paragraphs: not part of the result
    from pipeline.parse.reconcile import reconcile
    reconcile(plan, diagnostics)
    if keywords:
        from pipeline.parse.keywords import add_keywords
        add_keywords(plan)
    source = Source(path=doc.path, sha256=doc.sha256, format=doc.format, ocr=doc.ocr)
    return ParseResult(source=source, notice=notice, plan=plan, warnings=diagnostics.as_list())
