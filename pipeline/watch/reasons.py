"""The `<name>.原因.txt` file a clerk finds beside a failed original: what, where, what to do."""
from __future__ import annotations

import time
from pathlib import Path

from pipeline.errors import printable
from pipeline.fsutil import atomic_write_text
from pipeline.watch.names import REASON_SUFFIX

DEFAULT_HINT = "请检查文件后重新放入收文目录；如问题反复出现，请联系系统管理员。"


def reason_text(name: str, reason: str, where: str | None = None, hint: str | None = None,
                when: float | None = None) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when or time.time()))
    # a control or bidi character from the file's name or text is shown as ［U+XXXX］, never obeyed
    name, reason = printable(name), printable(reason)
    where, hint = where and printable(where), hint and printable(hint)
    return (f"文件：{name}\n"
            f"处理时间：{stamp}\n"
            f"问题：{reason}\n"
            f"位置：{where or '整个文件'}\n"
            f"处理建议：{hint or DEFAULT_HINT}\n")


def write_reason(failed_original: Path, text: str) -> Path:
    """Written (atomically) before the original is moved beside it, so it is never missing."""
    target = failed_original.with_name(failed_original.name + REASON_SUFFIX)
    atomic_write_text(target, text)
    return target
