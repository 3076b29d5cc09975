"""Constructed data: filled 台账 workbooks for a plan, several departments, two rounds.

The corpus has no real returned workbooks (they are internal papers), so this script makes them,
reproducibly (fixed seed), from the tracker workbook `plandoc tracker` writes: each department opens
the generated file, fills the rows of the tasks it leads and the indicators it reports, and saves its
own copy. Values are realistic for the reference plan, 周村区 2023 (quantities pro-rated around 序时
with a few laggards, growth rates around their targets); status words are the departments' own
(正常推进, 慢序时, 提前完成 …, all in the alias table). Round 2 (1—6月) builds on round 1 (1—3月);
one department returns its round-1 text unchanged, so the bulletin must flag it 未按时报送.

    python scripts/make_progress_workbooks.py PLAN OUTDIR [--seed 2023]

writes OUTDIR/round1/<单位>.xlsx and OUTDIR/round2/<单位>.xlsx. Everything here is CONSTRUCTED.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.load import load_result  # noqa: E402
from pipeline.schema import ParseResult  # noqa: E402
from pipeline.track.config import load_config  # noqa: E402
from pipeline.track.items import IndicatorItem, PlanItems, TaskItem, build_items  # noqa: E402
from pipeline.track.layout import (AS_OF_LABEL, INDICATOR_COLUMNS, INDICATOR_SHEET, TASK_COLUMNS,  # noqa: E402
                                   TASK_SHEET, UNIT_LABEL)
from pipeline.track.workbook import FIRST_DATA_ROW, INFO_ROW, write_tracker  # noqa: E402

ROUNDS = (("round1", dt.date(2023, 3, 31)), ("round2", dt.date(2023, 6, 30)))
# Lead unit per 二、 item, in order (the reference plan's eight 工程); the 一、 section's headline
# targets and the indicator table go to the statistics and finance bureaus.
ITEM_LEADS = ("区发展和改革局", "区发展和改革局", "区工业和信息化局", "区住房和城乡建设局",
              "市生态环境局周村分局", "区农业农村局", "区行政审批服务局", "区人力资源和社会保障局")
PARTNERS = ("区财政局", "区自然资源局", "各镇（街道）", "区商务局", "区科技局")
GENERAL_LEAD = "区统计局"
FINANCE_WORDS = ("预算", "存款", "贷款")
FINANCE_LEAD = "区财政局"
STALE_LEAD = "区农业农村局"        # returns round 1 unchanged in round 2
# Per status, the words departments actually write (all must be in the alias table).
WORDS = {"序时推进": ("正常推进", "按序时", "序时推进", "推进中"), "超序时": ("超序时", "快于序时"),
         "滞后": ("慢序时", "滞后", "进展滞后"), "已完成": ("已完成", "提前完成")}
PROBLEMS = ("项目前期手续办理周期较长", "受原材料价格上涨影响，部分项目推进放缓", "要素保障压力较大",
            "企业申报积极性有待提高")
NEXT_STEPS = ("加强调度，倒排工期，确保按期完成", "强化要素保障，协调解决堵点问题", "加大督导力度，逐项推进落实")


def lead_of(task_id: str, node_id: str) -> str:
    parts = node_id.split(".")
    if parts[0] == "2" and len(parts) > 1 and parts[1].isdigit():
        return ITEM_LEADS[(int(parts[1]) - 1) % len(ITEM_LEADS)]
    return GENERAL_LEAD


def indicator_lead(ind: IndicatorItem) -> str:
    return FINANCE_LEAD if any(w in ind.name for w in FINANCE_WORDS) else GENERAL_LEAD


class Filler:
    """Decides, once per item, how well it is going (a fixed pace), then reports each round on it."""

    def __init__(self, items: PlanItems, seed: int):
        rnd = random.Random(seed)
        self.rnd = rnd
        self.pace = {}
        for t in items.tasks:          # most on or ahead of schedule, about one in six lagging
            self.pace[t.id] = rnd.choice((0.55, 0.7)) if rnd.random() < 0.17 else rnd.uniform(0.95, 1.35)
        for ind in items.indicators:
            self.pace[ind.id] = rnd.uniform(-2.5, 1.8)   # growth above/below target, points

    def task_row(self, t: TaskItem, months: int) -> dict:
        share = months / 12
        pace = self.pace[t.id]
        row = {"lead": lead_of(t.id, t.node_id)}
        if self.rnd.random() < 0.4:
            row["partners"] = self.rnd.choice(PARTNERS)
        if t.kind == "target" and t.tests:
            test = t.tests[0]
            if test.kind == "quantity":
                value = min(test.target * 1.2, test.target * share * pace)
                if (t.unit or "") in ("个", "家", "处", "条", "场", "名", "人", "天"):
                    value = float(round(value))
                value = round(value, 2)
                pct = value / test.target * 100
                row["value"] = value
                row["progress"] = f"截至{months}月底，已完成{value:g}{t.unit or ''}，占年度目标的{pct:.1f}%。"
                status = "已完成" if pct >= 100 else ("滞后" if pct < share * 100 - 10 else "序时推进")
            elif test.kind in ("level", "stock"):
                value = round(min(100.0, test.target * (0.9 + 0.1 * min(pace, 1.0))) if t.unit == "%"
                              else test.target * pace, 2)
                row["value"] = value
                row["progress"] = f"截至{months}月底，{t.title}为{value:g}{t.unit or ''}。"
                status = "序时推进" if value >= test.target - 1 else "滞后"
            else:   # growth
                value = round(test.target + (pace - 1) * 3, 1)
                row["value"] = value
                row["progress"] = f"1—{months}月{t.title}同比增长{value:g}%。"
                status = "序时推进" if value >= test.target else "滞后"
        elif t.kind == "target":
            row["progress"] = f"{t.title}：按计划推进，各项工作有序开展。"
            status = "序时推进"
        else:
            status = "滞后" if pace < 0.9 else ("超序时" if pace > 1.25 else "序时推进")
            if months <= 3 and pace < 0.6:
                status = "未启动"
            if status == "未启动":
                row["progress"] = None
            else:
                row["progress"] = (f"{t.title}：截至{months}月底，已组织召开专题调度会{max(1, months // 2)}次，"
                                   f"重点事项完成约{min(100, share * pace * 100):.0f}%。")
        row["status"] = self.rnd.choice(WORDS.get(status, (status,)))
        if status == "滞后":
            row["problems"] = self.rnd.choice(PROBLEMS)
            row["next_steps"] = self.rnd.choice(NEXT_STEPS)
        return row

    def indicator_row(self, ind: IndicatorItem, months: int) -> dict:
        share = months / 12
        row = {"lead": indicator_lead(ind)}
        growth_test = next((t for t in ind.tests if t.kind == "growth"), None)
        absolute = next((t for t in ind.tests if t.kind != "growth"), None)
        if growth_test is not None:
            row["growth"] = round(growth_test.target + self.pace[ind.id] + (0.3 if months > 3 else 0.0), 1)
        if absolute is not None:
            if absolute.kind == "quantity":
                pace = 1 + self.pace[ind.id] / 20
                row["actual"] = round(absolute.target * share * pace, 2)
                row["completion"] = round(row["actual"] / absolute.target * 100, 1)
            else:
                row["actual"] = round(absolute.target * (0.96 + 0.01 * months / 3), 2)
        if not ind.tests:
            row["note"] = "按市下达任务推进，年底考核"
        return row


def _fill(template: Path, out: Path, unit: str, as_of: dt.date, task_rows: dict[str, dict],
          indicator_rows: dict[str, dict]) -> None:
    wb = load_workbook(template)
    for sheet, columns, rows in ((TASK_SHEET, TASK_COLUMNS, task_rows), (INDICATOR_SHEET, INDICATOR_COLUMNS,
                                                                         indicator_rows)):
        ws = wb[sheet]
        col_of = {c.key: i for i, c in enumerate(columns, start=1)}
        if sheet == TASK_SHEET:
            for c in range(1, ws.max_column + 1):
                label = str(ws.cell(INFO_ROW, c).value or "")
                if label.startswith(UNIT_LABEL):
                    ws.cell(INFO_ROW, c + 1, unit)
                elif label.startswith(AS_OF_LABEL):
                    ws.cell(INFO_ROW, c + 1, as_of)
        for r in range(FIRST_DATA_ROW, ws.max_row + 1):
            values = rows.get(str(ws.cell(r, col_of["id"]).value))
            for key, value in (values or {}).items():
                if value is not None:
                    ws.cell(r, col_of[key], value)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


def make_rounds(result: ParseResult, outdir: Path, seed: int = 2023) -> dict[str, list[Path]]:
    """Fill both rounds; returns {round name: [workbook paths]}. Deterministic for a seed."""
    outdir = Path(outdir)
    items = build_items(result, load_config())
    template = outdir / "台账（空白）.xlsx"
    write_tracker(result, template)
    filler = Filler(items, seed)
    produced: dict[str, list[Path]] = {}
    previous: dict[str, tuple[dict, dict]] = {}
    for name, as_of in ROUNDS:
        months = as_of.month
        by_unit: dict[str, tuple[dict, dict]] = {}
        for t in items.tasks:
            row = filler.task_row(t, months)
            by_unit.setdefault(row["lead"], ({}, {}))[0][t.id] = row
        for ind in items.indicators:
            row = filler.indicator_row(ind, months)
            by_unit.setdefault(row["lead"], ({}, {}))[1][ind.id] = row
        if STALE_LEAD in previous:
            by_unit[STALE_LEAD] = previous[STALE_LEAD]
        produced[name] = []
        for unit, (task_rows, indicator_rows) in sorted(by_unit.items()):
            out = outdir / name / f"{unit}.xlsx"
            _fill(template, out, unit, as_of, task_rows, indicator_rows)
            produced[name].append(out)
        previous = by_unit
    return produced


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="构造两轮各部门已填报的台账（测试与基准用）")
    ap.add_argument("plan", type=Path)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=2023)
    args = ap.parse_args(argv)
    produced = make_rounds(load_result(args.plan), args.outdir, args.seed)
    for name, paths in produced.items():
        print(name, *(p.name for p in paths))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
