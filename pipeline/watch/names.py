"""Which names in the inbox are notices, and how names are made safe for outputs.

Office programs and copy tools leave lock and partial files next to the real ones (Word `~$x.docx`,
LibreOffice `.~lock.x#`, browsers `*.part`, many tools `*.tmp`); taking them would fail noisily or,
worse, process half a file. Hidden files are also skipped: rsync and our own temp files are hidden.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from pipeline.errors import displayable

IGNORED_PREFIXES = ("~$", ".~lock", ".")
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp")
REASON_SUFFIX = ".原因.txt"
NAME_MAX_BYTES = 255   # per path component on ext4, XFS, btrfs, NTFS/SMB (as UTF-8)

_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


def is_ignored(name: str) -> bool:
    low = name.lower()
    return low.startswith(IGNORED_PREFIXES) or low.endswith(IGNORED_SUFFIXES)


def safe_stem(name: str, fallback: str = "notice") -> str:
    """A file-name stem that cannot escape a folder or look like an option: no separators,
    no control characters, no leading dots or dashes. Chinese and spaces are kept."""
    stem = Path(name).stem if "." in name.lstrip(".") else name
    stem = _UNSAFE.sub("_", stem).strip().lstrip(".-").strip()
    while len(_bytes(stem)) > 150:     # outputs add "-N.json" and temp-name decorations
        stem = stem[:-1]
    return stem or fallback


def safe_component(text: str | None, fallback: str) -> str:
    """A single folder name (region, year) built from parsed text."""
    return safe_stem(f"{text}.x", fallback) if text else fallback


def numbered(folder: Path, name: str) -> Iterator[Path]:
    """folder/name, then folder/stem-2.ext, stem-3.ext, … (endless)."""
    p = Path(name)
    suffix = p.suffix if p.stem else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    yield folder / name
    i = 2
    while True:
        yield folder / f"{stem}-{i}{suffix}"
        i += 1


def fit_name(name: str, extra_bytes: int) -> str:
    """`name` shortened (stem only, extension kept) so that `extra_bytes` more still fit in one path
    component: claim tokens go in front, `.原因.txt` behind, and a clerk's name may already be long."""
    limit = NAME_MAX_BYTES - extra_bytes
    if len(_bytes(name)) <= limit:
        return name
    p = Path(name)
    suffix = p.suffix if len(_bytes(p.suffix)) < 16 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    while stem and len(_bytes(stem + "…" + suffix)) > limit:
        stem = stem[:-1]
    return stem + "…" + suffix


def _bytes(name: str) -> bytes:
    """A name as the file system stores it. Names that are not UTF-8 on disk (GBK bytes unzipped from a
    Windows archive) reach Python with their bytes kept as surrogate escapes; count those bytes."""
    return name.encode("utf-8", "surrogateescape")


def display_name(name: str) -> str:
    """A name fit for the archive, messages and JSON (which cannot hold surrogate escapes)."""
    return displayable(name)
