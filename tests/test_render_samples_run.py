"""`make run` driver: every supported file → JSON + PDF; others skipped; a bad file fails alone."""
from __future__ import annotations

import json
import shutil

from pipeline.samples_run import main


def test_processes_supported_files_and_reports_failures(tmp_path, reference_txt, capsys):
    src, out = tmp_path / "samples", tmp_path / "output"
    src.mkdir()
    shutil.copy(reference_txt, src / "plan.txt")
    (src / "README.md").write_text("# not a notice", encoding="utf-8")
    (src / "notes.csv").write_text("a,b", encoding="utf-8")
    (src / "broken.docx").write_bytes(b"this is not a zip file")
    before = (src / "plan.txt").read_bytes()
    assert main([str(src), str(out)]) == 1
    err = capsys.readouterr().err
    assert "broken.docx" in err and "不是有效的 Word 文档" in err
    assert "成功 1 个，失败 1 个" in err
    assert sorted(p.name for p in out.iterdir()) == ["plan.json", "plan.pdf", "周村区2023年-台账.xlsx"]   # + the plan's 台账
    assert json.loads((out / "plan.json").read_text(encoding="utf-8"))["plan"]["sections"]
    assert (out / "plan.pdf").read_bytes().startswith(b"%PDF-")
    assert (src / "plan.txt").read_bytes() == before


def test_missing_folder_is_a_chinese_error(tmp_path, capsys):
    assert main([str(tmp_path / "nope"), str(tmp_path / "out")]) == 1
    assert "不存在" in capsys.readouterr().err
