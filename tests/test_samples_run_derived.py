"""`make run` also writes what a clerk needs next: a 台账 per plan and the year-over-year comparison."""
from __future__ import annotations

import json

from openpyxl import load_workbook

from conftest import SAMPLES
from pipeline.parse import parse_file
from pipeline.samples_run import derived_outputs


def test_tracker_per_plan_and_diff_of_consecutive_years(tmp_path):
    parsed = {p: parse_file(p, keywords=False) for p in
              (SAMPLES / "zhoucun-2023-plan.txt", SAMPLES / "zhoucun-2024-plan.txt", SAMPLES / "zhoucun-2024-plan.docx")}
    names = derived_outputs(parsed, tmp_path)
    assert sorted(names) == sorted(["周村区2023年-台账.xlsx", "周村区2024年-台账.xlsx",
                                    "周村区2023-2024年计划比对.json", "周村区2023-2024年计划比对.html",
                                    "周村区2023-2024年计划比对.pdf"])
    wb = load_workbook(tmp_path / "周村区2024年-台账.xlsx")
    assert {"重点任务", "主要指标"} <= set(wb.sheetnames)
    diff = json.loads((tmp_path / "周村区2023-2024年计划比对.json").read_text(encoding="utf-8"))
    assert (diff["old"]["year"], diff["new"]["year"]) == (2023, 2024)
    assert (tmp_path / "周村区2023-2024年计划比对.pdf").read_bytes().startswith(b"%PDF-")
