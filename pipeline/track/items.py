"""What a plan asks departments to report on: task rows and indicator rows, derived from the parse.

The workbook writer, the ingest and the status engine all need the same list in the same order with
the same keys, so it is built here once. Three kinds of row:

- a task node (item or headline, or a section with no sub-items): its 编号 is the Node id ("2.3.1");
- a prose target of a node (`Target`): its 编号 is the Target id ("T19"), reported as a number;
- an indicator of the appended table (`Row`): its 编号 is the Row id ("R5"), on the 主要指标 sheet.

Each target and indicator also gets its *tests* (how progress is judged): a quantity is pro-rated
against 序时, a growth rate or a level (share, balance) is compared with the target number, a literal
such as 保持稳定 may be read as a growth floor, and lower-is-better targets invert the comparison.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pipeline.schema import Cell, Node, ParseResult, Row, Target
from pipeline.track.config import TrackConfig

CN_DIGITS = "一二三四五六七八九十"
TestKind = Literal["quantity", "growth", "level", "stock"]
COMPARATOR_WORDS = {"ge": "以上", "le": "以内", "approx": "左右"}


@dataclass(frozen=True)
class Check:
    """One comparison of a reported number with a target number.

    quantity: 本期累计 ÷ target × 100 against 序时 (lower_is_better: a pro-rated ceiling);
    growth:   reported 同比% against the target growth (points);
    level:    reported level in % (a share, a rate) against the target level, in points, not pro-rated;
    stock:    a year-end level in other units (a balance): 完成年度目标% is shown, but a mid-year
              stock cannot be judged against a year-end figure, so it gets no light of its own.
    """

    kind: TestKind
    target: float
    comparator: str | None = None       # ge | le | approx | eq | range | from_to
    lower_is_better: bool = False
    high: float | None = None           # upper end of a range


@dataclass
class TaskItem:
    id: str
    kind: Literal["node", "target"]
    node_id: str                        # the node itself, or the node a target belongs to
    path: str                           # 二（一）: where the task sits in the plan
    title: str
    content: str                        # 任务内容 as printed in the workbook
    goal: str = ""                      # 目标: the target text(s)
    unit: str | None = None
    target: Target | None = None
    tests: list[Check] = field(default_factory=list)
    children: list[str] = field(default_factory=list)   # node ids of sub-tasks (an item's headlines)
    is_leaf: bool = True

    @property
    def percent_share(self) -> bool:
        """A level in % (覆盖面 100%, 开工率): a reported value above 100 is impossible."""
        return self.unit == "%" and any(t.kind == "level" for t in self.tests)


@dataclass
class IndicatorItem:
    id: str
    category: str
    name: str
    unit: str | None
    goal: str                           # 年度目标 with its qualifier, as printed
    row: Row
    tests: list[Check] = field(default_factory=list)

    @property
    def percent_share(self) -> bool:
        return self.unit == "%" and any(t.kind == "level" for t in self.tests)

    @property
    def absolute_target(self) -> Check | None:
        return next((t for t in self.tests if t.kind != "growth"), None)


@dataclass
class PlanItems:
    plan_key: str
    title: str
    region: str | None
    year: int | None
    tasks: list[TaskItem]
    indicators: list[IndicatorItem]

    def task(self, item_id: str) -> TaskItem | None:
        return self._tasks.get(item_id)

    def indicator(self, item_id: str) -> IndicatorItem | None:
        return self._indicators.get(item_id)

    def __post_init__(self):
        self._tasks = {t.id: t for t in self.tasks}
        self._indicators = {i.id: i for i in self.indicators}

    @property
    def leaf_tasks(self) -> list[TaskItem]:
        return [t for t in self.tasks if t.kind == "node" and t.is_leaf]


def plan_key(result: ParseResult) -> str:
    """Identity of a plan across formats (.txt/.docx/.pdf of one notice give the same key)."""
    p = result.plan
    return "".join((p.title or f"{p.region or ''}{p.year or ''}计划").split())


def _is_lower_better(name: str, comparator: str | None, direction: str | None, cfg: TrackConfig) -> bool:
    if comparator == "le" or direction == "decline":
        return True
    if any(w in name for w in cfg.targets.reduction_words):
        return False            # 能耗降低率, VOCs削减量: the reduction is what should be large
    return any(w in name for w in cfg.targets.lower_is_better_words)


def _level_kind(name: str, unit: str | None, cfg: TrackConfig) -> TestKind:
    if unit == "%":
        return "level"
    return "stock" if any(w in name for w in cfg.targets.stock_words) else "quantity"


def target_tests(t: Target, cfg: TrackConfig) -> list[Check]:
    number = t.value if t.comparator != "range" else t.low
    if number is None:
        return []
    lower = _is_lower_better(t.metric, t.comparator, t.direction, cfg)
    if t.direction == "growth" and t.unit == "%":
        return [Check("growth", number, t.comparator, lower)]
    if t.direction == "decline" and t.unit == "%":   # 下降5%: the achieved reduction must reach it
        return [Check("growth", number, t.comparator, False)]
    kind = _level_kind(t.metric, t.unit, cfg)
    return [Check(kind, number, t.comparator, lower, t.high if t.comparator == "range" else None)]


def indicator_tests(row: Row, cfg: TrackConfig) -> list[Check]:
    out: list[Check] = []
    lower = _is_lower_better(row.name, row.target.value.comparator, None, cfg)
    value, growth = row.target.value, row.target.growth
    if value.number is not None:
        kind = _level_kind(row.name, row.unit, cfg)
        out.append(Check(kind, value.number, value.comparator, lower, value.high))
    if growth.number is not None:
        out.append(Check("growth", growth.number, growth.comparator, lower))
    elif value.number is None or growth.text:
        literal = (growth.text or value.text or "").strip()
        floor = cfg.targets.literal_growth_floor.get(literal)
        if floor is not None:
            out.append(Check("growth", floor, "ge", False))
    return out


def _cell_goal(cell: Cell) -> str:
    text = (cell.text or "").strip()
    return "" if text in ("", "—", "-", "－", "/") else text


def indicator_goal(row: Row) -> str:
    """年度目标 as printed: the absolute value with its unit, then the growth with its qualifier."""
    value, growth = _cell_goal(row.target.value), _cell_goal(row.target.growth)
    parts = []
    if value and row.target.value.number is not None:
        parts.append(f"{value}{'' if value.endswith(row.unit or '') else row.unit or ''}")
    elif value:
        parts.append(value)
    g = row.target.growth
    if growth and g.number is not None:
        number = f"{g.low:g}—{g.high:g}" if g.comparator == "range" and g.low is not None else f"{g.number:g}"
        parts.append(f"增长{number}{'%' if row.unit != '%' else ''}{COMPARATOR_WORDS.get(g.comparator or '', '')}")
    elif growth and growth != value:
        parts.append(growth)
    return "；".join(parts) or "—"


def target_goal(t: Target) -> str:
    if t.comparator == "range" and t.low is not None and t.high is not None:
        number = f"{t.low:g}—{t.high:g}"
    elif t.value is not None:
        number = f"{t.value:g}"
    else:
        return t.text
    word = COMPARATOR_WORDS.get(t.comparator or "", "")
    if t.comparator == "from_to" and t.from_value is not None:
        return f"由{t.from_value:g}{t.unit or ''}提高到{number}{t.unit or ''}"
    verb = {"growth": "增长", "decline": "下降"}.get(t.direction or "", "")
    return f"{verb}{number}{t.unit or ''}{word}"


def _body_after_title(node: Node) -> str:
    text = (node.text or "").strip()
    for lead in (f"{node.label or ''}{node.title}", node.title):
        if lead and text.startswith(lead):
            return text[len(lead):].lstrip("。，, ")
    return text


def _path_label(node: Node) -> str:
    label = (node.label or "").strip()
    return label[:-1] if label.endswith("、") else label


def build_items(result: ParseResult, cfg: TrackConfig) -> PlanItems:
    targets = {t.id: t for t in result.plan.targets}
    tasks: list[TaskItem] = []
    path_of: dict[int, str] = {}               # id(node) → its path (三（二）1), for its children
    for node, parent in result.plan.walk_with_parents():
        here = (path_of[id(parent)] if parent is not None else "") + _path_label(node)
        path_of[id(node)] = here
        own_targets = [targets[i] for i in node.target_ids if i in targets]
        trackable = node.kind in ("item", "headline") or not node.children
        if trackable:
            body = _body_after_title(node)
            content = f"{node.label or ''}{node.title}" + (f"。{body}" if body else "")
            tasks.append(TaskItem(
                id=node.id, kind="node", node_id=node.id, path=here, title=node.title, content=content,
                goal="\n".join(t.text for t in own_targets),
                children=[c.id for c in node.children], is_leaf=not node.children))
            for t in own_targets:
                tasks.append(TaskItem(
                    id=t.id, kind="target", node_id=node.id, path=here, title=t.metric, content=t.text,
                    goal=target_goal(t), unit=t.unit, target=t, tests=target_tests(t, cfg)))
    indicators = [IndicatorItem(id=r.id, category=r.category, name=r.name, unit=r.unit,
                                goal=indicator_goal(r), row=r, tests=indicator_tests(r, cfg))
                  for r in result.plan.indicators]
    p = result.plan
    return PlanItems(plan_key(result), p.title or plan_key(result), p.region, p.year, tasks, indicators)
