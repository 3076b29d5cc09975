"""Word-level redline of one matched task pair (domain.md §7 "Redlines").

Chinese has no spaces, so a whitespace tokenizer sees a sentence as one token and a redline
degenerates to "replace the whole sentence". We segment with jieba (plus a small dictionary of plan
vocabulary) and keep numbers with their unit or percent sign as single tokens (30个 → 36个 shows as
30→36, not as a digit-by-digit edit), then diff the token lists with
`difflib.SequenceMatcher(autojunk=False)` — the default autojunk would drop frequent tokens such as
`，` and `的` in long texts and misalign the rest. Only ever called on one matched pair, never on
whole documents.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from pipeline.diff.model import RedlineOp

# Plan vocabulary jieba would otherwise split (专精特新 → 专精/特新): words of every district's plans.
# Place and project names are not listed here: they come from the plans being compared (`plan_words`).
PLAN_WORDS = ("专精特新", "规上", "序时", "新质生产力", "瞪羚企业", "技改", "双招双引", "营商环境", "招商引资",
              "预期目标", "约束性", "预期性", "新旧动能", "高质量发展", "雨污分流", "棚户区", "老旧小区",
              "背街小巷", "人工智能", "低空经济", "数字经济", "一窗受理")
# the place a scope names: （含文昌湖4家） → 文昌湖, （其中池上镇3个） → 池上镇
_SCOPE_PLACE = re.compile(r"^(?:不含|含|其中|包括|包含)(?P<place>[\u4e00-\u9fff]{2,8}?)"
                          r"(?=[\d〇一二两三四五六七八九十]|$|[，、）)])")
# numbers with decimals, ranges and a following % / 个百分点; Latin runs such as PM2.5, 5G, VOCs
_ATOM = re.compile(r"\d{4}年|\d+[A-Za-z]+(?![A-Za-z])|\d+(?:\.\d+)?(?:[-－~～]\d+(?:\.\d+)?)?(?:%|％|‰|个百分点)?|[A-Za-z][A-Za-z0-9.+]*")


def plan_words(*plans) -> tuple[str, ...]:
    """Names the compared plans themselves supply, kept whole in their redlines: the region and the
    places their scopes name (含文昌湖4家 → 文昌湖). Nothing of one district is built into the code."""
    found: list[str] = []
    for plan in plans:
        if getattr(plan, "region", None):
            found.append(plan.region)
        for t in getattr(plan, "targets", ()) or ():
            m = _SCOPE_PLACE.match(t.scope or "")
            if m:
                found.append(m.group("place"))
    return tuple(dict.fromkeys(w for w in found if w not in PLAN_WORDS))


@lru_cache(maxsize=8)
def _tokenizer(extra: tuple[str, ...] = ()):
    """A private tokenizer with the plan words: adding words to jieba's global one would change every
    other user's segmentation in the process (title breaking, keywords). `pipeline.words.Tokenizer`
    segments exactly as jieba (HMM off) without loading jieba's dictionary into memory."""
    from pipeline.words import Tokenizer
    tokenizer = Tokenizer()
    for w in PLAN_WORDS + extra:
        tokenizer.add_word(w, freq=200000)
    return tokenizer


def tokenize(text: str, words: tuple[str, ...] = ()) -> list[str]:
    """jieba words (plus `words`, the plans' own names), with number/percent and Latin runs kept whole."""
    tokenizer = _tokenizer(tuple(words))
    out: list[str] = []
    pos = 0
    for m in _ATOM.finditer(text):
        if m.start() > pos:
            out.extend(tokenizer.cut(text[pos:m.start()]))
        out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out.extend(tokenizer.cut(text[pos:]))
    return [t for t in out if t]


def redline_ops(old: str, new: str, key=None, words: tuple[str, ...] = ()) -> list[RedlineOp]:
    """Token diff of two texts. `key(token, side)` maps a token to what is compared (side 0 old,
    1 new), so 2023年 in the 2023 plan and 2024年 in the 2024 plan can count as the same word.
    `words`: the plans' own names (`plan_words`), kept whole."""
    a, b = tokenize(old, words), tokenize(new, words)
    ka = [key(t, 0) for t in a] if key else a
    kb = [key(t, 1) for t in b] if key else b
    sm = SequenceMatcher(None, ka, kb, autojunk=False)
    ops: list[RedlineOp] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        o, n = "".join(a[i1:i2]), "".join(b[j1:j2])
        if ops and ops[-1].op == tag and tag == "equal":
            ops[-1].old += o
            ops[-1].new += n
            continue
        if tag == "equal":
            o = n                     # equal by key: show the new year's wording
        ops.append(RedlineOp(op=tag, old=o, new=n))
    return ops


def redline_text(ops: list[RedlineOp]) -> str:
    """Plain-text rendering: [-删去的-]{+新增的+}."""
    parts = []
    for op in ops:
        if op.op == "equal":
            parts.append(op.old)
        else:
            if op.old:
                parts.append(f"[-{op.old}-]")
            if op.new:
                parts.append(f"{{+{op.new}+}}")
    return "".join(parts)


def changed_share(ops: list[RedlineOp]) -> float:
    """Share of the old text's characters that a redline deletes or replaces (0 = identical)."""
    total = sum(len(op.old) for op in ops) or 1
    return sum(len(op.old) for op in ops if op.op != "equal") / total
