"""`plandoc diff OLD NEW -o OUT.{json,html,pdf}`: write a `PlanDiff` in the format the suffix names.

JSON is the model itself (contract.md "Diff"). HTML and PDF share one template
(`templates/diff.html.j2`): the PDF goes through the render engine (`pipeline.render.engine.render_pdf`:
公文 stylesheet, fonts, glyph check, safe fetcher), the HTML is the same page with a screen stylesheet
inlined, so it is one self-contained file that opens anywhere (no fonts, scripts or links to fetch).
This module only shapes display rows (formatted numbers, Chinese class names, shortened redlines).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.diff.compare_plans import CHANGE_ZH, FORM_ZH, TASK_CHANGE_ZH, diff_plans
from pipeline.diff.model import PlanDiff, RedlineOp, TaskDiff
from pipeline.diff.quantities import base_of
from pipeline.errors import InputError
from pipeline.fsutil import atomic_write_text
from pipeline.schema import Cell, ParseResult, Target

FORMATS = (".json", ".html", ".pdf", ".docx")
CONTEXT_CHARS = 24        # unchanged text kept on each side of an edit in the printed redline
PREVIEW_CHARS = 160       # new / dropped task text shown in the report


def fmt_number(x: float | None) -> str:
    if x is None:
        return ""
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fmt_delta(x: float | None, unit: str) -> str:
    if x is None or x == 0:
        return ""
    return ("+" if x > 0 else "") + fmt_number(x) + unit


def _cell(c: Cell) -> str:
    return (c.text or "").strip() or "—"


@dataclass
class Line:
    cells: list[str]
    change: str                  # class name (CSS) and Chinese label
    label: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Segment:
    kind: str                    # equal | del | ins
    text: str


@dataclass
class TaskView:
    entry: TaskDiff
    heading: str
    facts: str
    segments: list[Segment] = field(default_factory=list)
    preview: str = ""


def _row_cells(row, with_unit: bool) -> str:
    if row is None:
        return "—"
    value = _cell(row.target.value)
    if with_unit and value != "—" and row.target.value.number is not None:
        value += row.unit or ""
    return f"{value}／{_cell(row.target.growth)}"


def _label(e) -> str:
    """Chinese class name; a change of form says which way (由定性改为定量)."""
    if e.change == "form_changed" and e.form:
        return FORM_ZH[e.form]
    return CHANGE_ZH[e.change]


def indicator_lines(d: PlanDiff) -> list[Line]:
    out = []
    for e in d.indicators:
        # each year's cells are shown in that year's table unit: 0.4 is 万人 even when the new
        # table counts 人, so a changed unit goes into the cells and the unit column names both
        units_differ = bool(e.old and e.new and (e.old.unit or "") != (e.new.unit or ""))
        unit = f"{e.old.unit or '—'}→{e.new.unit or '—'}" if units_differ else (e.unit or "")
        old = _row_cells(e.old, units_differ)
        new = _row_cells(e.new, units_differ)
        label = _label(e)
        if e.change in ("rose", "fell"):
            if e.compared == "growth":
                label += f"（{fmt_delta(e.growth_delta, '个百分点')}）"
            elif e.new is not None:
                label += f"（{fmt_delta(e.value_delta / base_of(e.new.unit)[1], e.new.unit or '')}）"
        notes = list(e.notes)
        if e.compared == "growth" and e.value_change not in (None, "unchanged", e.change):
            notes.append(f"目标绝对值{CHANGE_ZH[e.value_change]}")
        if e.tightened is not None:
            notes.append("目标收紧" if e.tightened else "目标放宽")
        out.append(Line([e.name, unit, old, new], e.change, label, notes))
    return out


def _target_text(t: Target | None) -> str:
    return t.text if t is not None else "—"


def target_lines(d: PlanDiff) -> list[Line]:
    out = []
    for e in d.targets:
        if e.change == "unchanged":
            continue
        label = _label(e)
        if e.change in ("rose", "fell") and e.new is not None and e.delta is not None:
            unit = e.new.unit or ""
            label += f"（{fmt_delta(e.delta / base_of(unit)[1], '个百分点' if unit == '%' else unit)}）"
        notes = list(e.notes)
        if e.tightened is not None:
            notes.append("目标收紧" if e.tightened else "目标放宽")
        out.append(Line([e.metric, _target_text(e.old), _target_text(e.new)], e.change, label, notes))
    return out


def shorten(ops: list[RedlineOp], context: int = CONTEXT_CHARS) -> list[Segment]:
    """Redline segments with long unchanged runs cut to `context` characters around each edit."""
    segs: list[Segment] = []
    for k, op in enumerate(ops):
        if op.op == "equal":
            t = op.new
            first, last = k == 0, k == len(ops) - 1
            if first and len(t) > context:
                t = "……" + t[-context:]
            elif last and len(t) > context:
                t = t[:context] + "……"
            elif len(t) > 2 * context + 2:
                t = t[:context] + "……" + t[-context:]
            segs.append(Segment("equal", t))
            continue
        if op.old:
            segs.append(Segment("del", op.old))
        if op.new:
            segs.append(Segment("ins", op.new))
    return segs


def _facts(e: TaskDiff) -> str:
    parts = []
    # the similarity is measured with digits masked: beside changed numbers a "1.00" reads as
    # "nothing changed", so it is shown only when it says something (below 1 once rounded)
    if e.similarity is not None and round(e.similarity, 2) < 1.0:
        parts.append(f"相似度{e.similarity:.2f}")
    if e.numbers_changed:
        parts.append("数量目标调整")
    if e.words_changed:
        parts.append("文字调整")
    if e.moved:
        parts.append(f"位置由{e.old_path}移至{e.new_path}")
    return "；".join(parts)


def _preview(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "……"


def task_views(d: PlanDiff) -> dict[str, list[TaskView]]:
    groups: dict[str, list[TaskView]] = {"reworded": [], "moved": [], "new": [], "dropped": [], "review": []}
    for e in d.tasks:
        if e.change == "reworded":
            groups["reworded"].append(TaskView(e, e.new_path or "", _facts(e), shorten(e.redline_ops)))
        elif e.change == "unchanged" and e.moved:
            groups["moved"].append(TaskView(e, e.new_path or "", _facts(e)))
        elif e.change == "new":
            groups["new"].append(TaskView(e, e.new_path or "", "", preview=_preview(e.new_text)))
        elif e.change == "dropped":
            groups["dropped"].append(TaskView(e, e.old_path or "", "", preview=_preview(e.old_text)))
        elif e.change == "review":
            groups["review"].append(TaskView(e, f"{e.old_path} ↔ {e.new_path}", _facts(e),
                                             shorten(e.redline_ops)))
    return groups


def year_label(year: int | None, fallback: str) -> str:
    """"2023年", or "上年"/"本年" when the plan states no year (never "None年")."""
    return f"{year}年" if year else fallback


def report_title(d: PlanDiff) -> str:
    region = d.new.region or d.old.region or ""
    years = f"{year_label(d.old.year, '上年')}与{year_label(d.new.year, '本年')}"
    return f"{region}{years}国民经济和社会发展计划比对报告"


def context(d: PlanDiff, mode: str) -> dict:
    return {"mode": mode, "style": "plain", "diff": d, "title": report_title(d),
            "old_year": year_label(d.old.year, "上年"), "new_year": year_label(d.new.year, "本年"),
            "indicators": indicator_lines(d), "targets": target_lines(d), "tasks": task_views(d),
            "change_zh": CHANGE_ZH, "task_change_zh": TASK_CHANGE_ZH}


def _html_env():
    """The template environment for the stand-alone HTML: same templates, no font metrics needed."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from pipeline.render import gbt9704
    from pipeline.render.env import TEMPLATES_DIR
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["title_lines"] = lambda text, *a: [text]
    env.filters["gaps"] = lambda text: text
    env.filters["cell"] = lambda text: text          # a browser reflows the table: no glued tails
    env.globals["g"] = gbt9704
    return env


def render_html(d: PlanDiff) -> str:
    return _html_env().get_template("diff.html.j2").render(**context(d, "html"))


def write_diff(old: ParseResult, new: ParseResult, *outs: Path) -> PlanDiff:
    """Compare two parsed plans once and write the report to every `outs`; each suffix picks its format
    (the drop folder writes JSON, HTML, PDF and .docx of one comparison: one computation, not four)."""
    outs = tuple(Path(o) for o in outs)
    for out in outs:
        if out.suffix.lower() not in FORMATS:
            raise InputError(out, f"不支持的输出格式“{out.suffix or '（无扩展名）'}”",
                             hint="输出文件名请以 .json、.html、.pdf 或 .docx 结尾")
    d = diff_plans(old, new)
    for out in outs:
        write_report(d, out)
    return d


def write_report(d: PlanDiff, out: Path) -> None:
    """One computed comparison as one file; the suffix of `out` picks the format."""
    suffix = out.suffix.lower()
    if suffix == ".json":
        atomic_write_text(out, d.model_dump_json(indent=2) + "\n")
    elif suffix == ".html":
        atomic_write_text(out, render_html(d))
    elif suffix == ".docx":
        from pipeline.render.docx_writer import write_diff_docx
        write_diff_docx(d, out)
    else:
        from pipeline.render.engine import render_pdf
        render_pdf("diff.html.j2", context(d, "pdf"), out, label="比对报告")
