"""`plandoc watch INBOX`: the drop folder service.

Life of a dropped file:
  appears in INBOX → (watchdog event, start-up scan or periodic rescan) → settles (complete) →
  claimed by an atomic rename into INBOX/.plandoc/processing/<watcher>/ → a worker process parses,
  de-duplicates against the archive, writes every output of a plan under OUT/<region>/<year>/
  (plan_outputs.py; a returned 台账 refreshes the period's 通报 instead: workbook_drop.py) →
  the original moves to INBOX/done/ (also duplicates, recorded as such in the archive) or to
  INBOX/failed/ beside <name>.原因.txt.

Subfolders dropped into the inbox (a department's folder of workbooks, a folder of notices) are taken
file by file, under the same completeness rules as top-level files; a file keeps its path in the
subfolder as its name ("工信局/一季度.xlsx"), so it ends in the same subfolder of done/ or failed/ and
its 原因 file names it. The bookkeeping folders (done/, failed/, 等待计划/, .plandoc/, and the output
folder when it lies inside the inbox) are never descended into, nor are hidden folders or links.
A returned 台账 whose plan is not archived yet waits in 等待计划/ and is released when the plan
arrives (`release_waiting`, also at start-up and at every rescan).

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
import tempfile
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipeline.archive import LIVE_STATES, TERMINAL_STATES, Archive, default_archive_path
from pipeline.watch.claim import Claim, ProcessingArea
from pipeline.watch.names import is_ignored
from pipeline.watch.process import Outcome, Task, fail_task, init_worker, process_task
from pipeline.watch.reasons import reason_text
from pipeline.settings import watch_settings
from pipeline.watch.settle import SettleTracker
from pipeline.watch.workbook_drop import WAIT_NOTE_SUFFIX, WAITING_DIR

log = logging.getLogger("plandoc.watch")

META_DIR = ".plandoc"
# Top-level folders of the inbox that hold the watcher's own bookkeeping, never dropped files.
BOOKKEEPING_DIRS = frozenset({META_DIR, "done", "failed", WAITING_DIR})
TICK_S = 0.1
# A worker that died twice on the same file (while the watcher lived) is killed by that file.
MAX_CRASHES = 2
# A claimed file started this many times without reaching an end is failed with a reason (requeue_own).
MAX_ATTEMPTS = 3
# --once does not wait forever on a file that never stops changing.
ONCE_SETTLE_LIMIT_S = 60.0
# --once: passes over files a failed step left in our claim folder (or renamed aside) before exiting
ONCE_REQUEUE_PASSES = 2
# While files are in flight the overview is rebuilt at most this often (and never taking more than a
# fifth of the watcher's time); it is always rebuilt as soon as the folder is idle again.
OVERVIEW_MIN_INTERVAL_S = 2.0


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
    # Settings first, before the inbox is touched: a bad PLANDOC_WATCH_* or PLANDOC_PDF_VARIANT value is an
    # error naming the variable, not a reason repeated on every file.
    from pipeline.settings import render_settings
    watch_settings(polling)
    render_settings()
    check_inbox_usable(inbox)
    # A live watcher warms its workers up so the first drop is fast; a batch (--once) is not waiting
    # for one file, and its first file warms each worker just the same, so it skips the extra render.
    watcher = Watcher(inbox.resolve(), Path(out).resolve(), polling=polling, warm_up=not once)
    watcher.early_stop = early_stop      # read again when the watcher installs its own handlers
    try:
        return watcher.run_once() if once else watcher.run_forever()
    finally:
        watcher.close()


def check_inbox_usable(inbox: Path) -> None:
    """Before anything is claimed: the watcher moves files out of the inbox and keeps its bookkeeping
    in INBOX/.plandoc, so a read-only inbox or a non-folder named `.plandoc` stops it at once with a
    Chinese reason (InputError: exit 1) instead of a traceback on the first claim."""
    from pipeline.errors import InputError
    meta = inbox / META_DIR
    if os.path.lexists(meta) and not meta.is_dir():
        raise InputError(meta, f"收文目录中有一个名为“{META_DIR}”的文件（不是文件夹）；plandoc 要用这个名字保存档案库和处理区",
                         hint="请把该文件移走或改名后重新启动")
    probe = meta if meta.is_dir() else inbox
    if not os.access(inbox, os.W_OK | os.X_OK) or not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(inbox, "收文目录只读（或当前账户没有写入权限）：plandoc 需要把放入的文件移入 .plandoc、done/ 和 failed/",
                         hint="请给运行 plandoc 的账户该文件夹的写入权限，或换一个可写的收文目录")
    try:
        meta.mkdir(exist_ok=True)
        fd, probe_path = tempfile.mkstemp(prefix=".probe-", dir=meta)
        os.close(fd)
        os.unlink(probe_path)
    except OSError as e:              # a read-only mount (root passes os.access there), a full disk
        raise InputError(inbox, f"无法在收文目录中建立簿记文件夹“{META_DIR}”（{e.strerror or e}）",
                         hint="请检查该文件夹是否只读、磁盘是否已满，或换一个可写的收文目录") from None


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
        self.scan_due = False                   # a folder appeared: list the inbox at the next tick
        self.once = False
        self.overview_due = False               # something changed since OUT/index.html was written
        self.overview_at = 0.0                  # monotonic time of the last rebuild, and what it cost
        self.overview_cost = 0.0
        self.skip_dirs = {str(inbox / d) for d in BOOKKEEPING_DIRS}
        if inbox in out.parents:                     # outputs inside the inbox are never inputs
            self.skip_dirs.add(str(out))
        # outputs written into the inbox itself (OUT/<地区>/… beside the drops): no subfolder is an input
        self.subfolders = out != inbox
        if not self.subfolders:
            log.warning("输出目录就是收文目录 %s：放入的子文件夹不会被处理（请用 --out 指定另一个文件夹）", inbox)

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
        """List the inbox and its subfolders: every plain file (or link) not ignored becomes a candidate."""
        self.scan_due = False
        try:
            entries = list(os.scandir(self.inbox))
        except OSError as e:
            log.warning("无法列出收文目录 %s 的内容：%s", self.inbox, e)
            return
        for entry in entries:
            if self.subfolders and self._is_subfolder(entry):
                self._scan_subfolder(entry.path)
            else:
                self._consider(entry.path)

    def _is_subfolder(self, entry: os.DirEntry) -> bool:
        """A folder to descend into: a real one (links are never followed), not hidden, not ours."""
        try:
            return (entry.is_dir(follow_symlinks=False) and not is_ignored(entry.name)
                    and entry.path not in self.skip_dirs)
        except OSError:
            return False

    def _scan_subfolder(self, folder: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError as e:
            log.warning("无法列出子文件夹 %s 的内容：%s", folder, e)
            return
        for entry in entries:
            if self._is_subfolder(entry):
                self._scan_subfolder(entry.path)
            else:
                self._consider(entry.path)
        if not entries:
            self._remove_if_emptied(folder)

    def _remove_if_emptied(self, folder: str) -> None:
        """Remove a subfolder the watcher emptied, once it has stayed empty for the quiet time.

        Why remove: the inbox holds only what is still to be done, at every level — a clerk who sees a
        department's folder still there would think some of it is pending. Why only folders we emptied
        (their files ended in done/, failed/ or 等待计划/ under the same path) and only after a quiet
        time: a folder the clerk made empty on purpose, or one a copy tool has just created and is about
        to fill, must not vanish under them. `rmdir` itself refuses a folder that is no longer empty.
        A `--once` run usually ends before the quiet time: the next run (or the live watcher) removes it."""
        rel = os.path.relpath(folder, self.inbox)
        if not any((self.inbox / d / rel).is_dir() for d in ("done", "failed", WAITING_DIR)):
            return
        try:
            quiet = time.time() - os.stat(folder).st_mtime >= self.tracker.empty_settle
            if quiet:
                os.rmdir(folder)
                log.info("子文件夹 %s 的文件已全部处理，已删除这个空文件夹", rel)
        except OSError:
            pass

    def _inside_bookkeeping(self, path: str) -> bool:
        return any(path == d or path.startswith(d + os.sep) for d in self.skip_dirs)

    def _consider(self, path: str) -> None:
        p = Path(path)
        if path in self.waiting or is_ignored(p.name) or self.inbox not in p.parents:
            return
        if p.parent != self.inbox:
            if not self.subfolders:
                return
            rel_dirs = p.parent.relative_to(self.inbox).parts
            if self._inside_bookkeeping(path) or any(is_ignored(d) for d in rel_dirs):
                return
            if any(os.path.islink(self.inbox.joinpath(*rel_dirs[: i + 1])) for i in range(len(rel_dirs))):
                return          # reached through a linked folder: never followed
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return
        if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
            self.waiting[path] = time.monotonic()

    def _name_in_inbox(self, path: str) -> str | None:
        """A subfolder file's name for the clerk: its path in the inbox ("工信局/台账.xlsx")."""
        rel = Path(path).relative_to(self.inbox)
        return rel.as_posix() if len(rel.parts) > 1 else None

    def _drain_events(self) -> None:
        while True:
            try:
                kind, path = self.events.get_nowait()
            except queue.Empty:
                return
            if kind == "dir":
                self.scan_due = True
            elif kind == "closed":
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
                log.warning("文件持续变化超过 %.0f 秒，暂留收文目录、本次不处理：%s", ONCE_SETTLE_LIMIT_S, path)
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
            log.info("接续处理上次未完成的文件 %s", c.name)
        return len(claims) + self.release_waiting()

    def release_waiting(self) -> int:
        """Queue the workbooks in 等待计划/ whose plan is now archived. The file is claimed with the
        token it already has (one archive row per workbook, whichever watcher releases it); a rename
        that finds nothing means another watcher was faster — or the clerk took the file away, which
        is recorded as a failure once no processing area holds it either."""
        released = 0
        try:
            rows = self.archive.waiting()
        except sqlite3.Error as e:
            log.warning("无法读取等待计划的台账：%s", e)
            return 0
        for w in rows:
            if self.archive.find_plan(plan_key=w["plan_key"]) is None:
                continue
            place = Path(w["path"])
            try:
                claim = self.area.claim(place, name=w["name"], token=w["token"])
            except OSError as e:
                log.warning("无法领取等待中的台账 %s：%s", w["name"], e)
                continue
            if claim is None:
                self._check_vanished(w)
                continue
            claim.name = w["name"]
            self.archive.set_claim_path(claim.token, claim.path)
            try:
                place.with_name(place.name + WAIT_NOTE_SUFFIX).unlink()
            except OSError:
                pass
            self.queued.append(self._task(claim))
            released += 1
            log.info("计划已到，开始处理等待中的台账 %s", w["name"])
        return released

    def _check_vanished(self, w: dict) -> None:
        if os.path.lexists(w["path"]) or any(self.area.root.glob(f"*/{w['token']}__*")):
            return
        error = reason_text(w["name"], "这份台账在等待计划期间被移出“等待计划”文件夹，未能处理",
                            hint="如仍需报送，请重新放入收文目录")
        if self.archive.give_up_wait(w["token"], error):
            log.warning("等待计划的台账 %s 已不在“等待计划”文件夹中（可能被移走或删除），不再等待", w["name"])

    def requeue_own(self) -> int:
        """Queue again what sits in our own claim folder with no worker on it: a step that failed after
        the claim (the archive locked, a move refused) must not strand the file in .plandoc/processing,
        where no clerk looks. `process_task` resumes it: a finished row only has its original moved,
        any other is processed again (a file that keeps killing workers is failed by the crash count)."""
        busy = {t.token for t in self.inflight.values()} | {t.token for t in self.queued}
        n = 0
        for c in self.area.mine():
            if c.token in busy:
                continue
            row = self.archive.get(c.token)
            if row and row["state"] not in LIVE_STATES + TERMINAL_STATES:
                continue               # a state that holds its file on purpose (none today) is not stranded
            if row:
                c.name = row["name"]
            self.archive.receive(c.token, c.name, c.path)
            self.archive.set_claim_path(c.token, c.path)
            task = self._task(c)
            if row and row["state"] in LIVE_STATES and row["attempts"] >= MAX_ATTEMPTS:
                try:                   # started again and again without an end: give the clerk a reason
                    o = fail_task(self.archive, task, f"已尝试处理 {row['attempts']} 次均未能完成（处理过程中的某一步反复出错）",
                                  None, "请稍后重新放入该文件；如仍失败，请将此文件和本说明发给系统管理员")
                    self._report(o)
                    self.outcomes.append(o)
                except Exception:
                    log.exception("暂时无法把 %s 记为失败，下次扫描时重试", c.name)
                continue
            self.queued.append(task)
            log.warning("重新排队：%s（上一步出错后留在处理区）", c.name)
            n += 1
        return n

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
                        claim = self.area.claim(Path(path), name=self._name_in_inbox(path))
                    except OSError as e:     # share gone, permissions: try again at the next rescan
                        log.warning("无法领取 %s（稍后重试）：%s", path, e)
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
                log.exception("处理进程出错：%s", task.name)
                try:
                    results.append(fail_task(self.archive, task, f"程序内部错误，未能处理该文件（{type(e).__name__}）",
                                             None, "请将此文件和本说明发给系统管理员"))
                except Exception:      # e.g. failed/ cannot be written: it stays claimed, requeue_own retries
                    log.exception("暂时无法把 %s 记为失败，下次扫描时重试", task.name)
        if broken:
            results.extend(self._replace_pool())
        for o in results:
            self._report(o)
        self.outcomes.extend(results)
        if not self.stopping and any(o.state in ("done", "waiting") for o in results):
            self.release_waiting()      # a plan arrived — or a workbook began to wait just after it did
        if results:
            self.overview_due = True
            if not self.stopping:
                # the freed worker gets its next file first: rebuilding the page in between kept a
                # worker idle after every file (the bench's 2-worker speed-up, issue 12)
                self.dispatch(once=self.once)
            self.maybe_refresh_overview()
        return results

    def maybe_refresh_overview(self, force: bool = False) -> None:
        """Rebuild OUT/index.html when something changed: at once when the folder is idle (a clerk's
        drop shows up as soon as it is done), throttled while a batch is running — rebuilding it from
        the whole archive after every file costs O(plans) each time in the watcher, the one process
        that hands the workers their next file."""
        if not self.overview_due:
            return
        now = time.monotonic()
        idle = not self.inflight and not self.queued
        if force or idle or now - self.overview_at >= max(OVERVIEW_MIN_INTERVAL_S, 5 * self.overview_cost):
            self.overview_due = False
            self.refresh_overview()
            self.overview_at = time.monotonic()
            self.overview_cost = self.overview_at - now

    def refresh_overview(self) -> None:
        """OUT/index.html after every change (issue 12); a failure to write it never stops the watch."""
        try:
            from pipeline.watch.overview import write_overview
            write_overview(self.archive, self.out)
        except Exception:
            log.exception("无法写入总览页 %s", self.out / "index.html")

    def _after_crash(self, task: Task) -> list[Outcome]:
        crashes = self.archive.note_crash(task.token)
        if crashes >= MAX_CRASHES:
            return [fail_task(self.archive, task, "处理该文件时处理进程多次异常退出（可能是内存耗尽或文件损坏）", None,
                          "请确认文件能在 Word/WPS 中正常打开，另存后重新放入；如仍失败请联系系统管理员")]
        log.warning("处理 %s 时处理进程异常退出，重试", task.name)
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
        state = _STATE_ZH.get(o.state, o.state)
        if o.state in ("done", "waiting"):
            log.info("%s：%s → %s（用时 %.2f 秒）", state, o.name, o.final_path if o.state == "waiting" else o.detail,
                     o.seconds)
        else:
            log.info("%s：%s：%s（用时 %.2f 秒）", state, o.name, o.detail, o.seconds)

    # -- observer -------------------------------------------------------------------------------
    def _start_observer(self) -> None:
        from watchdog.events import FileSystemEventHandler
        events = self.events
        ours = self._inside_bookkeeping

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                et = event.event_type
                path = event.dest_path if et == "moved" else event.src_path
                if ours(path if isinstance(path, str) else os.fsdecode(path)):
                    return          # the archive, claims, done/…: our own writes, never drops
                if event.is_directory:
                    if et in ("created", "moved"):
                        events.put(("dir", path))     # a folder dropped in: list it now
                    return
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
                # recursive: files of a dropped subfolder are seen as they arrive (bookkeeping filtered)
                observer.schedule(Handler(), str(self.inbox), recursive=True)
                observer.start()
            except OSError as e:   # e.g. inotify watch or instance limit reached
                log.warning("系统文件事件不可用（%s），改用轮询方式监视", e)
                observer = None
        if observer is None:
            from watchdog.observers.polling import PollingObserver
            observer = PollingObserver(timeout=1.0)
            # top level only: polling done/ and failed/ every second would cost more than the rescans
            # (every PLANDOC_WATCH_RESCAN seconds) that find the files of subfolders
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
            log.warning("文件监视已停止（可能是读写错误），正在重新启动")
            self._stop_observer()
            try:
                self._start_observer()
            except OSError as e:
                log.warning("无法重新启动文件监视（%s），改为依靠定期扫描", e)

    # -- modes ----------------------------------------------------------------------------------
    def run_forever(self) -> int:
        self._install_signals()
        warming = self.prestart_workers()
        self._start_observer()
        self.resume()
        self.scan()
        last_scan = time.monotonic()
        log.info("开始监视收文目录 %s → 输出目录 %s（档案库 %s）", self.inbox, self.out, self.archive_path)
        while not self.stopping:
            if warming and all(f.done() for f in warming):
                warming = []
                log.info("处理进程已就绪（%d 个）", self.workers)
            try:
                self._drain_events()
                if self.scan_due:
                    self.scan()
                if time.monotonic() - last_scan >= self.rescan_s:
                    last_scan = time.monotonic()
                    if not self.inbox.is_dir():
                        log.warning("收文目录 %s 无法访问，等待其恢复", self.inbox)
                    else:
                        self.resume()
                        self.requeue_own()
                        self.scan()
                        self._check_observer()
                self.dispatch(once=False)
                self.collect(TICK_S)
                self.maybe_refresh_overview()
            except Exception:   # the share gone, the archive locked too long: keep watching
                log.exception("监视循环出错，继续运行")
                time.sleep(1.0)
        log.info("正在停止：等待 %d 个处理中的文件完成", len(self.inflight))
        while self.inflight:
            self.collect(TICK_S)
        self.maybe_refresh_overview(force=True)
        return 0

    def _requeue_for_once(self) -> bool:
        """--once, before exiting: what a failed step left in our claim folder gets another pass, and
        the inbox is listed again (a file renamed aside by `terminal_folder` during the run)."""
        try:
            n = self.requeue_own()
        except (OSError, sqlite3.Error) as e:
            log.error("无法重新排队处理区中的文件：%s", e)
            n = 0
        self.scan()
        return n > 0 or bool(self.waiting)

    def run_once(self) -> int:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self._install_signals()
        self.once = True
        self.prestart_workers()
        self.resume()
        self.scan()
        self.refresh_overview()
        total = len(self.waiting) + len(self.queued)
        console = Console(stderr=True)
        with Progress(TextColumn("收文处理"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.description}"), console=console, transient=False) as bar:
            job = bar.add_task("", total=total)
            passes = 0
            while not self.stopping:
                if not (self.waiting or self.queued or self.inflight):
                    if passes >= ONCE_REQUEUE_PASSES or not self._requeue_for_once():
                        break
                    passes += 1
                self.dispatch(once=True)
                for o in self.collect(TICK_S):
                    bar.update(job, advance=1, description=f"{o.name}：{_STATE_ZH.get(o.state, o.state)}")
                self.maybe_refresh_overview()
                # a released waiting workbook is one more step to go
                bar.update(job, total=max(total, len(self.outcomes) + len(self.waiting) + len(self.queued)
                                          + len(self.inflight)))
            while self.inflight:
                self.collect(TICK_S)
            self.maybe_refresh_overview(force=True)
        final = {o.token: o.state for o in self.outcomes}     # a released workbook: its last outcome counts
        counts = {s: sum(1 for v in final.values() if v == s) for s in _STATE_ZH}
        line = "完成 {done} 份，重复 {duplicate} 份，失败 {failed} 份".format(**counts)
        if counts["waiting"]:
            line += f"，等待计划 {counts['waiting']} 份"
        console.print(line, soft_wrap=True)
        if counts["waiting"]:
            console.print(f"等待计划的台账在收文目录的“{WAITING_DIR}”文件夹里：所属计划放入收文目录并处理后自动接着处理",
                          soft_wrap=True)
        return 1 if counts["failed"] else 0


_STATE_ZH = {"done": "已完成", "duplicate": "重复（已记录）", "failed": "失败", "lost": "已不在",
             "waiting": "等待计划"}
