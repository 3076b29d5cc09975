"""The OFD container (GB/T 33190): a zip of XML parts, opened defensively.

An OFD arrives from outside (e-公文 systems, e-mail), so nothing in it is trusted:
- the zip passes the one package guard (pipeline/zipguard.py) with OFD's own caps (entries, sizes,
  compression ratio, no DOCTYPE in any XML prolog), so a zip bomb is refused before it is inflated —
  and each part is read with a cap, whatever its header claims;
- XML with a DOCTYPE or an ENTITY declaration is refused outright (OFD never needs one; they are the
  vehicle of billion-laughs and external-entity attacks), and parsing uses no DTD or network access;
- a reference (DocRoot, BaseLoc, PublicRes, …) is resolved inside the package only: absolute paths are
  package-rooted, relative ones are relative to the referring part, and anything that climbs out of
  the package (`..` above the root, a drive, a URL) is refused; a missing part is named in the reason.
Everything fails as `InputError` with a Chinese reason.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

from pipeline.errors import InputError
from pipeline.zipguard import ZipLimits, guard_package

# Many small parts (one per page, per resource); pages of vector text compress well.
OFD_LIMITS = ZipLimits(entries=20000, total_bytes=400 * 1024 * 1024, part_bytes=64 * 1024 * 1024,
                       ratio=200, ratio_floor_bytes=1024 * 1024)
MAX_PART_BYTES = OFD_LIMITS.part_bytes
_HINT = "请向发文单位索取完整的 OFD 文件，或提供 .docx/.pdf 版本"
_DECL = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class OfdPackage:
    """Read-only, bounded access to the parts of one OFD file."""

    def __init__(self, path: Path, data: bytes):
        self.path = Path(path)
        self.zf = guard_package(self.path, data, "OFD 文件", _HINT, limits=OFD_LIMITS)
        self.names = {i.filename.lstrip("/"): i for i in self.zf.infolist() if not i.is_dir()}

    # -- paths -------------------------------------------------------------------------------------
    def resolve(self, ref: str | None, base: str = "", what: str = "") -> str:
        """Package name of `ref` (as written in the referring part `base`); refuses escapes."""
        if ref is None or not ref.strip():
            raise InputError(self.path, f"OFD 结构不完整：缺少{what or '部件'}的位置", hint=_HINT)
        ref = ref.strip()
        if "\\" in ref or "\x00" in ref or _SCHEME.match(ref):
            raise InputError(self.path, f"OFD 引用了包外的路径“{ref}”，已拒绝", hint=_HINT)
        if ref.startswith("/"):
            joined = ref.lstrip("/")
        else:
            joined = posixpath.join(posixpath.dirname(base), ref)
        norm = posixpath.normpath(joined)
        if norm.startswith("../") or norm == ".." or norm.startswith("/"):
            raise InputError(self.path, f"OFD 引用了包外的路径“{ref}”，已拒绝", hint=_HINT)
        return "" if norm == "." else norm

    def exists(self, name: str) -> bool:
        return name in self.names

    # -- reading -----------------------------------------------------------------------------------
    def read(self, name: str, what: str = "") -> bytes:
        info = self.names.get(name)
        if info is None:
            raise InputError(self.path, f"OFD 结构不完整：缺少{what + '（' if what else ''}{name}{'）' if what else ''}",
                             hint=_HINT)
        if info.file_size > MAX_PART_BYTES:
            raise InputError(self.path, f"OFD 部件 {name} 过大（{info.file_size / 1048576:.0f} MB），已拒绝", hint=_HINT)
        try:
            with self.zf.open(info) as f:
                data = f.read(MAX_PART_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as e:
            raise InputError(self.path, f"OFD 部件 {name} 无法解压（{type(e).__name__}），文件可能已损坏", hint=_HINT) from None
        if len(data) > MAX_PART_BYTES:
            raise InputError(self.path, f"OFD 部件 {name} 解压后超过上限，疑似压缩炸弹，已拒绝", hint=_HINT)
        return data

    def xml(self, name: str, what: str = "") -> ET.Element:
        data = self.read(name, what)
        text = data
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):      # UTF-16: look at the text, not the bytes
            try:
                text = data.decode("utf-16").encode("utf-8")
            except UnicodeDecodeError:
                text = b""
        if _DECL.search(text):
            raise InputError(self.path, f"OFD 部件 {name} 含有 DOCTYPE/ENTITY 声明（可被用来攻击解析器），已拒绝", hint=_HINT)
        try:
            return ET.fromstring(data)
        except ET.ParseError as e:
            raise InputError(self.path, f"OFD 部件 {name} 不是有效的 XML（{e}）", hint=_HINT) from None


def local(tag: str) -> str:
    """`{http://www.ofdspec.org/2016}TextObject` → `TextObject` (producers differ in namespace use)."""
    return tag.rsplit("}", 1)[-1]


def children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if local(c.tag) == name]


def child(el: ET.Element | None, name: str) -> ET.Element | None:
    if el is None:
        return None
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def child_text(el: ET.Element | None, name: str) -> str | None:
    c = child(el, name)
    return c.text.strip() if c is not None and c.text else None


def descendants(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el.iter() if local(c.tag) == name]
