"""Processing one claimed file — runs in a worker process of the pool.

The steps are ordered so that a kill at any moment is recoverable by re-running them:
1. mark `processing` (attempt counted);
2. refuse what must not be read (symlinks: never followed), hash the bytes, and stop early when the
   same bytes are already archived;
3. parse; decide in one archive transaction whether the parsed notice is new (canonical hash) and
   reserve its output paths;
4. write every output of the plan version under temporary names and rename them into
   `OUT/<region>/<year>/` (plan_drop.py: versions, 历次版本/, comparisons; re-running overwrites the
   same paths with the same content); a returned 台账 goes to workbook_drop.py instead;
5. reserve where the original ends, record the terminal state, then move the original there.
A row whose state is already terminal only needs step 5's move (`finish_move`).
"""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import signal
import stat
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from pipeline.archive import Archive
from pipeline.errors import InputError
from pipeline.watch.names import REASON_SUFFIX, fit_name, numbered

log = logging.getLogger("plandoc.watch")
from pipeline.watch.reasons import reason_text, write_reason

# A single notice parses and renders in seconds; a minute more means something pathological.
TIME_LIMIT_S = 120
# Address-space cap of a worker: a zip bomb or runaway allocation fails one file, not the machine.
MEMORY_LIMIT_BYTES = 3 * 1024 ** 3


@dataclass(slots=True)
class Task:
    token: str
    name: str
    claim_path: str
    inbox: str
    out: str
    archive_path: str


@dataclass(slots=True)
class Outcome:
    token: str
    name: str
    state: str                # done | failed | duplicate | lost (claimed file vanished)
    detail: str               # output PDF/JSON path, reason, or the original's token
    final_path: str | None = None
    seconds: float = 0.0      # time the worker spent on it


class Failure(Exception):
    """A clerk-facing failure: Chinese reason, place and hint."""

    def __init__(self, reason: str, where: str | None = None, hint: str | None = None):
        super().__init__(reason)
        self.reason, self.where, self.hint = reason, where, hint


# -- worker process set-up ------------------------------------------------------------------------
def init_worker(watcher_pid: int, warm_up: bool = True, workers: int = 1) -> None:
    """Pool initializer: die with the watcher, stay within limits, load the heavy modules once
    (with `warm_up`, also render a small plan, so that the first real drop is not the slow one).
    `workers` (the pool's size) shares the CPUs among the workers' OCR: each recognises at most
    CPUs / workers pages at once (`readers.ocr.ocr_workers`), not every worker as many as there are CPUs."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG: a kill -9'd watcher leaves no worker writing
    except Exception:
        pass
    if os.getppid() != watcher_pid:     # the watcher died before the line above took effect
        os._exit(1)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from pipeline.readers.ocr import ocr_workers
    os.environ.setdefault("PLANDOC_OCR_WORKERS", str(max(1, ocr_workers() // max(1, workers))))
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > MEMORY_LIMIT_BYTES:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, hard))
    except (ImportError, ValueError, OSError):
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the watcher's to handle
    from pipeline.readers.office import keep_warm
    keep_warm()                                      # .doc/.wps/.rtf: one LibreOffice kept running per worker
    if warm_up and os.environ.get("PLANDOC_WATCH_WARMUP", "1") != "0":
        _warm_up()
    # What is alive now (modules, fonts, the word index, templates) lives as long as the worker: keep
    # it out of the cyclic collector's full passes, which otherwise re-walk it after every notice.
    gc.freeze()


def _warm_up() -> None:
    """Load the parser and render a small but complete plan (cover, sections, indicator table) once,
    so the first real drop does not pay for imports, font loading and table layout set-up — seconds
    that would otherwise dominate the drop-to-PDF latency."""
    try:
        from pipeline.parse import parse_source
        from pipeline.readers.txt import read_txt
        # parsing opens the keyword dictionary index (pipeline/words.py; built once per machine)
        text = "某区2023年国民经济和社会发展计划\n一、总体要求\n地区生产总值增长5.5%左右，新增城镇就业4000人以上。\n"
        parse_source(read_txt(Path("warm-up.txt"), text.encode("utf-8"), "0" * 64))
        from pipeline.render.plan_pdf import render_plan_pdf
        from pipeline.schema import Cell, DocNumber, Node, Notice, ParseResult, Period, Plan, Row, Source
        item = Node(id="1.1", kind="item", level=2, label="（一）", title="扩大有效投资。",
                    text="全力以赴扩大有效投资，新增城镇就业4000人以上。")
        section = Node(id="1", kind="section", level=1, label="一、", title="总体要求",
                       text="坚持稳中求进工作总基调，地区生产总值增长5.5%左右。", children=[item])
        row = Row(id="1", category="经济发展", name="地区生产总值", unit="亿元",
                  base=Period(year=2022, value=Cell(text="100", number=100)),
                  target=Period(year=2023, growth=Cell(text="5.5左右", number=5.5, comparator="approx")))
        notice = Notice(title="关于印发某区2023年国民经济和社会发展计划的通知", doc_number=DocNumber(text="某政发〔2023〕1号"),
                        addressees=["各镇政府"], body="现印发给你们，请认真组织实施。", issuer="某区人民政府",
                        date="2023-04-25", publicity="此件公开发布")
        warm = ParseResult(source=Source(path="warm-up", sha256="0" * 64, format="txt"), notice=notice,
                           plan=Plan(title="某区2023年国民经济和社会发展计划", region="某区", year=2023,
                                     sections=[section], indicators=[row]))
        with tempfile.TemporaryDirectory(prefix="plandoc-warm-") as d:
            render_plan_pdf(warm, Path(d) / "warm.pdf", style="plain")
    except Exception:
        pass   # a broken renderer shows up, with its reason, on the first real file


_archives: dict[str, Archive] = {}
# What the task in hand has published (absolute paths), and the archive generation it started in: if the
# archive file is deleted or replaced while a notice is processed, its registration is gone, so the
# notice fails and these outputs are removed — a failed row never leaves outputs behind.
_written: list[str] = []
_generation = [0]
ARCHIVE_REPLACED = "处理期间档案库文件被删除或替换（已重新建立），本文件的登记随之丢失，处理结果未发布"


def _archive(path: str) -> Archive:
    if path not in _archives:
        _archives[path] = Archive(path)
    return _archives[path]


def _on_alarm(signum, frame):
    raise TimeoutError


# -- the work -------------------------------------------------------------------------------------
def process_task(task: Task) -> Outcome:
    """Entry point in the worker. Never raises for a bad file: every end is an Outcome."""
    started = time.perf_counter()
    outcome = _process_task(task)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _process_task(task: Task) -> Outcome:
    archive = _archive(task.archive_path)
    row = archive.get(task.token)
    if row and row["state"] in ("done", "failed", "duplicate"):
        return finish_move(archive, task, row)
    archive.start_processing(task.token)
    _written.clear()
    _generation[0] = archive.generation
    claim = Path(task.claim_path)
    if not os.path.lexists(claim):
        return Outcome(task.token, task.name, "lost", "claimed file vanished")
    old = signal.signal(signal.SIGALRM, _on_alarm) if _in_main_thread() else None
    if old is not None:
        signal.alarm(TIME_LIMIT_S)
    try:
        return _process(archive, task, claim)
    except Failure as f:
        return fail_task(archive, task, f.reason, f.where, f.hint)
    except InputError as e:
        return fail_task(archive, task, e.reason, e.where, e.hint)
    except TimeoutError:
        return fail_task(archive, task, f"处理超时（超过 {TIME_LIMIT_S} 秒），文件可能异常复杂或已损坏",
                     hint="请确认文件能在 Word/WPS 中正常打开，另存后重新放入")
    except MemoryError:
        return fail_task(archive, task, "处理时内存超限：文件解压或展开后过大（可能是压缩炸弹或损坏的文件）",
                     hint="请确认文件来源，用 Word/WPS 重新保存后再放入")
    except Exception as e:  # an internal error must fail one file, never the watcher
        detail = "".join(traceback.format_exception_only(type(e), e)).strip()
        return fail_task(archive, task, f"程序内部错误，未能处理该文件（{detail[:300]}）",
                     hint="请将此文件和本说明发给系统管理员")
    finally:
        if old is not None:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)


def _in_main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()


def _process(archive: Archive, task: Task, claim: Path) -> Outcome:
    st = os.lstat(claim)
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(claim)
        raise Failure(f"这是一个符号链接（指向“{target}”），不是文件本身；为安全起见不跟随链接读取",
                      hint="请把文件本身（而不是快捷方式或链接）复制到收文目录")
    if not stat.S_ISREG(st.st_mode):
        raise Failure("这不是普通文件（可能是设备、管道或文件夹）", hint="请只放入通知文件")
    byte_sha = _sha256(claim)
    from pipeline.watch.workbook_drop import is_workbook, process_workbook
    if is_workbook(claim, task.name):       # a returned 台账, not a notice
        return process_workbook(archive, task, claim, byte_sha)
    original = archive.find_byte_duplicate(task.token, byte_sha)
    if original:
        return _duplicate(archive, task, original)

    from pipeline.parse import parse_file
    result = parse_file(claim)
    result.source.path = task.name               # the clerk's name, not our claim path
    _require_plan_structure(result)
    doc_no = None
    if result.notice and result.notice.doc_number:
        doc_no = result.notice.doc_number.canonical or result.notice.doc_number.text
    parsed = result.model_dump(mode="json")
    content_hash = canonical_hash(parsed)
    from pipeline.watch.plan_drop import publish_plan
    published = publish_plan(archive, token=task.token, name=task.name, inbox=task.inbox, out=task.out,
                             result=result, parsed_json=json.dumps(parsed, ensure_ascii=False), parsed=parsed,
                             content_hash=content_hash, doc_number=doc_no)
    _written.extend(published.written)
    if published.duplicate_of:
        return _duplicate(archive, task, published.duplicate_of)
    return _finish(archive, task, "done", Path(task.inbox) / "done", detail=published.pdf_path)


def _require_plan_structure(result) -> None:
    """The parser reads any text; the drop folder only publishes what is recognisably a notice or
    plan, so a stray file (a memo, a web page, a log) is failed with a reason instead of rendered."""
    plan = result.plan
    if result.notice is None and not plan.sections and not plan.indicators:
        raise Failure("没有识别出通知或计划的结构：找不到“关于…的通知”标题、“一、”“（一）”等编号标题或指标表",
                      hint="请确认放入的是国民经济和社会发展计划（或其印发通知）的正文文件")


def _clear_stale_temp(final: Path) -> None:
    """Remove temp files a killed run left for this (reserved, hence ours) output name."""
    # `.<name>.XXXX.part`, the temp name of fsutil.atomic_output (used by the JSON write and the renderer)
    for stale in final.parent.glob(f".{final.name}.*.part"):
        try:
            stale.unlink()
        except OSError:
            pass


def canonical_hash(parsed: dict) -> str:
    """Hash of what the notice says, not where it came from: `source`, every `where`, the warnings
    (which name lines or pages) and a cell's `inferred` flag (how a merge was read: from the table
    structure or reconstructed from flattened text) are left out, so the same notice re-saved by
    Word — or sent as .txt instead of .docx — hashes the same, and is a duplicate, not a revision."""
    body = {"notice": parsed.get("notice"), "plan": _strip_where(parsed.get("plan"))}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_READING_DETAILS = ("where", "inferred")


def _strip_where(value):
    if isinstance(value, dict):
        return {k: _strip_where(v) for k, v in value.items() if k not in _READING_DETAILS}
    if isinstance(value, list):
        return [_strip_where(v) for v in value]
    return value


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- terminal states ------------------------------------------------------------------------------
def _duplicate(archive: Archive, task: Task, original_token: str) -> Outcome:
    orig = archive.get(original_token)
    return _finish(archive, task, "duplicate", Path(task.inbox) / "done", duplicate_of=original_token,
                   detail=f"与“{orig['name'] if orig else original_token}”内容相同")


def fail_task(archive: Archive, task: Task, reason: str, where: str | None = None, hint: str | None = None) -> Outcome:
    from pipeline.watch.plan_drop import restore_if_unpromoted
    restore_if_unpromoted(archive, task.token)
    _remove_outputs(archive.get(task.token))
    _remove_written()
    text = reason_text(task.name, reason, where, hint)
    return _finish(archive, task, "failed", Path(task.inbox) / "failed", error=text, detail=reason)


def _remove_written() -> None:
    """Remove what this task published (its row may no longer list them: the archive was replaced)."""
    while _written:
        final = Path(_written.pop())
        _clear_stale_temp(final) if final.parent.is_dir() else None
        try:
            final.unlink()
        except (FileNotFoundError, IsADirectoryError):
            pass


def _remove_outputs(row: dict | None) -> None:
    """A failed notice publishes nothing: drop outputs (and temp files) it had reserved and begun."""
    if not row:
        return
    for key in ("json_path", "pdf_path"):
        if row.get(key):
            final = Path(row[key])
            if final.parent.is_dir():
                _clear_stale_temp(final)
            try:
                final.unlink()
            except FileNotFoundError:
                pass


def _finish(archive: Archive, task: Task, state: str, folder: Path, *, detail: str,
            error: str | None = None, duplicate_of: str | None = None) -> Outcome:
    folder = terminal_folder(Path(task.inbox), folder.name)
    if archive.get(task.token) is None:
        # the archive was deleted or replaced under us: register the file again, so its end is recorded
        archive.receive(task.token, task.name, task.claim_path)
    if state != "failed" and (archive.generation != _generation[0]):
        raise Failure(ARCHIVE_REPLACED, hint="请把该文件重新放入收文目录")
    final = archive.reserve_final_path(task.token, _final_candidates(folder, task.name))
    archive.finish(task.token, state, error=error, duplicate_of=duplicate_of)
    row = archive.get(task.token)
    if state != "failed" and (row is None or archive.generation != _generation[0]):
        raise Failure(ARCHIVE_REPLACED, hint="请把该文件重新放入收文目录")
    # a failure is still delivered with its reason when the archive vanished again just now
    _move_original(Path(task.claim_path), final, row or {"state": state, "error": error, "name": task.name})
    return Outcome(task.token, task.name, state, detail, str(final))


def terminal_folder(inbox: Path, name: str) -> Path:
    """INBOX/done or INBOX/failed, created when absent. Something that is not a folder holding the name
    (a FIFO, a file a clerk called `done`) would fail every notice; it is renamed aside within the
    inbox instead, where the scan treats it like any other entry (a file is processed or failed with a
    reason; a FIFO is left alone, as every FIFO in the inbox is)."""
    folder = inbox / name
    for _ in range(3):
        try:
            folder.mkdir(exist_ok=True)
            return folder
        except FileExistsError:
            if os.path.isdir(folder):            # a link to a folder: used as it is
                return folder
            aside = next(c for c in numbered(inbox, f"{name}（与{name}文件夹同名，已改名）")
                         if not os.path.lexists(c))
            try:
                os.rename(folder, aside)
                log.warning("“%s”不是文件夹，已改名为“%s”后作为普通来件处理", folder, aside.name)
            except FileNotFoundError:
                pass                             # another worker moved it first
    folder.mkdir(exist_ok=True)
    return folder


def _final_candidates(folder: Path, name: str, note_suffix: str = REASON_SUFFIX) -> Iterator[Path]:
    # A file taken from a subfolder of the inbox is named by its path there ("工信局/台账.xlsx"): it
    # ends in the same subfolder of done/ or failed/, so a department's folder stays together.
    rel = Path(name)
    parts = [p for p in rel.parts[:-1] if p not in ("", ".", "..", "/")]
    folder = folder.joinpath(*(fit_name(p, 0) for p in parts))
    # room for "-NN", the reason file's suffix and its temp name, whatever the clerk's name's length
    for cand in numbered(folder, fit_name(rel.name, len(note_suffix.encode("utf-8")) + 4 + 24)):
        # a failed original also needs its reason-file name free
        if not os.path.lexists(cand.with_name(cand.name + note_suffix)):
            yield cand


def finish_move(archive: Archive, task: Task, row: dict) -> Outcome:
    """Resume after a crash between recording the terminal state and moving the original."""
    final = Path(row["final_path"]) if row["final_path"] else None
    if final is None:     # crash before a destination was reserved: reserve now
        folder = terminal_folder(Path(task.inbox), "failed" if row["state"] == "failed" else "done")
        final = archive.reserve_final_path(task.token, _final_candidates(folder, task.name))
    _move_original(Path(task.claim_path), final, row)
    detail = row["pdf_path"] or row["error"] or row["duplicate_of"] or ""
    return Outcome(task.token, task.name, row["state"], detail, str(final))


def _move_original(claim: Path, final: Path, row: dict) -> None:
    # done/ or failed/ and the inbox subfolder path under it: each missing level created, anything
    # that is not a folder standing in the way renamed aside (terminal_folder)
    for level in [*reversed(final.parent.parents), final.parent]:
        if not level.is_dir():
            terminal_folder(level.parent, level.name)
    if row["state"] == "failed":
        reason_file = final.with_name(final.name + REASON_SUFFIX)
        if not reason_file.exists():
            write_reason(final, row["error"] or reason_text(row["name"], "处理失败"))
    if os.path.lexists(claim):
        os.rename(claim, final)
