"""Bulletin figures → the context of `templates/bulletin.html.j2` (wording, tables, chart geometry).

The wording follows practice (domain.md §6): counts and shares per status with one decimal, lagging
tasks named with their 牵头单位, units that did not report, the indicator execution table, and the
change since the previous bulletin. Bulletins are 公文, so everything is black: lights are words
(绿/黄/红) and the charts are grey bars with text labels in HTML (the SVG carries no text, so every
character goes through the render core's glyph check). Only numbers computed here reach the SVG.
"""
from __future__ import annotations

import datetime as dt

from pipeline.parse.labels import int_to_cn
from pipeline.render.env import date_zh
from pipeline.render.plan_pdf import Para, Run
from pipeline.track.config import CANONICAL_STATUSES, TrackConfig

LIGHT_WORDS = {"green": "绿", "yellow": "黄", "red": "红", None: "—"}
STATUS_GREYS = {"已完成": "#000000", "超序时": "#404040", "序时推进": "#7a7a7a", "滞后": "#b0b0b0",
                "未启动": "#d6d6d6", "调整": "#ffffff", "不适用": "#ffffff", "未报送": "#ffffff"}
STATUS_PATTERN = {"调整": "hatch", "不适用": "dots", "未报送": "cross"}
CHART_WIDTH = 300.0          # SVG user units of a bar cell
CHART_MAX_PCT = 120.0        # completion bars are clipped here (over-achievers)


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
    unassigned = f.get("unassigned") or []
    if not unassigned:
        return f"计划确定的重点任务共{f['total']}项，其中" + "；".join(parts) + "。"
    head = (f"计划确定的重点任务共{f['total']}项，其中{len(unassigned)}项尚未明确牵头单位，"
            f"不纳入本期统计，请尽快明确分工")
    if not parts:
        return head + "。"
    return head + f"；已明确牵头单位的{f['assigned_total']}项中，" + "；".join(parts) + "。"


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


# --- Citing tasks as a 公文 does ------------------------------------------------------------------

def _clean_title(title: str) -> str:
    return (title or "").strip().rstrip("。，,；;：:")


def cite_task(task_id: str, title: str, with_top: bool = False) -> str:
    """A task as a 公文 names it: its place on the numbering ladder, then its title —
    "（一）1.全力以赴扩大有效投资", "（五）扎实推进……", "一、…" — never an internal id. The 一、 of
    the part is added only when the plan has several parts with numbered items (`with_top`)."""
    parts = [int(x) for x in task_id.split(".") if x.isdigit()]
    if not parts:
        return _clean_title(title)
    if len(parts) == 1:
        return f"{int_to_cn(parts[0])}、{_clean_title(title)}"
    label = (f"{int_to_cn(parts[0])}、" if with_top else "") + f"（{int_to_cn(parts[1])}）"
    if len(parts) >= 3:
        label += f"{parts[2]}."
    if len(parts) >= 4:
        label += f"（{parts[3]}）"
    return label + _clean_title(title)


def _cite_with_top(f: dict) -> bool:
    tops = {t["id"].split(".")[0] for t in f["tasks"] if t["id"].count(".") >= 1}
    return len(tops) > 1


def cite(f: dict, t: dict) -> str:
    return cite_task(t["id"], t["title"], _cite_with_top(f))


SENTENCE_ENDS = "。！？；"
CLAUSE_ENDS = "，、："


def shorten(text: str | None, limit: int) -> str:
    """`text` cut to at most `limit` characters at a sentence end (。！？；); when even the first
    sentence is longer, at its last clause mark (，、) before the limit, with "……". Never inside a
    word: with no mark to cut at, the whole first sentence is kept."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = max((i for i, ch in enumerate(text[:limit + 1]) if ch in SENTENCE_ENDS), default=-1)
    if cut >= 0:
        return text[:cut + 1]
    cut = max((i for i, ch in enumerate(text[:limit]) if ch in CLAUSE_ENDS), default=-1)
    if cut > 0:
        return text[:cut] + "……"
    end = next((i for i, ch in enumerate(text) if ch in SENTENCE_ENDS), len(text) - 1)
    return text[:end + 1]


def _quote(text: str | None, limit: int) -> str:
    q = shorten(text, limit).rstrip("。；;")
    return f"“{q}”" if q else ""


def _units(t: dict) -> str:
    owner = f"牵头单位：{t['lead'] or '未明确'}"
    return owner + (f"；配合单位：{t['partners']}" if t.get("partners") else "")


def good_paragraphs(f: dict, cfg: TrackConfig) -> list[Para]:
    """进展较好: the done and ahead tasks, counted, and the first few named briefly."""
    good = [t for t in f["tasks"] if t["status"] in ("已完成", "超序时")]
    if not good:
        return [_p("本期暂无已完成或超序时推进的任务。")]
    done = sum(1 for t in good if t["status"] == "已完成")
    ahead = len(good) - done
    counts = "、".join(x for x in (f"已完成{done}项" if done else "", f"超序时推进{ahead}项" if ahead else "") if x)
    named = good[:max(0, cfg.bulletin.good_limit)]
    names = "；".join(f"{cite(f, t)}（{t['lead'] or '牵头单位未明确'}，{_word(t['status'], cfg)}）" for t in named)
    more = f"等{len(good)}项" if len(good) > len(named) else ""
    return [_p(f"本期{counts}，主要有：{names}{more}。")]


def lagging_paragraphs(f: dict, cfg: TrackConfig) -> list[Para]:
    tasks = {t["id"]: t for t in f["tasks"]}
    lag = [tasks[i] for i in f["lagging"]]
    if not lag:
        return [_p("本期没有滞后序时或未启动的任务。")]
    out = [_p(f"滞后序时或未启动的任务共{len(lag)}项：")]
    limit = cfg.bulletin.quote_chars
    for n, t in enumerate(lag, start=1):
        text = f"{n}.{cite(f, t)}（{_units(t)}），{_word(t['status'], cfg)}。"
        progress, problems = _quote(t.get("progress"), limit), _quote(t.get("problems"), limit)
        if progress:
            text += f"进展情况：{progress}。"
        elif t["status"] != "未启动":
            text += "未报送进展情况。"
        if problems:
            text += f"存在问题：{problems}。"
        out.append(_p(text))
    disagree = [t for t in f["tasks"] if t["disagree"]]
    if disagree:
        names = "、".join(f"{cite(f, t)}（自报{_word(t['reported_status'], cfg)}，测算{_word(t['computed_status'], cfg)}）"
                         for t in disagree)
        out.append(_p(f"以下任务的自报状态与按本期完成值测算的结果不一致，以测算结果为准：{names}。"))
    return out


def stale_paragraph(f: dict) -> Para | None:
    stale = [t for t in f["tasks"] if t["stale"]]
    if not stale:
        return None
    by_unit: dict[str, list[str]] = {}
    for t in stale:
        by_unit.setdefault(t["lead"] or "未明确牵头单位", []).append(cite(f, t))
    units = "；".join(f"{u}（{'、'.join(ids)}）" for u, ids in by_unit.items())
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


def _moved(a: float, b: float) -> str:
    return "提高到" if b > a else "回落到" if b < a else "保持在"


def indicator_change_sentences(f: dict) -> list[str]:
    """The change since the previous period in words: "固定资产投资完成年度目标由28.3%提高到54.7%"."""
    prev = f.get("previous")
    if not prev:
        return []
    now = {i["id"]: i for i in f["indicators"]}
    out = []
    for c in prev.get("indicators") or []:
        i = now.get(c["id"])
        if i is None:
            continue
        if c.get("completion_delta_pts") is not None and i["completion_pct"] is not None:
            before = i["completion_pct"] - c["completion_delta_pts"]
            out.append(f"{i['name']}完成年度目标由{before:.1f}%{_moved(before, i['completion_pct'])}"
                       f"{i['completion_pct']:.1f}%")
        elif c.get("growth_delta_pts") is not None and i["growth"] is not None:
            before = i["growth"] - c["growth_delta_pts"]
            out.append(f"{i['name']}同比增长由{_num(before)}%{_moved(before, i['growth'])}{_num(i['growth'])}%")
    return out


NEXT_STEPS = (
    "各牵头单位要对照年度目标和序时进度，逐项梳理本单位承担的任务，对滞后序时的事项查找原因、制定措施、"
    "明确完成时限，确保按期赶上序时进度。",
    "各配合单位要主动对接、协同发力，帮助牵头单位解决推进中的困难和问题。",
    "各单位要按时、如实报送推进台账；未按时报送或连续两期内容未更新的，将在下期通报中继续列出。",
)


def task_table(f: dict, cfg: TrackConfig) -> list[dict]:
    """附件: every task, cited by its place and title, with its units, status and own 进展情况."""
    limit = cfg.bulletin.quote_chars
    return [{"cite": cite(f, t), "lead": t["lead"] or "未明确", "partners": t.get("partners") or "",
             "status": "未明确牵头单位" if t.get("unassigned") else _word(t["status"], cfg),
             "progress": shorten(t.get("progress"), limit)}
            for t in f["tasks"]]


def lagging_table(f: dict, cfg: TrackConfig) -> list[dict]:
    tasks = {t["id"]: t for t in f["tasks"]}
    return [{"id": t["id"], "cite": cite(f, t), "title": t["title"], "lead": t["lead"] or "未填报",
             "partners": t["partners"] or "", "status": _word(t["status"], cfg), "problems": t["problems"] or ""}
            for t in (tasks[i] for i in f["lagging"])]


def submissions_paragraphs(s: dict, number: str) -> list[Para]:
    """报送情况 of the period (the drop folder's `submission_status`): how many units were expected, which
    reported, which workbooks were returned and why (one line each), which units have not reported."""
    reported, returned, missing = s.get("reported") or [], s.get("returned") or [], s.get("missing") or []
    head = f"本期应报送单位{len(reported) + len(returned) + len(missing)}个，已报送{len(reported)}个"
    if returned:
        head += f"，退回修改{len(returned)}个"
    if missing:
        head += f"，未报送{len(missing)}个"
    out = [_h(f"{number}、报送情况"), _p(head + "。")]
    if reported:
        out.append(_p("已报送：" + "、".join(r["unit"] for r in reported) + "。"))
    out += [_p(f"退回：{r['unit']}（{str(r['reason']).rstrip('。')}）。") for r in returned]
    if missing:
        out.append(_p("未报送：" + "、".join(missing) + "。"))
    return out


def issuer_name(f: dict, cfg: TrackConfig) -> str:
    return cfg.bulletin.issuer.replace("{region}", f["plan"].get("region") or "")


def imprint(f: dict, cfg: TrackConfig, signed: dt.date) -> dict | None:
    """版记 (抄送, 印发机关和印发日期) when the configuration gives a 抄送."""
    if not cfg.bulletin.cc:
        return None
    printer = (cfg.bulletin.printer or issuer_name(f, cfg)).replace("{region}", f["plan"].get("region") or "")
    return {"cc": cfg.bulletin.cc.rstrip("。") + "。", "printer": printer, "date": date_zh(signed.isoformat()) + "印发",
            "new_page": False}


def bulletin_context(f: dict, cfg: TrackConfig, *, style: str = "plain", fonts=None, issue: int | None = None,
                     signed: dt.date | None = None, extra: list[Para] | None = None,
                     submissions: dict | None = None) -> dict:
    """The 通报 as a 公文: 红头 (formal: issuer, 督查通报, 第N期), title, 主送, 总体情况, 进展较好, 滞后事项
    (units, the department's own words quoted), 主要指标运行情况 (change since the last issue in
    words), [报送情况: the drop folder's `submissions`], 下步工作要求, 附件说明, 署名, 成文日期, [版记], and
    the annexes. Renderer-neutral: the
    PDF template and the .docx writer read the same context. `signed` is the 成文日期 (default: as-of)."""
    from pipeline.render.plan_pdf import banner_layout, signature_layout
    as_of = dt.date.fromisoformat(f["as_of"])
    signed = signed or as_of
    months = f["months"]
    period = f"1—{months}月" if months else f"截至{date_zh(f['as_of'])}"
    plan_title = f["plan"]["title"]
    title = f"关于{plan_title}重点工作任务{period}进展情况的通报"
    issuer = issuer_name(f, cfg)
    issue_no = cfg.bulletin.issue_number or ((issue or 1) + cfg.bulletin.issue_offset)
    body = [_p(f"为推动{plan_title}各项任务落实落地，根据各牵头单位报送的推进台账，现将截至"
               f"{date_zh(as_of.isoformat())}的进展情况通报如下。本期序时进度为{f['schedule_pct']:.1f}%。")]
    section1 = [_h("一、总体情况"), _p(summary_sentence(f, cfg))]
    change = change_sentence(f, cfg)
    if change:
        section1.append(_p(change))
    section2 = [_h("二、进展较好的事项"), *good_paragraphs(f, cfg)]
    section3 = [_h("三、滞后事项"), *lagging_paragraphs(f, cfg)]
    stale = stale_paragraph(f)
    if stale:
        section3.append(stale)
    moves = indicator_change_sentences(f)
    section4 = [_h("四、主要指标运行情况"), _p(indicator_sentence(f))]
    if moves:
        section4.append(_p("与上期相比，" + "；".join(moves) + "。"))
    reporting = submissions_paragraphs(submissions, "五") if submissions else []
    steps = cfg.bulletin.next_steps or list(NEXT_STEPS)
    section5 = [_h(f"{'六' if reporting else '五'}、下步工作要求"),
                *(_p(f"{int_to_cn(n)}是{t}" if len(steps) > 1 else t) for n, t in enumerate(steps, 1))]
    date_text = date_zh(signed.isoformat())
    banner = None
    signature = {"issuer_lines": [{"text": issuer, "left": 0.0}], "date": date_text, "date_left": 0.0}
    if fonts is not None:
        signature = signature_layout(fonts, [issuer], date_text, "plain")
        if style == "formal":
            banner = banner_layout(fonts, cfg.bulletin.mark, None)
    if banner is not None or style == "formal":
        banner = {**(banner or {"mark": cfg.bulletin.mark, "mark_size": 36.0, "mark_offset": 0.0}),
                  "issue": f"第{issue_no}期", "issuer": issuer, "date": date_text}
    return {
        "style": style,
        "doc": {"title": title},
        "title": title,
        "banner": banner,
        "issue_no": issue_no,
        "issue_line": f"（第{issue_no}期）",
        "addressees": cfg.bulletin.addressees.rstrip("：:") + "：",
        "as_of_line": f"（数据截至{date_zh(as_of.isoformat())}）",
        "intro": body, "section1": section1, "section2": section2, "section3": section3, "section4": section4,
        "reporting": reporting, "section5": section5, "extra": extra or [],
        "status_chart": status_chart(f, cfg), "completion_chart": completion_chart(f),
        "growth_chart": growth_chart(f),
        "indicator_table": indicator_rows(f), "lagging_table": lagging_table(f, cfg), "task_table": task_table(f, cfg),
        "light_note": (f"注：序时进度为{f['schedule_pct']:.1f}%。“快/慢”对绝对量指标为完成年度目标%与序时之差，"
                       f"对增速指标为同比增速与目标增速之差，单位为百分点。预警：绿为达到序时（目标），"
                       f"黄为慢{cfg.lights.quantity.yellow_below:g}—{cfg.lights.quantity.red_below:g}个百分点"
                       f"（增速慢{cfg.lights.growth_rate.yellow_below:g}—{cfg.lights.growth_rate.red_below:g}个百分点），"
                       f"红为更慢。"),
        "attachments": ["主要指标执行情况表", "重点任务推进情况表"],
        "sign": {**signature, "publicity": None},
        "imprint": imprint(f, cfg, signed),
    }
