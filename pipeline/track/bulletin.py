"""`plandoc bulletin`: filled 台账 workbooks → the 通报 (PDF, 公文 style) or its figures (JSON).

Order of work matters: every workbook is validated first (a bad one aborts before anything is
written or recorded), then the figures are computed against the previous round from the archive,
the output is written atomically, and only then is the round recorded in the archive — so a failed
render never leaves a round in the history that no bulletin shows.

The PDF reuses the render core (`pipeline.render.engine.render_pdf`: the same Jinja environment,
stylesheet, fonts, fetcher and glyph check as the plan) with `templates/bulletin.html.j2`.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from pipeline.archive import Archive
from pipeline.errors import InputError
from pipeline.fsutil import atomic_write_text
from pipeline.schema import ParseResult
from pipeline.track import figures as fig
from pipeline.track.assign import load_resolved
from pipeline.track.config import TrackConfig, load_config
from pipeline.track.history import archive_path, issue_number, previous_round, record_round
from pipeline.track.ingest import ingest
from pipeline.track.items import build_items

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OUTPUTS = (".pdf", ".docx", ".json")


def parse_as_of(text: str | None, fallback: dt.date | None, year: int | None) -> dt.date:
    if text is None:
        if fallback is None:
            raise InputError(None, "没有截至日期：台账里未填“统计截至”，命令行也没有给出",
                             hint="用 --as-of 2023-06-30 指定")
        as_of = fallback
    else:
        try:
            if not _ISO.match(text.strip()):
                raise ValueError
            as_of = dt.date.fromisoformat(text.strip())
        except ValueError:
            raise InputError(None, f"截至日期“{text}”格式不对", hint="应为 YYYY-MM-DD，如 2023-06-30") from None
    if year is not None and as_of.year != year:
        raise InputError(None, f"截至日期 {as_of.isoformat()} 不在计划年度 {year} 年内",
                         hint="通报只统计计划年度内的进展")
    return as_of


def make_figures(result: ParseResult, progress: list[Path], as_of: str | None, *,
                 archive: Archive | None = None, cfg: TrackConfig | None = None,
                 assignments: str | Path | None = None) -> dict:
    """Validate and merge the workbooks, then compute the figures (with changes since the last round).
    `assignments`: the 任务分解 (master 台账 or mapping file, `pipeline.track.assign`)."""
    cfg = cfg or load_config()
    items = build_items(result, cfg)
    assigned = load_resolved(assignments, items) if assignments else None
    merged = ingest(list(progress), items, cfg)
    when = parse_as_of(as_of, merged.as_of, items.year)
    previous = previous_round(archive, items.plan_key, when.isoformat()) if archive else None
    figures = fig.compute(items, merged, when, cfg, previous, assigned)
    figures["plan_key"] = items.plan_key
    return figures


def bulletin_document(figures: dict, cfg: TrackConfig, *, style: str = "plain", issue: int | None = None,
                      signed: str | None = None, submissions: dict | None = None, fonts=None) -> dict:
    """The renderer-neutral context of the 通报 (PDF template and .docx writer read the same one)."""
    from pipeline.track.bulletin_context import bulletin_context
    if style not in ("plain", "formal"):
        raise InputError(None, f"不支持的排版样式“{style}”", hint="可选 plain 或 formal")
    signed_date = parse_as_of(signed, None, None) if signed else None
    return bulletin_context(figures, cfg, style=style, fonts=fonts, issue=issue, signed=signed_date,
                            submissions=submissions)


def make_bulletin(result: ParseResult, progress: list[Path], as_of: str | None, out: Path, *,
                  archive: str | Path | None = None, config: str | Path | None = None,
                  submissions: dict | None = None, style: str = "plain", signed: str | None = None,
                  assignments: str | Path | None = None, also: tuple[Path, ...] = ()) -> dict:
    """Write the bulletin to `out` (.pdf, .docx or .json) and record the round. Returns the figures.
    `also`: more outputs of the same bulletin (e.g. the editable .docx beside the PDF), written from the
    one computation, so the round is counted once.

    Optional: `submissions` (the drop folder's 报送情况) adds that part; `style` plain | formal
    (红头); `signed` the 成文日期 (YYYY-MM-DD; default the as-of date); `assignments` the 任务分解
    (master 台账 or mapping file). 第N期 is counted per plan in the archive (track.toml may fix it)."""
    outs = [Path(out), *(Path(p) for p in also)]
    for o in outs:
        if o.suffix.lower() not in OUTPUTS:
            raise InputError(o, f"不支持的输出类型“{o.suffix}”",
                             hint="通报可输出 .pdf 或可编辑的 .docx，计算结果可输出 .json")
    cfg = load_config(config)
    db = Archive(archive_path(out, archive))
    try:
        figures = make_figures(result, progress, as_of, archive=db, cfg=cfg, assignments=assignments)
        issue = issue_number(db, figures["plan_key"], figures["as_of"])
        figures["issue"] = cfg.bulletin.issue_number or issue + cfg.bulletin.issue_offset
        context = fonts = None
        for o in outs:
            suffix = o.suffix.lower()
            if suffix == ".json":
                atomic_write_text(o, json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
                continue
            if context is None:
                from pipeline.render.fonts import resolve_fonts
                fonts = resolve_fonts()
                context = bulletin_document(figures, cfg, style=style, issue=issue, signed=signed,
                                            submissions=submissions, fonts=fonts)
            if suffix == ".docx":
                from pipeline.render.docx_writer import write_bulletin_docx
                write_bulletin_docx(context, o, fonts=fonts)
            else:
                from pipeline.render.engine import imprint_relayout, render_pdf
                render_pdf("bulletin.html.j2", context, o, fonts=fonts, label="通报",
                           relayout=imprint_relayout(context))
        record_round(db, figures["plan_key"], figures["as_of"], fig.history_payloads(figures))
    finally:
        db.close()
    return figures
