"""Load a PLAN argument: a parse JSON (ours) or any source file (parsed on the fly)."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from pipeline.errors import InputError, first_validation_error
from pipeline.schema import ParseResult


def load_result(path: str | Path) -> ParseResult:
    path = Path(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(path, "文件不存在") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise InputError(path, f"不是有效的 JSON（{e}）") from None
        try:
            return ParseResult.model_validate(data)
        except ValidationError as e:
            raise InputError(path, f"JSON 不符合解析结果的格式：字段 {first_validation_error(e)}") from None
    from pipeline.parse import parse_file
    return parse_file(path)
