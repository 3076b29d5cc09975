"""When is a dropped file complete? The create event fires before a copy finishes.

Two signals, whichever the platform gives:
- close-after-write (inotify IN_CLOSE_WRITE, watchdog's `FileClosedEvent`): the writer closed the
  file; we still wait a short grace for a writer that reopens to append. A file renamed into the
  inbox (moved-to) counts as closed, with the same grace: careful copy tools finish that way, but a
  writer may also rename a file it still has open, and then the grace sees it grow.
- otherwise (polling observer, network shares, files found by a rescan): the file's size, mtime and
  inode stay the same for `settle` seconds of our own observation (monotonic clock: the share's clock
  may be skewed). A file already older than `settle` by its mtime when first seen is taken at the
  second identical observation, so a batch run does not wait on files copied long ago.
"""
from __future__ import annotations

import os
import time
import zipfile
from dataclasses import dataclass

_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(slots=True)
class _Seen:
    signature: tuple
    since: float          # monotonic time the signature was first observed
    closed_at: float | None = None


class SettleTracker:
    """Remembers what was observed of each candidate path and answers `ready(path)`."""

    def __init__(self, settle: float = 1.0, close_grace: float = 0.25, clock=time.monotonic,
                 empty_settle: float | None = None):
        self.settle = settle
        self.close_grace = close_grace
        self.empty_settle = max(5.0, 5 * settle) if empty_settle is None else empty_settle
        self.clock = clock
        self._seen: dict[str, _Seen] = {}

    def touch(self, path: str) -> None:
        """A write/create event: whatever we knew about stability is void."""
        self._seen.pop(path, None)

    def closed(self, path: str) -> None:
        sig = _signature(path)
        if sig is None:
            return
        now = self.clock()
        self._seen[path] = _Seen(sig, now, closed_at=now)

    def arrived_whole(self, path: str) -> None:
        """Renamed into place (how copy tools and our tests finish a drop): as good as closed."""
        self.closed(path)

    def forget(self, path: str) -> None:
        self._seen.pop(path, None)

    def pending(self) -> list[str]:
        return list(self._seen)

    def ready(self, path: str) -> bool:
        sig = _signature(path)
        if sig is None:
            self._seen.pop(path, None)
            return False
        now = self.clock()
        seen = self._seen.get(path)
        if seen is None or seen.signature != sig:
            self._seen[path] = _Seen(sig, now)
            return False
        if sig[0] == 0:
            return now - seen.since >= self.empty_settle
        if seen.closed_at is not None and now - seen.closed_at >= self.close_grace:
            stable = True
        elif now - seen.since >= self.settle:
            stable = True
        else:
            mtime_age = time.time() - sig[1] / 1e9
            stable = mtime_age >= self.settle and now > seen.since
        if not stable:
            return False
        if _zip_incomplete(path):
            # still arriving (or truly cut short): wait; past a long quiet time let the reader say why
            return now - seen.since >= self.empty_settle * 6
        return True


def _signature(path: str) -> tuple | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def _zip_incomplete(path: str) -> bool:
    """A zip (by its first bytes) whose central directory cannot be read yet."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != _ZIP_MAGIC:
                return False
            f.seek(0)
            with zipfile.ZipFile(f) as z:
                z.infolist()
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return True
    return False
