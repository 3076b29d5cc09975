"""Indicator table ↔ body target reconciliation (issue 4). Stub: filled in by the targets work."""
from __future__ import annotations

from pipeline.schema import Plan, Warning_


def reconcile(plan: Plan) -> list[Warning_]:
    return []
