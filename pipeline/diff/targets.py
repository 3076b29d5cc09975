"""Prose targets across two years, compared per metric like the table (domain.md §7).

Targets are keyed by normalised metric + base unit (a growth rate in % and a level in 亿元 of the same
metric are different targets). Left-overs of one metric pair up when one side is qualitative
(保持稳定增长 → 增长3%以上 is a change of form, not one dropped and one new target). Several targets
with the same key in one plan are paired by text similarity, then by order.

Reports list a growth rate after its level (`地区生产总值达到240亿元，同比增长21%`); the extractor gives
the rate the metric `同比`. Such an anaphoric metric takes the metric of the target before it in the
same node here, so the rate is compared with next year's `地区生产总值增长20%`.
"""
from __future__ import annotations

import re
from collections import defaultdict

from rapidfuzz import fuzz

from pipeline.diff.model import TargetDiff
from pipeline.diff.quantities import EMPTY, Quantity, base_of, compare, form_of, metric_key, tightened
from pipeline.schema import Target

ANAPHORIC_METRICS = {"同比", "同比增长", "比上年", "比上年增长", "较上年", "增长", "增速", "年均增长"}
_CONNECTORS = "和及与、，,；; "
_SPACES = re.compile(r"\s+")


def resolve_metrics(targets: list[Target]) -> list[str]:
    """Each target's metric, an anaphoric one (同比) replaced by the previous target's in the same node."""
    out: list[str] = []
    for i, t in enumerate(targets):
        metric = t.metric
        if metric in ANAPHORIC_METRICS and i > 0 and targets[i - 1].node_id == t.node_id:
            metric = out[i - 1]
        out.append(metric)
    return out


def _literal(t: Target, siblings: list[Target]) -> str:
    """The qualitative part of a target's text: its text without the metric names that share it."""
    s = _SPACES.sub("", t.text)
    for other in siblings:
        if other.text == t.text and other.metric:
            s = s.replace(other.metric, "")
    return s.strip(_CONNECTORS)


def target_quantity(t: Target, siblings: list[Target]) -> Quantity:
    _, factor = base_of(t.unit)
    qualifier = (t.comparator or "eq", t.modality or "", _SPACES.sub("", t.scope or ""))
    if t.comparator == "range" and t.low is not None and t.high is not None:
        return Quantity("number", t.low * factor, t.high * factor, qualifier)
    if t.value is not None:
        v = t.base_value if t.base_value is not None else t.value * factor
        return Quantity("number", v, v, qualifier)
    literal = _literal(t, siblings)
    return Quantity("literal", literal=literal) if literal else EMPTY


def _key(metric: str, t: Target) -> tuple[str, str | None]:
    has_number = t.value is not None or t.low is not None
    return metric_key(metric)[0], (base_of(t.unit)[0] if has_number else None)


def _top(node_id: str | None) -> str | None:
    return node_id.split(".")[0] if node_id else None


def _pair_group(olds: list[int], news: list[int], old: list[Target], new: list[Target],
                node_map: dict[str, str]) -> list[tuple[int, int]]:
    """Greedy pairs within one key. Place first: a target in the task matched to this one's task,
    then one in the same top-level section (a report's 一、回顾 outturns must not meet 二、's
    targets); then the most similar text; then order."""
    scored = []
    for a in olds:
        for b in news:
            o, n = old[a], new[b]
            place = 2 if o.node_id and node_map.get(o.node_id) == n.node_id else \
                1 if _top(o.node_id) == _top(n.node_id) else 0
            s = place + fuzz.ratio(o.text, n.text) / 100
            scored.append((-s, abs(a - b), a, b))
    scored.sort()
    pairs, used_a, used_b = [], set(), set()
    for _, _, a, b in scored:
        if a not in used_a and b not in used_b:
            pairs.append((a, b))
            used_a.add(a)
            used_b.add(b)
    return pairs


def pair_targets(old: list[Target], new: list[Target],
                 node_map: dict[str, str] | None = None) -> list[tuple[int | None, int | None]]:
    """Index pairs (old, new) in new-plan order, dropped ones after their predecessor.
    `node_map` maps old node ids to the new node ids the task matching paired them with."""
    node_map = node_map or {}
    old_metrics, new_metrics = resolve_metrics(old), resolve_metrics(new)
    old_by_key, new_by_key = defaultdict(list), defaultdict(list)
    for i, t in enumerate(old):
        old_by_key[_key(old_metrics[i], t)].append(i)
    for i, t in enumerate(new):
        new_by_key[_key(new_metrics[i], t)].append(i)
    pairs: dict[int, int] = {}                 # new index → old index
    for key, news in new_by_key.items():
        if key in old_by_key:
            for a, b in _pair_group(old_by_key[key], news, old, new, node_map):
                pairs[b] = a
    # qualitative ↔ number of the same metric
    used_old = set(pairs.values())
    for b, t in enumerate(new):
        if b in pairs:
            continue
        name, dim = _key(new_metrics[b], t)
        for a, o in enumerate(old):
            if a in used_old:
                continue
            o_name, o_dim = _key(old_metrics[a], o)
            if o_name == name and (o_dim is None) != (dim is None):
                pairs[b] = a
                used_old.add(a)
                break
    ordered: list[tuple[int | None, int | None]] = [(pairs.get(b), b) for b in range(len(new))]
    for a in range(len(old)):
        if a in used_old:
            continue
        at = 0
        for j, (o, _) in enumerate(ordered):
            if o is not None and o < a:
                at = j + 1
        ordered.insert(at, (a, None))
    return ordered


def diff_targets(old: list[Target], new: list[Target], node_map: dict[str, str] | None = None) -> list[TargetDiff]:
    old_metrics, new_metrics = resolve_metrics(old), resolve_metrics(new)
    out: list[TargetDiff] = []
    for a, b in pair_targets(old, new, node_map):
        o = old[a] if a is not None else None
        n = new[b] if b is not None else None
        metric = new_metrics[b] if n is not None else old_metrics[a]
        if o is None or n is None:
            t = n or o
            out.append(TargetDiff(metric=metric, change="new" if o is None else "dropped", old=o, new=n,
                                  base_unit=base_of(t.unit)[0] if t.unit else None))
            continue
        qo, qn = target_quantity(o, old), target_quantity(n, new)
        change, delta = compare(qo, qn)
        change = change or "unchanged"
        notes = []
        if (o.unit or "") != (n.unit or "") and o.unit and n.unit:
            notes.append(f"单位由“{o.unit}”改为“{n.unit}”，已折算比较")
        approx = metric_key(old_metrics[a])[1] != metric_key(metric)[1]
        if approx:
            notes.append(f"“{old_metrics[a]}”与“{metric}”口径相近但不完全相同")
        qualifier_changed = qo.kind == qn.kind == "number" and qo.qualifier != qn.qualifier
        if qualifier_changed and change in ("rose", "fell"):
            notes.append("数值和限定词（以上/左右/力争/口径范围）同时变化")
        out.append(TargetDiff(metric=metric, change=change, old=o, new=n, delta=delta,
                              base_unit=base_of(n.unit)[0] if n.unit else None,
                              qualifier_changed=qualifier_changed or change == "qualifier_changed",
                              tightened=tightened(change, (n.comparator == "le")), approximate=approx,
                              notes=notes, form=form_of(qo, qn) if change == "form_changed" else None))
    return out
