"""Small file-system helpers: outputs appear whole or not at all."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _umask() -> int:
    """The process umask (read by setting and restoring it: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _prepare(path: Path) -> None:
    """Refuse, in Chinese, outputs that cannot be: a folder's name, a path under a file, no permission."""
    from pipeline.errors import InputError
    if path.is_dir():
        raise InputError(path, "输出路径是一个已存在的文件夹，不能写成文件",
                         hint=f"请指定文件名，例如 {path / ('结果' + (path.suffix or '.pdf'))}")
    for parent in path.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise InputError(path, f"输出路径的上级“{parent}”是一个文件，不是文件夹", hint="请换一个输出位置")
            break
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(path, f"无法创建输出文件夹（{e.strerror}）", hint="请检查权限或换一个输出位置") from None


@contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temp path beside `path` (``.<name>.*.part``); when the block succeeds, fsync it and
    rename it over `path`; when it fails, remove it. Readers never see a half-written file.
    The output gets the permissions a plain `open()` would give (0666 less the umask), not the
    temp file's private 0600: a PDF for a shared folder must be readable by the others there."""
    from pipeline.errors import InputError
    path = Path(path)
    _prepare(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as e:
        raise InputError(path, f"无法写入输出文件（{e.strerror}）", hint="请检查该文件夹是否只读或空间已满") from None
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
