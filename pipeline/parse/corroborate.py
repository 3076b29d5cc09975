"""Inferred merges need corroboration (domain.md §4, "Inferring merges" rule 3).

A merge rebuilt from a flattened table is a guess: an empty cell may really mean "no target". When a
body sentence names the row (or its category, or the row name without its 城镇/农村 qualifier) and
carries the shared value (the number, or most of the literal's character pairs), the guess is
confirmed and needs no warning; otherwise we warn so a clerk can check the original.
"""
from __future__ import annotations

import re

from pipeline.diagnostics import DiagnosticCode, Diagnostics
from pipeline.schema import Plan, Row
from pipeline.text import normalize

_QUALIFIERS = re.compile(r"^(城镇|农村|全区|全市|全县|全省)")
_SENT = re.compile(r"[^。；！？\n]+")
LITERAL_OVERLAP = 0.5


def _all_text(plan: Plan) -> str:
    parts = [plan.preamble]
    for n in plan.walk():
        parts.append(n.title)
        parts.append(n.text)
    return normalize("\n".join(parts))


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"\s", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)}


def _confirms(sentence: str, row: Row, text: str) -> bool:
    keys = {row.name, _QUALIFIERS.sub("", row.name), row.category}
    if not any(k and k in sentence for k in keys):
        return False
    num = re.match(r"[-\d.]+", normalize(text))
    if num:
        return num.group(0).rstrip(".") in sentence
    grams = _bigrams(normalize(text))
    return bool(grams) and len(grams & _bigrams(sentence)) / len(grams) >= LITERAL_OVERLAP


def check_inferred_merges(plan: Plan, inferred: list[tuple[Row, str, str]],
                          diagnostics: Diagnostics | None = None) -> Diagnostics:
    out = Diagnostics() if diagnostics is None else diagnostics
    if not inferred:
        return out
    sentences = _SENT.findall(_all_text(plan))
    grouped: dict[tuple[str, str], tuple[Row, list[str]]] = {}
    for row, path, text in inferred:
        grouped.setdefault((row.id, text), (row, []))[1].append(path)
    for (_rid, text), (row, paths) in grouped.items():
        if any(_confirms(s, row, text) for s in sentences):
            continue
        places = "、".join(_path_zh(p) for p in paths)
        out.add(DiagnosticCode.inferred_merge_unconfirmed,
                f"指标表“{row.name}”的{places}“{text}”是从合并单元格推断的，正文中未找到印证，请核对原表", row.where)
    return out


def _path_zh(path: str) -> str:
    period, col = path.split(".")
    return ("目标年" if period == "target" else "基期") + ("增长率" if col == "growth" else "绝对值")
