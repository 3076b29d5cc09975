"""Metric names: normalisation and the synonym table shared by table↔body checks and diffs.

Why: the same indicator is spelt differently in the table, the body and next year's plan
(`规上工业增加值` / `规模以上工业增加值`, `城镇新增就业人数` / `新增城镇就业`, `GDP` / `地区生产总值`).
Comparing raw strings would call each of these a new indicator. Some pairs are only *approximately*
the same statistic (`研发经费投入占比` ≈ `研发经费支出占GDP比重`); those are marked so a caller can
say "approximate" instead of silently equating them. Some names *cover* several rows
(`居民人均可支配收入` covers the 城镇 and 农村 rows).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pipeline.text import CN_LABEL_RUN

# canonical name → spellings that mean exactly the same statistic
EXACT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "地区生产总值": ("GDP", "生产总值", "国内生产总值", "地区国内生产总值"),
    "规模以上工业增加值": ("规上工业增加值",),
    "社会消费品零售总额": ("社零额", "社消零", "社会消费品零售额", "社零总额"),
    "固定资产投资": ("固投", "全社会固定资产投资", "固定资产投资额"),
    "外贸进出口总额": ("进出口总额", "外贸进出口", "进出口额"),
    "实际使用外资": ("实际利用外资", "实际到账外资", "实际使用外资金额"),
    "新增城镇就业": ("城镇新增就业", "城镇新增就业人数", "新增城镇就业人数", "城镇新增就业岗位"),
    "一般公共预算收入": ("一般公共财政预算收入", "地方一般公共预算收入"),
    "一般公共预算支出": ("一般公共财政预算支出",),
    "万元生产总值能耗降低率": ("单位生产总值能耗降低率", "万元GDP能耗降低率", "单位GDP能耗降低率"),
    "研发经费支出占GDP比重": ("研发经费支出占地区生产总值比重", "研发经费投入强度", "R&D经费投入强度"),
}

# canonical name → spellings of a close but not identical statistic (report as approximate)
APPROX_SYNONYMS: dict[str, tuple[str, ...]] = {
    "研发经费支出占GDP比重": ("研发经费投入占比", "研发投入占比", "研发经费占比"),
}

# a name that covers several finer rows (the body states one target for all of them)
COVERS: dict[str, tuple[str, ...]] = {
    "居民人均可支配收入": ("城镇居民人均可支配收入", "农村居民人均可支配收入", "全体居民人均可支配收入"),
    "节能减排约束性指标": ("万元生产总值能耗降低率", "VOCs削减量", "COD排放削减量", "二氧化硫排放削减量",
                   "氮氧化物排放削减量", "氨氮排放削减量", "化学需氧量排放削减量"),
}

_LABEL = re.compile(rf"^\s*(?:{CN_LABEL_RUN}[、，.．]|[（(](?:{CN_LABEL_RUN}|\d+)[)）]|\d+[.．、])\s*")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "＂": '"'})
_REGION_PREFIX = re.compile(r"^(?:全区|全市|全县|全省|全镇|全社会|全区域|我区|我市|我县)")
_SPACES = re.compile(r"\s+")
# `高新技术企业新增` (metric–verb–value) and `新增高新技术企业` name the same flow.
_TRAILING_FLOW_VERB = re.compile(r"^(.{2,}?)(新增|新引进|新培育)$")


@lru_cache(maxsize=8192)
def normalize_metric(name: str) -> str:
    """Canonical matching form: no label, spaces or region prefix; ASCII quotes; synonyms folded."""
    s = _LABEL.sub("", name or "")
    s = _SPACES.sub("", s).translate(_QUOTES)
    s = _REGION_PREFIX.sub("", s)
    m = _TRAILING_FLOW_VERB.match(s)
    if m:
        s = m.group(2) + m.group(1)
    s = s.replace("规上", "规模以上")
    return _EXACT_INDEX.get(s, s)


def _build_exact_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, spellings in EXACT_SYNONYMS.items():
        for sp in spellings:
            key = _SPACES.sub("", sp).translate(_QUOTES).replace("规上", "规模以上")
            index[key] = canonical
    return index


_EXACT_INDEX = _build_exact_index()
_APPROX_INDEX = {sp: canonical for canonical, sps in APPROX_SYNONYMS.items() for sp in sps}

MatchKind = Literal["exact", "approximate", "covers"]


@dataclass(frozen=True, slots=True)
class MetricMatch:
    kind: MatchKind
    note: str = ""


@lru_cache(maxsize=65536)
def match_metric(body_metric: str, row_metric: str) -> MetricMatch | None:
    """How a body metric relates to a table row's metric: same, approximately same, covering, or None."""
    a, b = normalize_metric(body_metric), normalize_metric(row_metric)
    if a == b:
        return MetricMatch("exact")
    a_approx, b_approx = _APPROX_INDEX.get(a, a), _APPROX_INDEX.get(b, b)
    if a_approx == b_approx:
        return MetricMatch("approximate", f"“{body_metric}”与“{row_metric}”口径相近但不完全相同")
    if b in _COVERS_INDEX.get(a, ()):
        return MetricMatch("covers", f"“{body_metric}”涵盖“{row_metric}”")
    return None


_COVERS_INDEX = {normalize_metric(wide): frozenset(normalize_metric(n) for n in narrow)
                 for wide, narrow in COVERS.items()}
