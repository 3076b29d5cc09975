"""Provenance: where in the source file something came from. One type for blocks and the schema.

Readers stamp every block with a `Provenance`; the parser hands the *same object* on to the nodes,
rows, targets and diagnostics built from that block, so nothing converts between a "block place"
and a "schema place". It is a slots dataclass rather than a pydantic model because readers create
one per line or cell (a pydantic model costs about four times as much to construct), and pydantic
accepts a stdlib dataclass as a field type as is: instances pass through unvalidated and uncopied,
JSON in is validated into one, JSON out is the six fields in this order.

Treat an instance as immutable once a block carries it: it is shared (block → node → target →
diagnostic), so to change a place make a new one (`dataclasses.replace`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Optional

from pydantic import Field


@dataclass(slots=True)
class Provenance:
    """出处：原文件中的页、行、段、表、表行、表列（均从 1 起计；未知为 null）。
    Place in the source file: 1-based page, line, paragraph, table, table row and column (null when unknown)."""

    page: Annotated[Optional[int], Field(description="页码（PDF） / page number (PDF)")] = None
    line: Annotated[Optional[int], Field(
        description="行号（纯文本，按规范化后的文本计） / line number (plain text, in the normalised text)")] = None
    paragraph: Annotated[Optional[int], Field(description="段落序号（Word、PDF） / paragraph number (Word, PDF)")] = None
    table: Annotated[Optional[int], Field(description="第几个表格 / table number")] = None
    row: Annotated[Optional[int], Field(description="表格中的行 / row within the table")] = None
    col: Annotated[Optional[int], Field(description="表格中的列 / column within the table")] = None

    def describe(self) -> str:
        """Chinese place description for messages: 第3页第12行."""
        parts = []
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.table is not None:
            parts.append(f"第{self.table}个表格")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        elif self.line is not None:
            parts.append(f"第{self.line}行")
        elif self.paragraph is not None:
            parts.append(f"第{self.paragraph}段")
        if self.col is not None:
            parts.append(f"第{self.col}列")
        return "".join(parts)
