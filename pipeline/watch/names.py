"""Which names in the inbox are notices, and how names are made safe for outputs.

Office programs and copy tools leave lock and partial files next to the real ones (Word `~$x.docx`,
LibreOffice `.~lock.x#`, browsers `*.part`, many tools `*.tmp`); taking them would fail noisily or,
worse, process half a file. Hidden files are also skipped: rsync and our own temp files are hidden.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

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
    while len(stem.encode("utf-8")) > 150:     # outputs add "-N.json" and temp-name decorations
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
    if len(name.encode("utf-8")) <= limit:
        return name
    p = Path(name)
    suffix = p.suffix if len(p.suffix.encode("utf-8")) < 16 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    while stem and len((stem + "…" + suffix).encode("utf-8")) > limit:
        stem = stem[:-1]
    return stem + "…" + suffix
