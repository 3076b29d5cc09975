"""Progress history of bulletins, kept in the project's SQLite archive (`pipeline.archive`).

Where: `$PLANDOC_ARCHIVE` when set (the same archive the drop folder uses), else
`.plandoc/archive.sqlite3` in the bulletin's output folder, so successive bulletins written to one
folder see each other without any set-up. What: one record per item per as-of date (append-only, as
the archive's progress API is), plus a `_summary` record; re-running a bulletin for the same date
with the same figures records nothing new, with changed figures appends (the latest record wins).
"""
from __future__ import annotations

import os
from pathlib import Path

from pipeline.archive import Archive

SUMMARY_ID = "_summary"


def archive_path(out: Path, explicit: str | Path | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("PLANDOC_ARCHIVE")
    return Path(env) if env else Path(out).resolve().parent / ".plandoc" / "archive.sqlite3"


def _latest_per_item(records: list[dict]) -> dict[str, dict[str, dict]]:
    """as_of → item_id → the last payload recorded for it."""
    out: dict[str, dict[str, dict]] = {}
    for r in records:
        out.setdefault(r["as_of"], {})[r["item_id"]] = r["payload"]
    return out


def previous_round(archive: Archive, plan_key: str, as_of: str) -> tuple[str, dict[str, dict]] | None:
    """The most recent round strictly before `as_of`: (its date, item_id → payload)."""
    rounds = _latest_per_item(archive.progress_history(plan_key))
    earlier = sorted(d for d in rounds if d < as_of)
    return (earlier[-1], rounds[earlier[-1]]) if earlier else None


def record_round(archive: Archive, plan_key: str, as_of: str, payloads: dict[str, dict]) -> int:
    """Append the payloads that differ from what is already recorded for this date; returns how many."""
    current = _latest_per_item(archive.progress_history(plan_key)).get(as_of, {})
    written = 0
    for item_id, payload in payloads.items():
        if current.get(item_id) != payload:
            archive.record_progress(plan_key, as_of, item_id, payload)
            written += 1
    return written


def issue_number(archive: Archive, plan_key: str, as_of: str) -> int:
    """第N期 of the bulletin for `as_of`: 1 + the number of earlier rounds of this plan in the archive
    (re-issuing a bulletin for the same date keeps its number)."""
    rounds = _latest_per_item(archive.progress_history(plan_key))
    return 1 + sum(1 for d in rounds if d < as_of)
