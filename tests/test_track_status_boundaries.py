"""Every threshold of the status engine tested on, just below and just above it (mutation testing
found that `>=`/`>`/`<=`/`<` swaps and deleted rules survived the suite). Values come from the shipped
configuration (track.toml), read here only for the numbers the engine is configured with."""
from __future__ import annotations

import datetime as dt

import pytest

from pipeline.track.config import load_config
from pipeline.track.items import Check
from pipeline.track.status import evaluate, reported_light, schedule_pct

CFG = load_config()
RED_FROM = CFG.lights.reported.not_started_red_from_month          # 7 in the shipped configuration
BAND = CFG.targets.approx_band_pts                                  # 0.5


def _month_end(month: int) -> dt.date:
    return dt.date(2023, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(2023, 12, 31)


def test_not_started_turns_red_from_the_configured_month():
    normal = CFG.lights.reported.for_status("未启动")
    assert normal != "red"
    assert reported_light("未启动", _month_end(RED_FROM - 1), CFG) == normal     # just below
    assert reported_light("未启动", _month_end(RED_FROM), CFG) == "red"          # on it
    assert reported_light("未启动", _month_end(RED_FROM + 1), CFG) == "red"      # above
    # the day before the month completes still counts the previous month
    assert reported_light("未启动", _month_end(RED_FROM) - dt.timedelta(days=1), CFG) == normal
    assert reported_light("序时推进", _month_end(12), CFG) != "red"


@pytest.mark.parametrize("offset,on_target", [(-BAND - 0.1, False), (-BAND, True), (0.0, True),
                                              (BAND, True), (BAND + 0.1, False)])
def test_approx_band_is_inclusive_at_its_edge(offset, on_target):
    check = Check(kind="growth", target=5.5, comparator="approx")
    r = evaluate(check, None, 5.5 + offset, 50.0, CFG)
    assert (r.gap_pts == 0.0) is on_target, r
    if not on_target:
        assert r.gap_pts == pytest.approx(offset)


@pytest.mark.parametrize("value,done", [(99.9, False), (100.0, True), (100.1, True)])
def test_quantity_done_at_exactly_one_hundred_percent(value, done):
    r = evaluate(Check(kind="quantity", target=100.0, comparator="ge"), value, None, schedule_pct(_month_end(6)), CFG)
    assert r.completion_pct == value
    assert (r.status == "已完成") is done, r


def test_lower_is_better_quantity_is_never_done_by_reaching_the_target():
    r = evaluate(Check(kind="quantity", target=100.0, comparator="le", lower_is_better=True), 100.0, None, 50.0, CFG)
    assert r.status != "已完成"


@pytest.mark.parametrize("kind", ["quantity", "growth_rate"])
def test_light_boundaries_on_below_and_above(kind):
    th = getattr(CFG.lights, kind)
    assert th.inclusive is False
    y, r = th.yellow_below, th.red_below
    step = 0.1
    assert th.light(-y + step) == "green"
    assert th.light(-y) == "green"                 # strict: exactly on the yellow line is still green
    assert th.light(-y - step) == "yellow"
    assert th.light(-r + step) == "yellow"
    assert th.light(-r) == "yellow"
    assert th.light(-r - step) == "red"
    inclusive = th.model_copy(update={"inclusive": True})
    assert inclusive.light(-y) == ("yellow" if y != r else "red")
    assert inclusive.light(-r) == "red"


def test_ahead_margin_on_below_and_above():
    th = CFG.lights.quantity
    a = th.ahead_above
    check = Check(kind="quantity", target=100.0, comparator="ge")
    for gap, want in ((a - 0.1, "序时推进"), (a, "序时推进"), (a + 0.1, "超序时")):
        r = evaluate(check, 50.0 + gap, None, 50.0, CFG)
        assert r.gap_pts == pytest.approx(gap) and r.status == want, (gap, r)


@pytest.mark.parametrize("month,pct", [(1, 8.3), (3, 25.0), (6, 50.0), (11, 91.7), (12, 100.0)])
def test_schedule_by_completed_months(month, pct):
    assert schedule_pct(_month_end(month)) == pct
    if month > 1:
        assert schedule_pct(_month_end(month) - dt.timedelta(days=1)) == round((month - 1) / 12 * 100, 1)


# --- the rest of the engine's rules, each with an exact expected value --------------------------
from pipeline.track.status import most_urgent, worst_light  # noqa: E402


def test_worst_light_orders_red_over_yellow_over_green():
    assert worst_light(["green", None, "yellow"]) == "yellow"
    assert worst_light(["yellow", "red", "green"]) == "red"
    assert worst_light(["green", "green"]) == "green"
    assert worst_light([None, None]) is None and worst_light([]) is None


def test_most_urgent_status():
    assert most_urgent(["已完成", "已完成"]) == "已完成"
    assert most_urgent(["已完成", "超序时"]) == "超序时"
    assert most_urgent(["超序时", "序时推进", "已完成"]) == "序时推进"
    assert most_urgent(["序时推进", "未启动"]) == "未启动"
    assert most_urgent(["未启动", "滞后", "已完成"]) == "滞后"
    assert most_urgent(["调整", None]) is None


def test_quantity_result_fields():
    r = evaluate(Check(kind="quantity", target=200.0, comparator="ge"), 90.0, None, 50.0, CFG)
    assert (r.kind, r.target, r.actual, r.completion_pct, r.gap_pts) == ("quantity", 200.0, 90.0, 45.0, -5.0)
    assert r.vs_schedule_pts == -5.0 and r.light == "green" and r.status == "序时推进"
    low = evaluate(Check(kind="quantity", target=200.0, comparator="le", lower_is_better=True), 90.0, None, 50.0, CFG)
    assert low.gap_pts == 5.0 and low.status == "序时推进"
    assert evaluate(Check(kind="quantity", target=0.0), 5.0, None, 50.0, CFG) is None
    assert evaluate(Check(kind="quantity", target=10.0), None, None, 50.0, CFG) is None
    assert round(evaluate(Check(kind="quantity", target=3.0), 1.0, None, 0.0, CFG).gap_pts, 4) == 33.3


def test_growth_result_fields():
    r = evaluate(Check(kind="growth", target=5.5, comparator="ge"), None, 4.25, 50.0, CFG)
    assert (r.kind, r.actual, r.completion_pct, r.gap_pts, r.vs_schedule_pts) == ("growth", 4.25, None, -1.25, None)
    assert r.light == "yellow" and r.status == "滞后"
    down = evaluate(Check(kind="growth", target=3.0, comparator="le", lower_is_better=True), None, 2.0, 50.0, CFG)
    assert down.gap_pts == 1.0 and down.status == "序时推进"
    assert round(evaluate(Check(kind="growth", target=1.0), None, 1.123, 50.0, CFG).gap_pts, 4) == 0.12
    assert evaluate(Check(kind="growth", target=5.0), 10.0, None, 50.0, CFG) is None


def test_stock_is_shown_not_judged():
    r = evaluate(Check(kind="stock", target=500.0), 250.0, None, 50.0, CFG)
    assert (r.kind, r.completion_pct, r.gap_pts, r.light, r.status) == ("stock", 50.0, 0.0, None, None)


def test_level_results():
    r = evaluate(Check(kind="level", target=60.0, comparator="ge"), 58.5, None, 50.0, CFG)
    assert (r.kind, r.actual, r.gap_pts, r.light, r.status) == ("level", 58.5, -1.5, "yellow", "滞后")
    cap = evaluate(Check(kind="level", target=5.0, comparator="le", lower_is_better=True), 4.0, None, 50.0, CFG)
    assert cap.gap_pts == 1.0 and cap.status == "序时推进"
    inside = evaluate(Check(kind="level", target=2.0, comparator="range", high=3.0), 2.6, None, 50.0, CFG)
    assert inside.gap_pts == 0.0
    above = evaluate(Check(kind="level", target=2.0, comparator="range", high=3.0), 3.5, None, 50.0, CFG)
    assert above.gap_pts == 1.5
    full = evaluate(Check(kind="level", target=100.0, comparator="ge"), 100.0, None, 50.0, CFG)
    assert full.status == "已完成"
    short = evaluate(Check(kind="level", target=100.0, comparator="ge"), 99.9, None, 50.0, CFG)
    assert short.status != "已完成"
    part = evaluate(Check(kind="level", target=90.0, comparator="ge"), 95.0, None, 50.0, CFG)
    assert part.status != "已完成"


@pytest.mark.parametrize("value,gap", [(1.9, -0.1), (2.0, 0.0), (2.5, 0.0), (3.0, 0.0), (3.1, 1.1)])
def test_level_range_ends_are_inside(value, gap):
    r = evaluate(Check(kind="level", target=2.0, comparator="range", high=3.0), value, None, 50.0, CFG)
    assert r.gap_pts == pytest.approx(gap)


def test_level_gap_is_rounded_to_two_decimals():
    r = evaluate(Check(kind="level", target=60.0, comparator="ge"), 61.256, None, 50.0, CFG)
    assert r.gap_pts == 1.26


def test_a_range_only_applies_to_range_targets():
    r = evaluate(Check(kind="level", target=2.0, comparator="ge", high=3.0), 2.5, None, 50.0, CFG)
    assert r.gap_pts == 0.5
    low = evaluate(Check(kind="level", target=2.0, comparator="range", high=3.0, lower_is_better=True), 2.5, None,
                   50.0, CFG)
    assert low.gap_pts == -0.5
