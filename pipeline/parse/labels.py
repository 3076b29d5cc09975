"""The numbering ladder (domain.md §2): which rung a paragraph's leading label is on.

The level comes from the label's rung on the fixed ladder, never from the order in which labels
first appear: 一、 is always L1, （一） L2, 1. L3, （1） L4. Patterns run on the normalised text
(full-width digits already ASCII).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.text import CN_LABEL_RUN, map_fullwidth

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "一二三四五六七八九十"
# Well-formed numerals with a hundred or thousand (一百零一, 三百二十, 一千): 零 only before a lone digit,
# no unit repeated or out of order. Checked only when the cheap pattern saw 百/千/零 (rare).
_BIG_NUMERAL = re.compile(r"^(?:[一二三四五六七八九]千(?:零(?=[一二三四五六七八九])|(?=[一二三四五六七八九]百)|$))?"
                          r"(?:[一二三四五六七八九]百(?:零(?=[一二三四五六七八九]$)|(?=[一二三四五六七八九]?十)|$))?"
                          r"(?:[一二三四五六七八九]?十)?[一二三四五六七八九]?$")


def cn_to_int(s: str) -> int | None:
    """Chinese numerals used as labels: 一 … 九十九 (十二 = 12, 二十 = 20) and past the hundred
    (一百 = 100, 一百零一 = 101, 一百一十 = 110, 一千 = 1000). None when malformed (一百百, 百二)."""
    if not s:
        return None
    if "百" in s or "千" in s or "零" in s or "〇" in s:
        if not _BIG_NUMERAL.match(s.replace("〇", "零")):
            return None
    elif len(s) > 3:
        return None                          # below a hundred a label numeral is at most 九十九
    total, cur = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            cur = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (cur or 1) * CN_UNITS[ch]
            cur = 0
        else:
            return None
    return total + cur


def int_to_cn(n: int) -> str:
    """The label spelling of 1 … 9999: 十二, 二十, 一百, 一百零一, 一百一十, 一千零五 (the one home of this
    spelling: the tree's canonical labels, reconcile's and the bulletin's citations use it)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return digits[tens] + "十" + (digits[ones] if ones else "")
    unit, name = (1000, "千") if n >= 1000 else (100, "百")
    head, rest = divmod(n, unit)
    if rest == 0:
        return digits[head] + name
    tail = int_to_cn(rest)
    if 10 <= rest < 20:
        tail = "一" + tail                   # 一百一十二, not 一百十二
    return digits[head] + name + ("零" if rest < unit // 10 else "") + tail


# Rungs above 一、: parts, chapters and sections of long plans (第一部分 / 第一篇 / 第一章 / 第一节).
PART_RUNGS = {"部分": -2, "篇": -2, "章": -1, "节": 0}
# Below （1）: circled numbers ①…⑳.
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
CIRCLED_RUNG = 5
MAX_PART_TITLE = 40


@dataclass(frozen=True, slots=True)
class Label:
    rung: int          # -2..0 for parts/chapters/sections, 1..4 on the ladder, 5 for ①
    number: int        # the ordinal (一 → 1)
    raw: str           # the label as written, e.g. "一、" or "(1)"
    canonical: str     # canonical spelling: 一、 / （一） / 1. / （1）
    rest: str          # text after the label (normalised form)
    length: int        # characters of the label in the normalised text (incl. trailing spaces)


# L1: 一、 一， 一. 一． 一 、 — never 一是 / 一要 (inline enumerations) and never a date like 二〇二三年.
_L1 = re.compile(rf"^({CN_LABEL_RUN})\s*[、，,.．]\s*")
_L2 = re.compile(rf"^[（(]\s*({CN_LABEL_RUN})\s*[）)]\s*")
# L3: 1. 1． 1、 1 . — a non-digit must follow (5.5%以上 after a PDF wrap is no label).
_L3 = re.compile(r"^(\d{1,3})\s*[.．、](?![\d%])\s*")
_L4 = re.compile(r"^(?:[（(]\s*(\d{1,3})\s*[）)]|(\d{1,3})[）)])\s*")
_PART = re.compile(rf"^第\s*({CN_LABEL_RUN}|\d{{1,3}})\s*(部分|篇|章|节)(?![的中里内])\s*")
_CIRCLED = re.compile(rf"^([{CIRCLED}])\s*")
# A label followed by these is a cross-reference or a range, not a heading: （一）至（三）.
_NOT_AFTER = re.compile(r"^(?:(?:至|到|和|及|与)\s*[（(]?[一二三四五六七八九十\d]|、)")


_TOC_TAIL = re.compile(r"(\.{3,}|…{2,}|·{3,}|\s{4,})\s*\d+\s*$")


def match_label(norm: str) -> Label | None:
    if _TOC_TAIL.search(norm):
        return None                    # a table-of-contents line: 一、总体要求……3
    m = _PART.match(norm)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else cn_to_int(m.group(1))
        rest = norm[m.end():]
        if n and len(rest) <= MAX_PART_TITLE and not re.search(r"[。；，,;]", rest) and not _NOT_AFTER.match(rest):
            return Label(PART_RUNGS[m.group(2)], n, m.group(0).strip(), f"第{int_to_cn(n)}{m.group(2)}", rest, m.end())
    m = _CIRCLED.match(norm)
    if m and len(norm) > m.end():
        n = CIRCLED.index(m.group(1)) + 1
        return Label(CIRCLED_RUNG, n, m.group(1), m.group(1), norm[m.end():], m.end())
    m = _L1.match(norm)
    if m:
        n = cn_to_int(m.group(1))
        rest = norm[m.end():]
        if n and not _NOT_AFTER.match(rest) and rest:
            return Label(1, n, m.group(0).strip(), f"{m.group(1)}、", rest, m.end())
    m = _L2.match(norm)
    if m:
        n = cn_to_int(m.group(1))
        rest = norm[m.end():]
        if n and not _NOT_AFTER.match(rest) and rest:
            return Label(2, n, m.group(0).strip(), f"（{m.group(1)}）", rest, m.end())
    m = _L3.match(norm)
    if m:
        n = int(m.group(1))
        rest = norm[m.end():]
        if n and rest and not _NOT_AFTER.match(rest):
            return Label(3, n, m.group(0).strip(), f"{n}.", rest, m.end())
    m = _L4.match(norm)
    if m:
        n = int(m.group(1) or m.group(2))
        rest = norm[m.end():]
        if n and rest and not _NOT_AFTER.match(rest):
            return Label(4, n, m.group(0).strip(), f"（{n}）", rest, m.end())
    return None


def cut_original(text: str, norm_len: int) -> str:
    """Drop the first `norm_len` normalised characters from the original `text` (already stripped).

    `normalize` maps characters one to one except for removed invisibles, so we walk the original and
    count only characters that survive normalisation."""
    count = 0
    for i, ch in enumerate(text):
        if count >= norm_len:
            return text[i:].lstrip(" \u3000\t")
        if map_fullwidth(ch):
            count += 1
    return ""

