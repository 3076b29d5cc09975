"""The constructed 2024 plan against the 2023 reference: every change recorded in the hand-written
gold (tests/gold/diff_2023_2024.json) must come out, and nothing else (precision and recall 1.0)."""
from __future__ import annotations

import json

import pytest

from conftest import GOLD, SAMPLES
from pipeline.diff import diff_plans
from pipeline.parse import parse_file

OLD_TXT = SAMPLES / "zhoucun-2023-plan.txt"
NEW_TXT = SAMPLES / "zhoucun-2024-plan.txt"
NEW_DOCX = SAMPLES / "zhoucun-2024-plan.docx"


@pytest.fixture(scope="module")
def gold():
    return json.loads((GOLD / "diff_2023_2024.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def old():
    return parse_file(OLD_TXT, keywords=False)


@pytest.fixture(scope="module")
def diff(old):
    return diff_plans(old, parse_file(NEW_TXT, keywords=False))


def _indicator_set(d):
    return {(e.name, e.change, e.growth_change, e.value_change) for e in d.indicators}


def test_indicators_match_gold_exactly(diff, gold):
    expected = {(g["name"], g["change"], g["growth_change"], g["value_change"]) for g in gold["indicators"]}
    got = _indicator_set(diff)
    assert got - expected == set(), "reported but not in the gold"
    assert expected - got == set(), "in the gold but not reported"


def test_indicator_details(diff, gold):
    by_name = {e.name: e for e in diff.indicators}
    for g in gold["indicators"]:
        e = by_name[g["name"]]
        if g.get("old_name"):
            assert e.old.name == g["old_name"] and e.approximate is True
        if g.get("unit_changed"):
            assert e.old.unit != e.new.unit and any("单位" in n for n in e.notes)
    gdp = by_name["地区生产总值"]
    assert gdp.compared == "growth" and gdp.growth_delta == pytest.approx(0.5)


def _matches(entry, needle):
    return any(t is not None and needle in t.metric for t in (entry.old, entry.new))


def test_targets_precision_and_recall(diff, gold):
    changed = [e for e in diff.targets if e.change != "unchanged"]
    hits = set()
    for g in gold["targets"]:
        found = [i for i, e in enumerate(changed) if _matches(e, g["metric_contains"])]
        assert len(found) == 1, f"{g['metric_contains']}: {len(found)} changed entries match"
        e = changed[found[0]]
        assert e.change == g["change"], g["metric_contains"]
        if "old" in g:
            assert e.old.base_value == pytest.approx(g["old"]) and e.new.base_value == pytest.approx(g["new"])
        hits.add(found[0])
    assert len(hits) == len(gold["targets"]) == len(changed)   # recall and precision 1.0


def _task_key(e):
    key = {"old_id": e.old_id, "new_id": e.new_id, "change": e.change}
    if e.old_id and e.new_id:
        key.update(numbers_changed=e.numbers_changed, words_changed=e.words_changed, moved=e.moved)
    return json.dumps(key, sort_keys=True)


def test_tasks_precision_and_recall(diff, gold):
    got = {_task_key(e) for e in diff.tasks if e.change != "unchanged" or e.moved}
    expected = {json.dumps(g, sort_keys=True) for g in gold["tasks"]}
    assert got - expected == set(), "reported but not in the gold"
    assert expected - got == set(), "in the gold but not reported"
    assert not any(e.change == "review" for e in diff.tasks)


def test_redlines_are_word_level(diff, gold):
    by_old = {e.old_id: e for e in diff.tasks if e.old_id}
    for g in gold["redlines"]:
        ops = by_old[g["old_id"]].redline_ops
        assert any(op.op == "replace" and op.old == g["deleted"] and op.new == g["inserted"] for op in ops), g
    for e in diff.tasks:
        if e.change == "reworded":
            changed = sum(len(op.old) for op in e.redline_ops if op.op != "equal")
            kept = sum(len(op.old) for op in e.redline_ops if op.op == "equal")
            assert kept > changed, f"{e.old_id}: redline degenerated into a replacement"
            # the plan year moving on is not an edit
            assert not any("2023年" in op.old for op in e.redline_ops if op.op != "equal"), e.old_id


def test_summary_counts_agree_with_entries(diff):
    s = diff.summary
    assert s.indicators["rose"] == 6 and s.indicators["fell"] == 3 and s.indicators["new"] == 1
    assert s.tasks["new"] == 2 and s.tasks["dropped"] == 1 and s.tasks_moved == 1
    assert "主要指标共21项" in s.text and "新增2项" in s.text


def test_docx_edition_gives_the_same_changes(old, diff):
    from_docx = diff_plans(old, parse_file(NEW_DOCX, keywords=False))
    assert _indicator_set(from_docx) == _indicator_set(diff)
    assert [(e.metric, e.change) for e in from_docx.targets] == [(e.metric, e.change) for e in diff.targets]
    assert {_task_key(e) for e in from_docx.tasks} == {_task_key(e) for e in diff.tasks}


def test_plan_against_itself_reports_no_change(old):
    d = diff_plans(old, old)
    assert {e.change for e in d.indicators} == {"unchanged"}
    assert {e.change for e in d.targets} == {"unchanged"}
    assert {e.change for e in d.tasks} == {"unchanged"}
    assert not any(e.moved or e.redline for e in d.tasks)
    assert "均未变化" in d.summary.text


def test_committed_sample_is_what_the_script_builds():
    """The gold describes the script's edits: the committed 2024 text must be exactly its output."""
    import importlib.util
    script = SAMPLES.parent / "scripts" / "build_2024_sample.py"
    spec = importlib.util.spec_from_file_location("build_2024_sample", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.build_text(OLD_TXT) == NEW_TXT.read_text(encoding="utf-8")
