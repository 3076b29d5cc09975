"""Every output of one plan version, named by what it is.

`produce_plan_outputs` is the one place that lists what a plan notice becomes in the drop folder
(the parse JSON, the plain and the formal PDF, the 台账 for departments, the editable .docx): a new
output kind is one more line there. Names say what a file is, so that a
clerk browsing `OUT/<地区>/<年度>/` never has to open a file to know it; they never carry a number
that could mean two things (a revision's earlier outputs go to `历次版本/第N版/`, not `-2`).

`PLANDOC_WATCH_OUTPUTS` (comma list of json, plain, formal, tracker, compare, docx; default all;
docx = the editable Word edition beside the plan PDF, the 比对报告 and each 通报) lets an
installation skip outputs it does not want; the JSON and the plain PDF are always written.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.fsutil import atomic_write_text

if TYPE_CHECKING:      # the watcher imports this module; the pydantic models are the workers' to load
    from pipeline.schema import ParseResult

ALL_OUTPUTS = ("json", "plain", "formal", "tracker", "compare", "docx")
VERSIONS_DIR = "历次版本"
BULLETIN_DIR = "通报"


def enabled_outputs() -> set[str]:
    raw = os.environ.get("PLANDOC_WATCH_OUTPUTS")
    chosen = set(ALL_OUTPUTS) if not raw else {w.strip() for w in raw.split(",") if w.strip()}
    return chosen | {"json", "plain"}


def version_dir(n: int) -> str:
    return f"{VERSIONS_DIR}/第{n}版"


@dataclass(frozen=True)
class PlanNames:
    """File names of one plan's outputs (relative to its folder)."""

    base: str                                  # 周村区2023年计划

    @property
    def json(self) -> str:
        return f"{self.base}（解析结果）.json"

    @property
    def plain(self) -> str:
        return f"{self.base}.pdf"

    @property
    def formal(self) -> str:
        return f"{self.base}（红头文件）.pdf"

    @property
    def docx(self) -> str:
        return f"{self.base}（可编辑）.docx"

    @property
    def tracker(self) -> str:
        return f"{self.base}推进台账.xlsx"

    def year_comparison(self, region: str, old_year: int, new_year: int) -> str:
        return f"{region}{old_year}—{new_year}年计划比对报告"

    def revision_comparison(self, old_version: int, new_version: int) -> str:
        return f"{self.base}修订比对（第{old_version}版—第{new_version}版）"


def base_name(region: str | None, year: int | None, fallback_stem: str) -> str:
    """周村区2023年计划 when the plan says where and when; else the clerk's file name."""
    return f"{region}{year}年计划" if region and year else fallback_stem


def clear_stale_temps(folder: Path, names: "PlanNames") -> None:
    """Remove the temp files (`.<name>.XXXX.part`, fsutil.atomic_output) a killed worker left for
    this plan's outputs. Called under the plan's lock: every writer of these names holds it, so a
    temp file found then belongs to a writer that is dead. Without this a kill -9 mid-write left a
    hidden file in the clerk's folder for good."""
    stems = [names.json, names.plain, names.formal, names.docx, names.tracker]
    for name in stems:
        for stale in folder.glob(f".{name}.*.part"):
            try:
                stale.unlink()
            except OSError:
                pass


def produce_plan_outputs(result: ParseResult, parsed: dict, folder: Path, names: PlanNames) -> list[str]:
    """Write every output of one plan version into `folder`; returns the names written (in order).
    Each file is written atomically (temp + rename), so a reader sees the old or the new file."""
    wanted = enabled_outputs()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    atomic_write_text(folder / names.json, json.dumps(parsed, ensure_ascii=False, indent=2) + "\n")
    written.append(names.json)
    from pipeline.render.plan_pdf import render_plan_pdf
    render_plan_pdf(result, folder / names.plain, style="plain")
    written.append(names.plain)
    if "formal" in wanted:
        render_plan_pdf(result, folder / names.formal, style="formal")
        written.append(names.formal)
    if "docx" in wanted:
        from pipeline.render.docx_writer import write_plan_docx
        write_plan_docx(result, folder / names.docx, style="formal" if "formal" in wanted else "plain")
        written.append(names.docx)
    if "tracker" in wanted and (result.plan.sections or result.plan.indicators):
        from pipeline.track.workbook import write_tracker
        try:
            write_tracker(result, folder / names.tracker)
            written.append(names.tracker)
        except Exception:       # a plan with nothing trackable still publishes its JSON and PDFs
            pass
    return written


def write_comparison(old: ParseResult, new: ParseResult, folder: Path, stem: str) -> list[str]:
    """The 比对报告 as JSON, HTML (opens in any browser), PDF and editable .docx; returns the names written."""
    if "compare" not in enabled_outputs():
        return []
    from pipeline.diff.report import write_diff
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"{stem}.{ext}" for ext in ("json", "html", "pdf") + (("docx",) if "docx" in enabled_outputs() else ())]
    write_diff(old, new, *(folder / n for n in names))
    return names
