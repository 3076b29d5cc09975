"""Errors meant for clerks: a Chinese reason naming the file and the place.

Every failure that reaches a user goes through `InputError`: the CLI prints its message and exits 1
(the input was read but is invalid). Nothing is ever decoded with errors="ignore"; we fail loudly instead.
"""
from __future__ import annotations

import re
from pathlib import Path

# Characters a message must never carry raw: C0/C1 controls (but line feed and tab) and the format
# characters (category Cf: bidi embeddings/overrides/isolates such as U+202E, which would reorder the
# terminal line or the 原因 file, zero-width characters, soft hyphen), plus line/paragraph separators.
# (Unicode 14 categories Cc/Cf/Zl/Zp written out as ranges: computing them at import took 0.17 s of every
# command; tests/test_hostile_text.py checks the ranges against unicodedata.)
UNPRINTABLE_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f")
_UNPRINTABLE = re.compile(f"[{UNPRINTABLE_CLASS}]")


class InputError(Exception):
    """The input file cannot be used. `reason` is Chinese, `where` says the place (page/line/…)."""

    def __init__(self, path: str | Path | None, reason: str, where: str | None = None, hint: str | None = None):
        self.path = displayable(str(path)) if path is not None else None
        self.reason = reason
        self.where = where
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return printable(self._message())

    def _message(self) -> str:
        parts = []
        if self.path:
            parts.append(f"文件“{self.path}”")
        if self.where:
            parts.append(self.where)
        head = "，".join(parts)
        msg = f"{head}：{self.reason}" if head else self.reason
        if self.hint:
            msg += f"（处理建议：{self.hint}）"
        return msg


def printable(text: str) -> str:
    """`text` with every control or invisible format character written as ［U+XXXX］, so a message
    shows where such a character is instead of obeying it (a U+202E would reverse the rest of the line)."""
    return _UNPRINTABLE.sub(lambda m: f"［U+{ord(m.group()):04X}］", text)


def displayable(name: str) -> str:
    """A path fit for messages and JSON: names that are not UTF-8 on disk (GBK bytes unzipped from a
    Windows archive) reach Python as surrogate escapes, which cannot be printed or serialised. Decode
    their bytes as UTF-8, else GB18030 (superset of GBK), else with replacement marks."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    raw = name.encode("utf-8", "surrogateescape")
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def first_validation_error(error) -> str:
    """`字段 a.b：message` for the first error of a pydantic ValidationError (for Chinese messages)."""
    first = error.errors()[0]
    loc = ".".join(str(x) for x in first["loc"])
    return f"{loc}：{first['msg']}"


def load_validated(path: Path, model, decode, *, missing: str, malformed: dict, invalid: str):
    """Read a UTF-8 text file, decode it (json.loads, tomllib.loads) and validate it into the pydantic `model`;
    every failure becomes an InputError naming the file.

    `malformed` maps the exceptions `decode` raises (a type or a tuple of types, tried in order) to a reason,
    or to (reason, hint); the reason may quote the exception as `{error}`. A file that is not valid UTF-8 or
    nests too deeply for the decoder is malformed too. `invalid` gets `{field}` (the first failing field).
    A FIFO or a device is refused before it is opened (reading one would block or never end), a folder too.
    """
    import stat

    from pydantic import ValidationError
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(path, missing) from None
    except OSError as e:
        raise InputError(path, f"无法读取文件（{e.strerror}）") from None
    if stat.S_ISDIR(mode):
        raise InputError(path, "这是一个文件夹，不是文件")
    if not stat.S_ISREG(mode):
        raise InputError(path, "不是普通文件（可能是管道或设备文件），不能读取")
    try:
        data = decode(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, missing) from None
    except UnicodeDecodeError as e:
        raise InputError(path, f"不是 UTF-8 编码的文本（{e.reason}）") from None
    except RecursionError:
        raise InputError(path, "嵌套层数过深，文件内容异常") from None
    except tuple(t for kinds in malformed for t in (kinds if isinstance(kinds, tuple) else (kinds,))) as e:
        reason = next(v for k, v in malformed.items() if isinstance(e, k))
        reason, hint = reason if isinstance(reason, tuple) else (reason, None)
        raise InputError(path, reason.format(error=e), hint=hint) from None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise InputError(path, invalid.format(field=first_validation_error(e))) from None
