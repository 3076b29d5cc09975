"""Quantitative targets in the prose (domain.md §3): "新增城镇就业4000人以上" → a `Target`.

Why a hand-written grammar: no general parser covers the vocabulary plans use for commitments
(以上/左右/控制在…以内/达到/突破, 力争/确保, 由…提高到…, count classifiers, （含…） scopes), and the
targets drive the 台账, the bulletins and the diffs. The grammar is small and explicit:

1. Mask what must never yield a number: quoted names and slogans (“两区同创”, ‘1+3+4’), bracketed
   asides (一汽（淄博）) and scopes (（含文昌湖4家）, kept aside as the scope of the target before them).
2. Literal targets without a number (保持稳定增长, “双下降”, 完成…下达的…指标) and quoted
   aggregates (“两个100%”) are read first, straight from the sentence.
3. from→to (由1500元提高到3000元), then every number+unit left: a quantity is a target unless it
   is an identifier (PM2.5, 5G, 第十九届), an attribute (总投资6.5亿元的…) or a Chinese numeral
   outside a target context (六张时代新答卷). Comparator, direction, modality and metric come from
   the words around it.

Everything is precompiled at import; the module imports nothing heavy (no jieba).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.metrics import _REGION_PREFIX
from pipeline.parse.numerals import parse_number
from pipeline.diagnostics import DiagnosticCode, Diagnostics
from pipeline.provenance import Provenance
from pipeline.schema import Node, Plan, Target
from pipeline.text import FULLWIDTH_MAP
from pipeline.units import UNIT_PATTERN, UNIT_SPELLINGS, unit_at, unit_info

# ---------------------------------------------------------------- vocabulary

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN_NUM = r"[〇零一二两三四五六七八九十][〇零一二两三四五六七八九十百千万亿]*"
_NUM = rf"(?:{_ARABIC}|{_CN_NUM})"
_QUALIFIER = r"以上|以下|左右|以内|之内|上下"

_NUMBER_RE = re.compile(rf"(?P<num>{_NUM})(?:(?P<rsep>[-~～—–至到])(?P<num2>{_NUM}))?(?P<about>余|多)?")
_QUALIFIER_RE = re.compile(_QUALIFIER)


@dataclass(slots=True)
class Quantity:
    """number [range] [余/多] unit [qualifier], as found in the masked text."""

    start: int
    end: int
    unit_end: int
    num: str
    num2: str | None
    about: str | None
    unit: str
    qual: str | None


_RANGE_TAIL = re.compile(rf"\s*[-~～—–至到]\s*(?P<num2>{_NUM})")
_PER_TAIL = re.compile(r"/(每)?")
_CLASSIFIER_TAIL = re.compile(r"（([\u4e00-\u9fff]{1,2})）")


def find_quantities(masked: str, text: str | None = None):
    """Every number+unit in reading order. Units are probed by length against a set, not by regex.

    Also read here, because they belong to the quantity: `6%—6.5%` (a range with the unit on both
    ends), `8万吨/日` and `5万元/每份` (a compound unit), and `20座（处）` (a classifier in brackets,
    read from the unmasked `text`)."""
    last_end = 0
    for m in _NUMBER_RE.finditer(masked):
        if m.start() < last_end:
            continue                     # the second number of a range already read (6%—6.5%)
        unit = unit_at(masked, m.end())
        if unit is None:
            continue
        unit_end = m.end() + len(unit)
        per = _PER_TAIL.match(masked, unit_end)
        if per:
            den = unit_at(masked, per.end())
            if den is not None and unit_at(unit + "/" + den, 0) is not None or (den and unit_info(f"{unit}/{den}")):
                unit, unit_end = masked[m.end():per.end() + len(den)], per.end() + len(den)
        num2 = m.group("num2")
        if num2 is None:
            r = _RANGE_TAIL.match(masked, unit_end)
            if r and masked.startswith(unit, r.end()):
                num2, unit_end = r.group("num2"), r.end() + len(unit)
        if text is not None:
            c = _CLASSIFIER_TAIL.match(text, unit_end)
            if c and c.group(1) in UNIT_SPELLINGS:
                unit, unit_end = unit + c.group(0), c.end()
        q = _QUALIFIER_RE.match(masked, unit_end)
        last_end = q.end() if q else unit_end
        yield Quantity(m.start(), q.end() if q else unit_end, unit_end, m.group("num"), num2,
                       m.group("about"), unit, q.group() if q else None)


FROM_TO_RE = re.compile(
    rf"(?P<from>由|从)(?P<basis>每[\u4e00-\u9fff]{{1,4}}?)?(?P<num1>{_ARABIC})(?P<unit1>{UNIT_PATTERN})?"
    rf"(?P<verb>提高|增加|扩大|提升|增长|上升|降低|下降|减少|缩小|压减|压缩)(?:到|至)"
    rf"(?P<num2>{_ARABIC})(?P<unit2>{UNIT_PATTERN})(?P<qual>{_QUALIFIER})?")

AGGREGATE_RE = re.compile(rf"“(?P<count>两|三|四|五|双)个?(?P<num>{_ARABIC})(?P<unit>{UNIT_PATTERN})”")
DOUBLE_RE = re.compile(r"“双(?P<verb>下降|降低|减少|提升|提高|增长)”")
STEADY_RE = re.compile(r"(?P<cue>保持稳定增长|保持稳步增长|保持平稳增长|保持稳定|稳中有升|稳中有增)")
ASSIGNED_RE = re.compile(r"完成(?:省市|省|市|上级|国家)?下达的?(?P<what>[\u4e00-\u9fffA-Za-z]{0,12}?)(?P<kind>任务指标|指标|任务)")

_NEEDS_FOLDING = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a％﹝﹞\u200b\u00ad\ufeff\u2060]")
SENTENCE_SPLIT = re.compile(r"[^。！？；!?;]+[。！？；!?;]?")
CLAUSE_PUNCT = "，、；：。！？,;:!?"
STRONG_PUNCT = "，；：。！？,;:!?"       # clause boundary for literal subjects (、 joins a list there)
OPEN_BRACKETS = {"“": "”", "‘": "’", "「": "」", "《": "》", "（": "）", "(": ")", "〔": "〕", "【": "】"}
SCOPE_START = ("含", "其中", "不含", "包括", "包含")

# Cues read backwards from the number, longest first. (kind, value)
_PREFIX_CUES: list[tuple[str, str, str]] = sorted([
    *[(w, "cmp", "ge") for w in ("不低于", "不少于", "至少", "超过", "高于", "突破", "逾", "达到", "多于", "大于", "达",
                                 "≥", "＞", ">", ">=", "超")],
    *[(w, "cmp", "le") for w in ("不超过", "不高于", "低于", "少于", "不足", "至多", "控制在", "控制到", "压减到", "降至",
                                 "小于", "≤", "＜", "<", "<=")],
    *[(w, "cmp", "approx") for w in ("约", "大约", "接近", "约为")],
    *[(w, "cmp", "eq") for w in ("保持", "稳定在", "为", "实现", "保持在", "完成")],
    *[(w, "adv", "") for w in ("同比", "比上年", "较上年", "年均")],
    *[(w, "dir", "growth") for w in ("增长", "增加", "提高", "提升", "上升")],
    *[(w, "dir", "decline") for w in ("下降", "降低", "减少", "削减", "压减", "压降")],
], key=lambda c: -len(c[0]))
_TRAILING_CMP = {"以上": "ge", "以下": "le", "以内": "le", "之内": "le", "左右": "approx", "上下": "approx"}

STRETCH_WORDS = ("力争", "争取", "努力", "力求")
FIRM_WORDS = ("确保", "坚决", "务必")
_MODALITY_RE = re.compile("|".join(STRETCH_WORDS + FIRM_WORDS))

# Words that open a clause but are not part of the metric (modality, time, adverbs, region).
_LEAD_WORDS = sorted(["力争", "确保", "争取", "努力", "力求", "坚决", "务必", "全年", "年内", "全面", "持续", "积极", "加快",
                      "进一步", "着力", "大力", "累计", "基本", "其中", "同时", "并", "再", "共", "免费", "推动", "推进",
                      "突出抓好", "抓好", "实现", "扎实", "深入", "稳步", "新增加", "全区", "全市", "全县",
                      "全社会", "今年", "当年", "年度内", "力促", "全力"], key=len, reverse=True)
# Generic action verbs dropped from the front of a metric; verbs starting with 新 (新增, 新建, 新认定…)
# are kept because they make a flow metric (new firms) out of a stock (firms).
_ACTION_VERBS = sorted(["发放", "建设", "打造", "建成", "共建", "完成", "实施", "培育", "开工建设", "开工", "启动", "举办",
                        "开展", "引进", "招引", "创建", "争创", "改造提升", "提升改造", "改扩建", "改造", "打通", "建立",
                        "组织", "提供", "培训", "安置", "认定", "设立", "推广", "落实", "兑现", "新建、改扩建"],
                       key=len, reverse=True)
_FLOW_VERBS = ("新增", "新引进", "新培育", "新建", "新认定", "新签约", "新入驻", "新实施", "新打造", "新创建", "新开工",
               "新设立", "新招引")
# Verbs that govern a following Chinese-numeral quantity (新建两所学校); elsewhere 两/三/十 are names.
_CN_GOVERNING = tuple(sorted(set(_ACTION_VERBS) | set(_FLOW_VERBS) | {"达到", "突破", "新增", "增加", "建"},
                             key=len, reverse=True))
_BENEFICIARY = re.compile(r"^(?:为|向|给)(?P<who>[\u4e00-\u9fff]{1,5}?)(?=" + "|".join(
    ["送", "放映", "发放", "提供", "开展", "举办", "培训", "办理", "新增", "建设", "实施", "减免", "兑现"]) + ")")
_OBJECT_ACTION = re.compile(r"(?:进行|实施|开展)(?P<action>[\u4e00-\u9fff]{2,10})")
_LISTED_INTO = re.compile(r"(?P<verb>列入|纳入|入选|进入|入围|获评|认定为)(?P<what>[^，。；：、（(]{2,20})")
_NOUN_STOP = re.compile(r"[，。；：！？,;:!?（(]")
_LIST_SPLIT = re.compile(r"、|和|及|与|以及")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAS_QUANTITY = re.compile(rf"\d|{_CN_NUM}(?:{UNIT_PATTERN})")
_SLOGAN_PAIR = re.compile(r"(?:^|[^\u4e00-\u9fff]|[^一二两三四五六七八九十])[一二两三四五六七八九十][\u4e00-\u9fff]$")


_FACT_CUE = re.compile(r"目前|现有|实有|已有")
_OWN_TASKS = re.compile(r"(重点)?(任务|工作|举措|措施|方面)")


@dataclass(slots=True)
class Found:
    """A target found in one text, before ids and nodes are attached."""

    start: int
    end: int
    text: str
    metric: str
    value: float | None = None
    unit: str | None = None
    comparator: str | None = None
    low: float | None = None
    high: float | None = None
    from_value: float | None = None
    direction: str | None = "level"
    scope: str | None = None
    modality: str | None = None
    binding: str | None = None
    flow_verb: str | None = field(default=None, repr=False)
    own_cue: bool = field(default=False, repr=False)        # the comparator came from a word before the number
    num_start: int = field(default=-1, repr=False)          # where the number starts (sentence offset)
    prefix_cue: bool = field(default=False, repr=False)     # …and that word came before it (不少于 N), not after (N以上)


# ---------------------------------------------------------------- masking

_OPENERS = re.compile("[" + re.escape("".join(OPEN_BRACKETS)) + "]")


def _mask(text: str) -> tuple[str, dict[int, tuple[int, str]]]:
    """Blank out bracketed/quoted content (same length); return scopes keyed by their opening bracket."""
    pieces: list[str] = []
    scopes: dict[int, tuple[int, str]] = {}
    done = 0
    for m in _OPENERS.finditer(text):
        i = m.start()
        if i < done:
            continue
        j = text.find(OPEN_BRACKETS[text[i]], i + 1)
        if j < 0 or j - i > 80:
            continue
        inner = text[i + 1:j]
        if text[i] in "（(" and inner.startswith(SCOPE_START):
            scopes[i] = (j + 1, inner)
        pieces.append(text[done:i + 1])
        pieces.append("□" * (j - i - 1))
        done = j
    pieces.append(text[done:])
    return "".join(pieces), scopes


def _clause_start(masked: str, pos: int, punct: str = CLAUSE_PUNCT) -> int:
    k = pos - 1
    while k >= 0 and masked[k] not in punct:
        k -= 1
    return k + 1


_CUES_BY_LAST_CHAR: dict[str, list[tuple[str, str, str]]] = {}
for _cue in _PREFIX_CUES:
    _CUES_BY_LAST_CHAR.setdefault(_cue[0][-1], []).append(_cue)
_LEAD_RE = re.compile("|".join(map(re.escape, _LEAD_WORDS)))
_ACTION_RE = re.compile("|".join(map(re.escape, _ACTION_VERBS)))
_FLOW_RE = re.compile("|".join(map(re.escape, sorted(_FLOW_VERBS, key=len, reverse=True))))


def _strip_cues(prefix: str) -> tuple[str, str | None, str | None]:
    """Remove comparator/direction cues from the end of a clause prefix: (rest, comparator, direction)."""
    comparator = direction = None
    while prefix:
        for word, kind, value in _CUES_BY_LAST_CHAR.get(prefix[-1], ()):
            if not prefix.endswith(word):
                continue
            if word in ("为", "达") and len(prefix) > 1 and prefix[-2] in "成作认":   # 成为/作为/认为/达成
                continue
            prefix = prefix[: -len(word)]
            if kind == "cmp" and comparator is None:
                comparator = value
            elif kind == "dir" and direction is None:
                direction = value
            break
        else:
            break
    return prefix, comparator, direction


def _clean_metric(raw: str) -> tuple[str, str | None, bool]:
    """Metric from a clause prefix: (metric, flow verb kept, whether an action verb was dropped)."""
    s = raw.strip()
    while (m := _LEAD_RE.match(s)) and m.end() < len(s):
        s = s[m.end():]
    m = _BENEFICIARY.match(s)
    if m:
        s = s[m.end():]
    dropped = False
    m = _ACTION_RE.match(s)
    if m and len(s) - m.end() >= 2:
        s, dropped = s[m.end():], True
    if "的" in s:
        tail = s.rsplit("的", 1)[1]
        if len(tail) >= 2:
            s = tail
    stripped = _REGION_PREFIX.sub("", s)
    if len(stripped) >= 2:
        s = stripped
    m = _FLOW_RE.match(s)
    return s, (m.group() if m else None), dropped


def _modality(sentence_masked: str, upto: int) -> str | None:
    last = None
    for m in _MODALITY_RE.finditer(sentence_masked, 0, upto):
        last = m.group()
    if last is None:
        return None
    return "stretch" if last in STRETCH_WORDS else "firm"


def _binding(clause: str) -> str | None:
    if "约束性" in clause:
        return "约束性"
    if "预期性" in clause:
        return "预期性"
    return None


def _split_subjects(subject: str) -> list[str]:
    parts = [p for p in _LIST_SPLIT.split(subject) if p]
    return [p for p in parts if len(p) >= 2 and not re.search(r"\d", p)]


# ---------------------------------------------------------------- passes

def _literal_targets(text: str, masked: str, taken: list[tuple[int, int]]) -> list[Found]:
    """保持稳定增长 / “双下降” / 完成…下达的…指标 and the quoted aggregate “两个100%”."""
    out: list[Found] = []

    def subjects_before(pos: int) -> tuple[int, list[str]]:
        cs = _clause_start(masked, pos, STRONG_PUNCT)
        subject, _, _ = _clean_metric(text[cs:pos])
        subject = _strip_cues(subject)[0]
        for v in _ACTION_VERBS + ["推动", "实现", "确保"]:
            if subject.startswith(v):
                subject = subject[len(v):]
        return cs, _split_subjects(subject)

    for m in AGGREGATE_RE.finditer(text):
        cs, subjects = subjects_before(m.start())
        value = parse_number(m.group("num"))
        for subj in subjects:
            out.append(Found(cs, m.end(), text[cs:m.end()], subj, value=value, unit=m.group("unit"), comparator="eq",
                             modality=_modality(masked, m.start()), binding=_binding(text[cs:m.end()])))
        taken.append((m.start(), m.end()))
    for m in DOUBLE_RE.finditer(text):
        cs, subjects = subjects_before(m.start())
        direction = "decline" if m.group("verb") in ("下降", "降低", "减少") else "growth"
        for subj in subjects:
            out.append(Found(cs, m.end(), text[cs:m.end()], subj, comparator=None, direction=direction,
                             modality=_modality(masked, m.start())))
    for m in STEADY_RE.finditer(masked):
        cs, subjects = subjects_before(m.start())
        if not subjects or any(len(s) > 16 for s in subjects):
            continue
        direction = "growth" if ("增" in m.group("cue") or "升" in m.group("cue")) else "level"
        for subj in subjects:
            out.append(Found(cs, m.end(), text[cs:m.end()], subj, comparator=None, direction=direction,
                             modality=_modality(masked, m.start())))
    for m in ASSIGNED_RE.finditer(masked):
        cs = _clause_start(masked, m.start(), STRONG_PUNCT)
        what = m.group("what") + ("指标" if "指标" in m.group("kind") else m.group("kind"))
        out.append(Found(cs, m.end(), text[cs:m.end()], what, comparator=None, direction=None,
                         modality=_modality(masked, m.start()), binding=_binding(text[cs:m.end()])))
    return out


def _is_identifier(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if before and (before.isascii() and (before.isalnum() or before in ".+-/")):
        return True
    if before in ("第", "+", "＋") or after in ("+", "＋"):
        return True
    return bool(after) and after.isascii() and after.isalpha()


def _following_noun(text: str, masked: str, pos: int) -> tuple[str, int]:
    """Noun phrase after a quantity (建设20处以上幸福院): up to clause punctuation or the next listed quantity."""
    stop = _NOUN_STOP.search(masked, pos)
    end = stop.start() if stop else len(masked)
    action = _OBJECT_ACTION.search(masked, pos, end)
    if action:
        end = action.start()
    noun = text[pos:end]
    rest_has_quantity = _HAS_QUANTITY.search(masked, pos, end)
    if rest_has_quantity:
        cut = None
        for sep in _LIST_SPLIT.finditer(masked, pos, rest_has_quantity.start()):
            cut = sep.start()
        if cut is not None:
            noun, end = text[pos:cut], cut
    return noun, end


def _quantity_targets(text: str, masked: str, scopes: dict[int, tuple[int, str]],
                      taken: list[tuple[int, int]]) -> list[Found]:
    out: list[Found] = []
    for m in find_quantities(masked, text):
        start, end = m.start, m.end
        if any(a <= start < b for a, b in taken):
            continue
        num_text = m.num
        is_cn = not num_text[0].isdigit()
        if _is_identifier(masked, start, m.unit_end):
            continue
        unit = m.unit
        after = masked[end:end + 1]
        if after == "的" and not masked.startswith(("目标", "要求"), end + 1):
            continue                         # 总投资6.5亿元的…: an attribute (but …50%的目标要求 is the target)
        clause_start = _clause_start(masked, start)
        raw_prefix = text[clause_start:start]
        cue_before = _strip_cues(text[_clause_start(masked, start, STRONG_PUNCT):start])[1] is not None
        if _FACT_CUE.search(raw_prefix) or (raw_prefix.endswith(("共", "包括")) and _OWN_TASKS.match(masked, end)):
            continue                         # 目前实有43辆 (a fact) · 共22项任务 (the plan's own task count)
        prefix, comparator, direction = _strip_cues(raw_prefix)
        if is_cn:
            if _SLOGAN_PAIR.search(raw_prefix):     # 六山一台, 两区一带: a numbered slogan, not a count
                continue
            governed = raw_prefix.endswith(_CN_GOVERNING)
            clause_final = (not after) or after in CLAUSE_PUNCT or end in scopes
            if not (governed or (clause_final and prefix and not prefix.endswith(("”", "’")))):
                continue
        value = parse_number(num_text)
        if value is None:
            continue
        low = high = None
        if m.num2:
            low, high = value, parse_number(m.num2)
            if high is None or high <= low:
                continue
            value, comparator = None, "range"
        elif m.qual:
            comparator = _TRAILING_CMP[m.qual]
        elif m.about:
            comparator = "ge"
        scope = None
        tail = end
        if tail in scopes:
            tail, scope = scopes[tail][0], scopes[tail][1]
        # metric: the noun after the quantity (verb–value–noun) or the clause before it
        metric, flow, _ = _clean_metric(prefix)
        noun_follows = bool(after) and _HAN.match(after) is not None
        if noun_follows:
            noun, noun_end = _following_noun(text, masked, end)
            tail = max(tail, noun_end)
            if noun_end in scopes:
                tail, scope = scopes[noun_end][0], scopes[noun_end][1]
            listed = _LISTED_INTO.match(masked, tail)
            strong_prefix = _clean_metric(text[_clause_start(masked, start, STRONG_PUNCT):start])[0]
            if listed and len(noun) <= 4:
                metric = text[listed.start():listed.end()]
                tail = listed.end()
            elif strong_prefix.startswith("对"):
                # 对10个老旧小区、2条背街小巷进行升级改造: the object plus the action done to it
                clause_end = _NOUN_STOP.search(masked + "。", end).start()
                action = _OBJECT_ACTION.search(masked, end, clause_end)
                metric = noun + (action.group("action") if action else "")
            else:
                metric = noun
            flow = None
        if not metric and out and not noun_follows:
            metric = out[-1].metric          # 完成24.9亿元，同比增长9%: the growth is the previous metric's
        if not metric:
            continue
        out.append(Found(clause_start, tail, text[clause_start:tail], metric, value=value, unit=unit,
                         comparator=comparator or "eq", low=low, high=high, direction=direction or "level",
                         scope=scope, modality=_modality(masked, start), binding=_binding(text[clause_start:tail]),
                         flow_verb=flow, own_cue=cue_before or m.qual is not None, num_start=start,
                         prefix_cue=cue_before))
    return out


def _from_to_targets(text: str, masked: str, taken: list[tuple[int, int]]) -> list[Found]:
    out = []
    for m in FROM_TO_RE.finditer(masked):
        cs = _clause_start(masked, m.start())
        metric, _, _ = _clean_metric(_strip_cues(text[cs:m.start()])[0])
        if not metric:
            continue
        verb = m.group("verb")
        direction = "decline" if verb in ("降低", "下降", "减少", "缩小", "压减", "压缩") else "growth"
        out.append(Found(cs, m.end(), text[cs:m.end()], metric, value=parse_number(m.group("num2")),
                         unit=m.group("unit2"), comparator="from_to", from_value=parse_number(m.group("num1")),
                         direction=direction, modality=_modality(masked, m.start()),
                         binding=_binding(text[cs:m.end()])))
        taken.append((m.start(), m.end()))
    return out


RESPECTIVELY_RE = re.compile(
    rf"分别(?P<cue>达到|为|增长|提高到|提高|提升到|提升|下降|降低|降到|控制在|保持在|不低于|不少于|超过|达)?"
    rf"(?P<num1>{_ARABIC})(?P<unit1>{UNIT_PATTERN})?(?:和|、|与|及)(?P<num2>{_ARABIC})(?P<unit2>{UNIT_PATTERN})"
    rf"(?P<qual>{_QUALIFIER})?")


def _respectively_targets(text: str, masked: str, taken: list[tuple[int, int]]) -> list[Found]:
    """`A和B分别达到92%和85%以上`: two targets, one per subject; the trailing qualifier binds both."""
    out = []
    for m in RESPECTIVELY_RE.finditer(masked):
        cs = _clause_start(masked, m.start(), STRONG_PUNCT)
        subject = _clean_metric(text[cs:m.start()])[0]
        if not subject and cs > 0:           # 城乡居民收入，分别增长8.3%、7.9%: the subject closes the clause before
            subject = _clean_metric(_strip_cues(text[_clause_start(masked, cs - 1, STRONG_PUNCT):cs - 1])[0])[0]
        if not subject:
            continue
        subjects = [p for p in _LIST_SPLIT.split(subject) if p]
        if len(subjects) != 2:
            subjects = [subject, subject]
        elif len(subjects[0]) < 4 and len(subjects[1]) > len(subjects[0]) + 1:
            # 城镇和农村生活污水处理率: the first subject shares the second's head noun
            subjects[0] = subjects[0] + subjects[1][len(subjects[0]):]
        cue = m.group("cue") or ""
        direction = "decline" if cue in ("下降", "降低", "降到") else "growth" if cue in ("增长", "提高", "提升") else "level"
        comparator = (_TRAILING_CMP[m.group("qual")] if m.group("qual") else
                      "le" if cue == "控制在" else "ge" if cue in ("达到", "不低于", "不少于", "超过", "达") else "eq")
        unit2 = m.group("unit2")
        for subj, num, unit in ((subjects[0], m.group("num1"), m.group("unit1") or unit2), (subjects[1], m.group("num2"), unit2)):
            out.append(Found(cs, m.end(), text[cs:m.end()], subj, value=parse_number(num), unit=unit, comparator=comparator,
                             direction=direction, modality=_modality(masked, m.start()), binding=_binding(text[cs:m.end()])))
        taken.append((m.start(), m.end()))
    return out


_LIST_JOINT = re.compile(r"^[\u4e00-\u9fff□]{0,12}?(和|及|与)$")


def _carry_flow_verbs(text: str, found: list[Found]) -> None:
    """`力争新培育专精特新企业10家以上、瞪羚企业5家以上`: the 新-verb carries over a 、-list; and a comparator
    word before the first number (不少于100万条…和10万条…) carries to a 和-joined second number with none."""
    for prev, cur in zip(found, found[1:]):
        if (cur.comparator == "eq" and not cur.own_cue and prev.prefix_cue and prev.comparator in ("ge", "le")
                and cur.num_start >= prev.end and _LIST_JOINT.match(text[prev.end:cur.num_start])):
            cur.comparator = prev.comparator
        if cur.value is None and cur.comparator is None:
            continue
        joint = text[prev.end:cur.start + 1] if cur.start >= prev.end else ""
        if (prev.flow_verb and not cur.flow_verb and joint.strip().startswith("、")
                and not cur.metric.startswith("新") and not cur.text.lstrip("、").startswith(tuple(_ACTION_VERBS))):
            cur.metric = prev.flow_verb + cur.metric
            cur.flow_verb = prev.flow_verb


def _sentence_targets(sentence: str, masked: str, scopes: dict[int, tuple[int, str]]) -> list[Found]:
    taken: list[tuple[int, int]] = []
    found = _literal_targets(sentence, masked, taken)
    found += _from_to_targets(sentence, masked, taken)
    found += _respectively_targets(sentence, masked, taken)
    found += _quantity_targets(sentence, masked, scopes, taken)
    found.sort(key=lambda f: (f.start, f.end))
    _carry_flow_verbs(sentence, found)
    return found


def extract_targets(text: str) -> list[Found]:
    """Every target in one piece of prose, in reading order (see module doc for the grammar).

    Works sentence by sentence (up to 。！？；): modality (力争/确保) carries to the end of its sentence.
    """
    if _NEEDS_FOLDING.search(text):
        text = text.translate(FULLWIDTH_MAP)     # full-width digits/％ (same length; a rare, slow path)
    masked, scopes = _mask(text)
    found: list[Found] = []
    for sm in SENTENCE_SPLIT.finditer(masked):
        s0, s1 = sm.span()
        local_scopes = {k - s0: (e - s0, inner) for k, (e, inner) in scopes.items() if s0 <= k < s1}
        for f in _sentence_targets(text[s0:s1], masked[s0:s1], local_scopes):
            f.start += s0
            f.end += s0
            f.text = f.text.strip("，、；：。 ")
            found.append(f)
    return found


# ---------------------------------------------------------------- plan hook

def _sentence_where(f: Found, paras: list) -> Provenance | None:
    """The provenance of the source paragraph holding the target's own sentence (None: not found)."""
    for text, where in paras:
        if f.text and f.text in text:
            return where
    return None


def _to_target(f: Found, tid: str, node: Node | None, where: Provenance | None = None) -> Target:
    info = unit_info(f.unit)
    base_value = None
    if info is not None and f.value is not None:
        base_value = f.value * info.factor
    return Target(id=tid, node_id=node.id if node else None, text=f.text, metric=f.metric, value=f.value, unit=f.unit,
                  comparator=f.comparator, low=f.low, high=f.high, from_value=f.from_value,
                  direction=f.direction, scope=f.scope,
                  where=where or (node.where if node else Provenance()),
                  modality=f.modality, base_unit=info.base if info else None, base_value=base_value,
                  binding=f.binding)


# Sections that report the past (回顾, 成效, 执行情况, 发展基础, 规划背景…): their figures are achievements,
# not this plan's targets. Titles of items under a 项目 section are project names, not targets either.
REVIEW_TITLE = re.compile(r"回顾|执行情况|完成情况|^(“十[一二三四五六七八九]五”|\d{4}年)?(发展|主要|工作|建设)?(成效|成就|基础|现状|背景|进展)$|"
                          r"^规划背景$|^基本情况$")
PROJECT_SECTION = re.compile(r"(重点|重要|重大)项目|项目清单|项目安排")


def _walk_ctx(nodes: list[Node], in_review: bool = False, in_projects: bool = False):
    for n in nodes:
        review = in_review or (n.kind != "headline" and bool(REVIEW_TITLE.search(re.sub(r"\s+", "", n.title or ""))))
        yield n, review, in_projects, review and not in_review
        yield from _walk_ctx(n.children, review, in_projects or bool(PROJECT_SECTION.search(n.title or "")))


def attach_targets(plan: Plan, diagnostics: Diagnostics | None = None, preamble_paras: list = ()) -> Diagnostics:
    """Find every target in the node titles/texts (and plan.preamble), fill plan.targets and node.target_ids.

    Review sections are skipped (one warning names each), and so are project names under a 项目 section."""
    targets: list[Target] = []
    diagnostics = Diagnostics() if diagnostics is None else diagnostics

    def add(text: str, node: Node | None, paras: list = ()) -> None:
        for f in extract_targets(text):
            t = _to_target(f, f"T{len(targets) + 1}", node, _sentence_where(f, paras) if paras else None)
            targets.append(t)
            if node is not None:
                node.target_ids.append(t.id)

    if plan.preamble:
        add(plan.preamble, None, list(preamble_paras))
    for node, review, in_projects, review_root in _walk_ctx(plan.sections):
        node.target_ids = []
        if review:
            if review_root:
                diagnostics.add(DiagnosticCode.review_section,
                                f"“{node.label or ''}{node.title}”是回顾部分，其中的数字是已完成情况，不作为目标", node.where)
            continue
        if not in_projects:
            add(node.title, node)
        add(node.text, node, node._paras)
    plan.targets = targets
    return diagnostics
