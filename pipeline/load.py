"""Load a PLAN argument: a parse JSON (ours) or any source file (parsed on the fly)."""
from __future__ import annotations

import json
import stat
from pathlib import Path

from pydantic import ValidationError

from pipeline.errors import InputError, first_validation_error
from pipeline.schema import ParseResult


class _NotANumber(ValueError):
    pass


def _no_constant(name: str):
    """NaN, Infinity, -Infinity: Python's json accepts them, JSON does not, and no plan holds them."""
    raise _NotANumber(name)


def load_result(path: str | Path) -> ParseResult:
    path = Path(path)
    if path.suffix.lower() == ".json":
        try:
            mode = path.stat().st_mode
        except OSError:
            mode = None
        if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            # a FIFO would block the read forever, a device never ends
            raise InputError(path, "不是普通文件（可能是管道或设备文件），不能作为解析结果读取")
        try:
            data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
        except FileNotFoundError:
            raise InputError(path, "文件不存在") from None
        except _NotANumber as e:
            raise InputError(path, f"JSON 里有非数值“{e.args[0]}”（NaN/Infinity 不是合法的 JSON 数值，会在台账里显示成"
                                   "“增长inf%”之类）", hint="请重新用 plandoc parse 生成解析结果") from None
        except IsADirectoryError:
            raise InputError(path, "这是一个文件夹，不是 JSON 文件") from None
        except RecursionError:
            raise InputError(path, "JSON 嵌套层数过深，不是解析结果") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise InputError(path, f"不是有效的 JSON（{e}）") from None
        try:
            return ParseResult.model_validate(data)
        except ValidationError as e:
            raise InputError(path, f"JSON 不符合解析结果的格式：字段 {first_validation_error(e)}") from None
    from pipeline.parse import parse_file
    return parse_file(path)
