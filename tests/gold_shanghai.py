"""Scoring a parse against the hand-written gold of real Shanghai notices (tests/gold/shanghai/*.json).

The gold was written by reading each document (see the `decisions` list in every file); this module
only compares. Scores are fractions (found / expected) per part, so a test can hold a floor and the
bench can print them per document:
- cover: title, verb, issuers, addressees, date, doc_number (6 fields, exact);
- headings: (depth in the tree, canonical label, title prefix) found among the parsed nodes;
- indicators: rows found by name, with unit / 属性 / base / target cells as printed;
- targets: (source line, value, unit, comparator) found among the parsed targets;
- non_targets: printed figures on a line that must not yield a target (precision on the hazards).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

GOLD_DIR = Path(__file__).parent / "gold" / "shanghai"
from conftest import CORPUS  # noqa: E402

CORPUS_DIR = CORPUS / "real" / "shanghai"


def gold_files() -> list[Path]:
    return sorted(GOLD_DIR.glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class Score:
    found: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, what: str) -> None:
        self.total += 1
        if ok:
            self.found += 1
        else:
            self.misses.append(what)

    @property
    def rate(self) -> float:
        return self.found / self.total if self.total else 1.0


def _squeeze(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")


def score_cover(result, gold: dict) -> Score:
    s = Score()
    g = gold["cover"]
    n = result.notice
    s.add(n is not None and _squeeze(n.title) == _squeeze(g["title"]), f"title {n.title if n else None!r}")
    s.add(n is not None and n.verb == g["verb"], f"verb {n.verb if n else None!r}")
    s.add(n is not None and [_squeeze(x) for x in n.issuers] == [_squeeze(x) for x in g["issuers"]],
          f"issuers {n.issuers if n else None!r}")
    s.add(n is not None and n.addressees == g["addressees"], f"addressees {n.addressees if n else None!r}")
    s.add(n is not None and n.date == g["date"], f"date {n.date if n else None!r}")
    got_no = n.doc_number.canonical if n is not None and n.doc_number else None
    s.add(got_no == g["doc_number"], f"doc_number {got_no!r}")
    return s


def score_plan(result, gold: dict) -> Score:
    s = Score()
    p = result.plan
    s.add(_squeeze(p.title) == _squeeze(gold["plan"]["title"]), f"plan title {p.title!r}")
    s.add(p.year == gold["plan"]["year"], f"plan year {p.year!r}")
    return s


def _nodes(nodes, depth=1):
    for n in nodes:
        if n.kind != "headline":
            yield depth, n
            yield from _nodes(n.children, depth + 1)


def score_headings(result, gold: dict) -> Score:
    s = Score()
    got = [(d, n.label, _squeeze(n.title)) for d, n in _nodes(result.plan.sections)]
    for depth, label, prefix in gold["headings"]:
        p = _squeeze(prefix)
        ok = any(d == depth and lab == label and t.startswith(p) for d, lab, t in got)
        s.add(ok, f"{depth} {label}{prefix}")
    return s


def score_indicators(result, gold: dict) -> Score:
    s = Score()
    rows = {_squeeze(r.name): r for r in result.plan.indicators}
    cats = gold.get("indicator_categories", {})
    for name, unit, binding, base, target in gold["indicators"]:
        r = rows.get(_squeeze(name))
        if r is None:
            s.add(False, f"row {name}")
            continue
        s.add(r.unit == unit, f"{name} unit {r.unit!r}")
        s.add(getattr(r, "binding", None) == binding, f"{name} 属性 {getattr(r, 'binding', None)!r}")
        s.add(r.base.value.text == base, f"{name} base {r.base.value.text!r}")
        s.add(r.target.value.text == target, f"{name} target {r.target.value.text!r}")
        if name in cats:
            s.add(r.category == cats[name], f"{name} category {r.category!r}")
    return s


def _close(a, b) -> bool:
    return a is not None and b is not None and abs(a - b) < 1e-9


def score_targets(result, gold: dict) -> Score:
    s = Score()
    pool = list(result.plan.targets)
    for line, value, unit, comparator in gold["targets"]:
        hit = next((t for t in pool if t.where.line == line and t.unit == unit and t.comparator == comparator
                    and (_close(t.value, value) or _close(t.high, value))), None)
        if hit is not None:
            pool.remove(hit)
        s.add(hit is not None, f"L{line} {value}{unit} {comparator}")
    return s


def score_non_targets(result, gold: dict) -> Score:
    s = Score()
    for line, printed in gold["not_targets"]:
        bad = [t for t in result.plan.targets if t.where.line == line and printed.rstrip("%") in t.text
               and (re.sub(r"[^\d.]", "", printed.split("万")[0].split("亿")[0]) in
                    {f"{v:g}" for v in (t.value, t.low, t.high) if v is not None})]
        s.add(not bad, f"L{line} {printed} taken as target")
    return s


PARTS = {"cover": score_cover, "plan": score_plan, "headings": score_headings, "indicators": score_indicators,
         "targets": score_targets, "non_targets": score_non_targets}


def score_all(result, gold: dict) -> dict[str, Score]:
    return {k: f(result, gold) for k, f in PARTS.items()}
