"""The cover notice (关于印发…的通知): title, 文号, 主送机关, body, issuer, date, 公开属性, 附件说明.

Works on the leading paragraphs of the document. Fields are recognised by their shape
(domain.md §1.1), not by their position, because web copies move the 文号 below the title and
sometimes drop the title altogether.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.blocks import TextBlock
from pipeline.diagnostics import DiagnosticCode, Diagnostics
from pipeline.parse.dates import looks_like_date_line, parse_date
from pipeline.schema import DocNumber, Imprint, Notice
from pipeline.text import squeeze_cjk_spaces

VERBS = ("印发", "下达", "转发", "批转", "颁发", "发布", "发送")
GENRES = ("通知", "决定", "意见", "批复", "函", "通报")
ORGAN_SUFFIX = re.compile(r"(人民政府|政府|办公室|办公厅|委员会|管委会|管理委员会|局|委|厅|部|中心|人大常委会|办事处|支队|总队)$")
DOC_NUMBER = re.compile(
    r"(?P<agency>[\u4e00-\u9fff]{1,12}?)\s*[〔﹝\[［【（(]\s*(?P<year>\d{4})\s*[〕﹞\]］】）)]\s*第?\s*(?P<serial>\d{1,4})\s*号")
DAMAGED_DOC_NUMBER = re.compile(r"^(?P<agency>[\u4e00-\u9fff]{1,12}?)\s*[〔﹝\[［【（(]\s*(?P<year>\d{4})(?P<rest>\d*)\s*$")
PUBLICITY = re.compile(r"^[（(](此件[^）)]*)[）)]$")
ATTACHMENT_LINE = re.compile(r"^附\s*件\s*[：:]\s*(.+)$")


@dataclass
class CoverResult:
    notice: Notice | None
    end: int                       # index of the first paragraph after the cover
    title_issuers: list[str] = field(default_factory=list)   # organs named before 关于 in the title


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
    body = title[title.find("关于") + 2:] if "关于" in title else title
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


# A title: [issuer phrase] 关于 … 的<genre>. The issuer phrase is one or more organs (joined by 、 or spaces).
TITLE_SHAPE = re.compile(r"^(?P<issuer>[^。，；：:！？]{0,80}?)\s*关于(?P<rest>.+)$")
_ORGAN_SPLIT = re.compile(r"\s*[、]\s*|\s{1,}")
MAX_TITLE_LINES = 4


def _ends_with_genre(t: str) -> bool:
    return any(t.endswith(g) for g in GENRES)


def split_organs(phrase: str) -> list[str]:
    """`上海市交通委员会、上海海事局` / `中共黄浦区委办公室  黄浦区人民政府办公室` → one organ per entry.
    Split only where every piece is itself an organ (ends in an organ suffix)."""
    phrase = phrase.strip()
    if not phrase:
        return []
    parts = [p for p in _ORGAN_SPLIT.split(phrase) if p]
    if len(parts) > 1 and all(ORGAN_SUFFIX.search(p) for p in parts):
        return parts
    squeezed = re.sub(r"\s+", "", phrase)
    return [squeezed] if ORGAN_SUFFIX.search(squeezed) else []


def _issuer_line(norm: str) -> bool:
    """A line that holds only an issuer phrase (the organ line above a wrapped title)."""
    t = norm.strip()
    return 2 <= len(t) <= 60 and not re.search(r"[。，；：:！？《》]", t) and bool(split_organs(t))


def find_title(paras: list[TextBlock], max_scan: int) -> tuple[int, int, str, list[str], bool] | None:
    """(first index, index after, title, issuers named in it, closed) of the cover title, found by structure:
    an optional issuer phrase, 关于…, wrapped over up to four lines until the genre word (的通知/的意见/…).
    A 关于 line that never closes but is followed by the 主送 line is a title cut short (closed=False)."""
    n = min(len(paras), max_scan)
    for i in range(n):
        first = squeeze_cjk_spaces(paras[i].norm)
        m = TITLE_SHAPE.match(first)
        if not m or len(first) > 200 or re.search(r"[。！？]", first):
            continue
        issuer_phrase = m.group("issuer")
        if issuer_phrase and not split_organs(paras[i].norm[: paras[i].norm.find("关于")]):
            continue                      # text before 关于 that is no organ: a sentence, not a title
        start = i
        organs = split_organs(paras[i].norm[: paras[i].norm.find("关于")]) if issuer_phrase else []
        if not issuer_phrase and i > 0 and _issuer_line(paras[i - 1].norm):
            start, organs = i - 1, split_organs(paras[i - 1].norm)
            issuer_phrase = squeeze_cjk_spaces(paras[i - 1].norm)
        title, j = "", i
        while j < len(paras) and j < i + MAX_TITLE_LINES:
            title += squeeze_cjk_spaces(paras[j].norm) if j > i else first
            j += 1
            if _ends_with_genre(title):
                break
            if j < len(paras) and paras[j].norm.endswith(("：", ":")):
                break
        if _ends_with_genre(title):
            full = (issuer_phrase + title) if start < i else title
            return start, j, full, organs, True
        # Cut short (a truncated heading): accept one line when the 主送 line follows.
        if i + 1 < len(paras) and paras[i + 1].norm.endswith(("：", ":")) and ("印发" in first or "转发" in first
                                                                           or "下达" in first):
            return start, i + 1, first, organs, False
    return None


def _skip_repeated_title(paras: list[TextBlock], j: int, title: str) -> int:
    """Web copies print the title twice (page heading, then the document): skip the second copy."""
    core = title[title.find("关于"):] if "关于" in title else title
    probe = ""
    for k in range(j, min(len(paras), j + MAX_TITLE_LINES + 1)):
        probe += squeeze_cjk_spaces(paras[k].norm)
        if core and probe.endswith(core) and len(probe) <= len(title) + 30:
            return k + 1
        if len(probe) > len(title) + 30:
            break
    return j


def parse_cover(paras: list[TextBlock], diagnostics: Diagnostics | None = None, max_scan: int = 25) -> CoverResult:
    """Find the cover notice among the first paragraphs. `paras` holds non-blank TextBlocks."""
    found = Diagnostics()      # kept only if a cover is recognised (a rejected cover says nothing)
    n = len(paras)
    # 1. Title by structure ([issuer] 关于…的通知), joined over its wrapped lines.
    titled = find_title(paras, max_scan)
    doc_no_i = next((i for i in range(min(n, max_scan)) if is_doc_number_line(paras[i].norm)), None)
    if titled is None and doc_no_i is None:
        return CoverResult(None, 0)
    title, j, title_i, title_organs, closed = "", None, None, [], True
    if titled is not None:
        title_i, j, title, title_organs, closed = titled
        j = _skip_repeated_title(paras, j, title)
        if doc_no_i is not None and doc_no_i < title_i and title_i - doc_no_i > 3:
            doc_no_i = None
    if title and not closed:
        found.add(DiagnosticCode.title_unclosed, f"标题“{title}”没有以“的通知”等文种结尾（可能被截断）", paras[title_i].where)
    # no title → the 文号 found above is kept (it is only dropped when far above a title)
    start = j if j is not None else doc_no_i + 1
    notice = Notice(title=title)
    verb, obj = _title_object(title) if title else (None, "")
    title_issuers = title_organs
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
            notice.addressees = split_addressees(notice.addressees_text)
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
        return CoverResult(notice, start + (1 if body else 0), title_issuers)
    notice.body = "\n".join(body)
    issuers = []
    i = sig_i
    while i < n and is_signature_line(paras[i].norm) and not looks_like_date_line(paras[i].norm):
        issuers.extend(signature_organs(paras[i].norm))
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
    return CoverResult(notice, i, title_issuers)


def _keep(found: Diagnostics, diagnostics: Diagnostics | None) -> None:
    if diagnostics is not None:
        diagnostics.extend(found)


# 主送: ， ； separate groups; 、 separates addressees unless the group is an elliptic list of organ types
# sharing one head (区政府各委、办、局 · 各乡、镇人民政府 · 区委、区人民政府各部、委、办、局 ·
# 各省、自治区、直辖市人民政府), which stays whole.
_GROUP_SPLIT = re.compile(r"[，,；;]")


def _elliptic(piece: str, following: str | None) -> bool:
    """A bare organ type (办, 局) or 各+one character sharing the next piece's head (各乡、镇人民政府)."""
    if len(piece) <= 1:
        return True
    return (len(piece) == 2 and piece.startswith("各") and following is not None and len(following) > 2
            and bool(ORGAN_SUFFIX.search(following)) and following[0] != "各")


def _shared_head(pieces: list[str]) -> bool:
    """各省、自治区、直辖市人民政府: short organ types (no organ suffix of their own) before one organ
    whose head they share — the national formula, one addressee. A head of its own (各街道办事处) is not shared."""
    *types, head = pieces
    return (bool(types) and len(head) > 3 and bool(ORGAN_SUFFIX.search(head)) and not head.startswith("各")
            and all(len(t) <= 3 and not ORGAN_SUFFIX.search(t) for t in types))


def split_addressees(text: str) -> list[str]:
    out: list[str] = []
    for group in _GROUP_SPLIT.split(text):
        group = group.strip()
        if not group:
            continue
        pieces = [p.strip() for p in group.split("、") if p.strip()]
        if _shared_head(pieces) or any(_elliptic(p, pieces[k + 1] if k + 1 < len(pieces) else None)
                                        for k, p in enumerate(pieces)):
            out.append(group)
        else:
            out.extend(pieces)
    return out


def signature_organs(norm: str) -> list[str]:
    """One signature line → its organs: joint issuers often share a line, separated by spaces."""
    organs = split_organs(norm.replace("\u3000", " "))
    return organs or [norm.replace(" ", "").replace("\u3000", "")]


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
    notice.issuers = [o for p in paras[start:date_i] for o in signature_organs(p.norm)]
    notice.issuer = "、".join(notice.issuers)
    notice.date, _warn = parse_date(paras[date_i].norm)
    if end < n:
        notice.publicity = PUBLICITY.match(paras[end].norm.replace(" ", "")).group(1)
    return start


# 版记 (GB/T 9704 §7.4): the last lines of the document, below everything else (after the attachments).
#   抄送：区委各部门，区人大常委会办公室，区政协办公室。        (may wrap over several lines)
#   周村区人民政府办公室              2023年4月25日印发      (text extraction may split organ and date)
_DATE_ZH = r"[0-9０-９〇○零一二三四五六七八九]{4}\s*年\s*[0-9０-９一二三四五六七八九十]{1,3}\s*月\s*[0-9０-９一二三四五六七八九十]{1,3}\s*日"
IMPRINT_CC = re.compile(r"^抄\s*送\s*[：:]\s*(?P<cc>.*)$")
IMPRINT_PRINTED = re.compile(r"^(?P<organ>.*?)\s*(?P<date>" + _DATE_ZH + r")\s*印\s*发\s*$")
IMPRINT_COPIES = re.compile(r"^[（(]?\s*共印\s*\d+\s*份\s*[）)]?$")   # a print-run note under the 版记
IMPRINT_MAX_CC_LINES = 4


@dataclass
class ImprintResult:
    imprint: Imprint
    start: int          # index (into the paragraphs given) of the first line of the 版记


def parse_imprint(paras: list[TextBlock]) -> ImprintResult | None:
    """The 版记 at the end of `paras` (non-blank TextBlocks in reading order), or None.

    Recognised by shape, as the cover fields are: the 印发 line (印发机关 + 印发日期 + 印发) is the last
    line but for a 共印N份 note, with its organ on the same line or alone on the line above (PDF text
    extraction splits the two ends of the line); a 抄送： line, possibly wrapped, may sit above it. A
    lone 抄送 line without a 印发 line is accepted too when it closes the document."""
    end = len(paras)
    while end and IMPRINT_COPIES.match(paras[end - 1].norm.replace(" ", "")):
        end -= 1
    if not end:
        return None
    imprint, start = Imprint(), end
    last = squeeze_cjk_spaces(paras[end - 1].norm).strip()
    m = IMPRINT_PRINTED.match(last)
    if m:
        organ = re.sub(r"\s+", "", m.group("organ"))
        start = end - 1
        if not organ and start and is_signature_line(paras[start - 1].norm):
            start -= 1
            organ = re.sub(r"\s+", "", paras[start].norm)
        if organ and not ORGAN_SUFFIX.search(organ):
            return None                       # "…日印发" closing a sentence, not a 版记
        imprint.printer = organ or None
        imprint.print_date, _warn = parse_date(m.group("date"))     # norm: full-width digits already ASCII
    # 抄送: the nearest 抄送： line above, joined with the wrapped lines below it.
    for k in range(start - 1, max(-1, start - 1 - IMPRINT_MAX_CC_LINES), -1):
        cm = IMPRINT_CC.match(paras[k].norm.strip())
        if cm:
            text = cm.group("cc") + "".join(p.norm.strip() for p in paras[k + 1:start])
            text = re.sub(r"\s+", "", text).rstrip("。.")
            if text:
                imprint.cc_text = text
                imprint.cc = split_addressees(text)
                start = k
            break
    if imprint.printer is None and imprint.print_date is None and not imprint.cc:
        return None
    if imprint.printer is None and imprint.print_date is None and start + IMPRINT_MAX_CC_LINES < end:
        return None                           # a 抄送 line far from the end is running text
    return ImprintResult(imprint, start)


def title_object(notice: Notice) -> str | None:
    return _title_object(notice.title)[1] if notice.title else None
