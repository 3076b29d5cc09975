"""Quantitative targets in the prose (issue 4). Stub: filled in by the targets work."""
from __future__ import annotations

from pipeline.schema import Plan, Warning_


def attach_targets(plan: Plan) -> list[Warning_]:
    """Find every target in the node titles/texts (and plan.preamble), fill plan.targets and node.target_ids."""
    return []
