"""The duplicate key includes the notice cover: a re-issue of the same plan under a new 文号 or date
is a new notice (published), not a duplicate (mutation testing found the cover could be dropped from
the key unnoticed)."""
from __future__ import annotations

import json

from conftest import REFERENCE_TXT
from pipeline.parse import parse_file
from pipeline.watch.process import canonical_hash


def _parsed(tmp_path, text: str, name: str) -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return json.loads(parse_file(path, keywords=False).model_dump_json())


def test_reissue_with_new_doc_number_or_date_is_not_a_duplicate(tmp_path):
    text = REFERENCE_TXT.read_text(encoding="utf-8")
    assert "周政发〔2023〕34号" in text and "2023年4月25日" in text
    base = _parsed(tmp_path, text, "a.txt")
    renumbered = _parsed(tmp_path, text.replace("周政发〔2023〕34号", "周政发〔2023〕41号"), "b.txt")
    redated = _parsed(tmp_path, text.replace("2023年4月25日", "2023年5月8日"), "c.txt")
    assert renumbered["plan"] == base["plan"] and renumbered["notice"] != base["notice"]
    assert len({canonical_hash(base), canonical_hash(renumbered), canonical_hash(redated)}) == 3
    # … while the very same notice saved elsewhere (other lines, other source) keeps its key
    moved = _parsed(tmp_path, "\n\n" + text.replace("\n", "\r\n"), "d.txt")
    assert canonical_hash(moved) == canonical_hash(base)
