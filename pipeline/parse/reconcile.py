"""Indicator table ↔ body targets (domain.md §4, "Cross-check table against body").

Why: the appendix table and the prose state the same headline targets twice, and clerks copy one
from the other by hand. A mismatch (3.05 in the table, 3%左右 in the body) is exactly what a reviewer
must see before the plan is printed. No other tool does this because it needs the whole chain:
metric synonyms (规上 = 规模以上, 城镇新增就业人数 = 新增城镇就业), names that cover several rows
(居民人均可支配收入 → 城镇 + 农村), unit conversion (0.4 万人 = 4000 人) and literal cells
(保持稳定 ↔ 保持稳定增长).

Each compared pair is recorded in `plan.reconciliation`; disagreements also become warnings that
name both places. A qualifier present on one side only (5.5 vs 5.5%左右) is recorded, not warned.
"""
from __future__ import annotations

import re

from pipeline.metrics import match_metric
from pipeline.parse.cells import is_not_applicable
from pipeline.parse.labels import int_to_cn
from pipeline.diagnostics import DiagnosticCode, Diagnostics
from pipeline.provenance import Provenance
from pipeline.schema import Cell, Node, Plan, Row, TableBodyMatch, Target
from pipeline.units import unit_info

# Relative band within which an `approx` body target agrees with a different table number.
# 0 means "flag any difference" (domain.md §4: R&D 3.05 vs 3%左右 is flagged); configuration may widen it.
APPROX_TOLERANCE = 0.0
LITERAL_OVERLAP = 0.5
_CMP_ZH = {"ge": "以上", "le": "以内", "approx": "左右", "eq": "", "range": "", "from_to": ""}


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"\s|“|”|\"", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def _node_index(plan: Plan) -> dict[str, Node]:
    return {n.id: n for n in plan.walk()}


def _node_place(node_id: str | None, index: dict[str, Node]) -> str:
    """正文二（三）“释放科技创新源动力”（第21行） from a node id like 2.3.1."""
    if not node_id or node_id not in index:
        return "正文"
    parts = node_id.split(".")
    label = ""
    if parts and parts[0].isdigit():
        label += int_to_cn(int(parts[0]))
    if len(parts) > 1 and parts[1].isdigit():
        label += f"（{int_to_cn(int(parts[1]))}）"
    node = index[node_id]
    where = f"（第{node.where.line}行）" if node.where.line else ""
    title = f"“{node.title[:16]}”" if node.kind == "headline" else ""
    return f"正文{label or node_id}{title}{where}"


def _row_place(row: Row) -> str:
    w: Provenance = row.where
    parts = ["附件指标表"]
    if w.page:
        parts.append(f"第{w.page}页")
    if w.table and w.table > 1:
        parts.append(f"第{w.table}个表格")
    if w.line:
        parts.append(f"第{w.line}行")
    elif w.row is not None:
        parts.append(f"第{w.row}行")
    return "".join(parts)


def _is_literal(cell: Cell) -> bool:
    return cell.number is None and bool(cell.text) and not is_not_applicable(cell.text)


def _metric_relation(t: Target, row: Row) -> str | None:
    m = match_metric(t.metric, row.name)
    if m is not None:
        return m.kind
    if t.value is None and row.category and row.category in t.metric:
        return "category"         # 节能减排约束性指标 covers every row of 七、节能减排
    return None


def _column_fits(t: Target, row: Row, column: str) -> bool:
    """Which target fits which column: growth rates ↔ 增长%, levels in the row's unit ↔ 绝对值."""
    if t.value is None and t.low is None:
        return True                                   # literal target: compared by wording
    row_unit = unit_info(row.unit)
    t_unit = unit_info(t.unit)
    if column == "growth":
        return t.unit == "%" and t.direction in ("growth", "decline") and (row.unit or "") != "%"
    if t_unit is None or row_unit is None:
        return False
    if row_unit.base == "%":
        return t_unit.base == "%" and t.direction != "growth"
    return t_unit.base == row_unit.base


def _compare(cell: Cell, t: Target, row: Row, column: str) -> tuple[str, str]:
    """(status, note) for one cell against one target."""
    if _is_literal(cell):
        if t.value is not None:
            return "kind_mismatch", f"表中为文字“{cell.text}”，正文为数值"
        grams = _bigrams(cell.text)
        if cell.text in t.text:
            return "agree", ""
        overlap = len(grams & _bigrams(t.text)) / len(grams) if grams else 0.0
        if overlap >= LITERAL_OVERLAP:
            return "wording_only", f"表述略有不同：表中“{cell.text}”，正文“{t.text}”"
        return "kind_mismatch", f"表中“{cell.text}”与正文“{t.text}”表述不同"
    if t.value is None:
        if t.low is not None:
            inside = t.low <= (cell.number or 0) <= (t.high or t.low)
            return ("agree", "") if inside else ("value_mismatch", "表中数值不在正文区间内")
        return "kind_mismatch", f"表中为数值{cell.text}，正文为文字目标"
    factor_row = unit_info(row.unit).factor if (column == "value" and unit_info(row.unit)) else 1.0
    factor_t = unit_info(t.unit).factor if unit_info(t.unit) else 1.0
    table_base = cell.number * factor_row
    body_base = t.value * factor_t
    same = abs(table_base - body_base) <= 1e-9 * max(1.0, abs(body_base))
    if not same and t.comparator == "approx" and APPROX_TOLERANCE > 0:
        same = abs(table_base - body_base) <= APPROX_TOLERANCE * abs(body_base)
    if not same:
        return "value_mismatch", ""
    cell_cmp = cell.comparator or "eq"
    body_cmp = t.comparator or "eq"
    if cell_cmp == body_cmp or body_cmp == "from_to":
        return "agree", ""
    if cell_cmp == "eq":
        return "qualifier_missing", f"表中未写限定词，正文为“{_CMP_ZH.get(body_cmp, body_cmp)}”"
    if body_cmp == "eq":
        return "qualifier_missing", f"正文未写限定词，表中为“{_CMP_ZH.get(cell_cmp, cell_cmp)}”"
    return "qualifier_mismatch", ""


_RANK = {"agree": 0, "qualifier_missing": 1, "wording_only": 2, "qualifier_mismatch": 3, "value_mismatch": 4,
         "kind_mismatch": 5}
_MATCH_RANK = {"exact": 0, "covers": 1, "category": 2, "approximate": 3}


def _body_value_zh(t: Target) -> str:
    if t.value is None:
        return f"“{t.text}”"
    v = f"{t.value:g}{t.unit or ''}{_CMP_ZH.get(t.comparator or 'eq', '')}"
    return f"“{t.text}”（{v}）"


def _headline_nodes(plan: Plan) -> set[str]:
    """Ids of the section(s) holding the 预期目标 list (a top-level section whose title names 目标)."""
    return {n.id for n in plan.sections if "目标" in n.title}


def reconcile(plan: Plan, diagnostics: Diagnostics | None = None) -> Diagnostics:
    """Compare each indicator row's target-year cells with the body targets of the same metric."""
    plan.reconciliation = []
    warnings = Diagnostics() if diagnostics is None else diagnostics
    if not plan.indicators or not plan.targets:
        return warnings
    index = _node_index(plan)
    year = f"{plan.year}年" if plan.year else "目标年"
    matched_targets: set[str] = set()
    for row in plan.indicators:
        candidates = [(t, rel) for t in plan.targets if (rel := _metric_relation(t, row))]
        for t, _ in candidates:
            matched_targets.add(t.id)
        for column in ("growth", "value"):
            cell: Cell = getattr(row.target, column)
            if cell.number is None and not _is_literal(cell):
                continue
            results = []
            for t, rel in candidates:
                if not _column_fits(t, row, column):
                    continue
                if _is_literal(cell) != (t.value is None and t.low is None):
                    # a literal cell only meets literal targets and vice versa, unless nothing else is there
                    results.append((t, rel, "kind_mismatch", f"表中“{cell.text}”，正文{_body_value_zh(t)}"))
                    continue
                status, note = _compare(cell, t, row, column)
                results.append((t, rel, status, note))
            if not results:
                continue
            results.sort(key=lambda r: (_RANK[r[2]], _MATCH_RANK[r[1]]))
            best = results[0]
            if best[2] == "kind_mismatch" and len(results) > 1:
                continue
            t, rel, status, note = best
            if rel == "approximate":
                note = (note + "；" if note else "") + "指标口径相近但不完全相同"
            plan.reconciliation.append(TableBodyMatch(
                row_id=row.id, row_name=row.name, column=column, cell_text=cell.text, target_id=t.id,
                target_text=t.text, metric_match=rel, status=status, note=note))
            if status in ("value_mismatch", "qualifier_mismatch", "kind_mismatch"):
                col_zh = "增长%" if column == "growth" else "绝对值"
                unit = "%" if column == "growth" else (row.unit or "")
                warnings.add(
                    DiagnosticCode.table_body_mismatch,
                    (f"{_row_place(row)}“{row.name}”{year}预期{col_zh}为"
                     + (f"{cell.text}{unit}" if cell.number is not None else f"“{cell.text}”") + "，"
                     f"与{_node_place(t.node_id, index)}{_body_value_zh(t)}不一致"
                     + (f"（{note}）" if note else "")),
                    row.where)
    headline = _headline_nodes(plan)
    for t in plan.targets:
        if t.node_id in headline and t.id not in matched_targets:
            warnings.add(
                DiagnosticCode.headline_target_without_row,
                f"{_node_place(t.node_id, index)}主要预期目标“{t.text}”在附件指标表中没有对应指标", t.where)
    return warnings

