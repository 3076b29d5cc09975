"""Units as written in plans → canonical spelling, base unit and factor.

Why: a diff or a table↔body check must see that the table's `0.4 万人` and the body's `4000人`
are the same quantity, and that `5%` (a rate) and `0.5个百分点` (a change in points) are not.
Every unit is stored as written plus (base unit, factor); comparisons use value × factor.

Multiplier prefixes 万/亿/万亿 combine with any base unit (`万吨`, `亿美元`, `万平方米`), so the
table lists base units only. 万 inside a *name* (`万元生产总值能耗`) is the caller's business.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# base unit → the kind of quantity (used to refuse comparing people with money)
BASE_UNITS: dict[str, str] = {
    # money
    "元": "money", "美元": "money",
    # people
    "人": "people", "名": "people", "人次": "people_visits", "户": "households",
    # rates
    "%": "percent", "个百分点": "points", "‰": "permille", "倍": "ratio",
    # counts (classifiers; 批 is left out: 一批 is vague, not a quantity)
    "家": "count", "个": "count", "项": "count", "处": "count", "条": "count", "座": "count",
    "所": "count", "套": "count", "张": "count", "台": "count", "场": "count",
    "次": "count", "件": "count", "辆": "count", "栋": "count", "间": "count", "部": "count",
    "支": "count", "只": "count", "头": "count", "株": "count", "棵": "count", "册": "count",
    "篇": "count", "趟": "count", "架": "count", "艘": "count", "眼": "count", "盏": "count",
    "床": "count", "宗": "count", "根": "count", "具": "count", "份": "count", "词元": "count",
    # time (年/日 are left out on purpose: `2023年`, `25日` are dates, never quantities)
    "天": "days", "小时": "hours", "个月": "months",
    # length / area / volume / mass / energy
    "公里": "length_km", "千米": "length_km", "米": "length_m",
    "平方公里": "area_km2", "平方米": "area_m2", "亩": "area_mu", "公顷": "area_ha",
    "立方米": "volume_m3",
    "吨": "mass_t", "吨标准煤": "energy_tce", "斤": "mass_jin", "公斤": "mass_kg",
    "千瓦": "power_kw", "千瓦时": "energy_kwh", "兆瓦": "power_mw",
    "标箱": "teu", "微克": "mass_ug", "毫克": "mass_mg", "克": "mass_g", "千克": "mass_kg", "升": "volume_l",
}

# Compound units (concentrations, intensities, per-head amounts): numerator/denominator.
_COMPOUND_NUMERATORS = ("微克", "毫克", "克", "千克", "公斤", "吨", "万吨", "元", "万元", "千瓦时", "吨标准煤", "人")
_COMPOUND_DENOMINATORS = ("立方米", "升", "平方米", "亩", "人", "年", "天", "日", "小时", "吨", "万元", "户", "平方公里",
                          "份", "次", "辆")

_MULTIPLIERS: tuple[tuple[str, float], ...] = (("万亿", 1e12), ("亿", 1e8), ("万", 1e4))

# Spelling variants folded before lookup.
_ALIASES = {"％": "%", "百分点": "个百分点", "平方千米": "平方公里", "万亩地": "万亩", "人民币": "元",
            "元人民币": "元", "周岁": "年"}


_CLASSIFIER = re.compile(r"(.+?)（[\u4e00-\u9fff]{1,2}）")


@dataclass(frozen=True, slots=True)
class UnitInfo:
    written: str      # as in the source: 万人
    canonical: str    # canonical spelling: 万人
    base: str         # base unit: 人
    factor: float     # 1e4
    kind: str         # quantity kind: people

    def to_base(self, value: float | None) -> float | None:
        return None if value is None else value * self.factor


def _lookup(unit: str) -> UnitInfo | None:
    written = unit
    unit = _ALIASES.get(unit, unit)
    m = _CLASSIFIER.fullmatch(unit)
    if m:                             # 20座（处） / 3.8万套（间）: a classifier in brackets, same quantity
        inner = _lookup(m.group(1))
        return None if inner is None else UnitInfo(written, unit, inner.base, inner.factor, inner.kind)
    if "/" in unit:
        num, _, den = unit.partition("/")
        den = den[1:] if den.startswith("每") and len(den) > 1 else den     # 万元/每份 = 万元/份
        if den in ("年", "天", "日", "小时"):
            top = _lookup(num)
            return None if top is None else UnitInfo(written, unit, f"{top.base}/{den}", top.factor, f"{top.kind}/{den}")
        top, bottom = _lookup(num), _lookup(den)
        if top is None or bottom is None:
            return None
        return UnitInfo(written, unit, f"{top.base}/{bottom.base}", top.factor / bottom.factor,
                        f"{top.kind}/{bottom.kind}")
    if unit in BASE_UNITS:
        # 千瓦/千米/千瓦时 are base units in their own right; prefer the whole word.
        return UnitInfo(written, unit, unit, 1.0, BASE_UNITS[unit])
    for prefix, factor in _MULTIPLIERS:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            inner = _lookup(unit[len(prefix):])
            if inner is not None and inner.factor == 1.0:
                return UnitInfo(written, prefix + inner.canonical, inner.base, factor, inner.kind)
    return None


_CACHE: dict[str, UnitInfo | None] = {}


def unit_info(unit: str | None) -> UnitInfo | None:
    """Canonical form of a unit as written (`亿元` → 元 × 1e8); None when unknown or empty."""
    if not unit:
        return None
    unit = unit.strip()
    if unit not in _CACHE:
        _CACHE[unit] = _lookup(unit)
    return _CACHE[unit]


def to_base(value: float | None, unit: str | None) -> tuple[float | None, str | None]:
    """(value in the base unit, base unit); the value unchanged when the unit is unknown."""
    info = unit_info(unit)
    if info is None or value is None:
        return value, (info.base if info else unit)
    return value * info.factor, info.base


def comparable(a: str | None, b: str | None) -> bool:
    """True when two units measure the same kind of quantity (万人 vs 人, 亿元 vs 万元), not % vs 个百分点."""
    ia, ib = unit_info(a), unit_info(b)
    if ia is None or ib is None:
        return (a or None) == (b or None)
    return ia.base == ib.base


def _unit_spellings() -> frozenset[str]:
    """Every unit spelling we recognise after a number: base units, aliases, 万/亿 prefixes, compounds."""
    spellings = set(BASE_UNITS) | set(_ALIASES)
    for prefix, _ in _MULTIPLIERS:
        for b in BASE_UNITS:
            if _lookup(prefix + b) is not None and b not in ("%", "个百分点", "‰", "倍", "天", "小时", "个月"):
                spellings.add(prefix + b)
    spellings |= {f"{a}/{b}" for a in _COMPOUND_NUMERATORS for b in _COMPOUND_DENOMINATORS if a != b}
    return frozenset(spellings)


UNIT_SPELLINGS = _unit_spellings()
MAX_UNIT_LEN = max(map(len, UNIT_SPELLINGS))
# Regex alternation of every spelling, longest first (so 万亿元 beats 万 and 元).
UNIT_PATTERN = "|".join(re.escape(s) for s in sorted(UNIT_SPELLINGS, key=len, reverse=True))


def unit_at(text: str, pos: int) -> str | None:
    """The longest unit spelling starting at `pos` (a dict probe per length: far cheaper than the regex)."""
    for length in range(min(MAX_UNIT_LEN, len(text) - pos), 0, -1):
        cand = text[pos:pos + length]
        if cand in UNIT_SPELLINGS:
            return cand
    return None
