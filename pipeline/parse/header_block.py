"""Website header blocks in front of scraped notices (domain.md §1.4).

Government sites put the page's metadata before the text, as (a) one inline line
`标题：… 索引号：… 文号：… 发文日期：…`, (b) a pipe table, or (c) each label on its own line followed
by its value. The block repeats the title and the 文号, so a parser that does not cut it off mistakes
the header's title for the cover's and a 主题分类 value for the plan title. We find the block by its
labels (at least two of them near the top), cut it off, and keep its fields as secondary evidence
only: the body's own 文号/date win; the header's 发布日期/发文日期 is a posting date, never the 成文日期.
"""
from __future__ import annotations

import re

from pipeline.blocks import TextBlock

LABELS = ("标题", "名称", "索引号", "文号", "发文字号", "发文机关", "发布机构", "成文日期", "发文日期", "发布日期",
          "主题分类", "主题词", "有效性", "时效", "信息来源", "来源", "所属机构", "生成日期", "公开方式", "体裁分类")
_LABEL_ALT = "|".join(sorted(LABELS, key=len, reverse=True))
_STANDALONE = re.compile(rf"^[|｜\s]*({_LABEL_ALT})\s*[:：]?[|｜\s]*$")
_INLINE = re.compile(rf"({_LABEL_ALT})\s*[:：|｜]\s*")
MAX_HEADER_LINES = 40
MIN_LABELS = 2


def _inline_fields(line: str) -> dict[str, str]:
    marks = list(_INLINE.finditer(line))
    out = {}
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(line)
        out[m.group(1)] = line[m.end():end].strip(" |｜\u3000")
    return out


def split_header_block(paras: list[TextBlock]) -> tuple[dict[str, str], int]:
    """(metadata fields, index of the first paragraph after the header block); ({}, 0) when none."""
    fields: dict[str, str] = {}
    end = 0
    labels = 0
    i, n = 0, min(len(paras), MAX_HEADER_LINES)
    while i < n:
        t = paras[i].norm
        m = _STANDALONE.match(t)
        if m:
            labels += 1
            value = ""
            if i + 1 < len(paras) and not _STANDALONE.match(paras[i + 1].norm) \
                    and len(_INLINE.findall(paras[i + 1].norm)) < 2:
                value = paras[i + 1].norm
                i += 1
            fields.setdefault(m.group(1), value)
            end = i + 1
        else:
            inline = _inline_fields(t)
            if len(inline) >= MIN_LABELS:
                labels += len(inline)
                for k, v in inline.items():
                    fields.setdefault(k, v)
                end = i + 1
        i += 1
    if labels < MIN_LABELS:
        return {}, 0
    return fields, end
