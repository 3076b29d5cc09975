"""The status engine: 序时进度, the comparison of reported numbers with targets, traffic lights.

Arithmetic (domain.md §6): 序时 = completed months ÷ 12. A quantity is judged by 完成年度目标%
(本期累计 ÷ 年度目标) against 序时; a growth rate by the reported 同比 against the target rate; a
level (a share, a balance) by the reported level against the target level; lower-is-better targets
invert the comparison. Gaps are in percentage points, positive = ahead. Lights and the "ahead"
margin come from configuration. For a quantitative item the computed status overrides the one the
department reported; both are kept so a bulletin can show a disagreement.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from pipeline.track.config import Light, Thresholds, TrackConfig
from pipeline.track.items import Check

LIGHT_ORDER = {"green": 0, "yellow": 1, "red": 2}
# When a task's several targets disagree, the task takes the most urgent status.
STATUS_URGENCY = ("滞后", "未启动", "序时推进", "超序时", "已完成")


def completed_months(as_of: dt.date) -> int:
    """Months of the year fully elapsed on `as_of` (the last day of a month completes it)."""
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.month if as_of.day == last_day else as_of.month - 1


def schedule_pct(as_of: dt.date) -> float:
    """序时进度 in %: 1—3月 → 25.0, 1—6月 → 50.0, 1—11月 → 91.7."""
    return round(completed_months(as_of) / 12 * 100, 1)


@dataclass
class TestResult:
    kind: str
    target: float
    actual: float
    completion_pct: float | None        # 完成年度目标% (quantity and stock tests)
    gap_pts: float                      # positive = ahead of 序时 / above target
    light: Light | None                 # None: shown, not judged (stock)
    status: str | None                  # computed canonical status

    @property
    def vs_schedule_pts(self) -> float | None:
        return self.gap_pts if self.kind == "quantity" else None


def _status_from(gap: float, light: Light, th: Thresholds, done: bool) -> str:
    if done:
        return "已完成"
    if light != "green":
        return "滞后"
    if th.ahead_above is not None and gap > th.ahead_above:
        return "超序时"
    return "序时推进"


def _band(gap: float, test: Check, cfg: TrackConfig) -> float:
    """左右: a value within the configured band of the target is on target (gap 0)."""
    if test.comparator == "approx" and abs(gap) <= cfg.targets.approx_band_pts:
        return 0.0
    return gap


def evaluate(test: Check, value: float | None, growth: float | None, schedule: float,
             cfg: TrackConfig) -> TestResult | None:
    """Judge one test. `value` is 本期累计 / 本期完成值, `growth` the reported 同比% (indicators)."""
    if test.kind == "growth":
        actual = growth if growth is not None else None
        if actual is None:
            return None
        gap = (test.target - actual) if test.lower_is_better else (actual - test.target)
        gap = round(_band(gap, test, cfg), 2)
        th = cfg.lights.growth_rate
        light = th.light(gap)
        return TestResult("growth", test.target, actual, None, gap, light, _status_from(gap, light, th, False))
    if value is None or test.target == 0:
        return None
    completion = round(value / test.target * 100, 1)
    if test.kind == "quantity":
        gap = round((schedule - completion) if test.lower_is_better else (completion - schedule), 1)
        th = cfg.lights.quantity
        light = th.light(gap)
        done = not test.lower_is_better and completion >= 100
        return TestResult("quantity", test.target, value, completion, gap, light, _status_from(gap, light, th, done))
    if test.kind == "stock":
        return TestResult("stock", test.target, value, completion, 0.0, None, None)
    gap = (test.target - value) if test.lower_is_better else (value - test.target)
    if test.comparator == "range" and test.high is not None and not test.lower_is_better:
        gap = 0.0 if test.target <= value <= test.high else gap
    gap = round(_band(gap, test, cfg), 2)
    th = cfg.lights.growth_rate
    light = th.light(gap)
    done = test.kind == "level" and not test.lower_is_better and gap >= 0 and test.target >= 100
    return TestResult("level", test.target, value, None, gap, light, _status_from(gap, light, th, done))


def worst_light(lights) -> Light | None:
    present = [x for x in lights if x]
    return max(present, key=LIGHT_ORDER.__getitem__) if present else None


def most_urgent(statuses) -> str | None:
    present = [s for s in statuses if s in STATUS_URGENCY]
    if not present:
        return None
    if all(s == "已完成" for s in present):
        return "已完成"
    return min((s for s in present if s != "已完成"), key=STATUS_URGENCY.index)


def reported_light(status: str | None, as_of: dt.date, cfg: TrackConfig) -> Light | None:
    """Light of a task judged only by its reported status (no number to compute with)."""
    if status is None:
        return None
    if status == "未启动" and completed_months(as_of) >= cfg.lights.reported.not_started_red_from_month:
        return "red"
    return cfg.lights.reported.for_status(status)
