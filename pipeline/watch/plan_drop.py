"""A plan notice in the drop folder: versions, current outputs, history, comparisons.

Identity of a plan is its folder and name: `<地区>/<年度>/<地区><年度>年计划` (the clerk's file name
when the notice does not say where or when). A notice with that identity and new content is the next
version (same 文号 re-issued, or a corrected plan of the same region and year); the same content
again, in any format, stays a duplicate (`Archive.reserve_plan_version`).

Order of work, all under the plan's lock (`locks.plan_lock`) so revisions, workbooks and late
comparisons of one plan never interleave, and every step re-runnable after a kill:
1. reserve the version (one archive transaction: duplicate or version n);
2. move the current version's files to `历次版本/第{n-1}版/` (skipping what is already there);
3. write every output of version n (`plan_outputs.produce_plan_outputs`), the comparison with last
   year's plan, and with the version it replaces;
4. record version n as current (`Archive.promote`).
Then, under the next year's lock, next year's plan gets its comparison against this one (last
year's plan may arrive after this year's).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.archive import Archive
from pipeline.schema import ParseResult
from pipeline.watch.locks import plan_lock
from pipeline.watch.names import safe_component, safe_stem
from pipeline.watch.plan_outputs import (PlanNames, base_name, clear_stale_temps, produce_plan_outputs, version_dir,
                                         write_comparison)

log = logging.getLogger("plandoc.watch")


@dataclass(slots=True)
class Published:
    duplicate_of: str | None = None
    pdf_path: str | None = None
    version: int | None = None
    written: list[str] = field(default_factory=list)   # absolute paths of the outputs this call wrote


def plan_identity(out: str | Path, region: str | None, year: int | None, name: str) -> tuple[Path, str, str]:
    """(folder, base name, plan id) of a plan."""
    folder = Path(out) / safe_component(region, "未知地区") / safe_component(str(year) if year else None, "未知年份")
    base = safe_component(base_name(region, year, safe_stem(name)), "计划")
    return folder, base, f"{folder.parent.name}/{folder.name}/{base}"


def load_version(archive: Archive, token: str) -> ParseResult:
    return ParseResult.model_validate_json(archive.get(token)["parsed_json"])


def publish_plan(archive: Archive, *, token: str, name: str, inbox: str, out: str, result: ParseResult,
                 parsed_json: str, parsed: dict, content_hash: str, doc_number: str | None) -> Published:
    from pipeline.track.items import plan_key
    plan = result.plan
    folder, base, plan_id = plan_identity(out, plan.region, plan.year, name)
    names = PlanNames(base)
    key = plan_key(result)
    with plan_lock(inbox, plan_id):
        res, version = archive.reserve_plan_version(
            token, plan_id=plan_id, content_hash=content_hash, region=plan.region, year=plan.year,
            doc_number=doc_number, plan_key=key, parsed_json=parsed_json,
            paths_for_version=lambda n: (folder / version_dir(n) / names.json, folder / version_dir(n) / names.plain))
        if res.duplicate_of:
            return Published(duplicate_of=res.duplicate_of)
        cur = archive.plan(plan_id)
        replaces = cur if cur and cur["token"] != token else None
        if replaces and replaces["version"] > version:
            # a later version became current first (two watchers): this one only joins the history
            target = folder / version_dir(version)
            files = produce_plan_outputs(result, parsed, target, names)
            return Published(pdf_path=str(target / names.plain), version=version,
                             written=[str(target / f) for f in files])
        if replaces:
            retire(folder, replaces)
        clear_stale_temps(folder, names)
        try:
            files = produce_plan_outputs(result, parsed, folder, names)
            last_year = (archive.find_plan(region=plan.region, year=plan.year - 1)
                         if plan.region and plan.year else None)
            if last_year and last_year["plan_id"] != plan_id:
                files += write_comparison(load_version(archive, last_year["token"]), result, folder,
                                          names.year_comparison(plan.region, plan.year - 1, plan.year))
            if replaces:
                files += write_comparison(load_version(archive, replaces["token"]), result, folder,
                                          names.revision_comparison(replaces["version"], version))
        except BaseException:
            if replaces:            # a revision that fails leaves the version it meant to replace current
                restore(folder, replaces)
            raise
        kept = folder / version_dir(replaces["version"]) if replaces else None
        archive.promote(plan_id=plan_id, token=token, version=version, region=plan.region, year=plan.year,
                        folder=str(folder), base=base, plan_key=key, files=files,
                        json_path=str(folder / names.json), pdf_path=str(folder / names.plain),
                        previous_paths=(str(kept / names.json), str(kept / names.plain)) if kept else None)
    if plan.region and plan.year:
        try:
            refresh_next_year(archive, inbox, plan.region, plan.year, result)
        except Exception:       # next year's comparison must not fail this year's plan
            log.exception("为 %s %s 年之后一年的计划制作比对报告失败", plan.region, plan.year)
    return Published(pdf_path=str(folder / names.plain), version=version, written=[str(folder / f) for f in files])


def retire(folder: Path, current: dict) -> None:
    """Move the current version's files into 历次版本/第N版/. Idempotent: a file already moved (a
    retry after a kill) is skipped, so re-running never overwrites the kept copy with newer output."""
    kept = folder / version_dir(current["version"])
    kept.mkdir(parents=True, exist_ok=True)
    for rel in current["files"]:
        src, dst = folder / rel, kept / rel
        if src.exists() and not dst.exists():
            os.replace(src, dst)


def restore(folder: Path, current: dict) -> None:
    """Undo `retire`: the kept files of the still-current version go back into the plan folder."""
    kept = folder / version_dir(current["version"])
    for rel in current["files"]:
        if (kept / rel).exists():
            os.replace(kept / rel, folder / rel)


def restore_if_unpromoted(archive: Archive, token: str) -> None:
    """A plan version that failed after retiring its predecessor's files puts them back."""
    row = archive.get(token)
    if not row or row.get("kind") != "plan" or not row.get("plan_id") or not row.get("version"):
        return
    cur = archive.plan(row["plan_id"])
    if cur and cur["token"] != token and cur["version"] < row["version"]:
        restore(Path(cur["folder"]), cur)


def refresh_next_year(archive: Archive, inbox: str, region: str, year: int, result: ParseResult) -> None:
    """Next year's plan, if archived, is compared against this year's current version."""
    nxt = archive.find_plan(region=region, year=year + 1)
    if not nxt:
        return
    with plan_lock(inbox, nxt["plan_id"]):
        nxt = archive.plan(nxt["plan_id"])
        stem = PlanNames(nxt["base"]).year_comparison(region, year, year + 1)
        written = write_comparison(result, load_version(archive, nxt["token"]), Path(nxt["folder"]), stem)
        archive.add_plan_files(nxt["plan_id"], written)
