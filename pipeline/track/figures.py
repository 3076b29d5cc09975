"""The bulletin's figures: one round of merged reports judged against the plan (contract.md,
"Bulletin figures"). Pure computation: no files, no archive; the previous round comes in as data.

Tasks are the leaf task nodes (headlines, and items or sections without sub-items); an item's own
report stands in for a sub-task that was not reported separately. A task with numeric targets takes
the most urgent computed status of its targets (the computed status overrides the reported one; both
are kept). A task is `stale` (未按时报送) when it has no report this round, or its report is unchanged
since the previous round while it is still open.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math

from pipeline.track.config import CANONICAL_STATUSES, TrackConfig
from pipeline.track.ingest import IndicatorReport, Progress, TaskReport
from pipeline.track.items import PlanItems, TaskItem
from pipeline.track.status import (TestResult, evaluate, most_urgent, reported_light, schedule_pct,
                                   completed_months, worst_light)

UNREPORTED = "未报送"


def shares(counts: dict[str, int], decimals: int = 1) -> dict[str, float]:
    """Percent shares that sum to exactly 100 (largest-remainder rounding), zero counts included."""
    total = sum(counts.values())
    if total == 0:
        return {k: 0.0 for k in counts}
    unit = 10 ** decimals
    exact = {k: v * 100 * unit / total for k, v in counts.items()}
    floors = {k: math.floor(x) for k, x in exact.items()}
    left = 100 * unit - sum(floors.values())
    for k in sorted(exact, key=lambda k: (exact[k] - floors[k], counts[k]), reverse=True)[:left]:
        floors[k] += 1
    return {k: floors[k] / unit for k in counts}


def _fingerprint(reports: list[TaskReport | None]) -> str:
    data = [(r.progress, r.value, r.status) if r else None for r in reports]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16]


def _report(progress: Progress, item_id: str) -> TaskReport | None:
    row = progress.tasks.get(item_id)
    return row.report if row else None


def _target_figures(t: TaskItem, rep: TaskReport | None, schedule: float, cfg: TrackConfig) -> dict:
    results: list[TestResult] = []
    if rep is not None and rep.value is not None:
        for test in t.tests:
            r = evaluate(test, rep.value, rep.value, schedule, cfg)
            if r:
                results.append(r)
    computed = most_urgent(r.status for r in results)
    reported = rep.status if rep else None
    first = results[0] if results else None
    return {
        "id": t.id, "node_id": t.node_id, "title": t.title, "goal": t.goal, "unit": t.unit,
        "value": rep.value if rep else None,
        "completion_pct": first.completion_pct if first else None,
        "gap_pts": first.gap_pts if first else None,
        "vs_schedule_pts": first.vs_schedule_pts if first else None,
        "status": computed or reported, "reported_status": reported, "computed_status": computed,
        "disagree": bool(computed and reported and computed != reported),
        "light": worst_light(r.light for r in results) or None,
        "lead": rep.lead if rep else None,
    }


def _indicator_figures(ind, rep: IndicatorReport | None, schedule: float, cfg: TrackConfig) -> dict:
    results = []
    if rep is not None:
        for test in ind.tests:
            r = evaluate(test, rep.actual, rep.growth, schedule, cfg)
            if r:
                results.append(r)
    absolute = next((r for r in results if r.kind != "growth"), None)
    growth = next((r for r in results if r.kind == "growth"), None)
    value_cell, growth_cell = ind.row.target.value, ind.row.target.growth
    primary = value_cell if value_cell.number is not None or growth_cell.number is None else growth_cell
    return {
        "id": ind.id, "name": ind.name, "category": ind.category, "unit": ind.unit, "goal": ind.goal,
        "target": primary.model_dump(), "target_growth": growth_cell.model_dump(),
        "actual": rep.actual if rep else None, "growth": rep.growth if rep else None,
        "completion_pct": absolute.completion_pct if absolute else None,
        "vs_schedule_pts": absolute.vs_schedule_pts if absolute else None,
        "growth_gap_pts": growth.gap_pts if growth else None,
        "light": worst_light(r.light for r in results),
        "status": most_urgent(r.status for r in results),
        "lead": rep.lead if rep else None, "note": rep.note if rep else None,
        "reported": rep is not None,
    }


def compute(items: PlanItems, progress: Progress, as_of: dt.date, cfg: TrackConfig,
            previous: tuple[str, dict[str, dict]] | None = None, assigned: dict | None = None) -> dict:
    """`assigned`: item id → `pipeline.track.assign.Assignment` (inherited), the 任务分解 made once per
    plan. A department's own 牵头单位 cell wins; a task with neither is `unassigned`: counted once as
    未明确牵头单位, outside the shares, and never 未报送 or stale (nobody was asked to report it)."""
    assigned = assigned or {}
    schedule = schedule_pct(as_of)
    parent_of = {c: t.id for t in items.tasks if t.kind == "node" for c in t.children}
    targets_of: dict[str, list[TaskItem]] = {}
    for t in items.tasks:
        if t.kind == "target":
            targets_of.setdefault(t.node_id, []).append(t)
    prev_items = previous[1] if previous else {}

    target_figs = {t.id: _target_figures(t, _report(progress, t.id), schedule, cfg)
                   for t in items.tasks if t.kind == "target"}
    tasks = []
    for t in items.leaf_tasks:
        rep = _report(progress, t.id)
        source = "task" if rep else None
        if rep is None and t.id in parent_of and _report(progress, parent_of[t.id]):
            rep, source = _report(progress, parent_of[t.id]), "item"
        own = [target_figs[x.id] for x in targets_of.get(t.id, [])]
        computed = most_urgent(f["computed_status"] for f in own)
        reported = rep.status if rep else None
        if reported is None:
            reported = most_urgent(f["reported_status"] for f in own)
        status = computed or reported
        light = worst_light(f["light"] for f in own) or reported_light(status, as_of, cfg)
        lead = (rep.lead if rep else None) or next((f["lead"] for f in own if f["lead"]), None)
        if lead is None and t.id in parent_of:
            parent_rep = _report(progress, parent_of[t.id])
            lead = parent_rep.lead if parent_rep else None
        given = assigned.get(t.id)
        lead = lead or (given.lead if given else None)
        partners = (rep.partners if rep else None) or (given.partners_text if given else None)
        reports = [_report(progress, t.id)] + [_report(progress, x.id) for x in targets_of.get(t.id, [])]
        fingerprint = _fingerprint(reports)
        has_report = any(r is not None for r in reports) or source == "item"
        prev = prev_items.get(t.id)
        open_task = status not in cfg.collection.stale_exempt
        unassigned = lead is None and not has_report
        stale = open_task and not unassigned and (
            not has_report or (prev is not None and prev.get("fingerprint") == fingerprint))
        tasks.append({
            "id": t.id, "title": t.title, "path": t.path, "status": status, "light": light, "lead": lead,
            "partners": partners, "stale": bool(stale), "unassigned": unassigned,
            "reported_status": reported, "computed_status": computed,
            "disagree": bool(computed and reported and computed != reported), "report_source": source,
            "progress": rep.progress if rep else None, "problems": rep.problems if rep else None,
            "next_steps": rep.next_steps if rep else None, "targets": [x.id for x in targets_of.get(t.id, [])],
            "fingerprint": fingerprint,
        })
    indicators = [_indicator_figures(ind, progress.indicators[ind.id].report if ind.id in progress.indicators else None,
                                     schedule, cfg) for ind in items.indicators]
    counts = {s: sum(1 for t in tasks if t["status"] == s) for s in CANONICAL_STATUSES}
    unreported = sum(1 for t in tasks if t["status"] is None and not t["unassigned"])
    unassigned = [t["id"] for t in tasks if t["unassigned"]]
    share = shares({**counts, UNREPORTED: unreported})
    figures = {
        "plan": {"title": items.title, "region": items.region, "year": items.year},
        "as_of": as_of.isoformat(), "months": completed_months(as_of), "schedule_pct": schedule,
        "counts": counts, "unreported": unreported, "total": len(tasks),
        "unassigned": unassigned, "assigned_total": len(tasks) - len(unassigned),
        "shares": {k: v for k, v in share.items() if k != UNREPORTED or unreported},
        "tasks": tasks, "targets": list(target_figs.values()), "indicators": indicators,
        "lagging": [t["id"] for t in tasks if t["status"] in cfg.bulletin.lagging],
        "stale_units": sorted({t["lead"] for t in tasks if t["stale"] and t["lead"]}),
        "reports": [{"file": f.path, "unit": f.unit, "as_of": f.as_of.isoformat() if f.as_of else None}
                    for f in progress.files],
        "previous": _changes(tasks, indicators, counts, previous),
    }
    return figures


def _changes(tasks: list[dict], indicators: list[dict], counts: dict[str, int],
             previous: tuple[str, dict[str, dict]] | None) -> dict | None:
    if previous is None:
        return None
    as_of, items = previous
    prev_counts = (items.get("_summary") or {}).get("counts") or {}
    status_changes = [{"id": t["id"], "title": t["title"], "from": items[t["id"]].get("status"), "to": t["status"]}
                      for t in tasks if t["id"] in items and items[t["id"]].get("status") != t["status"]]
    ind_changes = []
    for ind in indicators:
        p = items.get(ind["id"])
        if not p:
            continue
        def delta(key):
            a, b = ind.get(key), p.get(key)
            return round(a - b, 1) if a is not None and b is not None else None
        ind_changes.append({"id": ind["id"], "name": ind["name"], "completion_delta_pts": delta("completion_pct"),
                            "growth_delta_pts": delta("growth")})
    return {"as_of": as_of, "counts": prev_counts,
            "counts_delta": {s: counts[s] - prev_counts.get(s, 0) for s in counts} if prev_counts else None,
            "status_changes": status_changes, "indicators": ind_changes}


def history_payloads(figures: dict) -> dict[str, dict]:
    """What the archive keeps of a round: enough to compare the next round with this one."""
    out: dict[str, dict] = {}
    for t in figures["tasks"]:
        out[t["id"]] = {"status": t["status"], "light": t["light"], "fingerprint": t["fingerprint"],
                        "lead": t["lead"], "stale": t["stale"]}
    for t in figures["targets"]:
        out[t["id"]] = {"status": t["status"], "value": t["value"], "completion_pct": t["completion_pct"]}
    for i in figures["indicators"]:
        out[i["id"]] = {"actual": i["actual"], "growth": i["growth"], "completion_pct": i["completion_pct"],
                        "light": i["light"]}
    out["_summary"] = {"counts": figures["counts"], "schedule_pct": figures["schedule_pct"],
                       "unreported": figures["unreported"], "files": [r["file"] for r in figures["reports"]]}
    return out
