"""One year's target against the next: the class rules of domain.md §7, shared by table cells and
prose targets.

A target is reduced to a `Quantity`: empty, a literal (保持稳定), or a number or range in base units
with its qualifier (comparator, modality, scope). Two quantities then compare the same way wherever
they came from: numbers moved → rose/fell; same numbers but another qualifier, or a literal that
changed → qualifier_changed; a number that became a literal (or the reverse) → form_changed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.metrics import APPROX_SYNONYMS, normalize_metric
from pipeline.parse.cells import is_not_applicable
from pipeline.schema import Cell
from pipeline.units import unit_info

REL_TOL = 1e-9
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Quantity:
    kind: str                       # "empty" | "literal" | "number"
    low: float | None = None        # base units; low == high for a single number
    high: float | None = None
    qualifier: tuple = ()           # (comparator, modality, scope …): equal tuples mean same qualifier
    literal: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def mid(self) -> float | None:
        if self.low is None or self.high is None:
            return None
        return (self.low + self.high) / 2


EMPTY = Quantity("empty")


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= REL_TOL * max(1.0, abs(a), abs(b))


def _comparator(c: str | None) -> str:
    return "eq" if c in (None, "eq") else c


def cell_quantity(cell: Cell, factor: float = 1.0) -> Quantity:
    """A table cell as a quantity; `factor` converts the row's unit to its base unit."""
    text = _SPACES.sub("", cell.text or "")
    if cell.low is not None and cell.high is not None:
        return Quantity("number", cell.low * factor, cell.high * factor, ("range",))
    if cell.number is not None:
        v = cell.number * factor
        return Quantity("number", v, v, (_comparator(cell.comparator),))
    if not text or is_not_applicable(text):
        return EMPTY
    return Quantity("literal", literal=text)


def compare(old: Quantity, new: Quantity) -> tuple[str | None, float | None]:
    """(class, change of the middle value in base units); class None when both are empty."""
    if old.kind == "empty" and new.kind == "empty":
        return None, None
    if {old.kind, new.kind} == {"literal", "number"}:
        return "form_changed", None
    if old.kind != new.kind:
        return "qualifier_changed", None
    if old.kind == "literal":
        return ("unchanged" if old.literal == new.literal else "qualifier_changed"), None
    d_low, d_high = new.low - old.low, new.high - old.high
    delta = new.mid - old.mid
    if _same(old.low, new.low) and _same(old.high, new.high):
        return ("unchanged" if old.qualifier == new.qualifier else "qualifier_changed"), 0.0
    if d_low >= 0 and d_high >= 0:
        return "rose", delta
    if d_low <= 0 and d_high <= 0:
        return "fell", delta
    return ("rose" if delta > 0 else "fell" if delta < 0 else "qualifier_changed"), delta


def form_of(old: Quantity, new: Quantity) -> str | None:
    """Direction of a qualitative↔numeric change: to_number (定性→定量), to_literal, or None."""
    if old.kind == "literal" and new.kind == "number":
        return "to_number"
    if old.kind == "number" and new.kind == "literal":
        return "to_literal"
    return None


def tightened(change: str | None, lower_is_better: bool) -> bool | None:
    """Whether a move makes the target harder: a higher floor, or a lower ceiling (`le`)."""
    if change not in ("rose", "fell"):
        return None
    return (change == "rose") != lower_is_better


# --- Metric keys ----------------------------------------------------------------------------------

_APPROX_TO_CANONICAL = {normalize_metric(sp): canonical
                        for canonical, spellings in APPROX_SYNONYMS.items() for sp in spellings}


def metric_key(name: str) -> tuple[str, bool]:
    """(matching key, reached through an approximate synonym) for an indicator or target name.

    Builds on `pipeline.metrics.normalize_metric` (exact synonyms, labels, region prefixes) and folds
    the approximate synonyms too, so 研发经费投入占比 meets 研发经费投入强度, flagged as approximate.
    """
    key = normalize_metric(name)
    if key in _APPROX_TO_CANONICAL:
        return normalize_metric(_APPROX_TO_CANONICAL[key]), True
    return key, False


def base_of(unit: str | None) -> tuple[str | None, float]:
    """(base unit, factor) of a unit as written; an unknown unit is its own base with factor 1."""
    info = unit_info(unit)
    if info is None:
        return ((unit or "").strip() or None), 1.0
    return info.base, info.factor
