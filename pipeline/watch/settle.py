"""When is a dropped file complete? The create event fires before a copy finishes.

Two signals, whichever the platform gives:
- close-after-write (inotify IN_CLOSE_WRITE, watchdog's `FileClosedEvent`): the writer closed the
  file; we still wait a short grace for a writer that reopens to append. A file renamed into the
  inbox (moved-to) is complete at once: that is how careful copy tools finish.
- otherwise (polling observer, network shares, files found by a rescan): the file's size, mtime and
  inode stay the same for `settle` seconds of our own observation (monotonic clock: the share's clock
  may be skewed). A file already older than `settle` by its mtime when first seen is taken at the
  second identical observation, so a batch run does not wait on files copied long ago.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass


@dataclass(slots=True)
class _Seen:
    signature: tuple
    since: float          # monotonic time the signature was first observed
    closed_at: float | None = None


class SettleTracker:
    """Remembers what was observed of each candidate path and answers `ready(path)`."""

    def __init__(self, settle: float = 1.0, close_grace: float = 0.25, clock=time.monotonic):
        self.settle = settle
        self.close_grace = close_grace
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
        """Renamed into place (how copy tools and our tests finish a drop): complete at once."""
        self.closed(path)
        seen = self._seen.get(path)
        if seen is not None:
            seen.closed_at -= self.close_grace

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
        if seen.closed_at is not None and now - seen.closed_at >= self.close_grace:
            return True
        if now - seen.since >= self.settle:
            return True
        mtime_age = time.time() - sig[1] / 1e9
        return mtime_age >= self.settle and now > seen.since


def _signature(path: str) -> tuple | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
