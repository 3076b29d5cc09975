"""Formula injection into the 台账: every text that came from a parsed document is written to the
workbook as a string, never as a formula, whatever it starts with (= + - @), through the real CLI."""
from __future__ import annotations

import json
import zipfile

import pytest
from openpyxl import load_workbook

from hostile_support import run_bounded, snapshot
from test_track_support import reference_path

PAYLOADS = ['=HYPERLINK("http://127.0.0.1/x?"&A1,"点击查看")', "+1+1", "-2+3", "@SUM(1,1)", "=1+1", "＝全角等号"]
TEXT_KEYS = ("text", "name", "title", "row_name", "body", "note", "unit", "label")


def _inject(node, payloads: list[str], counter: list[int]):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in TEXT_KEYS and isinstance(v, str) and v:
                node[k] = payloads[counter[0] % len(payloads)] + v
                counter[0] += 1
            else:
                _inject(v, payloads, counter)
    elif isinstance(node, list):
        for v in node:
            _inject(v, payloads, counter)


@pytest.mark.timeout(180)
def test_texts_starting_like_formulas_stay_text_in_the_tracker(tmp_path):
    plan = tmp_path / "plan.json"
    parsed = run_bounded("parse", str(reference_path()), "-o", str(plan))
    assert parsed.returncode == 0, parsed.stderr[-2000:]
    data = json.loads(plan.read_text(encoding="utf-8"))
    counter = [0]
    _inject(data["plan"], PAYLOADS, counter)
    data["notice"]["title"] = PAYLOADS[0] + (data["notice"].get("title") or "")
    assert counter[0] > 20
    plan.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = snapshot(tmp_path)
    out = tmp_path / "台账.xlsx"
    proc = run_bounded("tracker", str(plan), "-o", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert {k: v for k, v in snapshot(tmp_path).items() if k != out.name} == before
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    wb = load_workbook(out)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.update(p for p in PAYLOADS if cell.value.startswith(p))
    assert PAYLOADS[0] in seen and len(seen) >= 3, seen      # the payloads arrived, as text
