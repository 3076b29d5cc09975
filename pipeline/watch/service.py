"""`plandoc watch INBOX`: the drop folder service.

Life of a dropped file:
  appears in INBOX → (watchdog event, start-up scan or periodic rescan) → settles (complete) →
  claimed by an atomic rename into INBOX/.plandoc/processing/<watcher>/ → a worker process parses,
  de-duplicates against the archive, writes every output of a plan under OUT/<region>/<year>/
  (plan_outputs.py; a returned 台账 refreshes the period's 通报 instead: workbook_drop.py) →
  the original moves to INBOX/done/ (also duplicates, recorded as such in the archive) or to
  INBOX/failed/ beside <name>.原因.txt.

Events are only hints: a rescan every `PLANDOC_WATCH_RESCAN` seconds (default 10) catches what they
miss, and a dead observer (the polling observer can stop after an I/O error on a network share) is
restarted. Work left in the processing area of a watcher that died is adopted at start-up and at
every rescan. Tuning by environment (no CLI flag needed for normal use):
PLANDOC_WATCH_SETTLE (seconds a file must stay unchanged; default 1, 2 with --polling),
PLANDOC_WATCH_RESCAN, PLANDOC_WATCH_WORKERS (default: up to 2), PLANDOC_ARCHIVE (archive file),
PLANDOC_WATCH_WARMUP=0 (skip the workers' warm-up render: faster start, slower first file).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import sqlite3
import queue
import signal
import stat
import sys
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipeline.archive import Archive, default_archive_path
from pipeline.watch.claim import Claim, ProcessingArea
from pipeline.watch.names import is_ignored
from pipeline.watch.process import Outcome, Task, fail_task, init_worker, process_task
from pipeline.settings import watch_settings
from pipeline.watch.settle import SettleTracker

log = logging.getLogger("plandoc.watch")

META_DIR = ".plandoc"
TICK_S = 0.1
# A worker that died twice on the same file (while the watcher lived) is killed by that file.
MAX_CRASHES = 2
# --once does not wait forever on a file that never stops changing.
ONCE_SETTLE_LIMIT_S = 60.0


def run_watch(inbox: Path, out: Path, once: bool = False, polling: bool = False) -> int:
    """Run the drop folder until stopped (or, with `once`, until what is there is processed)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                            format="%(asctime)s plandoc.watch %(levelname)s %(message)s")
    # A stop request that arrives while the watcher is still starting up must end it cleanly too.
    early_stop: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: early_stop.append(signum))
    inbox = Path(inbox)
    if not inbox.is_dir():
        sys.stderr.write(f"错误：收文目录“{inbox}”不存在或不是文件夹（处理建议：请先创建该文件夹，或检查路径）\n")
        return 2
    blocked = next((p for p in (Path(out), *Path(out).parents) if p.exists() and not p.is_dir()), None)
    if blocked is not None:     # checked before anything is claimed: no original may be stranded
        sys.stderr.write(f"错误：输出目录“{out}”无法使用：“{blocked}”是一个文件，不是文件夹"
                         "（处理建议：请用 --out 指定一个文件夹）\n")
        return 2
    # A live watcher warms its workers up so the first drop is fast; a batch (--once) is not waiting
    # for one file, and its first file warms each worker just the same, so it skips the extra render.
    watcher = Watcher(inbox.resolve(), Path(out).resolve(), polling=polling, warm_up=not once)
    watcher.early_stop = early_stop      # read again when the watcher installs its own handlers
    try:
        return watcher.run_once() if once else watcher.run_forever()
    finally:
        watcher.close()


class Watcher:
    def __init__(self, inbox: Path, out: Path, polling: bool = False, warm_up: bool = True):
        settings = watch_settings(polling)     # first, before touching the inbox: a bad PLANDOC_WATCH_* value is an error naming it
        self.inbox, self.out, self.polling, self.warm_up = inbox, out, polling, warm_up
        meta = inbox / META_DIR
        meta.mkdir(exist_ok=True)
        self.archive_path = default_archive_path(inbox)
        self.archive = Archive(self.archive_path)
        self.area = ProcessingArea(meta / "processing")
        settle = settings.settle
        self.tracker = SettleTracker(settle=settle)
        self.rescan_s = settings.rescan
        self.workers = settings.workers
        self.pool = self._new_pool()
        self.inflight: dict[Future, Task] = {}
        self.early_stop: list[int] = []       # signals that arrived before our handlers were installed
        self.queued: deque[Task] = deque()
        self.waiting: dict[str, float] = {}     # candidate path → monotonic time first seen
        self.events: queue.Queue = queue.Queue()
        self.observer = None
        self.stopping = False
        self.outcomes: list[Outcome] = []

    # -- set-up and tear-down -------------------------------------------------------------------
    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the observer thread must not be cloned mid-operation into workers.
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=init_worker, initargs=(os.getpid(), self.warm_up, self.workers))

    def prestart_workers(self) -> list[Future]:
        """Spawn (and warm up) every worker now, not on the first drop: that is the latency clerks see."""
        return [self.pool.submit(os.getpid) for _ in range(self.workers)]

    def close(self) -> None:
        self._stop_observer()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.area.close()
        self.archive.close()

    def _install_signals(self) -> None:
        def stop(signum, frame):
            self.stopping = True
        if self.early_stop:
            self.stopping = True
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    # -- candidates -----------------------------------------------------------------------------
    def scan(self) -> None:
        """List the inbox: every plain top-level file (or link) not ignored becomes a candidate."""
        try:
            entries = list(os.scandir(self.inbox))
        except OSError as e:
            log.warning("cannot list inbox %s: %s", self.inbox, e)
            return
        for entry in entries:
            self._consider(entry.path)

    def _consider(self, path: str) -> None:
        p = Path(path)
        if p.parent != self.inbox or is_ignored(p.name) or path in self.waiting:
            return
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return
        if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
            self.waiting[path] = time.monotonic()

    def _drain_events(self) -> None:
        while True:
            try:
                kind, path = self.events.get_nowait()
            except queue.Empty:
                return
            if kind == "closed":
                self._consider(path)
                self.tracker.closed(path)
            elif kind == "moved":
                self._consider(path)
                self.tracker.arrived_whole(path)
            else:
                self.tracker.touch(path)
                self._consider(path)

    def _ready_paths(self, once: bool) -> list[str]:
        ready = []
        now = time.monotonic()
        for path, since in list(self.waiting.items()):
            if not os.path.lexists(path):
                self.waiting.pop(path)
                self.tracker.forget(path)
            elif os.path.islink(path) or self.tracker.ready(path):
                ready.append(path)       # a link is claimed as it is: it is rejected, never read
            elif once and now - since > ONCE_SETTLE_LIMIT_S:
                log.warning("still changing after %.0f s, left in the inbox: %s", ONCE_SETTLE_LIMIT_S, path)
                self.waiting.pop(path)
        return ready

    # -- claiming and dispatch ------------------------------------------------------------------
    def _task(self, claim: Claim) -> Task:
        return Task(claim.token, claim.name, str(claim.path), str(self.inbox), str(self.out), str(self.archive_path))

    def resume(self) -> int:
        """Queue what a dead watcher (or our own previous life) left claimed."""
        claims = self.area.adopt_orphans()
        for c in claims:
            row = self.archive.get(c.token)
            if row:
                c.name = row["name"]          # the full name (the claimed file's may be shortened)
            self.archive.receive(c.token, c.name, c.path)
            self.archive.set_claim_path(c.token, c.path)
            self.queued.append(self._task(c))
            log.info("resuming %s", c.name)
        return len(claims)

    def dispatch(self, once: bool) -> None:
        while len(self.inflight) < self.workers:
            if not self.queued:
                ready = self._ready_paths(once)
                if not ready:
                    return
                for path in ready[: self.workers - len(self.inflight)]:
                    self.waiting.pop(path, None)
                    self.tracker.forget(path)
                    try:
                        size = os.lstat(path).st_size
                    except OSError:
                        continue
                    try:
                        claim = self.area.claim(Path(path))
                    except OSError as e:     # share gone, permissions: try again at the next rescan
                        log.warning("cannot claim %s: %s", path, e)
                        continue
                    if claim is None:
                        continue          # another watcher was faster
                    try:
                        self.archive.receive(claim.token, claim.name, claim.path, byte_size=size)
                    except sqlite3.Error as e:   # archive locked too long or damaged: give the file back
                        given_back = self.area.unclaim(claim, Path(path))
                        log.error("档案库无法登记 %s（%s）：%s", claim.name, e,
                                  "文件已退回收文目录，稍后重试" if given_back else "文件留在处理区，重启后接续")
                        continue
                    self.queued.append(self._task(claim))
                if not self.queued:
                    return
            task = self.queued.popleft()
            try:
                fut = self.pool.submit(process_task, task)
            except BrokenProcessPool:
                self.queued.appendleft(task)
                for o in self._replace_pool():
                    self._report(o)
                    self.outcomes.append(o)
                continue
            self.inflight[fut] = task

    def collect(self, timeout: float) -> list[Outcome]:
        if not self.inflight:
            time.sleep(timeout)
            return []
        done, _ = wait(list(self.inflight), timeout=timeout, return_when=FIRST_COMPLETED)
        results = []
        broken = False
        for fut in done:
            task = self.inflight.pop(fut)
            try:
                results.append(fut.result())
            except BrokenProcessPool:
                broken = True
                results.extend(self._after_crash(task))
            except Exception as e:     # the worker's own safety net failed: fail the file, keep going
                log.exception("worker error on %s", task.name)
                results.append(fail_task(self.archive, task, f"程序内部错误，未能处理该文件（{type(e).__name__}）",
                                     None, "请将此文件和本说明发给系统管理员"))
        if broken:
            results.extend(self._replace_pool())
        for o in results:
            self._report(o)
        self.outcomes.extend(results)
        if results:
            self.refresh_overview()
        return results

    def refresh_overview(self) -> None:
        """OUT/index.html after every change (issue 12); a failure to write it never stops the watch."""
        try:
            from pipeline.watch.overview import write_overview
            write_overview(self.archive, self.out)
        except Exception:
            log.exception("could not write the overview page")

    def _after_crash(self, task: Task) -> list[Outcome]:
        crashes = self.archive.note_crash(task.token)
        if crashes >= MAX_CRASHES:
            return [fail_task(self.archive, task, "处理该文件时处理进程多次异常退出（可能是内存耗尽或文件损坏）", None,
                          "请确认文件能在 Word/WPS 中正常打开，另存后重新放入；如仍失败请联系系统管理员")]
        log.warning("worker died on %s; retrying", task.name)
        self.queued.appendleft(task)
        return []

    def _replace_pool(self) -> list[Outcome]:
        """A worker died: every task still in flight is retried (or failed, if it keeps killing workers)."""
        results = []
        for fut, task in list(self.inflight.items()):
            self.inflight.pop(fut)
            results.extend(self._after_crash(task))
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new_pool()
        return results

    def _report(self, o: Outcome) -> None:
        if o.state == "failed":
            log.info("failed   %s: %s (%.2f s)", o.name, o.detail, o.seconds)
        else:
            log.info("%-8s %s → %s (%.2f s)", o.state, o.name, o.detail, o.seconds)

    # -- observer -------------------------------------------------------------------------------
    def _start_observer(self) -> None:
        from watchdog.events import FileSystemEventHandler
        events = self.events

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.is_directory:
                    return
                et = event.event_type
                if et == "moved":
                    events.put(("moved", event.dest_path))    # renamed in whole: complete
                elif et == "closed":
                    events.put(("closed", event.src_path))
                elif et in ("created", "modified"):
                    events.put(("touched", event.src_path))

        observer = None
        if not self.polling:
            try:
                from watchdog.observers import Observer
                observer = Observer()
                observer.schedule(Handler(), str(self.inbox), recursive=False)
                observer.start()
            except OSError as e:   # e.g. inotify watch or instance limit reached
                log.warning("native file events unavailable (%s); using the polling observer", e)
                observer = None
        if observer is None:
            from watchdog.observers.polling import PollingObserver
            observer = PollingObserver(timeout=1.0)
            observer.schedule(Handler(), str(self.inbox), recursive=False)
            observer.start()
        self.observer = observer

    def _stop_observer(self) -> None:
        if self.observer is not None:
            try:
                self.observer.stop()
                self.observer.join(timeout=5)
            except Exception:
                pass
            self.observer = None

    def _check_observer(self) -> None:
        if self.observer is not None and not self.observer.is_alive():
            log.warning("file observer stopped (I/O error?); restarting it")
            self._stop_observer()
            try:
                self._start_observer()
            except OSError as e:
                log.warning("cannot restart the observer (%s); relying on rescans", e)

    # -- modes ----------------------------------------------------------------------------------
    def run_forever(self) -> int:
        self._install_signals()
        warming = self.prestart_workers()
        self._start_observer()
        self.resume()
        self.scan()
        last_scan = time.monotonic()
        log.info("watching %s → %s (archive %s)", self.inbox, self.out, self.archive_path)
        while not self.stopping:
            if warming and all(f.done() for f in warming):
                warming = []
                log.info("workers ready")
            try:
                self._drain_events()
                if time.monotonic() - last_scan >= self.rescan_s:
                    last_scan = time.monotonic()
                    if not self.inbox.is_dir():
                        log.warning("inbox %s is not reachable; waiting for it", self.inbox)
                    else:
                        self.resume()
                        self.scan()
                        self._check_observer()
                self.dispatch(once=False)
                self.collect(TICK_S)
            except Exception:   # the share gone, the archive locked too long: keep watching
                log.exception("watch loop error; continuing")
                time.sleep(1.0)
        log.info("stopping: waiting for %d file(s) in progress", len(self.inflight))
        while self.inflight:
            self.collect(TICK_S)
        return 0

    def run_once(self) -> int:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self._install_signals()
        self.prestart_workers()
        self.resume()
        self.scan()
        self.refresh_overview()
        total = len(self.waiting) + len(self.queued)
        console = Console(stderr=True)
        with Progress(TextColumn("收文处理"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.description}"), console=console, transient=False) as bar:
            job = bar.add_task("", total=total)
            while not self.stopping and (self.waiting or self.queued or self.inflight):
                self.dispatch(once=True)
                for o in self.collect(TICK_S):
                    bar.update(job, advance=1, description=f"{o.name}：{_STATE_ZH.get(o.state, o.state)}")
            while self.inflight:
                self.collect(TICK_S)
        counts = {s: sum(1 for o in self.outcomes if o.state == s) for s in _STATE_ZH}
        console.print("完成 {done} 份，重复 {duplicate} 份，失败 {failed} 份".format(**counts))
        return 1 if counts["failed"] else 0


_STATE_ZH = {"done": "已完成", "duplicate": "重复（已记录）", "failed": "失败", "lost": "已不在"}
