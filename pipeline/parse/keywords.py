"""jieba keywords per task node (issue 4). Stub: filled in by the targets work."""
from __future__ import annotations

from pipeline.schema import Plan


def add_keywords(plan: Plan) -> None:
    return None
