"""Indicator table rows across two years (contract.md "Diff", domain.md §7 "Indicators").

Rows are keyed by normalised name + base unit, so 研发经费投入占比 (%) meets 研发经费投入强度 (%)
through the synonym table and 城镇新增就业人数 in 万人 meets the same row in 人. The class is decided
on the target-year growth cell when the row has one in either year (plans are compared on growth
targets; absolute targets move with the base), otherwise on the value cell; both cells' classes are
reported; when that cell is unchanged but the other moved, the other decides (a share such as
研发 3.05 → 3.1 % keeps its growth figure 1 but rose). Only target-year cells are compared: the 上年完成 column is an estimate, not last year's target.
"""
from __future__ import annotations

from collections import defaultdict

from pipeline.diff.model import IndicatorDiff
from pipeline.diff.quantities import base_of, cell_quantity, compare, form_of, metric_key, tightened
from pipeline.schema import Row

_LOWER_IS_BETTER_WORDS = ("能耗", "排放量", "失业率", "事故", "死亡")


def _key(row: Row) -> tuple[str, str | None]:
    return metric_key(row.name)[0], base_of(row.unit)[0]


def _pair_rows(old: list[Row], new: list[Row]) -> list[tuple[Row | None, Row | None]]:
    """Pairs in new-table order; dropped rows slot in after their old predecessor's entry."""
    by_key: dict[tuple, list[Row]] = defaultdict(list)
    for r in old:
        by_key[_key(r)].append(r)
    by_name: dict[str, list[Row]] = defaultdict(list)
    paired: list[tuple[Row | None, Row | None]] = []
    used: set[int] = set()
    unmatched_new: list[Row] = []
    for r in new:
        bucket = by_key.get(_key(r))
        if bucket:
            o = bucket.pop(0)
            used.add(id(o))
            paired.append((o, r))
        else:
            paired.append((None, r))
            unmatched_new.append(r)
    # same name, units of different kinds (亿元 → %): one indicator whose 口径 changed, not two
    for r in old:
        if id(r) not in used:
            by_name[metric_key(r.name)[0]].append(r)
    for i, (o, r) in enumerate(paired):
        if o is None and by_name.get(metric_key(r.name)[0]):
            o = by_name[metric_key(r.name)[0]].pop(0)
            used.add(id(o))
            paired[i] = (o, r)
    old_index = {id(r): i for i, r in enumerate(old)}
    for i, r in enumerate(old):
        if id(r) in used:
            continue
        # after the last entry whose old row comes before this one
        at = 0
        for j, (o, _) in enumerate(paired):
            if o is not None and old_index[id(o)] < i:
                at = j + 1
        paired.insert(at, (r, None))
    return paired


def _has(cell) -> bool:
    return cell_quantity(cell).kind != "empty"


def _lower_is_better(row: Row) -> bool:
    cells = (row.target.growth, row.target.value)
    if any(c.comparator == "le" for c in cells):
        return True
    # a 降低率 is a reduction rate: a larger one is the harder target
    return any(w in row.name for w in _LOWER_IS_BETTER_WORDS) and not row.name.endswith("降低率")


def diff_row(old: Row | None, new: Row | None) -> IndicatorDiff:
    row = new or old
    if old is None or new is None:
        return IndicatorDiff(name=row.name, unit=row.unit, change="new" if old is None else "dropped",
                             old=old, new=new, base_unit=base_of(row.unit)[0])
    notes: list[str] = []
    (old_base, old_factor), (new_base, new_factor) = base_of(old.unit), base_of(new.unit)
    comparable_units = old_base == new_base
    if (old.unit or "") != (new.unit or ""):
        if comparable_units:
            notes.append(f"单位由“{old.unit}”改为“{new.unit}”，已折算为{new_base}比较")
        else:
            notes.append(f"单位由“{old.unit or '无'}”改为“{new.unit or '无'}”，口径不同，数值不可比")
    key_old, approx_old = metric_key(old.name)
    key_new, approx_new = metric_key(new.name)
    approximate = approx_old != approx_new or (approx_old and old.name != new.name)
    if old.name != new.name:
        notes.append(f"指标名称由“{old.name}”改为“{new.name}”"
                     + ("（口径相近，按同一指标比较）" if approximate else "（同义）"))
    growth_change, growth_delta = compare(cell_quantity(old.target.growth), cell_quantity(new.target.growth))
    if comparable_units:
        value_change, value_delta = compare(cell_quantity(old.target.value, old_factor),
                                            cell_quantity(new.target.value, new_factor))
    else:
        both_empty = not _has(old.target.value) and not _has(new.target.value)
        value_change, value_delta = (None if both_empty else "qualifier_changed"), None
    use_growth = _has(old.target.growth) or _has(new.target.growth)
    change = growth_change if use_growth else value_change
    compared = "growth" if use_growth else ("value" if value_change is not None else None)
    if use_growth and growth_change == "unchanged" and value_change not in (None, "unchanged"):
        # the same growth target on a moved value is still a changed target: 3.05 → 3.1 (%) with
        # growth 1 → 1 is a higher 研发 share, never 未变
        change, compared = value_change, "value"
    form = None
    if change == "form_changed":
        cell = "growth" if compared == "growth" else "value"
        form = form_of(cell_quantity(getattr(old.target, cell)), cell_quantity(getattr(new.target, cell)))
    return IndicatorDiff(form=form, 
        name=new.name, unit=new.unit, change=change or "unchanged", old=old, new=new, compared=compared,
        growth_change=growth_change, value_change=value_change, growth_delta=growth_delta,
        value_delta=value_delta, base_unit=new_base,
        tightened=tightened(change, _lower_is_better(new)), approximate=approximate, notes=notes)


def diff_indicators(old: list[Row], new: list[Row]) -> list[IndicatorDiff]:
    return [diff_row(o, n) for o, n in _pair_rows(old, new)]

