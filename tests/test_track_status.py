"""The status engine's arithmetic: 序时, quantity/growth/level tests, inversion, bands, thresholds,
and largest-remainder shares."""
from __future__ import annotations

import datetime as dt

import pytest

from pipeline.track.config import Thresholds, load_config
from pipeline.track.figures import shares
from pipeline.track.items import Check
from pipeline.track.status import completed_months, evaluate, most_urgent, schedule_pct


@pytest.mark.parametrize("day,months,pct", [("2023-03-31", 3, 25.0), ("2023-06-30", 6, 50.0),
                                            ("2023-11-30", 11, 91.7), ("2023-06-15", 5, 41.7),
                                            ("2023-02-28", 2, 16.7), ("2024-02-29", 2, 16.7),
                                            ("2023-01-10", 0, 0.0), ("2023-12-31", 12, 100.0)])
def test_schedule(day, months, pct):
    d = dt.date.fromisoformat(day)
    assert completed_months(d) == months
    assert schedule_pct(d) == pct


def test_quantity_against_schedule():
    cfg = load_config()
    t = Check("quantity", 165.0, "eq")
    on = evaluate(t, 82.665, None, 50.0, cfg)               # 50.1 % of the year at 1—6月
    assert on.completion_pct == 50.1 and on.gap_pts == pytest.approx(0.1) and on.light == "green"
    assert on.status == "序时推进"
    yellow = evaluate(t, 165 * 0.30, None, 50.0, cfg)      # 20 points behind
    assert (yellow.light, yellow.status) == ("yellow", "滞后")
    red = evaluate(t, 165 * 0.15, None, 50.0, cfg)
    assert red.light == "red"
    ahead = evaluate(t, 165 * 0.60, None, 50.0, cfg)
    assert ahead.status == "超序时"
    done = evaluate(t, 170.0, None, 50.0, cfg)
    assert done.status == "已完成" and done.completion_pct > 100


def test_lower_is_better_inverts():
    cfg = load_config()
    cap = Check("quantity", 100.0, "le", lower_is_better=True)  # a cumulative ceiling, pro-rated
    assert evaluate(cap, 40.0, None, 50.0, cfg).light == "green"
    assert evaluate(cap, 70.0, None, 50.0, cfg).light == "yellow"
    rate = Check("growth", 3.0, "le", lower_is_better=True)     # a rate that must stay under 3 %
    assert evaluate(rate, None, 2.5, 50.0, cfg).light == "green"
    assert evaluate(rate, None, 6.0, 50.0, cfg).light == "red"


def test_growth_and_approx_band():
    cfg = load_config()
    band = cfg.targets.approx_band_pts
    gdp = Check("growth", 5.5, "approx")
    assert evaluate(gdp, None, 5.5 - band / 2, 50.0, cfg).gap_pts == 0.0
    assert evaluate(gdp, None, 5.5 - band * 3, 50.0, cfg).light != "green"
    plain = Check("growth", 5.5, "ge")
    assert evaluate(plain, None, 5.5 - band / 2, 50.0, cfg).light == "yellow"
    assert evaluate(plain, 1.0, None, 50.0, cfg) is None      # no growth reported, nothing judged


def test_stock_is_shown_not_judged():
    cfg = load_config()
    r = evaluate(Check("stock", 553.0), 540.0, None, 50.0, cfg)
    assert r.completion_pct == pytest.approx(97.6) and r.light is None and r.status is None


@pytest.mark.parametrize("inclusive,expected", [(False, "green"), (True, "yellow")])
def test_threshold_boundary_inclusive(inclusive, expected):
    assert Thresholds(yellow_below=10, red_below=30, inclusive=inclusive).light(-10.0) == expected


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError):
        Thresholds(yellow_below=30, red_below=10)


def test_most_urgent():
    assert most_urgent(["已完成", "序时推进", "滞后"]) == "滞后"
    assert most_urgent(["已完成", "已完成"]) == "已完成"
    assert most_urgent(["超序时", "已完成"]) == "超序时"
    assert most_urgent([None]) is None


@pytest.mark.parametrize("counts", [{"a": 1, "b": 1, "c": 1}, {"a": 2, "b": 13, "c": 9, "d": 1},
                                    {"a": 7, "b": 0, "c": 5}, {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}])
def test_shares_sum_to_100(counts):
    s = shares(counts)
    assert round(sum(s.values()), 1) == 100.0
    total = sum(counts.values())
    for k, v in counts.items():
        assert abs(s[k] - v * 100 / total) < 0.1 + 1e-9


def test_alias_table_from_config():
    cfg = load_config()
    for word, canonical in [("正常推进", "序时推进"), ("慢序时", "滞后"), ("提前完成", "已完成"),
                            ("欠进度", "滞后"), ("未开工", "未启动"), ("按 序 时", "序时推进"), ("已完成", "已完成")]:
        assert cfg.canonical_status(word) == canonical
    assert cfg.canonical_status("基本完成") is None and cfg.canonical_status("待确认") is None


def test_config_errors_are_chinese(tmp_path):
    from pipeline.errors import InputError
    bad = tmp_path / "t.toml"
    bad.write_text('[statuses]\n"已完成" = []\n[lights.quantity]\nyellow_below = 1\nred_below = 2\n'
                   '[lights.growth_rate]\nyellow_below = 0\nred_below = 1\n[lights.reported]\n', encoding="utf-8")
    with pytest.raises(InputError, match="台账配置有误"):
        load_config(bad)
