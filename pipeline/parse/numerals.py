"""Chinese numerals → numbers, for quantities inside target clauses only.

Plans write most quantities in Arabic digits (`4000人`, `5.5%`, `1.2万`) but counts also come as
Chinese numerals (`两所`, `三个`, `十二家`). We convert them here ourselves instead of pulling in
cn2an: the grammar needed is small (digits 〇零一…九两, multipliers 十百千万亿, a leading 十), and
whether a numeral is a *quantity* at all (`十四五`, `二十大`, `新三板` are names) is decided by the
caller from context, never here.
"""
from __future__ import annotations

import re

CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}

CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "十百千万亿"
# A run of Chinese numeral characters; callers decide whether it is a quantity.
CN_NUMERAL_RE = re.compile(f"[{CN_NUMERAL_CHARS}]+")
# Arabic number as written in plans: thousands commas allowed, one decimal point.
ARABIC_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def _small_section(s: str) -> int | None:
    """Value of a numeral below 10 000 (`三千二百零五`, `十二`, `两百`); None if malformed."""
    total, digit, last_unit = 0, None, 10_000
    for ch in s:
        if ch in CN_DIGITS:
            if digit is not None and digit != 0:
                return None            # two digits in a row (一二) is a list, not a number
            digit = CN_DIGITS[ch]
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit   # leading 十 means 一十
            digit, last_unit = None, unit
        else:
            return None
    if digit:
        total += digit
    return total


def cn_to_number(s: str) -> int | None:
    """Convert a pure Chinese numeral (`两`, `十二`, `三千五百`, `一万二千`, `三亿`) to an int.

    Returns None for strings that are not one well-formed number (`一二`, `十十`, empty).
    Digit-by-digit spellings of years (`二〇二三`) are not quantities and also give None.
    """
    if not s:
        return None
    total = 0
    rest = s
    for big_char, big in sorted(_BIG_UNITS.items(), key=lambda kv: -kv[1]):
        if big_char in rest:
            head, _, rest = rest.partition(big_char)
            if big_char in rest:
                return None
            head_val = _small_section(head) if head else 1
            if head_val is None or head_val == 0:
                return None
            total += head_val * big
    if rest:
        tail = _small_section(rest.lstrip("零〇"))
        if tail is None:
            return None
        total += tail
    return total


def parse_number(s: str) -> float | None:
    """Arabic (`4,000`, `5.5`), Chinese (`十二`) or mixed (`1.2万`, `3亿`) number → float."""
    s = s.strip()
    if not s:
        return None
    m = ARABIC_RE.fullmatch(s)
    if m:
        return float(s.replace(",", ""))
    m = ARABIC_RE.match(s)
    if m and m.end() < len(s):
        tail = s[m.end():]
        factor = {"万": 1e4, "亿": 1e8, "万亿": 1e12, "千": 1e3, "百": 1e2}.get(tail)
        if factor is None:
            return None
        return float(m.group().replace(",", "")) * factor
    value = cn_to_number(s)
    return None if value is None else float(value)
