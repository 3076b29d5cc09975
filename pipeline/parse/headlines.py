"""Run-in headlines inside an item (domain.md §2, "Run-in headlines").

Inside a labelled item, short sentences open sub-tasks: 全力以赴扩大有效投资。 / 向西， / 一是精准治气。
They become `headline` nodes; each one's text runs to the next headline. Three shapes, tried in order:
1. inline enumerations 一是/二是/三是 (also 一要…, 第一，…) with a boundary before them and a following
   second member — the strongest signal;
2. run-in sentences: ≤ MAX_HEADLINE_HAN Han characters, no digits, no commas or other inner
   punctuation, at least two in the item (or one at the very start of its body);
3. a parallel run of very short phrases closed by a comma (向西，/向东，…): same length, same first
   character, at least two, not discourse connectives (同时，/此外，).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HEADLINE_HAN = 12
MIN_HEADLINE_HAN = 4
SHORT_PHRASE_MAX = 4
CONNECTIVES = {"同时", "此外", "另外", "其中", "目前", "今年", "全年", "为此", "因此", "总之", "当前", "首先", "其次",
               "最后", "然后", "对此", "近年来", "一方面", "另一方面"}

_SENT_END = re.compile(r"(?<=[。！？])")
_HAN = re.compile(r"[\u3400-\u9fff]")
_FORBIDDEN_IN_HEADLINE = re.compile(r"[0-9０-９，,、；;：:（）()%％]")
_ENUM = re.compile(r"(?:(?<=^)|(?<=[。；;：:！？\n]))\s*(?P<label>(?P<n>[一二三四五六七八九十])(?P<kind>是|要|则|方面)|第(?P<n2>[一二三四五六七八九十])(?P<kind2>[，,、]))")
_ENUM_TITLE_END = re.compile(r"[，,。；;！？]")   # an enumeration's title is its first clause
_CN_ORD = {c: i + 1 for i, c in enumerate("一二三四五六七八九十")}
_QUOTES = "“”‘’\"'《》「」"


@dataclass(slots=True)
class Headline:
    start: int          # offset of the headline in the item text
    title: str
    label: str | None   # 一是 … for inline enumerations, None for run-in sentences
    title_end: int      # offset right after the headline's own sentence/phrase


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs split after 。！？ (the delimiter stays with its sentence)."""
    out, pos = [], 0
    for part in _SENT_END.split(text):
        if part:
            out.append((pos, part))
            pos += len(part)
    return out


def _han_count(s: str) -> int:
    return len(_HAN.findall(s))


def find_enumeration(text: str) -> list[Headline]:
    found = []
    for m in _ENUM.finditer(text):
        n = _CN_ORD[m.group("n") or m.group("n2")]
        kind = m.group("kind") or ("第" + (m.group("kind2") or ""))
        found.append((m.start("label"), m.end("label"), n, kind, m.group("label")))
    # Keep the longest run 1, 2, 3 … of one kind.
    best: list = []
    for kind in {f[3] for f in found}:
        run, expect = [], 1
        for f in (f for f in found if f[3] == kind):
            if f[2] == expect:
                run.append(f)
                expect += 1
        if len(run) >= 2 and len(run) > len(best):
            best = run
    heads = []
    for start, lab_end, _n, _kind, label in best:
        end_m = _ENUM_TITLE_END.search(text, lab_end)
        stop = end_m.start() if end_m else len(text)
        title = text[lab_end:stop].strip()
        title_end = end_m.end() if end_m else len(text)
        heads.append(Headline(start, title, label.rstrip("，,、"), title_end))
    return heads


def _is_runin(sentence: str) -> bool:
    body = sentence.rstrip("。！？").strip()
    if len(body) > MAX_HEADLINE_HAN + 6:      # cheap reject before counting characters
        return False
    core = body.strip(_QUOTES)
    n = _han_count(core)
    bare = re.sub(f"[{_QUOTES}]", "", core)
    return MIN_HEADLINE_HAN <= n <= MAX_HEADLINE_HAN and n == len(bare) and not _FORBIDDEN_IN_HEADLINE.search(core)


def find_runin(text: str) -> list[Headline]:
    sents = sentences(text)
    cands = [Headline(off, s.rstrip("。！？").strip(), None, off + len(s)) for off, s in sents if _is_runin(s)]
    if len(cands) >= 2 or (len(cands) == 1 and cands[0].start == 0):
        return cands
    return []


_SHORT_PHRASE = re.compile(r"(?:(?<=^)|(?<=[。！？\n]))(?P<p>[\u4e00-\u9fff]{2,%d})[，,]" % SHORT_PHRASE_MAX)


def find_parallel_phrases(text: str) -> list[Headline]:
    groups: dict[tuple[int, str], list[re.Match]] = {}
    for m in _SHORT_PHRASE.finditer(text):
        p = m.group("p")
        if p in CONNECTIVES:
            continue
        groups.setdefault((len(p), p[0]), []).append(m)
    best = max(groups.values(), key=len, default=[])
    if len(best) < 2:
        return []
    return [Headline(m.start("p"), m.group("p"), None, m.end()) for m in best]


def find_headlines(text: str) -> list[Headline]:
    """The headlines of one item body (text after the item's own title sentence)."""
    for finder in (find_enumeration, find_runin, find_parallel_phrases):
        heads = finder(text)
        if heads:
            return heads
    return []
