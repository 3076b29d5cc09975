"""Load a PLAN argument: a parse JSON (ours) or any source file (parsed on the fly)."""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.errors import load_validated
from pipeline.schema import ParseResult


def load_result(path: str | Path) -> ParseResult:
    path = Path(path)
    if path.suffix.lower() == ".json":
        return load_validated(path, ParseResult, json.loads, decode_errors=(json.JSONDecodeError,),
                              missing="文件不存在", malformed="不是有效的 JSON（{error}）",
                              invalid="JSON 不符合解析结果的格式：字段 {field}")
    from pipeline.parse import parse_file
    return parse_file(path)
