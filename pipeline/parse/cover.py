"""The cover notice (关于印发…的通知): title, 文号, 主送机关, body, issuer, date, 公开属性, 附件说明.

Works on the leading paragraphs of the document. Fields are recognised by their shape
(domain.md §1.1), not by their position, because web copies move the 文号 below the title and
sometimes drop the title altogether.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.blocks import TextBlock
from pipeline.diagnostics import DiagnosticCode, Diagnostics
from pipeline.parse.dates import looks_like_date_line, parse_date
from pipeline.schema import DocNumber, Notice
from pipeline.text import squeeze_cjk_spaces

VERBS = ("印发", "下达", "转发", "批转", "颁发", "发布", "发送")
GENRES = ("通知", "决定", "意见", "批复", "函", "通报")
ORGAN_SUFFIX = re.compile(r"(人民政府|政府|办公室|办公厅|委员会|管委会|管理委员会|局|委|厅|部|中心|人大常委会)$")
DOC_NUMBER = re.compile(
    r"(?P<agency>[\u4e00-\u9fff]{1,12}?)\s*[〔﹝\[［【（(]\s*(?P<year>\d{4})\s*[〕﹞\]］】）)]\s*第?\s*(?P<serial>\d{1,4})\s*号")
DAMAGED_DOC_NUMBER = re.compile(r"^(?P<agency>[\u4e00-\u9fff]{1,12}?)\s*[〔﹝\[［【（(]\s*(?P<year>\d{4})(?P<rest>\d*)\s*$")
TITLE_START = re.compile(r"^关于")
PUBLICITY = re.compile(r"^[（(](此件[^）)]*)[）)]$")
ATTACHMENT_LINE = re.compile(r"^附\s*件\s*[：:]\s*(.+)$")


@dataclass
class CoverResult:
    notice: Notice | None
    end: int                       # index of the first paragraph after the cover


def parse_doc_number(text: str) -> DocNumber | None:
    m = DOC_NUMBER.search(text)
    if not m:
        return None
    agency = m.group("agency")
    return DocNumber(text=m.group(0).strip(), canonical=f"{agency}〔{m.group('year')}〕{int(m.group('serial'))}号",
                     agency=agency, year=int(m.group("year")), serial=int(m.group("serial")))


def is_doc_number_line(norm: str) -> bool:
    m = DOC_NUMBER.search(norm)
    return bool(m) and len(norm) <= len(m.group(0)) + 4


def _title_object(title: str) -> tuple[str | None, str]:
    """(verb, object) of 关于<verb><object>的通知; object without 《》."""
    body = title[2:] if title.startswith("关于") else title
    verb = next((v for v in VERBS if body.startswith(v)), None)
    if verb:
        body = body[len(verb):]
    for g in GENRES:
        if body.endswith("的" + g):
            body = body[: -len(g) - 1]
            break
    return verb, body.strip("《》 ")


def is_signature_line(norm: str) -> bool:
    t = norm.replace(" ", "")
    return 2 <= len(t) <= 30 and not re.search(r"[。，；：！？、]", t) and bool(ORGAN_SUFFIX.search(t))


def parse_cover(paras: list[TextBlock], diagnostics: Diagnostics | None = None, max_scan: int = 25) -> CoverResult:
    """Find the cover notice among the first paragraphs. `paras` holds non-blank TextBlocks."""
    found = Diagnostics()      # kept only if a cover is recognised (a rejected cover says nothing)
    n = len(paras)
    # 1. Title: 关于… lines joined until the genre word closes it (titles wrap mid-word).
    title_i = None
    for i in range(min(n, max_scan)):
        if TITLE_START.match(squeeze_cjk_spaces(paras[i].norm)):
            title_i = i
            break
    doc_no_i = next((i for i in range(min(n, max_scan)) if is_doc_number_line(paras[i].norm)), None)
    if title_i is None and doc_no_i is None:
        return CoverResult(None, 0)
    title, j = "", None
    if title_i is not None:
        j = title_i
        while j < n and j < title_i + 4:
            title += squeeze_cjk_spaces(paras[j].norm)
            j += 1
            if any(title.endswith(g) for g in GENRES):
                break
        if not any(title.endswith(g) for g in GENRES):
            title, j = "", None          # not a cover title after all
    start = j if j is not None else (doc_no_i + 1 if doc_no_i is not None else 0)
    if not title and doc_no_i is None:
        return CoverResult(None, 0)
    notice = Notice(title=title)
    verb, obj = _title_object(title) if title else (None, "")
    notice.verb = verb
    # 2. 文号, above or below the title.
    if doc_no_i is not None and doc_no_i <= start + 2:
        notice.doc_number = parse_doc_number(paras[doc_no_i].norm)
        if doc_no_i >= start:
            start = doc_no_i + 1
    else:
        for i in range(start, min(n, start + 3)):
            m = DAMAGED_DOC_NUMBER.match(paras[i].norm)
            if m:
                notice.doc_number = DocNumber(text=paras[i].norm, agency=m.group("agency"), year=int(m.group("year")))
                found.add(DiagnosticCode.doc_number_damaged,
                          f"发文字号“{paras[i].text}”残缺（缺少“〕”或“号”），只读取了机关代字和年份", paras[i].where)
                start = i + 1
                break
    # 3. 主送机关: the next line(s) ending in a full-width colon.
    i = start
    addr = ""
    while i < n and i < start + 4:
        t = paras[i].norm
        if re.search(r"[。！？]", t) or len(t) > 300:
            break
        addr += t
        if t.endswith(("：", ":")):
            notice.addressees_text = addr.rstrip("：:")
            notice.addressees = [x for x in re.split(r"[、，,]", notice.addressees_text) if x]
            start = i + 1
            break
        i += 1
    # 4. Body until the signature line(s); then date and 公开属性.
    body: list[str] = []
    i = start
    sig_i = None
    while i < n and i < start + 15:
        t = paras[i].norm
        nxt = paras[i + 1].norm if i + 1 < n else ""
        if is_signature_line(t) and body and (looks_like_date_line(nxt) or is_signature_line(nxt)
                                              or PUBLICITY.match(nxt.replace(" ", ""))):
            sig_i = i
            break
        if looks_like_date_line(t) and body:
            sig_i = i
            break
        body.append(paras[i].text)
        i += 1
    if sig_i is None:
        # A cover without signature/date: accept only if we saw a title and a body that says 印发/下达.
        if not title:
            return CoverResult(None, 0)
        notice.body = "\n".join(body[:1])
        _keep(found, diagnostics)
        return CoverResult(notice, start + (1 if body else 0))
    notice.body = "\n".join(body)
    issuers = []
    i = sig_i
    while i < n and is_signature_line(paras[i].norm) and not looks_like_date_line(paras[i].norm):
        issuers.append(paras[i].norm.replace(" ", "").replace("\u3000", ""))
        i += 1
    notice.issuers = issuers
    notice.issuer = "、".join(issuers) if issuers else None
    if i < n and looks_like_date_line(paras[i].norm):
        iso, warn = parse_date(paras[i].norm)
        notice.date = iso
        if warn:
            found.add(DiagnosticCode.date_damaged, warn, paras[i].where)
        i += 1
    if i < n:
        m = PUBLICITY.match(paras[i].norm.replace(" ", ""))
        if m:
            notice.publicity = m.group(1)
            i += 1
    # The verb: the title's verb wins; the body confirms it or we warn.
    body_text = notice.body
    if verb and body_text and verb not in body_text:
        other = next((v for v in VERBS if v in body_text), None)
        if other:
            found.add(DiagnosticCode.verb_mismatch, f"标题用“{verb}”，正文用“{other}”，以标题为准", paras[title_i or 0].where)
    if not verb:
        notice.verb = next((v for v in VERBS if v in body_text), None)
    _keep(found, diagnostics)
    return CoverResult(notice, i)


def _keep(found: Diagnostics, diagnostics: Diagnostics | None) -> None:
    if diagnostics is not None:
        diagnostics.extend(found)


def parse_closing(paras: list[TextBlock], notice: Notice, max_tail: int = 8) -> int:
    """A notice without a separate plan body signs at its very end (signature lines, date, 公开属性).

    Fills the notice's issuer/date/publicity from the tail of `paras` and returns the index where the
    closing block starts (len(paras) when there is none), so the block does not end up in a task's text."""
    n = len(paras)
    end = n
    if end and PUBLICITY.match(paras[end - 1].norm.replace(" ", "")):
        end -= 1
    if not end or not looks_like_date_line(paras[end - 1].norm):
        return n
    date_i = end - 1
    start = date_i
    while start > 0 and date_i - start < max_tail and is_signature_line(paras[start - 1].norm):
        start -= 1
    if start == date_i:
        return n
    notice.issuers = [p.norm.replace(" ", "").replace("\u3000", "") for p in paras[start:date_i]]
    notice.issuer = "、".join(notice.issuers)
    notice.date, _warn = parse_date(paras[date_i].norm)
    if end < n:
        notice.publicity = PUBLICITY.match(paras[end].norm.replace(" ", "")).group(1)
    return start


def title_object(notice: Notice) -> str | None:
    return _title_object(notice.title)[1] if notice.title else None
