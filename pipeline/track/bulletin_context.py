"""Bulletin figures → the context of `templates/bulletin.html.j2` (wording, tables, chart geometry).

The wording follows practice (domain.md §6): counts and shares per status with one decimal, lagging
tasks named with their 牵头单位, units that did not report, the indicator execution table, and the
change since the previous bulletin. Bulletins are 公文, so everything is black: lights are words
(绿/黄/红) and the charts are grey bars with text labels in HTML (the SVG carries no text, so every
character goes through the render core's glyph check). Only numbers computed here reach the SVG.
"""
from __future__ import annotations

import datetime as dt

from pipeline.render.env import date_zh
from pipeline.render.plan_pdf import Para, Run
from pipeline.track.config import CANONICAL_STATUSES, TrackConfig

LIGHT_WORDS = {"green": "绿", "yellow": "黄", "red": "红", None: "—"}
STATUS_GREYS = {"已完成": "#000000", "超序时": "#404040", "序时推进": "#7a7a7a", "滞后": "#b0b0b0",
                "未启动": "#d6d6d6", "调整": "#ffffff", "不适用": "#ffffff", "未报送": "#ffffff"}
STATUS_PATTERN = {"调整": "hatch", "不适用": "dots", "未报送": "cross"}
CHART_WIDTH = 300.0          # SVG user units of a bar cell
CHART_MAX_PCT = 120.0        # completion bars are clipped here (over-achievers)
CN_NUMERALS = "一二三四五六七八九十"


def _num(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "—"
    return f"{x:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:.0f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


def fast_slow(pts: float | None) -> str:
    if pts is None:
        return "—"
    if abs(pts) < 0.05:
        return "持平"
    return f"{'快' if pts > 0 else '慢'}{abs(pts):.1f}"


def _word(status: str | None, cfg: TrackConfig) -> str:
    if status is None:
        return "未报送"
    return cfg.bulletin.wording.get(status, status)


def _p(text: str) -> Para:
    return Para([Run(text)])


def _h(text: str) -> Para:
    return Para([Run(text, "h1")], heading="h1")


def summary_sentence(f: dict, cfg: TrackConfig) -> str:
    parts = [f"{_word(s, cfg)}{f['counts'][s]}项、占{f['shares'][s]:.1f}%"
             for s in CANONICAL_STATUSES if f["counts"][s]]
    if f["unreported"]:
        parts.append(f"未报送{f['unreported']}项、占{f['shares']['未报送']:.1f}%")
    return f"计划确定的重点任务共{f['total']}项，其中" + "；".join(parts) + "。"


def change_sentence(f: dict, cfg: TrackConfig) -> str | None:
    prev = f.get("previous")
    if not prev:
        return None
    bits = []
    for s, d in (prev.get("counts_delta") or {}).items():
        if d:
            bits.append(f"{_word(s, cfg)}{'增加' if d > 0 else '减少'}{abs(d)}项")
    moved = len(prev["status_changes"])
    text = f"与上期（截至{date_zh(prev['as_of'])}）相比，" + ("、".join(bits) if bits else "各状态项数不变")
    return text + f"；{moved}项任务状态发生变化。"


def lagging_paragraphs(f: dict, cfg: TrackConfig) -> list[Para]:
    tasks = {t["id"]: t for t in f["tasks"]}
    lag = [tasks[i] for i in f["lagging"]]
    if not lag:
        return [_p("本期没有滞后序时或未启动的任务。")]
    out = [_p(f"滞后序时或未启动的任务共{len(lag)}项：")]
    for n, t in enumerate(lag, start=1):
        owner = f"牵头单位：{t['lead'] or '未填报'}" + (f"；配合单位：{t['partners']}" if t["partners"] else "")
        tail = f"，存在问题：{t['problems'].rstrip('。')}" if t.get("problems") else ""
        out.append(_p(f"{n}.第{t['id']}项“{t['title']}”（{owner}），{_word(t['status'], cfg)}{tail}。"))
    disagree = [t for t in f["tasks"] if t["disagree"]]
    if disagree:
        names = "、".join(f"第{t['id']}项（自报{_word(t['reported_status'], cfg)}，测算{_word(t['computed_status'], cfg)}）"
                         for t in disagree)
        out.append(_p(f"以下任务的自报状态与按本期完成值测算的结果不一致，以测算结果为准：{names}。"))
    return out


def stale_paragraph(f: dict) -> Para | None:
    stale = [t for t in f["tasks"] if t["stale"]]
    if not stale:
        return None
    by_unit: dict[str, list[str]] = {}
    for t in stale:
        by_unit.setdefault(t["lead"] or "未明确牵头单位", []).append(t["id"])
    units = "；".join(f"{u}（第{'、'.join(ids)}项）" for u, ids in by_unit.items())
    return _p(f"未按时报送：以下任务本期未报送或报送内容与上期相同，{units}。")


def indicator_sentence(f: dict) -> str:
    reported = [i for i in f["indicators"] if i["reported"]]
    judged = [i for i in reported if i["light"]]
    behind = [i for i in judged if i["light"] != "green"]
    text = (f"纳入监测的主要指标{len(f['indicators'])}项，本期报送{len(reported)}项，"
            f"可测算的{len(judged)}项中，达到或快于序时（目标）的{len(judged) - len(behind)}项")
    if behind:
        text += f"，慢于序时（目标）的{len(behind)}项：" + "、".join(i["name"] for i in behind)
    return text + "。"


def indicator_rows(f: dict) -> list[dict]:
    rows = []
    for i in f["indicators"]:
        gap = i["vs_schedule_pts"] if i["vs_schedule_pts"] is not None else i["growth_gap_pts"]
        rows.append({"name": i["name"], "unit": i["unit"] or "", "goal": i["goal"], "actual": _num(i["actual"], 2),
                     "growth": _num(i["growth"]), "completion": _pct(i["completion_pct"]),
                     "schedule": _pct(f["schedule_pct"]) if i["vs_schedule_pts"] is not None else "—",
                     "gap": fast_slow(gap), "light": LIGHT_WORDS.get(i["light"], "—"), "lead": i["lead"] or ""})
    return rows


def status_chart(f: dict, cfg: TrackConfig) -> dict:
    segments, x = [], 0.0
    keys = [*CANONICAL_STATUSES, "未报送"]
    for s in keys:
        share = f["shares"].get(s, 0.0)
        if not share:
            continue
        w = CHART_WIDTH * share / 100
        segments.append({"x": round(x, 2), "w": round(w, 2), "fill": STATUS_GREYS[s],
                         "pattern": STATUS_PATTERN.get(s), "label": _word(s, cfg), "share": f"{share:.1f}",
                         "count": f["counts"].get(s, f["unreported"] if s == "未报送" else 0)})
        x += w
    return {"width": CHART_WIDTH, "segments": segments}


def completion_chart(f: dict) -> dict:
    scale = CHART_WIDTH / CHART_MAX_PCT
    bars = [{"name": i["name"], "w": round(min(i["completion_pct"], CHART_MAX_PCT) * scale, 2),
             "value": _pct(i["completion_pct"]), "gap": fast_slow(i["vs_schedule_pts"])}
            for i in f["indicators"] if i["completion_pct"] is not None and i["vs_schedule_pts"] is not None]
    return {"width": CHART_WIDTH, "schedule_x": round(f["schedule_pct"] * scale, 2),
            "full_x": round(100 * scale, 2), "bars": bars, "schedule": _pct(f["schedule_pct"])}


def growth_chart(f: dict) -> dict:
    rows = [i for i in f["indicators"] if i["growth"] is not None and i["growth_gap_pts"] is not None]
    if not rows:
        return {"bars": []}
    values = [i["growth"] for i in rows] + [i["growth"] - i["growth_gap_pts"] for i in rows] + [0.0]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    pad = span * 0.08
    lo, hi = lo - pad, hi + pad

    def x(v: float) -> float:
        return round((v - lo) / (hi - lo) * CHART_WIDTH, 2)

    bars = []
    for i in rows:
        target = i["growth"] - i["growth_gap_pts"] if i["growth_gap_pts"] is not None else None
        a, b = sorted((x(0.0), x(i["growth"])))
        bars.append({"name": i["name"], "x": a, "w": max(b - a, 0.8), "target_x": x(target) if target is not None else None,
                     "value": _num(i["growth"]), "target": _num(target), "gap": fast_slow(i["growth_gap_pts"])})
    return {"width": CHART_WIDTH, "zero_x": x(0.0), "bars": bars}


def lagging_table(f: dict, cfg: TrackConfig) -> list[dict]:
    tasks = {t["id"]: t for t in f["tasks"]}
    return [{"id": t["id"], "title": t["title"], "lead": t["lead"] or "未填报", "partners": t["partners"] or "",
             "status": _word(t["status"], cfg), "problems": t["problems"] or ""}
            for t in (tasks[i] for i in f["lagging"])]


NEXT_STEPS = (
    "各牵头单位要对照年度目标和序时进度，逐项梳理本单位承担的任务，对滞后序时的事项查找原因、制定措施、"
    "明确完成时限，确保按期赶上序时进度。",
    "各配合单位要主动对接、协同发力，帮助牵头单位解决推进中的困难和问题。",
    "各单位要按时、如实报送推进台账；未按时报送或连续两期内容未更新的，将在下期通报中继续列出。",
)


def bulletin_context(f: dict, cfg: TrackConfig) -> dict:
    as_of = dt.date.fromisoformat(f["as_of"])
    months = f["months"]
    period = f"1—{months}月" if months else f"截至{date_zh(f['as_of'])}"
    plan_title = f["plan"]["title"]
    title = f"关于{plan_title}重点工作任务{period}进展情况的通报"
    body = [_p(f"为推动{plan_title}各项任务落实落地，根据各牵头单位报送的推进台账，现将截至"
               f"{date_zh(as_of.isoformat())}的进展情况通报如下。本期序时进度为{f['schedule_pct']:.1f}%。")]
    section1 = [_h("一、总体推进情况"), _p(summary_sentence(f, cfg))]
    change = change_sentence(f, cfg)
    if change:
        section1.append(_p(change))
    section2 = [_h("二、滞后事项"), *lagging_paragraphs(f, cfg)]
    stale = stale_paragraph(f)
    if stale:
        section2.append(stale)
    section3 = [_h("三、主要指标运行情况"), _p(indicator_sentence(f))]
    section4 = [_h("四、下步工作要求"), *(_p(t) for t in NEXT_STEPS)]
    return {
        "style": "plain",
        "doc": {"title": title},
        "title": title,
        "as_of_line": f"（数据截至{date_zh(as_of.isoformat())}）",
        "intro": body, "section1": section1, "section2": section2, "section3": section3, "section4": section4,
        "status_chart": status_chart(f, cfg), "completion_chart": completion_chart(f),
        "growth_chart": growth_chart(f),
        "indicator_table": indicator_rows(f), "lagging_table": lagging_table(f, cfg),
        "light_note": (f"注：序时进度为{f['schedule_pct']:.1f}%。“快/慢”对绝对量指标为完成年度目标%与序时之差，"
                       f"对增速指标为同比增速与目标增速之差，单位为百分点。预警：绿为达到序时（目标），"
                       f"黄为慢{cfg.lights.quantity.yellow_below:g}—{cfg.lights.quantity.red_below:g}个百分点"
                       f"（增速慢{cfg.lights.growth_rate.yellow_below:g}—{cfg.lights.growth_rate.red_below:g}个百分点），"
                       f"红为更慢。"),
        "attachments": ["主要指标执行情况表", "滞后事项清单"] if f["lagging"] else ["主要指标执行情况表"],
    }
