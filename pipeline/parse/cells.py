"""Indicator-table cell values (domain.md §4, "Cell kind").

`5.5以上` → number 5.5, ge; `5左右` → approx; `≥5` → ge; `5-6` → range; `—`/`-`/`／` → not applicable
(text kept, no number); empty → no text; anything else is a literal kept as text (保持稳定).
The text is kept as written (`5.0` stays `5.0`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from pipeline.schema import Cell
from pipeline.text import normalize

NA_MARKS = {"—", "——", "-", "－", "―", "――", "─", "/", "／", "–", "−", "…"}
_NUM = r"[-－−]?\d+(?:\.\d+)?"
_PLAIN = re.compile(rf"^{_NUM}$")
_SUFFIX = re.compile(rf"^(?P<n>{_NUM})\s*%?\s*(?P<q>以上|以下|以内|左右|上下|及以上|及以下)$")
_PREFIX = re.compile(rf"^(?P<q>≥|>=|≤|<=|＞|＜|>|<|约|不低于|不少于|不超过|不高于|高于|低于|超过)\s*(?P<n>{_NUM})\s*%?$")
_RANGE = re.compile(rf"^(?P<a>{_NUM})\s*(?:-|～|~|—|–|至|到)\s*(?P<b>{_NUM})\s*%?$")
_CMP = {"以上": "ge", "及以上": "ge", "以下": "le", "及以下": "le", "以内": "le", "左右": "approx", "上下": "approx",
        "≥": "ge", ">=": "ge", "＞": "ge", ">": "ge", "不低于": "ge", "不少于": "ge", "高于": "ge", "超过": "ge",
        "≤": "le", "<=": "le", "＜": "le", "<": "le", "不超过": "le", "不高于": "le", "低于": "le", "约": "approx"}


def _num(s: str) -> float:
    return float(s.replace("－", "-").replace("−", "-"))


def parse_cell(text: str | None, *, merged: bool = False, inferred: bool = False) -> Cell:
    if text is None or not text.strip():
        return Cell(text=None, merged=merged, inferred=inferred)
    return Cell(**_parse_value(text.strip()), merged=merged, inferred=inferred)


@lru_cache(maxsize=4096)
def _parse_value(raw: str) -> dict:
    """The value fields of a non-empty cell (cached: tables repeat their texts)."""
    return _value_fields(raw)


def _value_fields(raw: str) -> dict:
    t = normalize(raw).replace(",", "").replace("，", "") if re.search(r"\d", raw) else normalize(raw)
    if t in NA_MARKS:
        return {"text": raw}
    if _PLAIN.match(t):
        return {"text": raw, "number": _num(t), "comparator": "eq"}
    m = _SUFFIX.match(t) or _PREFIX.match(t)
    if m:
        return {"text": raw, "number": _num(m.group("n")), "comparator": _CMP[m.group("q")]}
    m = _RANGE.match(t)
    if m:
        a, b = _num(m.group("a")), _num(m.group("b"))
        if a < b:
            return {"text": raw, "comparator": "range", "low": a, "high": b}
    return {"text": raw}


def is_empty(text: str | None) -> bool:
    return text is None or not text.strip()


def is_not_applicable(text: str | None) -> bool:
    """A lone dash or slash (domain.md §4 "Not applicable"): an explicit "no value", neither a number
    nor a literal target. The one list every consumer (parser, reconciliation, diff) shares, so a
    table written with `－` or `／` is read the same way everywhere."""
    return text is not None and normalize(text.strip()) in NA_MARKS


def is_spreadable(text: str | None) -> bool:
    """May an empty cell below continue this one (a vertical merge lost in flattening)?

    Literals (保持稳定) and numbers with a comparator (5.5以上) are shared across sibling rows in real
    tables; a plain number or a dash never is (we never silently propagate a plain number)."""
    if is_empty(text):
        return False
    v = _parse_value(text.strip())
    if normalize(v["text"]) in NA_MARKS:
        return False
    return not ("number" in v and v.get("comparator") == "eq")


def is_literal(text: str | None) -> bool:
    if is_empty(text):
        return False
    v = _parse_value(text.strip())
    return "number" not in v and "comparator" not in v and normalize(v["text"]) not in NA_MARKS
