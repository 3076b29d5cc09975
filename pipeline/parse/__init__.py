"""The format-blind parser: blocks → `ParseResult`. Entry points `parse_file` and `parse_source`."""
from __future__ import annotations

from pathlib import Path

from pipeline.blocks import SourceDoc
from pipeline.readers import read_document
from pipeline.schema import ParseResult


def parse_file(path: str | Path, *, keywords: bool = True) -> ParseResult:
    return parse_source(read_document(path), keywords=keywords)


def parse_source(doc: SourceDoc, *, keywords: bool = True) -> ParseResult:
    from pipeline.parse.document import parse_document
    return parse_document(doc, keywords=keywords)
