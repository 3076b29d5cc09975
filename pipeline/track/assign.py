"""任务分解: who leads each task (牵头单位) and who helps (配合单位), assigned once per plan.

The 督查室 assigns units once, in either of two places it already works with:

- the master 台账 (`plandoc tracker` output): its 牵头单位/配合单位 columns are unlocked for exactly
  this; the 主要指标 sheet's 责任单位 column assigns indicators;
- a simple mapping file (.csv/.txt, UTF-8 or GB18030): one line per task, `编号,牵头单位,配合单位`
  (配合单位 several, separated by 、 or ；). A header line and `#` comments are allowed.

An assignment made on a node applies to every task and target below it that has none of its own, so
a clerk who assigns 二（一） to 区发改局 need not repeat it on each headline. With the assignments,
`plandoc tracker` writes one workbook per department (only its rows, its name in 填报单位), and the
bulletin names the 牵头单位 of tasks nobody reported on. A task without any lead unit is counted once
as 未明确牵头单位 — never as 未报送 (a department cannot be late for a task nobody gave it).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError
from pipeline.track.items import PlanItems
from pipeline.track.layout import INDICATOR_SHEET, TASK_SHEET

_SPLIT = re.compile(r"[、；;，,/\s]+")
ID_HEADERS = ("编号",)
LEAD_HEADERS = ("牵头单位", "责任单位")
PARTNER_HEADERS = ("配合单位",)


@dataclass(frozen=True)
class Assignment:
    lead: str
    partners: tuple[str, ...] = ()

    @property
    def partners_text(self) -> str | None:
        return "、".join(self.partners) or None


def split_units(text: str | None) -> tuple[str, ...]:
    return tuple(u for u in _SPLIT.split(text or "") if u)


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(path, "无法识别文件编码（应为 UTF-8 或 GB18030）")


def _rows_from_csv(path: Path) -> list[tuple[int, str, str, str]]:
    out = []
    text = _decode(path)
    dialect = "excel-tab" if "\t" in text and "," not in text else "excel"
    for n, cells in enumerate(csv.reader(io.StringIO(text), dialect=dialect), start=1):
        cells = [c.strip() for c in cells]
        if not cells or not cells[0] or cells[0].startswith("#") or cells[0] in ID_HEADERS:
            continue
        cells += ["", ""]
        out.append((n, cells[0], cells[1], cells[2]))
    return out


def _rows_from_workbook(path: Path) -> list[tuple[int, str, str, str]]:
    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:   # noqa: BLE001 - any unreadable workbook is the clerk's file problem
        raise InputError(path, f"无法打开工作簿（{type(e).__name__}）") from None
    out = []
    try:
        for sheet in (TASK_SHEET, INDICATOR_SHEET):
            if sheet not in wb.sheetnames:
                continue
            rows = list(wb[sheet].iter_rows(values_only=True))
            header = next((i for i, r in enumerate(rows[:10]) if r and any(str(c or "").strip() in ID_HEADERS for c in r)), None)
            if header is None:
                continue
            names = [str(c or "").strip() for c in rows[header]]
            col = {h: names.index(h) for h in names if h}
            lead_col = next((col[h] for h in LEAD_HEADERS if h in col), None)
            if lead_col is None:
                continue
            partner_col = next((col[h] for h in PARTNER_HEADERS if h in col), None)
            for n, r in enumerate(rows[header + 1:], start=header + 2):
                item_id = str(r[col["编号"]] or "").strip() if r else ""
                if not item_id:
                    continue
                lead = str(r[lead_col] or "").strip()
                partners = str(r[partner_col] or "").strip() if partner_col is not None else ""
                out.append((n, item_id, lead, partners))
    finally:
        wb.close()
    return out


def read_assignments(path: str | Path, items: PlanItems) -> dict[str, Assignment]:
    """编号 → Assignment as the clerk wrote it (not yet inherited). Unknown 编号 are an error."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "分工文件不存在")
    rows = _rows_from_workbook(path) if path.suffix.lower() == ".xlsx" else _rows_from_csv(path)
    out: dict[str, Assignment] = {}
    bad: list[str] = []
    for line, item_id, lead, partners in rows:
        if items.task(item_id) is None and items.indicator(item_id) is None:
            bad.append(f"第{line}行编号“{item_id}”")
            continue
        if lead:
            out[item_id] = Assignment(lead, split_units(partners))
        elif partners:
            bad.append(f"第{line}行（编号{item_id}）只填了配合单位，没有牵头单位")
    if bad:
        raise InputError(path, "分工有误：" + "；".join(bad[:20]) + ("等" if len(bad) > 20 else ""),
                         hint="编号须与本计划台账中的编号一致，每项须有牵头单位")
    return out


def resolve(items: PlanItems, assigned: dict[str, Assignment]) -> dict[str, Assignment]:
    """Every task, target and indicator id → its Assignment, inherited from the nearest assigned
    ancestor node (a target inherits from the node it belongs to)."""
    out: dict[str, Assignment] = {}
    for t in items.tasks:                       # parents come before their children in items.tasks
        own = assigned.get(t.id)
        if own is None:
            parent = t.node_id if t.kind == "target" else ".".join(t.id.split(".")[:-1])
            while parent and parent not in out:
                parent = ".".join(parent.split(".")[:-1])
            own = out.get(parent) if parent else None
        if own is not None:
            out[t.id] = own
    for ind in items.indicators:
        if ind.id in assigned:
            out[ind.id] = assigned[ind.id]
    return out


def units_of(resolved: dict[str, Assignment]) -> list[str]:
    """Every unit that leads or helps with something, in first-seen order."""
    seen: dict[str, None] = {}
    for a in resolved.values():
        seen.setdefault(a.lead, None)
        for p in a.partners:
            seen.setdefault(p, None)
    return list(seen)


def load_resolved(path: str | Path | None, items: PlanItems) -> dict[str, Assignment]:
    return resolve(items, read_assignments(path, items)) if path else {}
