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


# -- the key itself: it is stored in every archive, so its form is part of the contract ------------
import hashlib  # noqa: E402
import os  # noqa: E402

import pytest  # noqa: E402

from pipeline.watch.process import _sha256  # noqa: E402


def test_key_is_the_sha256_of_notice_and_plan_as_compact_sorted_json():
    """Written out by hand: what an existing archive's keys were made from. A change of this form
    would make every notice dropped again after an upgrade look new."""
    parsed = {"notice": {"title": "关于印发计划的通知", "doc_number": "周政发〔2023〕34号"},
              "plan": {"year": 2023, "sections": [{"title": "稳增长", "where": {"line": 9}}]},
              "source": {"format": "txt"}, "warnings": [{"code": "x"}]}
    by_hand = ('{"notice":{"doc_number":"周政发〔2023〕34号","title":"关于印发计划的通知"},'
               '"plan":{"sections":[{"title":"稳增长"}],"year":2023}}')
    assert canonical_hash(parsed) == hashlib.sha256(by_hand.encode("utf-8")).hexdigest()


def test_key_counts_the_plan_and_ignores_only_where_a_thing_was_read():
    plan = {"year": 2023, "indicators": [{"name": "地区生产总值", "target": {"text": "6", "inferred": True},
                                          "where": {"page": 11}}]}
    base = canonical_hash({"notice": {"title": "通知"}, "plan": plan})
    reread = {"year": 2023, "indicators": [{"where": {"page": 12}, "name": "地区生产总值",
                                            "target": {"inferred": False, "text": "6"}}]}
    assert canonical_hash({"notice": {"title": "通知"}, "plan": reread}) == base       # key order, where, inferred
    changed = {"year": 2023, "indicators": [{"name": "地区生产总值", "target": {"text": "6.5"}}]}
    assert canonical_hash({"notice": {"title": "通知"}, "plan": changed}) != base
    assert canonical_hash({"notice": {"title": "通知"}, "plan": {**plan, "year": 2024}}) != base


def test_byte_hash_reads_the_whole_file_in_chunks(tmp_path):
    data = os.urandom((1 << 20) * 2 + 123)           # past two chunk boundaries
    f = tmp_path / "通知.pdf"
    f.write_bytes(data)
    assert _sha256(f) == hashlib.sha256(data).hexdigest()
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    assert _sha256(empty) == hashlib.sha256(b"").hexdigest()


def test_byte_hash_never_follows_a_symlink(tmp_path):
    """A link dropped into the inbox is not read through (it could point anywhere on the server)."""
    target = tmp_path / "secret.txt"
    target.write_text("机密", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with pytest.raises(OSError):
        _sha256(link)
