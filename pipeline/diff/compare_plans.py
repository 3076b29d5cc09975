"""Two parsed plans → one `PlanDiff`: the three comparisons, the summary counts and the caveats."""
from __future__ import annotations

from collections import Counter

from pipeline.diff.indicators import diff_indicators
from pipeline.diff.model import CHANGES, TASK_CHANGES, PlanDiff, PlanRef, Summary
from pipeline.diff.redline import plan_words
from pipeline.diff.targets import diff_targets
from pipeline.diff.tasks import diff_tasks
from pipeline.schema import ParseResult

# domain.md §7 "Baseline caveats": said in every report
CAVEATS = (
    "本比对以两年计划的目标值相互比较（目标对目标），不使用“上年完成”栏：该栏多为预计数，既不是上年计划目标，也可能被统计部门修订。",
    "增长速度按可比价计算，绝对值按现价计算，两者不宜直接换算比较。",
    "指标口径或统计范围（{examples}）变化时，数值不可比，只标为“限定条件变化”，不判断升降。",
    "更名或拆分的指标（如居民→城镇/农村）会表现为“删除”加“新增”，请人工核对。",
)
CHANGE_ZH = {"rose": "提高", "fell": "降低", "unchanged": "未变", "qualifier_changed": "限定条件变化",
             "new": "新增", "dropped": "删除"}
CHANGE_ZH["form_changed"] = "定性定量转换"
FORM_ZH = {"to_number": "由定性改为定量", "to_literal": "由定量改为定性"}
TASK_CHANGE_ZH = {"unchanged": "未变", "reworded": "有调整", "review": "待人工复核", "new": "新增", "dropped": "删除"}


def _scope_examples(*results: ParseResult) -> str:
    """Examples for the 口径 caveat taken from the compared plans' own scopes (含文昌湖4家 → 含文昌湖),
    so a report never names another district's places."""
    places = plan_words(*(r.plan for r in results))
    regions = {r.plan.region for r in results if r.plan.region}
    scoped = [f"含{w}" for w in places if w not in regions][:2]
    return "、".join(["规上标准", *scoped]) + "等"


def caveats(old: ParseResult, new: ParseResult) -> list[str]:
    return [c.format(examples=_scope_examples(old, new)) if "{examples}" in c else c for c in CAVEATS]


def _ref(r: ParseResult) -> PlanRef:
    return PlanRef(title=r.plan.title, year=r.plan.year, region=r.plan.region, source=r.source.path)


def _count(items, classes) -> dict[str, int]:
    c = Counter(e.change for e in items)
    return {k: c.get(k, 0) for k in classes}


def _sentence(label: str, counts: dict[str, int], names: dict[str, str], unit: str) -> str:
    parts = [f"{names[k]}{n}{unit}" for k, n in counts.items() if n and k != "unchanged"]
    total = sum(counts.values())
    if not parts:
        return f"{label}共{total}{unit}，均未变化。"
    return f"{label}共{total}{unit}，其中" + "、".join(parts) + "。"


def summarize(d: PlanDiff) -> Summary:
    s = Summary(indicators=_count(d.indicators, CHANGES), targets=_count(d.targets, CHANGES),
                tasks=_count(d.tasks, TASK_CHANGES))
    s.tasks_moved = sum(1 for t in d.tasks if t.moved)
    s.tasks_retargeted = sum(1 for t in d.tasks if t.change == "reworded" and t.numbers_changed)
    task_text = _sentence("重点任务（条目）", s.tasks, TASK_CHANGE_ZH, "项")
    if s.tasks_retargeted or s.tasks_moved:
        task_text = task_text.rstrip("。") + f"；调整的任务中{s.tasks_retargeted}项数量目标有变化，{s.tasks_moved}项位置移动。"
    s.text = "".join([_sentence("主要指标", s.indicators, CHANGE_ZH, "项"),
                      _sentence("正文预期目标", s.targets, CHANGE_ZH, "项"), task_text])
    return s


def order_by_year(old: ParseResult, new: ParseResult) -> tuple[ParseResult, ParseResult, list[str]]:
    """(older, newer, warnings): plans given newer-first are swapped, with a warning, so the report
    never reads backwards (a target "fell" that in fact rose)."""
    a, b = old.plan.year, new.plan.year
    if a is not None and b is not None and a > b:
        return new, old, [f"给出的“上一年计划”（{a}年）晚于“本年计划”（{b}年），已按年度顺序改为{b}年与{a}年比较"]
    if a is not None and a == b:
        return old, new, [f"两份计划的年度相同（均为{a}年），请确认是否选错了文件"]
    return old, new, []


def diff_plans(old: ParseResult, new: ParseResult) -> PlanDiff:
    old, new, warnings = order_by_year(old, new)
    tasks = diff_tasks(old.plan.sections, new.plan.sections, old.plan.year, new.plan.year,
                       words=plan_words(old.plan, new.plan))
    # where each old task went (review pairs included: a hint for placing targets, not a verdict)
    node_map = {t.old_id: t.new_id for t in tasks if t.old_id and t.new_id}
    d = PlanDiff(old=_ref(old), new=_ref(new),
                 indicators=diff_indicators(old.plan.indicators, new.plan.indicators),
                 targets=diff_targets(old.plan.targets, new.plan.targets, node_map),
                 tasks=tasks, caveats=caveats(old, new), warnings=warnings)
    d.summary = summarize(d)
    return d
