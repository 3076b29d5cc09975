"""Load a PLAN argument: a parse JSON (ours) or any source file (parsed on the fly)."""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.errors import load_validated
from pipeline.schema import ParseResult


class _NotANumber(ValueError):
    pass


def _no_constant(name: str):
    """NaN, Infinity, -Infinity: Python's json accepts them, JSON does not, and no plan holds them."""
    raise _NotANumber(name)


def _decode(text: str):
    return json.loads(text, parse_constant=_no_constant)


def load_result(path: str | Path) -> ParseResult:
    path = Path(path)
    if path.suffix.lower() == ".json":
        return load_validated(path, ParseResult, _decode, missing="文件不存在", malformed={
            _NotANumber: ("JSON 里有非数值“{error}”（NaN/Infinity 不是合法的 JSON 数值，会在台账里显示成“增长inf%”之类）",
                          "请重新用 plandoc parse 生成解析结果"),
            json.JSONDecodeError: "不是有效的 JSON（{error}）",
        }, invalid="JSON 不符合解析结果的格式：字段 {field}")
    from pipeline.parse import parse_file
    return parse_file(path)
