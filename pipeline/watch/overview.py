"""`OUT/index.html`: the overview a clerk opens by double-click — no server, no script.

Rebuilt from the archive after every change (the watcher calls `write_overview` when files finish),
so it can never disagree with the folder: per region and year the plan (current version, earlier
versions) and its outputs, the comparisons, each reporting period with every unit's status
(报送 / 退回 / 未报送) and the current bulletin, and the most recent failures with their reasons.
Links are relative, so the page works wherever the output folder is copied or shared; presentation
is in `templates/overview.html.j2`.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import time
from pathlib import Path
from urllib.parse import quote

from pipeline.archive import Archive
from pipeline.fsutil import atomic_write_text
from pipeline.watch.names import REASON_SUFFIX
from pipeline.watch.plan_outputs import BULLETIN_DIR, version_dir

RECENT_FAILURES = 20
INDEX_NAME = "index.html"


def _href(target: Path, out: Path) -> str:
    return quote(os.path.relpath(target, out).replace(os.sep, "/"))


def _link(target: Path, out: Path, label: str | None = None) -> dict | None:
    return {"href": _href(target, out), "label": label or target.name} if target.exists() else None


def _problem(error: str | None) -> str:
    """The 问题 line of a reason text (first line only: the full list is in the 原因 file)."""
    for line in (error or "").splitlines():
        if line.startswith("问题："):
            return line[3:].strip()
    return (error or "").strip().splitlines()[0] if error else ""


def _kind_of(name: str) -> str:
    if "比对" in name:
        return "compare"
    if name.endswith(".xlsx"):
        return "tracker"
    return "plan"


def plan_view(archive: Archive, plan: dict, out: Path) -> dict:
    from pipeline.watch.workbook_drop import bulletin_stem, submission_status
    folder = Path(plan["folder"])
    files = [f for f in (_link(folder / rel, out) for rel in plan["files"]) if f]
    for f in files:
        f["kind"] = _kind_of(f["label"])
    versions = []
    for v in archive.plan_versions(plan["plan_id"]):
        kept = folder / version_dir(v["version"])
        links = [] if v["version"] == plan["version"] else \
            [f for f in (_link(p, out) for p in sorted(kept.glob("*")) if p.is_file()) if f]
        versions.append({"version": v["version"], "name": v["name"], "doc_number": v["doc_number"],
                         "current": v["version"] == plan["version"], "files": links,
                         "when": time.strftime("%Y-%m-%d %H:%M", time.localtime(v["updated_at"]))})
    periods = []
    for as_of in sorted({r["as_of"] for r in archive.reports(plan["plan_id"]) if r["as_of"]}, reverse=True):
        status = submission_status(archive, plan["plan_id"], as_of)
        stem = bulletin_stem(plan["base"], as_of)
        periods.append({
            "as_of": as_of, "status": status,
            "bulletin": _link(folder / BULLETIN_DIR / f"{stem}.pdf", out),
            "editable": _link(folder / BULLETIN_DIR / f"{stem}（可编辑）.docx", out, "可编辑（Word）"),
            "figures": _link(folder / BULLETIN_DIR / f"{stem}（数据）.json", out, "数据（JSON）"),
            "counts": {"reported": len(status["reported"]), "returned": len(status["returned"]),
                       "missing": len(status["missing"])},
        })
    unplaced = [r for r in archive.reports(plan["plan_id"], state="returned") if not r["as_of"]]
    return {"plan_id": plan["plan_id"], "region": plan["region"] or "未知地区", "year": plan["year"],
            "base": plan["base"], "version": plan["version"], "versions": versions,
            "outputs": [f for f in files if f["kind"] != "compare"],
            "comparisons": [f for f in files if f["kind"] == "compare"],
            "periods": periods, "unplaced_returns": unplaced}


def failure_views(archive: Archive, out: Path) -> list[dict]:
    rows = sorted(archive.notices("failed"), key=lambda r: r["updated_at"], reverse=True)[:RECENT_FAILURES]
    views = []
    for r in rows:
        final = Path(r["final_path"]) if r["final_path"] else None
        views.append({
            "name": r["name"], "reason": _problem(r["error"]),
            "when": time.strftime("%Y-%m-%d %H:%M", time.localtime(r["updated_at"])),
            "kind": "台账" if r.get("kind") == "workbook" else "文件",
            "original": _link(final, out, "原件") if final else None,
            "reason_file": _link(final.with_name(final.name + REASON_SUFFIX), out, "原因说明") if final else None,
        })
    return views


def waiting_views(archive: Archive, out: Path) -> list[dict]:
    """Workbooks parked in 等待计划/ until their plan arrives (workbook_drop.wait_for_plan)."""
    from pipeline.watch.workbook_drop import WAIT_NOTE_SUFFIX
    views = []
    for w in archive.waiting():
        place = Path(w["path"])
        views.append({"name": w["name"], "title": f"《{w['title']}》" if w["title"] else "（台账未写明）",
                      "when": time.strftime("%Y-%m-%d %H:%M", time.localtime(w["since"])),
                      "original": _link(place, out, "原件"),
                      "note": _link(place.with_name(place.name + WAIT_NOTE_SUFFIX), out, "等待说明")})
    return views


def overview_context(archive: Archive, out: Path) -> dict:
    plans = [plan_view(archive, p, out) for p in archive.plans()]
    regions: dict[str, list[dict]] = {}
    for p in plans:
        regions.setdefault(p["region"], []).append(p)
    for items in regions.values():
        items.sort(key=lambda p: p["year"] or 0, reverse=True)
    counts = archive.counts()
    reports = archive.reports()
    return {
        "generated": dt.datetime.now().strftime("%Y年%-m月%-d日 %H:%M"),
        "regions": sorted(regions.items()),
        "failures": failure_views(archive, out),
        "waiting": waiting_views(archive, out),
        "totals": {"plans": len(plans), "notices_done": counts.get("done", 0),
                   "failed": counts.get("failed", 0), "duplicates": counts.get("duplicate", 0),
                   "accepted": sum(1 for r in reports if r["state"] in ("accepted", "superseded")),
                   "returned": sum(1 for r in reports if r["state"] == "returned")},
    }


@functools.lru_cache(maxsize=1)
def _template():
    """Compiled once per process: compiling took most of each rebuild (0.13 s of 0.17 s)."""
    import jinja2
    from pipeline.resources import templates_dir
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("overview.html.j2")


def render_overview(context: dict) -> str:
    return _template().render(**context)


def write_overview(archive: Archive, out: str | Path) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / INDEX_NAME
    atomic_write_text(target, render_overview(overview_context(archive, out)))
    return target
