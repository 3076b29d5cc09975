"""Heading labels that OCR misread, restored from their siblings: （和） between （五） and （七） is （六）.

Why here and not in the parser: the damage is the recogniser's (a numeral glyph read as a look-alike:
六→和, 八→人/入), so the repair belongs to the OCR post-correction, which only ever sees OCR'd
blocks; the parser stays format-blind and strict (a text file's "（和）" is never a label).

Why it matters: one lost rung-1/2 heading hides its section — its children are filed under the
previous sibling and every fact below it moves. On rendered real notices this was the largest single
loss of structure after OCR.

The rule is positional only, and conservative: a paragraph that opens like a label of rung 1
(`X、`) or rung 2 (`（X）`) whose X is one or two characters but no numeral is given the number its
siblings leave free — previous sibling n-1 and next sibling n+1; or the first of its parent with
（二） next; or, on rung 2, the last of its parent right after n-1. Every repair is reported to the clerk.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.blocks import TextBlock
from pipeline.parse.labels import int_to_cn, match_label
from pipeline.text import normalize

# X is one or two characters that are not a numeral (the label regexes of the ladder did not match)
_DAMAGED = {
    1: re.compile(r"^(?P<x>[^\s、，,.．（）()\d]{1,2})\s*、\s*(?=\S)"),
    2: re.compile(r"^[（(]\s*(?P<x>[^\s（）()\d]{1,2})\s*[）)]\s*(?=\S)"),
}


@dataclass(frozen=True)
class LabelRepair:
    block: TextBlock
    old: str          # the label as read ("（和）")
    new: str          # the label restored ("（六）")


def _rung_number(block: TextBlock) -> tuple[int, int] | None:
    label = match_label(block.norm)
    return (label.rung, label.number) if label and label.rung in (1, 2) else None


def repair_labels(blocks: list, may_change=None) -> list[LabelRepair]:
    """Restore damaged rung-1/2 labels of the TextBlocks in `blocks` in place; the repairs made.
    `may_change(block)` limits the repair to some blocks (the OCR'd pages of a mixed PDF); all
    blocks count as siblings."""
    texts = [b for b in blocks if isinstance(b, TextBlock) and b.norm]
    repairs: list[LabelRepair] = []
    for rung in (1, 2):
        known = [_rung_number(b) for b in texts]
        for i, b in enumerate(texts):
            if known[i] is not None or (may_change is not None and not may_change(b)):
                continue
            m = _DAMAGED[rung].match(b.norm)
            if not m:
                continue
            number = _free_number(known, i, rung)
            if number is None:
                continue
            in_text = _DAMAGED[rung].match(b.text.lstrip())
            if not in_text:
                continue
            new = f"{int_to_cn(number)}、" if rung == 1 else f"（{int_to_cn(number)}）"
            old = in_text.group(0).strip()
            b.text = new + b.text.lstrip()[in_text.end():]
            b.norm = normalize(b.text)
            known[i] = (rung, number)
            repairs.append(LabelRepair(b, old, new))
    return repairs


def _free_number(known: list[tuple[int, int] | None], i: int, rung: int) -> int | None:
    """The number the siblings of position i leave free, or None when they do not say."""
    def sibling(step: int) -> int | None:
        k = i + step
        while 0 <= k < len(known):
            if known[k] is not None:
                r, n = known[k]
                if r == rung:
                    return n
                if r < rung:
                    return None             # the parent's boundary: no sibling on this side
            k += step
        return None
    before, after = sibling(-1), sibling(+1)
    if before is not None and after is not None:
        return before + 1 if after == before + 2 else None
    if before is None and after == 2:
        return 1
    # the last of its parent: rung 2 only (after the last 一、 section, body paragraphs run to the end)
    if rung == 2 and after is None and before is not None and _last_in_parent(known, i, rung):
        return before + 1
    return None


def _last_in_parent(known: list[tuple[int, int] | None], i: int, rung: int) -> bool:
    """No label of the same rung follows before the parent's next boundary (or the end)."""
    for k in range(i + 1, len(known)):
        if known[k] is not None and known[k][0] <= rung:
            return known[k][0] < rung
    return True
