"""The archive (SQLite), claim areas, settle rules and name rules — in-process, on real files."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.archive import MIGRATIONS, Archive
from pipeline.watch.claim import ProcessingArea
from pipeline.watch.names import is_ignored, safe_component, safe_stem
from pipeline.watch.process import canonical_hash
from pipeline.watch.settle import SettleTracker
from test_watch_support import REPO, district_variant, sample_text, sha


def test_schema_is_migrated_once_in_wal_mode(tmp_path):
    db = tmp_path / "a.sqlite3"
    a = Archive(db)
    assert a.schema_version() == len(MIGRATIONS)
    assert a.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    a.receive("t" * 16, "x.txt", tmp_path / "x")
    a.close()
    b = Archive(db)              # re-opening must not re-run migrations or lose rows
    assert [r["name"] for r in b.notices()] == ["x.txt"]
    assert b.notices()[0]["state"] == "received"


def test_state_flow_and_attempts(tmp_path):
    a = Archive(tmp_path / "a.sqlite3")
    a.receive("a" * 16, "n.txt", "claim")
    assert a.start_processing("a" * 16)["state"] == "processing"
    assert a.start_processing("a" * 16)["attempts"] == 2
    a.finish("a" * 16, "failed", error="文件为空")
    assert a.get("a" * 16)["state"] == "failed"
    a.start_processing("a" * 16)           # a terminal row is not reopened
    assert a.get("a" * 16)["state"] == "failed"
    with pytest.raises(ValueError):
        a.finish("a" * 16, "processing")


def _paths(folder: str, stem: str):
    yield f"{folder}/{stem}.json", f"{folder}/{stem}.pdf"
    i = 2
    while True:
        yield f"{folder}/{stem}-{i}.json", f"{folder}/{stem}-{i}.pdf"
        i += 1


def test_two_connections_agree_on_which_copy_is_the_original(tmp_path):
    db = tmp_path / "a.sqlite3"
    one, two = Archive(db), Archive(db)      # as two watchers would hold them
    t1, t2, t3 = "1" * 16, "2" * 16, "3" * 16
    for a, t in ((one, t1), (two, t2), (two, t3)):
        a.receive(t, f"{t}.txt", "c")
        a.start_processing(t)
    r1 = one.reserve_content(t1, content_hash="H", region="周村区", year=2023, doc_number="周政发〔2023〕34号",
                             parsed_json="{}", out_paths=_paths("o", "plan"))
    r2 = two.reserve_content(t2, content_hash="H", region="周村区", year=2023, doc_number=None,
                             parsed_json="{}", out_paths=_paths("o", "plan"))
    r3 = two.reserve_content(t3, content_hash="K", region="周村区", year=2023, doc_number=None,
                             parsed_json="{}", out_paths=_paths("o", "plan"))
    assert r1.duplicate_of is None and r1.json_path == "o/plan.json"
    assert r2.duplicate_of == t1
    assert r3.duplicate_of is None and r3.pdf_path == "o/plan-2.pdf"    # same stem, other notice
    # resuming the first after a crash gets the very same paths back
    again = one.reserve_content(t1, content_hash="H", region="周村区", year=2023, doc_number=None,
                                parsed_json="{}", out_paths=_paths("o", "plan"))
    assert (again.json_path, again.pdf_path) == (r1.json_path, r1.pdf_path)
    # a failed notice is not an original others can repeat
    one.finish(t1, "failed", error="x")
    t4 = "4" * 16
    two.receive(t4, "again.txt", "c")
    assert two.reserve_content(t4, content_hash="H", region=None, year=None, doc_number=None,
                               parsed_json="{}", out_paths=_paths("o", "again")).duplicate_of is None


def test_byte_duplicates_only_match_parsed_live_or_done_notices(tmp_path):
    a = Archive(tmp_path / "a.sqlite3")
    for t in ("a" * 16, "b" * 16, "c" * 16):
        a.receive(t, t, "c")
    assert a.find_byte_duplicate("a" * 16, "S") is None
    a.reserve_content("a" * 16, content_hash="H", region=None, year=None, doc_number=None, parsed_json="{}",
                      out_paths=_paths("o", "a"))
    a.finish("a" * 16, "done")
    assert a.find_byte_duplicate("b" * 16, "S") == "a" * 16
    a.finish("a" * 16, "failed")
    assert a.find_byte_duplicate("c" * 16, "S") is None


def test_final_paths_are_unique_on_disk_and_among_reservations(tmp_path):
    a = Archive(tmp_path / "a.sqlite3")
    done = tmp_path / "done"
    done.mkdir()
    (done / "x.txt").write_text("already here")
    a.receive("a" * 16, "x.txt", "c")
    a.receive("b" * 16, "x.txt", "c")
    cands = lambda: (done / n for n in ("x.txt", "x-2.txt", "x-3.txt"))
    assert a.reserve_final_path("a" * 16, cands()) == done / "x-2.txt"
    assert a.reserve_final_path("b" * 16, cands()) == done / "x-3.txt"
    assert a.reserve_final_path("a" * 16, cands()) == done / "x-2.txt"     # stable for its owner


def test_progress_history_for_the_bulletin(tmp_path):
    a = Archive(tmp_path / "a.sqlite3")
    a.record_progress("周村区-2023", "2023-09-30", "2.1", {"status": "滞后", "value": 12.5})
    a.record_progress("周村区-2023", "2023-06-30", "2.1", '{"status": "序时推进"}')
    a.record_progress("周村区-2023", "2023-06-30", "2.2", {"status": "已完成"})
    a.record_progress("张店区-2023", "2023-06-30", "2.1", {"status": "未启动"})
    hist = a.progress_history("周村区-2023")
    assert [(h["as_of"], h["item_id"]) for h in hist] == [("2023-06-30", "2.1"), ("2023-06-30", "2.2"),
                                                         ("2023-09-30", "2.1")]
    assert [h["payload"]["status"] for h in a.progress_history("周村区-2023", "2.1")] == ["序时推进", "滞后"]
    with pytest.raises(ValueError):
        a.record_progress("p", "2023-06-30", "1", "not json")


def test_canonical_hash_ignores_provenance_but_not_content():
    from pipeline.parse import parse_source
    from pipeline.readers.txt import read_txt
    text = sample_text()

    def parsed(t: str, name: str) -> dict:
        data = t.encode("utf-8")
        return parse_source(read_txt(Path(name), data, sha(data))).model_dump(mode="json")

    base = parsed(text, "a.txt")
    crlf = parsed(text.replace("\n", "\r\n"), "b.txt")
    shifted = parsed("\n\n\n" + text, "c.txt")                    # every line number moves
    other = parsed(district_variant(text, "张店区"), "a.txt")
    assert base["source"] != crlf["source"]
    assert canonical_hash(base) == canonical_hash(crlf) == canonical_hash(shifted)
    assert canonical_hash(base) != canonical_hash(other)


def test_name_rules():
    for n in ("~$周村区计划.docx", ".~lock.计划.docx#", "a.tmp", "b.PART", ".hidden.txt"):
        assert is_ignored(n), n
    for n in ("周村区计划.docx", "名字 有 空格.txt", "a..b.txt", "-rf.txt"):
        assert not is_ignored(n), n
    assert safe_stem("-rf.txt") == "rf"
    assert safe_stem("--.pdf") == "notice"
    assert safe_stem("周村区 2023 计划.txt") == "周村区 2023 计划"
    assert "/" not in safe_component("../../etc", "x") and not safe_component("../../etc", "x").startswith(".")


def test_settle_waits_for_stable_size_or_close(tmp_path):
    now = [100.0]
    tracker = SettleTracker(settle=1.0, close_grace=0.25, clock=lambda: now[0])
    p = tmp_path / "f.txt"
    p.write_bytes(b"part")
    os.utime(p)                             # fresh mtime: no shortcut for old files
    assert not tracker.ready(str(p))        # first sight
    now[0] += 0.5
    p.write_bytes(b"part two")
    assert not tracker.ready(str(p))        # changed: the clock restarts
    now[0] += 0.9
    assert not tracker.ready(str(p))
    now[0] += 0.2
    assert tracker.ready(str(p))            # unchanged for ≥ 1 s
    q = tmp_path / "g.txt"
    q.write_bytes(b"whole")
    tracker.closed(str(q))
    assert not tracker.ready(str(q))
    now[0] += 0.3
    assert tracker.ready(str(q))            # closed after write + grace


def test_orphaned_claims_are_adopted_but_a_live_owner_keeps_its_own(tmp_path):
    root = tmp_path / "processing"
    script = textwrap.dedent("""
        import sys, time
        from pathlib import Path
        from pipeline.watch.claim import ProcessingArea
        area = ProcessingArea(Path(sys.argv[1]))
        f = Path(sys.argv[2]); f.write_text(sys.argv[3])
        assert area.claim(f) is not None
        print("claimed", flush=True)
        if sys.argv[4] == "die":
            import os; os._exit(0)      # no clean-up: like kill -9
        time.sleep(60)
    """)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    (tmp_path / "in").mkdir()
    dead = subprocess.run([sys.executable, "-c", script, str(root), str(tmp_path / "in" / "dead.txt"), "d", "die"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert "claimed" in dead.stdout, dead.stderr
    live = subprocess.Popen([sys.executable, "-c", script, str(root), str(tmp_path / "in" / "live.txt"), "l", "live"],
                            env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert live.stdout.readline().strip() == "claimed"
        mine = ProcessingArea(root)
        adopted = mine.adopt_orphans()
        assert [c.name for c in adopted] == ["dead.txt"]
        assert adopted[0].path.read_text() == "d" and adopted[0].path.parent == mine.dir
        assert [c.name for c in mine.mine()] == ["dead.txt"]
        assert mine.adopt_orphans() == []         # the live one's claim stays its own
        assert len(list(root.rglob("*__live.txt"))) == 1
    finally:
        live.kill()
        live.wait()
    assert [c.name for c in mine.adopt_orphans()] == ["live.txt"]   # now its owner is dead too
