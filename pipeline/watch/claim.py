"""Claiming: a file belongs to exactly one watcher once it is renamed into that watcher's area.

`rename(2)` within one file system is atomic: when two watchers race for the same dropped file, one
rename succeeds and the other gets ENOENT. Each watcher owns `INBOX/.plandoc/processing/<id>/` and
holds an exclusive `flock` on `<id>.lock` for its whole life. The kernel drops that lock when the
process dies — even by kill -9 — so a later watcher can tell a dead owner's area (lock obtainable)
from a live one's, and adopt the files left there. Claimed names are `<token>__<original name>`;
the token is the archive key.
"""
from __future__ import annotations

import fcntl
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from pipeline.watch.names import display_name, fit_name

SEP = "__"


@dataclass(slots=True)
class Claim:
    token: str
    name: str          # original name as dropped, made displayable (GBK bytes decoded: names.display_name)
    path: Path         # current location inside the processing area


def new_token() -> str:
    return uuid.uuid4().hex[:16]


def split_claim_name(claimed: str) -> tuple[str, str] | None:
    token, sep, name = claimed.partition(SEP)
    if not sep or len(token) != 16 or not name:
        return None
    return token, name


class ProcessingArea:
    """This watcher's claim folder, plus adoption of folders whose owner died."""

    def __init__(self, root: Path):
        self.root = root
        self._lock_fd: int | None = None
        self._open_area()

    def _open_area(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.owner_id = uuid.uuid4().hex[:12]
        lock_path = self.root / f"{self.owner_id}.lock"
        # Lock first, folder second: another watcher that sees the folder can never find it unlocked.
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
        self._lock_fd = fd
        self.dir = self.root / self.owner_id
        self.dir.mkdir()

    def ensure_present(self) -> bool:
        """Recreate our area if someone deleted `.plandoc` (or part of it) under us. True if recreated."""
        if self.dir.is_dir() and (self.root / f"{self.owner_id}.lock").exists():
            return False
        self._open_area()
        return True

    def close(self) -> None:
        """Give up the area on a clean exit: empty → removed; leftovers stay for adoption."""
        try:
            self.dir.rmdir()
            os.unlink(self.root / f"{self.owner_id}.lock")
        except OSError:
            pass
        if self._lock_fd is not None:
            os.close(self._lock_fd)

    def claim(self, path: Path, name: str | None = None, token: str | None = None) -> Claim | None:
        """Move a dropped file into our area. None if someone else took it first (or it vanished).
        `name`: what the file is called for the clerk when it is not its own name (a file in a subfolder
        of the inbox: "工信局/台账.xlsx"); `token`: the archive key it already has (a waiting workbook)."""
        token = token or new_token()
        for attempt in (1, 2):
            dest = self.dir / f"{token}{SEP}{fit_name(path.name, len(token) + len(SEP))}"
            try:
                os.rename(path, dest)
                return Claim(token, display_name(name or path.name), dest)
            except FileNotFoundError:
                # Either the file is gone (another watcher took it) or our area is (.plandoc deleted).
                if attempt == 2 or not os.path.lexists(path) or not self.ensure_present():
                    return None
        return None

    def unclaim(self, claim: Claim, back_to: Path) -> bool:
        """Give a claimed file back (its archive row could not be written): to where it came from, or
        beside it under a free name. True if it is out of our area again."""
        for cand in (back_to, back_to.with_name(f"{back_to.stem}-未登记-{claim.token[:6]}{back_to.suffix}")):
            if os.path.lexists(cand):
                continue
            try:
                os.rename(claim.path, cand)
                return True
            except OSError:
                continue
        return False

    def mine(self) -> list[Claim]:
        out = []
        self.ensure_present()
        for entry in sorted(self.dir.iterdir()):
            parts = split_claim_name(entry.name)
            if parts:
                out.append(Claim(parts[0], display_name(parts[1]), entry))
        return out

    def adopt_orphans(self) -> list[Claim]:
        """Take over the claimed files of watchers that died. Safe against other adopters."""
        self.ensure_present()          # `.plandoc` may have been deleted under us: recreate, then look
        adopted: list[Claim] = []
        for other in sorted(self.root.iterdir()):
            if not other.is_dir() or other.name == self.owner_id:
                continue
            lock_path = self.root / f"{other.name}.lock"
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue          # its owner is alive
                if not other.exists():
                    continue          # adopted and removed by someone else meanwhile
                for entry in sorted(other.iterdir()):
                    token, name = split_claim_name(entry.name) or (new_token(), entry.name)
                    dest = self.dir / f"{token}{SEP}{name}"
                    try:
                        os.rename(entry, dest)
                    except FileNotFoundError:
                        continue
                    adopted.append(Claim(token, display_name(name), dest))
                try:
                    other.rmdir()
                    os.unlink(lock_path)
                except OSError:
                    pass
            finally:
                os.close(fd)
        return adopted
