"""The archive: the one module that owns the SQLite database of the drop folder.

Why SQLite: it is embedded (nothing to install or run), several processes may use one file at once
(WAL: readers never block the writer; on a network file system the rollback journal instead, since
WAL's shared-memory index is only coherent on one host), and a transaction is the arbiter that keeps two watchers
— or two workers of one watcher — from processing the same notice twice.

What it holds:
- `notices`: one row per file taken from the inbox, keyed by its claim token. State moves
  received → processing → done | failed | duplicate. Content identity is two hashes: the byte sha256
  and a canonical hash of the parsed notice that ignores provenance (`source`, `where`, `warnings`),
  so a re-saved office file whose bytes differ but whose notice is the same is still recognised.
- `progress`: the progress history of the bulletin work (per plan, as-of date and item), stored as
  opaque JSON so the tracker can evolve its records without a migration here.

Schema changes are migrations keyed by `PRAGMA user_version`; never edit a released migration,
append a new one.
"""
from __future__ import annotations

import json
import logging
import os
import random
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from pipeline.errors import InputError, displayable

BUSY_TIMEOUT_MS = 30_000
log = logging.getLogger("plandoc.archive")

# File-system types (as /proc/self/mountinfo names them) where several hosts may share the file.
# WAL keeps its index in shared memory beside the database, which is only coherent on one host, so
# on these the archive uses the rollback journal (journal_mode=DELETE), whose locks the share enforces.
NETWORK_FS_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "lustre",
    "gpfs", "ocfs2", "gfs2", "davfs", "ncpfs", "coda", "beegfs", "orangefs", "virtiofs", "vboxsf",
})
NETWORK_FUSE_SUBTYPES = frozenset({"sshfs", "glusterfs", "rclone", "s3fs", "davfs", "cephfs", "gcsfuse", "smbnetfs"})
ENV_NETWORK = "PLANDOC_ARCHIVE_NETWORK"     # "1": treat the archive location as shared (e.g. an unknown fuse mount)
TERMINAL_STATES = ("done", "failed", "duplicate")
LIVE_STATES = ("received", "processing")

# Each entry moves the schema from version i to i+1.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE notices (
        id            INTEGER PRIMARY KEY,
        token         TEXT NOT NULL UNIQUE,       -- claim token (also in the claimed file's name)
        name          TEXT NOT NULL,              -- original file name as dropped
        state         TEXT NOT NULL CHECK (state IN ('received','processing','done','failed','duplicate')),
        received_at   REAL NOT NULL,
        updated_at    REAL NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0, -- times a worker started on it
        crashes       INTEGER NOT NULL DEFAULT 0, -- times a worker died on it while the watcher lived
        claim_path    TEXT,                       -- where the file sits while claimed
        final_path    TEXT,                       -- where the original ends (done/ or failed/)
        byte_size     INTEGER,
        byte_sha256   TEXT,
        content_hash  TEXT,                       -- canonical parsed-content hash
        region        TEXT,
        year          INTEGER,
        doc_number    TEXT,                       -- 文号 (canonical form when known)
        parsed_json   TEXT,
        json_path     TEXT,
        pdf_path      TEXT,
        duplicate_of  TEXT,                       -- token of the notice this one repeats
        error         TEXT                        -- Chinese reason when failed
    );
    CREATE INDEX notices_byte ON notices(byte_sha256);
    CREATE INDEX notices_content ON notices(content_hash);
    CREATE UNIQUE INDEX notices_final ON notices(final_path) WHERE final_path IS NOT NULL;
    CREATE UNIQUE INDEX notices_json ON notices(json_path) WHERE json_path IS NOT NULL;
    CREATE TABLE progress (
        id           INTEGER PRIMARY KEY,
        plan_key     TEXT NOT NULL,
        as_of        TEXT NOT NULL,
        item_id      TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        recorded_at  REAL NOT NULL
    );
    CREATE INDEX progress_plan ON progress(plan_key, as_of, item_id);
    """,
    # 2 — the folder runs the whole year (issue 12): what kind of file a row is, plan identity and
    # version (revisions), the current version of each plan with its output files, and the returned
    # 台账 workbooks (accepted / superseded by the same unit's correction / returned with a reason).
    """
    ALTER TABLE notices ADD COLUMN kind TEXT NOT NULL DEFAULT 'plan';
    ALTER TABLE notices ADD COLUMN plan_id TEXT;
    ALTER TABLE notices ADD COLUMN plan_key TEXT;
    ALTER TABLE notices ADD COLUMN version INTEGER;
    CREATE INDEX notices_plan ON notices(plan_id, version);
    CREATE TABLE plans (
        plan_id     TEXT PRIMARY KEY,             -- <地区>/<年度>/<base>: one plan, all its versions
        region      TEXT,
        year        INTEGER,
        folder      TEXT NOT NULL,                -- OUT/<地区>/<年度>
        base        TEXT NOT NULL,                -- output name stem, e.g. 周村区2023年计划
        plan_key    TEXT,                         -- the tracker's plan identity (workbook metadata)
        token       TEXT NOT NULL,                -- notice whose outputs are current
        version     INTEGER NOT NULL,
        files_json  TEXT NOT NULL,                -- current output files, relative to folder
        updated_at  REAL NOT NULL
    );
    CREATE TABLE reports (
        id           INTEGER PRIMARY KEY,
        token        TEXT NOT NULL UNIQUE,        -- the workbook's claim token (row in notices)
        name         TEXT NOT NULL,
        plan_id      TEXT,
        as_of        TEXT,                        -- 统计截至, ISO date
        unit         TEXT,                        -- 填报单位
        state        TEXT NOT NULL CHECK (state IN ('accepted','superseded','returned')),
        reason       TEXT,                        -- one line, when returned
        byte_sha256  TEXT,
        copy_path    TEXT,                        -- the archive's copy of an accepted workbook
        recorded_at  REAL NOT NULL
    );
    CREATE INDEX reports_period ON reports(plan_id, as_of, unit);
    """,
    # 3 — a returned 台账 that arrives before its plan waits for it (INBOX/等待计划/) instead of being
    # returned: one row per waiting workbook, keyed by its claim token (its notices row stays
    # `received` meanwhile), with the plan key that releases it and where the clerk can see it.
    """
    CREATE TABLE waiting (
        token     TEXT PRIMARY KEY,               -- the workbook's claim token (row in notices)
        name      TEXT NOT NULL,                  -- as dropped, with its subfolder path
        plan_key  TEXT NOT NULL,                  -- the tracker's plan key read from the workbook
        title     TEXT,                           -- the plan's title as the workbook names it
        path      TEXT NOT NULL UNIQUE,           -- where it waits: INBOX/等待计划/<name>
        since     REAL NOT NULL
    );
    CREATE INDEX waiting_plan ON waiting(plan_key);
    """,
]


def default_archive_path(inbox: str | Path) -> Path:
    """Bookkeeping lives inside the watched folder unless configured (contract.md)."""
    env = os.environ.get("PLANDOC_ARCHIVE")
    return Path(env) if env else Path(inbox) / ".plandoc" / "archive.sqlite3"


@dataclass(slots=True)
class Reservation:
    """Outcome of `reserve_content`: either the notice is new (paths to write) or it repeats one."""

    duplicate_of: str | None
    json_path: str | None = None
    pdf_path: str | None = None


class ArchiveUnusable(InputError, sqlite3.DatabaseError):
    """The archive cannot be opened: damaged, not a database, a folder, or no access. An InputError (the
    CLI prints its Chinese reason and exits 1) and a sqlite3 error (the watcher's handlers for a damaged
    or locked archive keep working)."""


def _unusable(path: Path, exc: BaseException) -> ArchiveUnusable:
    hint = "请把该文件移到别处保留备查后重新运行（将建立新的档案库），或用环境变量 PLANDOC_ARCHIVE 指定其他位置"
    if path.is_dir():
        return ArchiveUnusable(path, "档案库的位置是一个文件夹，不是档案库文件",
                               hint="请移走或改名该文件夹，或用环境变量 PLANDOC_ARCHIVE 指定其他位置")
    blocked = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        return ArchiveUnusable(path, f"无法建立档案库：上级路径“{displayable(str(blocked))}”是一个文件，不是文件夹",
                               hint="请移走或改名该文件，或用环境变量 PLANDOC_ARCHIVE 指定其他位置")
    if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
        return ArchiveUnusable(path, f"档案库被其他程序占用超过 {BUSY_TIMEOUT_MS // 1000} 秒",
                               hint="请稍后重试；如反复出现，请检查是否有其他程序打开了该档案库")
    if isinstance(exc, PermissionError) or (isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc)
                                            or "unable to open" in str(exc)):
        return ArchiveUnusable(path, "无法打开或写入档案库（没有权限，或所在文件夹只读）",
                               hint="请检查该文件夹的写入权限，或用环境变量 PLANDOC_ARCHIVE 指定其他位置")
    if isinstance(exc, sqlite3.DatabaseError):
        return ArchiveUnusable(path, f"档案库文件已损坏或不是 plandoc 的档案库（{exc}）", hint=hint)
    return ArchiveUnusable(path, f"无法打开档案库（{type(exc).__name__}：{exc}）", hint=hint)


class Archive:
    """A connection to the archive. One per process (sqlite3 connections are not shared across forks)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.generation = 0        # +1 each time the file was found deleted or replaced and re-created
        self._connect()

    def _connect(self) -> None:
        """Open (creating when absent); any failure becomes ArchiveUnusable with a Chinese reason."""
        try:
            self._open()
        except ArchiveUnusable:
            raise
        except (sqlite3.DatabaseError, OSError) as e:
            db = getattr(self, "db", None)
            if db is not None:
                try:
                    db.close()
                except sqlite3.Error:
                    pass
            raise _unusable(self.path, e) from None

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN ourselves, so every transaction's extent is explicit.
        self.db = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # Read before anything is written (the journal-mode switch rewrites the header): a garbled file
        # fails here, another program's database or a newer schema is refused unchanged.
        tables = _retry_while_busy(lambda: {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")})
        if tables and "notices" not in tables:
            raise sqlite3.DatabaseError(f"这是其他程序的数据库（数据表 {'、'.join(sorted(tables)[:5])}）")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise sqlite3.DatabaseError(f"档案库版本 {version} 比本程序支持的 {len(MIGRATIONS)} 新，请使用新版 plandoc")
        fs_type = network_fs_type(self.path)
        self.journal_mode = "delete" if fs_type else "wal"
        if fs_type:
            log.warning("档案库 %s 位于网络文件系统（%s）上：不使用 WAL，改用回滚日志（journal_mode=DELETE）",
                        self.path, fs_type)
        # Switching the journal mode needs an exclusive lock and SQLite does not wait on the busy timeout
        # for it (two openers holding shared locks would deadlock), so a fresh archive opened by two
        # watchers at once fails one of them with "database is locked". Retry with back-off instead.
        _retry_while_busy(lambda: self.db.execute(f"PRAGMA journal_mode={self.journal_mode}").fetchone())
        self.db.execute("PRAGMA synchronous=" + ("NORMAL" if self.journal_mode == "wal" else "FULL"))
        _retry_while_busy(self._migrate)
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"notices", "progress", "plans", "reports"} <= tables:
            # another program's SQLite file (or a schema version from the future without our tables)
            raise sqlite3.DatabaseError(f"缺少数据表 {'、'.join(sorted({'notices', 'progress', 'plans', 'reports'} - tables))}")
        st = os.stat(self.path)
        self._identity = (st.st_dev, st.st_ino)

    def _reconnect_if_gone(self) -> None:
        """The archive file deleted (or replaced) while we hold it open: SQLite would go on writing to
        the unlinked file and every later record would be lost. Re-create it and say so."""
        try:
            st = os.stat(self.path)
            identity = (st.st_dev, st.st_ino)
        except FileNotFoundError:
            identity = None
        if identity == self._identity:
            return
        log.error("档案库文件 %s 已被删除或替换，已重新建立（之前的记录不在新档案库中）", self.path)
        try:
            self.db.close()
        except sqlite3.Error:
            pass
        self._connect()
        self.generation += 1

    def close(self) -> None:
        self.db.close()

    # -- schema -------------------------------------------------------------------------------
    def _migrate(self) -> None:
        with Archive._Tx(self.db):
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for i in range(version, len(MIGRATIONS)):
                for stmt in _split_sql(MIGRATIONS[i]):
                    self.db.execute(stmt)
                self.db.execute(f"PRAGMA user_version={i + 1}")

    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    class _Tx:
        def __init__(self, db: sqlite3.Connection):
            self.db = db

        def __enter__(self):
            # IMMEDIATE takes the write lock up front, so check-then-insert sequences are atomic.
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type, exc, tb):
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")
            return False

    def _write(self) -> "Archive._Tx":
        self._reconnect_if_gone()
        return Archive._Tx(self.db)

    # -- notices ------------------------------------------------------------------------------
    def receive(self, token: str, name: str, claim_path: str | Path, byte_size: int | None = None) -> None:
        """Record a freshly claimed file (state `received`). Idempotent for an existing token."""
        now = time.time()
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO notices(token, name, state, received_at, updated_at, claim_path, byte_size)"
                       " VALUES (?,?,?,?,?,?,?)", (token, name, "received", now, now, str(claim_path), byte_size))

    def get(self, token: str) -> dict | None:
        row = self.db.execute("SELECT * FROM notices WHERE token=?", (token,)).fetchone()
        return dict(row) if row else None

    def set_claim_path(self, token: str, claim_path: str | Path) -> None:
        with self._write() as db:
            db.execute("UPDATE notices SET claim_path=?, updated_at=? WHERE token=?", (str(claim_path), time.time(), token))

    def start_processing(self, token: str) -> dict:
        """Mark `processing` and count the attempt. Returns the row as it is now."""
        with self._write() as db:
            db.execute("UPDATE notices SET state='processing', attempts=attempts+1, updated_at=? "
                       "WHERE token=? AND state IN ('received','processing')", (time.time(), token))
        return self.get(token)

    def note_crash(self, token: str) -> int:
        """A worker died while holding this notice (the watcher itself lived). Returns the crash count."""
        with self._write() as db:
            db.execute("UPDATE notices SET crashes=crashes+1, updated_at=? WHERE token=?", (time.time(), token))
        row = self.get(token)
        return row["crashes"] if row else 0

    def find_byte_duplicate(self, token: str, byte_sha256: str) -> str | None:
        """Another notice with these exact bytes that is done or still being processed."""
        with self._write() as db:
            db.execute("UPDATE notices SET byte_sha256=?, updated_at=? WHERE token=?", (byte_sha256, time.time(), token))
            row = db.execute("SELECT token FROM notices WHERE byte_sha256=? AND token<>? AND state IN "
                             "('processing','done') AND json_path IS NOT NULL ORDER BY id LIMIT 1",
                             (byte_sha256, token)).fetchone()
        return row["token"] if row else None

    def reserve_content(self, token: str, *, content_hash: str, region: str | None, year: int | None,
                        doc_number: str | None, parsed_json: str, out_paths: Iterable[tuple[str, str]]) -> Reservation:
        """Atomically decide whether this parsed notice is new; if so, claim its output paths.

        `out_paths` yields candidate (json_path, pdf_path) pairs in order of preference; the first pair
        no other notice owns is taken. Running inside one IMMEDIATE transaction is what makes two
        watchers agree on which copy of a notice is the original.
        """
        with self._write() as db:
            mine = db.execute("SELECT json_path, pdf_path, content_hash FROM notices WHERE token=?", (token,)).fetchone()
            if mine and mine["json_path"] and mine["content_hash"] == content_hash:
                return Reservation(None, mine["json_path"], mine["pdf_path"])   # resumed after a crash
            # An original is a notice that reserved outputs (json_path) and has not failed.
            other = db.execute("SELECT token FROM notices WHERE content_hash=? AND token<>? AND json_path IS NOT NULL"
                               " AND state IN ('processing','done') ORDER BY id LIMIT 1",
                               (content_hash, token)).fetchone()
            if other:
                db.execute("UPDATE notices SET content_hash=?, region=?, year=?, doc_number=?, updated_at=? WHERE token=?",
                           (content_hash, region, year, doc_number, time.time(), token))
                return Reservation(other["token"])
            for json_path, pdf_path in out_paths:
                taken = db.execute("SELECT 1 FROM notices WHERE (json_path=? OR pdf_path=?) AND token<>?",
                                   (json_path, pdf_path, token)).fetchone()
                if not taken:
                    db.execute("UPDATE notices SET content_hash=?, region=?, year=?, doc_number=?, parsed_json=?, "
                               "json_path=?, pdf_path=?, updated_at=? WHERE token=?",
                               (content_hash, region, year, doc_number, parsed_json, json_path, pdf_path,
                                time.time(), token))
                    return Reservation(None, json_path, pdf_path)
        raise RuntimeError("no free output path")  # out_paths is meant to be unbounded

    def reserve_final_path(self, token: str, candidates: Iterable[Path]) -> Path:
        """Pick where the original will end: the first candidate neither on disk nor promised to another notice."""
        with self._write() as db:
            row = db.execute("SELECT final_path FROM notices WHERE token=?", (token,)).fetchone()
            if row and row["final_path"]:
                return Path(row["final_path"])
            for cand in candidates:
                if os.path.lexists(cand):
                    continue
                if db.execute("SELECT 1 FROM notices WHERE final_path=?", (str(cand),)).fetchone():
                    continue
                db.execute("UPDATE notices SET final_path=?, updated_at=? WHERE token=?", (str(cand), time.time(), token))
                return cand
        raise RuntimeError("no free final path")

    def finish(self, token: str, state: str, *, error: str | None = None, duplicate_of: str | None = None) -> None:
        """Record the terminal state. Called before the original is moved, so a crash in between is resumable."""
        if state not in TERMINAL_STATES:
            raise ValueError(state)
        with self._write() as db:
            db.execute("UPDATE notices SET state=?, error=?, duplicate_of=?, updated_at=? WHERE token=?",
                       (state, error, duplicate_of, time.time(), token))

    def notices(self, state: str | None = None) -> list[dict]:
        sql = "SELECT * FROM notices" + (" WHERE state=?" if state else "") + " ORDER BY id"
        return [dict(r) for r in self.db.execute(sql, (state,) if state else ())]

    def counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.execute("SELECT state, COUNT(*) FROM notices GROUP BY state")}

    # -- progress history (bulletin work) ----------------------------------------------------------
    def record_progress(self, plan_key: str, as_of: str, item_id: str, payload: Any) -> None:
        """Append one progress record (payload: JSON text or any JSON-serialisable value)."""
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, sort_keys=True)
        json.loads(text)  # refuse non-JSON text early: history readers rely on it
        with self._write() as db:
            db.execute("INSERT INTO progress(plan_key, as_of, item_id, payload_json, recorded_at) VALUES (?,?,?,?,?)",
                       (plan_key, as_of, item_id, text, time.time()))

    def progress_history(self, plan_key: str, item_id: str | None = None) -> list[dict]:
        """All records of a plan (optionally one item), oldest as-of first, then in recording order."""
        sql = "SELECT plan_key, as_of, item_id, payload_json, recorded_at FROM progress WHERE plan_key=?"
        args: list[Any] = [plan_key]
        if item_id is not None:
            sql += " AND item_id=?"
            args.append(item_id)
        sql += " ORDER BY as_of, id"
        out = []
        for r in self.db.execute(sql, args):
            d = dict(r)
            d["payload"] = json.loads(d.pop("payload_json"))
            out.append(d)
        return out

    # -- plans and their versions (drop folder, issue 12) -----------------------------------------
    def reserve_plan_version(self, token: str, *, plan_id: str, content_hash: str, region: str | None,
                             year: int | None, doc_number: str | None, plan_key: str | None, parsed_json: str,
                             paths_for_version) -> tuple[Reservation, int | None]:
        """Decide in one transaction whether this notice repeats an archived one (any version of any
        plan: a true duplicate), and otherwise which version of its plan it is: 1 + the highest version
        reserved by a notice that has not failed. `paths_for_version(n)` gives the (json, pdf) paths
        where version n is kept once superseded; they are unique, so they are what is reserved."""
        with self._write() as db:
            mine = db.execute("SELECT json_path, pdf_path, content_hash, version FROM notices WHERE token=?",
                              (token,)).fetchone()
            if mine and mine["json_path"] and mine["content_hash"] == content_hash and mine["version"]:
                return Reservation(None, mine["json_path"], mine["pdf_path"]), mine["version"]
            other = db.execute("SELECT token FROM notices WHERE content_hash=? AND token<>? AND json_path IS NOT NULL"
                               " AND state IN ('processing','done') ORDER BY id LIMIT 1",
                               (content_hash, token)).fetchone()
            now = time.time()
            if other:
                db.execute("UPDATE notices SET content_hash=?, region=?, year=?, doc_number=?, plan_id=?, "
                           "plan_key=?, updated_at=? WHERE token=?",
                           (content_hash, region, year, doc_number, plan_id, plan_key, now, token))
                return Reservation(other["token"]), None
            top = db.execute("SELECT MAX(version) FROM notices WHERE plan_id=? AND token<>? AND json_path IS NOT NULL"
                             " AND state IN ('processing','done')", (plan_id, token)).fetchone()[0] or 0
            version = top + 1
            json_path, pdf_path = (str(p) for p in paths_for_version(version))
            # a failed notice does not count as a version, so its number (and paths) are given again: the
            # failed row lets go of them, or the corrected notice could never be archived (UNIQUE paths)
            db.execute("UPDATE notices SET json_path=NULL, pdf_path=NULL WHERE state='failed' AND token<>?"
                       " AND (json_path IN (?, ?) OR pdf_path IN (?, ?))", (token, json_path, pdf_path, json_path, pdf_path))
            db.execute("UPDATE notices SET content_hash=?, region=?, year=?, doc_number=?, parsed_json=?, json_path=?,"
                       " pdf_path=?, plan_id=?, plan_key=?, version=?, kind='plan', updated_at=? WHERE token=?",
                       (content_hash, region, year, doc_number, parsed_json, json_path, pdf_path, plan_id, plan_key,
                        version, now, token))
            return Reservation(None, json_path, pdf_path), version

    def plan(self, plan_id: str) -> dict | None:
        row = self.db.execute("SELECT * FROM plans WHERE plan_id=?", (plan_id,)).fetchone()
        if not row:
            return None
        d = dict(row)
        d["files"] = json.loads(d.pop("files_json"))
        return d

    def plans(self) -> list[dict]:
        ids = [r[0] for r in self.db.execute("SELECT plan_id FROM plans ORDER BY region, year, plan_id")]
        return [self.plan(i) for i in ids]

    def find_plan(self, *, plan_key: str | None = None, region: str | None = None,
                  year: int | None = None) -> dict | None:
        """The plan a workbook or a comparison refers to: by the tracker's plan key (any version's),
        or by region and year."""
        if plan_key:
            row = self.db.execute("SELECT plan_id FROM plans WHERE plan_key=? UNION ALL SELECT plan_id FROM notices"
                                  " WHERE plan_key=? AND kind='plan' AND state='done' AND plan_id IN"
                                  " (SELECT plan_id FROM plans) LIMIT 1", (plan_key, plan_key)).fetchone()
        else:
            row = self.db.execute("SELECT plan_id FROM plans WHERE region=? AND year=? ORDER BY updated_at DESC"
                                  " LIMIT 1", (region, year)).fetchone()
        return self.plan(row[0]) if row else None

    def promote(self, *, plan_id: str, token: str, version: int, region: str | None, year: int | None,
                folder: str, base: str, plan_key: str | None, files: list[str], json_path: str, pdf_path: str,
                previous_paths: tuple[str, str] | None) -> None:
        """Make `token` the current version of its plan: its row now owns the plan folder's paths and
        the previous current row points at where its outputs were moved (历次版本/第N版/)."""
        now = time.time()
        with self._write() as db:
            cur = db.execute("SELECT token FROM plans WHERE plan_id=?", (plan_id,)).fetchone()
            if cur and cur["token"] != token and previous_paths:
                db.execute("UPDATE notices SET json_path=?, pdf_path=?, updated_at=? WHERE token=?",
                           (*previous_paths, now, cur["token"]))
            db.execute("UPDATE notices SET json_path=?, pdf_path=?, updated_at=? WHERE token=?",
                       (json_path, pdf_path, now, token))
            db.execute("INSERT INTO plans(plan_id, region, year, folder, base, plan_key, token, version, files_json,"
                       " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(plan_id) DO UPDATE SET region=excluded.region,"
                       " year=excluded.year, folder=excluded.folder, base=excluded.base, plan_key=excluded.plan_key,"
                       " token=excluded.token, version=excluded.version, files_json=excluded.files_json,"
                       " updated_at=excluded.updated_at",
                       (plan_id, region, year, folder, base, plan_key, token, version,
                        json.dumps(files, ensure_ascii=False), now))

    def add_plan_files(self, plan_id: str, names: list[str]) -> None:
        """Record more current outputs of a plan (a comparison made when last year's plan arrived)."""
        with self._write() as db:
            row = db.execute("SELECT files_json FROM plans WHERE plan_id=?", (plan_id,)).fetchone()
            if row:
                files = list(dict.fromkeys(json.loads(row["files_json"]) + names))
                db.execute("UPDATE plans SET files_json=?, updated_at=? WHERE plan_id=?",
                           (json.dumps(files, ensure_ascii=False), time.time(), plan_id))

    def plan_versions(self, plan_id: str) -> list[dict]:
        return [dict(r) for r in self.db.execute(
            "SELECT token, name, version, doc_number, json_path, pdf_path, updated_at FROM notices WHERE plan_id=? AND"
            " kind='plan' AND state='done' AND version IS NOT NULL ORDER BY version", (plan_id,))]

    # -- returned 台账 workbooks ------------------------------------------------------------------
    def set_kind(self, token: str, kind: str, plan_id: str | None = None) -> None:
        with self._write() as db:
            db.execute("UPDATE notices SET kind=?, plan_id=COALESCE(?, plan_id), updated_at=? WHERE token=?",
                       (kind, plan_id, time.time(), token))

    def report(self, token: str) -> dict | None:
        row = self.db.execute("SELECT * FROM reports WHERE token=?", (token,)).fetchone()
        return dict(row) if row else None

    def accepted_report_with_bytes(self, plan_id: str, byte_sha256: str, token: str) -> str | None:
        row = self.db.execute("SELECT token FROM reports WHERE plan_id=? AND byte_sha256=? AND token<>? AND state IN"
                              " ('accepted','superseded') ORDER BY id LIMIT 1", (plan_id, byte_sha256, token)).fetchone()
        return row["token"] if row else None

    def record_report(self, *, token: str, name: str, plan_id: str | None, as_of: str | None, unit: str | None,
                      state: str, reason: str | None = None, byte_sha256: str | None = None,
                      copy_path: str | None = None) -> None:
        """Record a workbook's fate. Accepting one supersedes the same unit's earlier report of that
        period in the same transaction, so a round is never seen with both or neither."""
        now = time.time()
        with self._write() as db:
            if db.execute("SELECT 1 FROM reports WHERE token=?", (token,)).fetchone():
                return                                   # resumed after a crash: already recorded
            if state == "accepted":
                db.execute("UPDATE reports SET state='superseded' WHERE plan_id=? AND as_of=? AND unit=? AND"
                           " state='accepted'", (plan_id, as_of, unit))
            db.execute("INSERT INTO reports(token, name, plan_id, as_of, unit, state, reason, byte_sha256, copy_path,"
                       " recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (token, name, plan_id, as_of, unit, state, reason, byte_sha256, copy_path, now))

    def reports(self, plan_id: str | None = None, as_of: str | None = None, state: str | None = None) -> list[dict]:
        sql, args = "SELECT * FROM reports WHERE 1=1", []
        for col, val in (("plan_id", plan_id), ("as_of", as_of), ("state", state)):
            if val is not None:
                sql += f" AND {col}=?"
                args.append(val)
        return [dict(r) for r in self.db.execute(sql + " ORDER BY id", args)]


    # -- workbooks waiting for their plan (issue 12) ------------------------------------------------
    def reserve_wait(self, token: str, *, name: str, plan_key: str, title: str | None, candidates) -> Path:
        """Record that a workbook waits for the plan `plan_key`, at the first free path of `candidates`
        (a resumed token keeps the path it reserved). The row's notice goes back to `received`: it is
        neither finished nor being worked on while it waits."""
        with self._write() as db:
            row = db.execute("SELECT path FROM waiting WHERE token=?", (token,)).fetchone()
            if row:
                return Path(row["path"])
            for cand in candidates:
                if os.path.lexists(cand) or db.execute("SELECT 1 FROM waiting WHERE path=?", (str(cand),)).fetchone():
                    continue
                now = time.time()
                db.execute("INSERT INTO waiting(token, name, plan_key, title, path, since) VALUES (?,?,?,?,?,?)",
                           (token, name, plan_key, title, str(cand), now))
                db.execute("UPDATE notices SET state='received', kind='workbook', plan_key=?, updated_at=? WHERE token=?",
                           (plan_key, now, token))
                return cand
        raise RuntimeError("no free waiting path")

    def end_wait(self, token: str) -> None:
        """The workbook is being processed for its plan (or given up): it no longer waits."""
        with self._write() as db:
            db.execute("DELETE FROM waiting WHERE token=?", (token,))

    def waiting(self, plan_key: str | None = None) -> list[dict]:
        sql = "SELECT * FROM waiting" + (" WHERE plan_key=?" if plan_key else "") + " ORDER BY since, token"
        return [dict(r) for r in self.db.execute(sql, (plan_key,) if plan_key else ())]

    def give_up_wait(self, token: str, error: str) -> bool:
        """A waiting workbook vanished from 等待计划/ (the clerk took it away): fail its row. True if
        this call did it (another watcher may have released it meanwhile)."""
        with self._write() as db:
            gone = db.execute("DELETE FROM waiting WHERE token=?", (token,)).rowcount
            if gone:
                db.execute("UPDATE notices SET state='failed', error=?, updated_at=? WHERE token=? AND state='received'",
                           (error, time.time(), token))
        return bool(gone)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _retry_while_busy(step, timeout_ms: int = BUSY_TIMEOUT_MS):
    """Run `step` until it is not refused for a lock, within the busy timeout (jittered back-off,
    so two openers that collided do not collide again in lockstep)."""
    deadline = time.monotonic() + timeout_ms / 1000
    delay = 0.002
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.2)


def _unescape_mount(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as octal (\\040 …)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def network_fs_type(path: str | Path, mountinfo: str | None = None) -> str | None:
    """The network file-system type holding `path` ("nfs4", "fuse.sshfs", …), or None when local.

    Reads /proc/self/mountinfo (the longest mount point containing the path wins); where that is not
    available (not Linux) the location counts as local. `PLANDOC_ARCHIVE_NETWORK=1` declares it shared.
    """
    if os.environ.get(ENV_NETWORK, "").strip() in ("1", "true", "yes"):
        return "configured"
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = os.path.realpath(path)
    best, best_type = "", None
    for line in mountinfo.splitlines():
        head, sep, tail = line.partition(" - ")
        fields = head.split()
        if not sep or len(fields) < 5 or not tail.split():
            continue
        mount_point = _unescape_mount(fields[4])
        fs_type = tail.split()[0]
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, fs_type
    if best_type is None:
        return None
    base, _, sub = best_type.partition(".")
    if base in NETWORK_FS_TYPES or (base in ("fuse", "fuseblk") and sub in NETWORK_FUSE_SUBTYPES):
        return best_type
    return None


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (ours contain no ';' inside literals)."""
    stmts = []
    for part in script.split(";"):
        lines = [l.split("--", 1)[0] for l in part.splitlines()]
        stmt = "\n".join(lines).strip()
        if stmt:
            stmts.append(stmt)
    return stmts
