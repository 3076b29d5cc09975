"""The drop folder writes the editable Word edition beside the plan PDF and the 比对报告 (issue 13 item 3):
a clerk edits the .docx in WPS/Word before signing. Real watcher process, real files, read back with
python-docx."""
from __future__ import annotations

import shutil
from pathlib import Path

from docx import Document

from test_watch_support import run_once

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def _text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_plan_and_comparison_have_an_editable_docx(tmp_path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(SAMPLES / "zhoucun-2023-plan.txt", inbox)
    shutil.copy(SAMPLES / "zhoucun-2024-plan.txt", inbox)
    proc = run_once(inbox, out, timeout=300, PLANDOC_WATCH_OUTPUTS="json,plain,compare,docx")
    assert proc.returncode == 0, proc.stderr[-2000:]

    plan_2023 = out / "周村区" / "2023" / "周村区2023年计划（可编辑）.docx"
    plan_2024 = out / "周村区" / "2024" / "周村区2024年计划（可编辑）.docx"
    compare = out / "周村区" / "2024" / "周村区2023—2024年计划比对报告.docx"
    for path in (plan_2023, plan_2024, compare):
        assert path.is_file(), sorted(p.name for p in out.rglob("*"))

    text = _text(plan_2023)
    assert "周村区2023年国民经济和社会发展计划" in text.replace("\n", "")
    assert "各镇政府、街道办事处" in text and "周村区人民政府" in text   # cover: 主送 and 署名
    # the indicator table is a real Word table, not tab-separated text
    assert any("农村居民人均可支配收入" in c.text for t in Document(str(plan_2023)).tables for c in t._cells)
    assert "2024" in _text(compare) and "2023" in _text(compare)


def test_docx_output_can_be_switched_off(tmp_path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(SAMPLES / "zhoucun-2023-plan.txt", inbox)
    proc = run_once(inbox, out, timeout=300, PLANDOC_WATCH_OUTPUTS="json,plain")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (out / "周村区" / "2023" / "周村区2023年计划.pdf").is_file()
    assert not list(out.rglob("*.docx"))
