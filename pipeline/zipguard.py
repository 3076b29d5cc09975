"""One guard for every zip package (.docx, .xlsx, .ofd) before any XML library touches it.

Why one mechanism: a zip is a promise about sizes that the bytes need not keep. Each reader used to
trust the central directory (or not check at all: a 1.5 MB workbook held a 1.5 GB string), so the
checks live here and every package reader calls `guard_package` first:
- the central directory must be readable (a file still being copied, or cut short, is not a package);
- entry count, total size, each part's size and the compression ratio are capped. The sizes are the
  central directory's, and that is sound: Python's zipfile (which python-docx and openpyxl read
  through) never yields more than a member's declared size — it cuts the stream there and fails the
  CRC — so a directory that lies gets a corrupt-file error, never a bigger allocation;
- no XML part may carry a DOCTYPE or ENTITY declaration (Office never writes one; it is how XXE and
  "billion laughs" payloads arrive), so the parsers downstream never meet one. Only the prolog of
  each part (what precedes its root element, where a DOCTYPE must stand) is inflated for this.
The caps are one `ZipLimits`: Office packages use `OFFICE_LIMITS`; an OFD (GB/T 33190) carries page
resources and many small parts, so it passes its own, larger `ZipLimits` (readers/ofd_package.py).
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError



@dataclass(frozen=True)
class ZipLimits:
    entries: int
    total_bytes: int          # all parts together, inflated
    part_bytes: int           # any one part, inflated (a big picture fits; a bomb does not)
    ratio: int                # inflated : packed, checked once past ratio_floor_bytes
    ratio_floor_bytes: int


OFFICE_LIMITS = ZipLimits(entries=5000, total_bytes=200 * 1024 * 1024, part_bytes=100 * 1024 * 1024,
                          ratio=100, ratio_floor_bytes=10 * 1024 * 1024)
MAX_ENTRIES = OFFICE_LIMITS.entries
MAX_TOTAL_BYTES = OFFICE_LIMITS.total_bytes
MAX_PART_BYTES = OFFICE_LIMITS.part_bytes
MAX_RATIO = OFFICE_LIMITS.ratio
RATIO_FLOOR_BYTES = OFFICE_LIMITS.ratio_floor_bytes
_PROLOG_CHUNK = 4096
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def guard_package(path: Path, data: bytes | None, kind: str, hint: str,
                  limits: ZipLimits = OFFICE_LIMITS) -> zipfile.ZipFile:
    """Check the package and return it open. `kind` names the document in messages (“Word 文档”)."""
    source = io.BytesIO(data) if data is not None else path
    try:
        zf = zipfile.ZipFile(source)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise InputError(path, f"无法打开，不是有效的{kind}：压缩包已损坏或不完整（可能下载或复制中断）", hint=hint) from None
    if len(infos) > limits.entries:
        raise InputError(path, f"压缩包内文件数异常（{len(infos)} 个），不像是一份{kind}", hint="请检查是否放错了文件")
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > limits.total_bytes or (unpacked > limits.ratio_floor_bytes and unpacked / packed > limits.ratio):
        raise _bomb(path, kind, f"解压后体积异常（{unpacked / 1048576:.0f} MB，压缩比 {unpacked / packed:.0f}:1）")
    for info in infos:
        if info.file_size > limits.part_bytes:
            raise _bomb(path, kind, f"部件 {info.filename} 解压后 {info.file_size / 1048576:.0f} MB，"
                                    f"超过单个部件上限 {limits.part_bytes // 1048576} MB")
        if info.filename.lower().endswith(_XML_SUFFIXES):
            _check_prolog(zf, info, path, kind, hint)
    return zf


def read_part(zf: zipfile.ZipFile, name: str, path: Path, kind: str) -> bytes:
    """One part by name (case-insensitive), never more than the part cap."""
    real = next(i for i in zf.infolist() if i.filename.lower() == name.lower())
    try:
        with zf.open(real) as f:
            out = f.read(MAX_PART_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as e:
        raise InputError(path, f"{kind}已损坏：无法解压 {real.filename}（{type(e).__name__}）", hint="请重新获取原文件") from None
    if len(out) > MAX_PART_BYTES:
        raise _bomb(path, kind, f"部件 {real.filename} 解压后超过 {MAX_PART_BYTES // 1048576} MB")
    return out


_ROOT_START = re.compile(rb"<[A-Za-z_]")


def _check_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, kind: str, hint: str) -> None:
    """Inflate an XML part up to its root element; refuse a DOCTYPE/ENTITY declaration before it."""
    head = b""
    try:
        with zf.open(info) as f:
            while True:
                chunk = f.read(_PROLOG_CHUNK)
                head += chunk
                root = _ROOT_START.search(head)
                prolog = head[: root.start()] if root else head
                if any(d in prolog for d in _DECLARATIONS):
                    raise InputError(path, f"{kind}的部件 {info.filename} 含有 DOCTYPE/ENTITY 声明（正常的 Office 文件"
                                     "不会有），可能是外部实体或“十亿笑声”攻击，出于安全原因不处理",
                                     where=info.filename, hint=hint)
                if root or not chunk:
                    return
                head = head[-64:] if len(head) > 1 << 20 else head   # a prolog padded without end
    except InputError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, NotImplementedError) as e:
        raise InputError(path, f"{kind}已损坏：无法解压 {info.filename}（{type(e).__name__}）",
                         where=info.filename, hint="请重新获取原文件，或用原程序重新保存") from None


def _bomb(path: Path, kind: str, detail: str) -> InputError:
    return InputError(path, f"{detail}，疑似压缩炸弹，出于安全原因不处理", hint=f"请向发送方索取正常保存的{kind}")
