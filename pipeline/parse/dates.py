"""成文日期 parsing (domain.md §1.2): Arabic and Chinese-numeral dates, with damaged forms.

Returns ISO dates. A damaged date is repaired only when exactly one reading is valid; otherwise
the caller gets a warning text and no date.
"""
from __future__ import annotations

import datetime as _dt
import re

_ZERO = "〇○零OＯ0"
_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}

ARABIC = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
CHINESE = re.compile(r"([〇○零OＯ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
LOST_YM = re.compile(r"^(\d{4})(\d{2,4})日$")       # 2021312日: 年 and 月 lost


def _cn_small(s: str) -> int | None:
    if not s:
        return None
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGIT.get(s[1], 0) if len(s) == 2 else None
    if "十" in s:
        a, _, b = s.partition("十")
        return _CN_DIGIT.get(a, 0) * 10 + (_CN_DIGIT.get(b, 0) if b else 0)
    return _CN_DIGIT.get(s) if len(s) == 1 else None


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(s: str) -> tuple[str | None, str | None]:
    """(iso_date, warning). Accepts a whole date line (spaces and indentation allowed)."""
    t = s.strip().replace(" ", "").replace("\u3000", "")
    m = ARABIC.fullmatch(t) or ARABIC.match(t)
    if m:
        iso = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso and not t.endswith("日"):
            return iso, f"日期“{s.strip()}”缺少“日”字，已按 {iso} 读取"
        return iso, None if iso else f"日期“{s.strip()}”不是有效日期"
    m = CHINESE.fullmatch(t)
    if m:
        year = int("".join(str(_CN_DIGIT[c]) for c in m.group(1)))
        iso = _valid(year, _cn_small(m.group(2)) or 0, _cn_small(m.group(3)) or 0)
        return iso, None if iso else f"日期“{s.strip()}”不是有效日期"
    m = LOST_YM.fullmatch(t)
    if m:
        y, rest = int(m.group(1)), m.group(2)
        readings = {iso for k in range(1, len(rest))
                    if (iso := _valid(y, int(rest[:k]), int(rest[k:]))) and len(rest[:k]) <= 2 and len(rest[k:]) <= 2}
        if len(readings) == 1:
            iso = readings.pop()
            return iso, f"日期“{s.strip()}”缺少“年/月”字，唯一可能的读法为 {iso}"
        return None, f"日期“{s.strip()}”缺字，无法唯一确定（可能是 {'、'.join(sorted(readings))}），未采用"
    return None, None


def looks_like_date_line(s: str) -> bool:
    t = s.strip().replace(" ", "").replace("\u3000", "")
    if len(t) > 16:
        return False
    return bool(ARABIC.fullmatch(t) or CHINESE.fullmatch(t) or LOST_YM.fullmatch(t)
                or re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}", t))
