"""The numbered task tree: labelled paragraphs → sections/items, run-in headlines → headline nodes.

Ids follow the ancestors actually present (二 → "2", （三） → "2.3", a headline in it → "2.3.1"), so a
plan that skips a rung still gets short stable ids. Numbering restarts under each parent; a gap or a
repeat is reported as a warning (it is a strong hint of a false positive).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.blocks import TextBlock
from pipeline.parse.headlines import find_headlines
from pipeline.parse.labels import cut_original, match_label
from pipeline.diagnostics import DiagnosticCode, Diagnostics
from pipeline.schema import Node

KIND_BY_RUNG = {-2: "section", -1: "section", 0: "section", 1: "section", 2: "item", 3: "item", 4: "item", 5: "item"}


def node_level(rung: int) -> int:
    """Schema level of a rung: parts/chapters/节 are level 0 (above 一、), ① is level 5."""
    return max(rung, 0)
_TITLE_END = re.compile(r"[。！？]")


@dataclass
class _Open:
    node: Node
    rung: int
    paras: list[tuple[str, TextBlock]] = field(default_factory=list)   # own text paragraphs after the title
    last_child_number: int = 0


def split_title(text: str) -> tuple[str, str, str | None]:
    """An item's title is its first sentence up to the first 。 (commas allowed); the rest is its text.
    Returns (title, rest, the closing mark or None)."""
    m = _TITLE_END.search(text)
    if not m:
        return text.strip(), "", None
    return text[: m.start()].strip(), text[m.end():].strip(), m.group(0)


def build_tree(paras: list[TextBlock], diagnostics: Diagnostics | None = None) -> tuple[list[Node], str]:
    """(sections, preamble text) from the body paragraphs (non-blank TextBlocks); numbering gaps go to
    `diagnostics`."""
    if diagnostics is None:
        diagnostics = Diagnostics()
    roots: list[Node] = []
    stack: list[_Open] = []
    preamble: list[str] = []
    root_last = 0
    opened: list[_Open] = []
    counter: dict[int, int] = {}          # last number seen per rung, across parents
    continuous: set[int] = set()          # rungs numbered straight through the document

    for block in paras:
        label = match_label(block.norm)
        if label is None:
            if stack:
                stack[-1].paras.append((block.text, block))
            else:
                preamble.append(block.text)
            continue
        while stack and stack[-1].rung >= label.rung:
            stack.pop()
        parent = stack[-1] if stack else None
        last = parent.last_child_number if parent else root_last
        if label.number != last + 1:
            if last == 0 and label.number == counter.get(label.rung, 0) + 1 and label.number > 1:
                # 1.–22. running across （一）–（六）: one document-wide counter, said once, not a gap per item.
                if label.rung not in continuous:
                    continuous.add(label.rung)
                    diagnostics.add(DiagnosticCode.numbering_continuous, f"“{label.raw}”接续上一部分编号，未在每个上级标题下重新编号"
                                    "（按全文连续编号处理）", block.where)
            else:
                what = "重复" if label.number <= last else "跳号"
                diagnostics.add(DiagnosticCode.numbering_gap, f"编号“{label.raw}”{what}（上一个同级编号是第{last}个）", block.where)
        counter[label.rung] = label.number
        if parent:
            parent.last_child_number = label.number
        else:
            root_last = label.number
        title, rest, title_end = split_title(cut_original(block.text, label.length))
        parent_id = parent.node.id if parent else ""
        node = Node(id=f"{parent_id}.{label.number}" if parent_id else str(label.number),
                    kind=KIND_BY_RUNG[label.rung], level=node_level(label.rung), label=label.canonical,
                    title=title, title_end=title_end, where=block.where)
        (parent.node.children if parent else roots).append(node)
        op = _Open(node, label.rung, [(rest, block)] if rest else [])
        stack.append(op)
        opened.append(op)

    for op in opened:
        _finish(op)
    return roots, "\n".join(preamble)


def _finish(op: _Open) -> None:
    """Set the node's own text; leaf items get their run-in headlines as children."""
    node = op.node
    node._paras = [(t, b.where) for t, b in op.paras]
    starts, pos = [], 0
    for t, b in op.paras:
        starts.append((pos, b))
        pos += len(t) + 1
    text = "\n".join(t for t, _ in op.paras)
    if node.children or not text:
        node.text = text
        return
    heads = find_headlines(text)
    if not heads:
        node.text = text
        return
    node.text = text[: heads[0].start].strip()
    for k, h in enumerate(heads, 1):
        end = heads[k].start if k < len(heads) else len(text)
        body = text[h.title_end:end].strip()
        child = Node(id=f"{node.id}.{k}", kind="headline", level=min(node.level + 1, 5),
                                  label=h.label, title=h.title, text=body,
                                  title_end=text[h.title_end - 1] if text[h.title_end - 1:h.title_end] in "。！？，,；;" else None,
                                  where=_block_at(starts, h.start).where)
        child._paras = node._paras
        node.children.append(child)


def _block_at(starts: list[tuple[int, TextBlock]], offset: int) -> TextBlock:
    found = starts[0][1]
    for pos, b in starts:
        if pos > offset:
            break
        found = b
    return found
