"""Refuse a document that is not a plan before rendering, tracking or comparing it.

A meeting notice parses into an empty plan (no numbered tasks, no targets, no indicator table);
rendered, it became a page headed "None年目标"/"本年年" and the command still exited 0. Commands
that need a plan call `require_plan` and fail with a Chinese reason instead (exit 1).
"""
from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError
from pipeline.schema import ParseResult


def is_plan(result: ParseResult) -> bool:
    """A plan has at least one of: numbered tasks, prose targets, an indicator table."""
    p = result.plan
    return bool(p.sections or p.targets or p.indicators)


def require_plan(result: ParseResult, path: str | Path | None = None) -> ParseResult:
    if not is_plan(result):
        title = (result.notice.title if result.notice else None) or result.plan.title
        named = f"（标题“{title}”）" if title else ""
        raise InputError(path if path is not None else result.source.path,
                         f"不是年度计划{named}：没有找到编号的重点任务、量化目标或附件指标表",
                         hint="请提供国民经济和社会发展计划（或其通知）的原文或解析 JSON")
    return result
