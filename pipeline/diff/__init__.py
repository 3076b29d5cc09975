"""Year-over-year diff of two parsed plans (domain.md §7): indicators, prose targets, tasks.

`diff_plans(old, new)` returns the `PlanDiff` model (contract.md "Diff"); `report.write_diff` writes
it as JSON, self-contained HTML or a 公文-style PDF.
"""
from pipeline.diff.compare_plans import diff_plans  # noqa: F401

__all__ = ["diff_plans"]
