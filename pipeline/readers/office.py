"""Legacy Office and WPS files (.doc .wps .rtf → .docx; .xls .et → .xlsx) through LibreOffice headless.

Why LibreOffice: the binary Word/Excel formats (and Kingsoft's .wps/.et, which are the same OLE
compound files) have no maintained pure-Python reader that keeps auto-numbering and merged cells;
LibreOffice's import filters do, and its .docx/.xlsx export is what our existing readers already read.
So a legacy file is converted into a private temp folder and then read by the .docx reader (or handed to
the 台账 ingest as .xlsx): the parser never learns that the original was a .doc.

How it runs:
- **cold**: one `soffice --headless --convert-to` per file, with a LibreOffice profile private to this
  process (`-env:UserInstallation`, created once per process and reused, so a second conversion skips
  the profile set-up) and a time limit (`CONVERT_TIMEOUT_S`); the process group is killed on timeout.
- **warm** (the watcher): `WarmConverter` keeps one soffice listening on a private pipe and a small UNO
  bridge (`office_bridge.py`, run by the system Python that has Debian's `python3-uno`) that converts
  on request: no start-up per file. If the bridge is unavailable or dies, conversion falls back to cold.
The input is copied into the temp folder under a name whose extension matches its content (a Kingsoft
.wps is a Word 97 file, an .et an Excel 97 one), so LibreOffice picks the right import filter; the
original is never opened for writing.

`legacy_workbook_to_xlsx(path, out_dir)` is the entry point for the 台账 ingest / watcher.
"""
from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import InputError

# A notice converts in ~1.5 s cold; a minute means LibreOffice is stuck (a password prompt, a loop).
CONVERT_TIMEOUT_S = 60.0
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RTF_MAGIC = b"{\\rtf"

TEXT_EXTS = (".doc", ".wps", ".rtf", ".dot", ".wpt")
SHEET_EXTS = (".xls", ".et", ".ett", ".xlt")

# target → (LibreOffice export filter, extension)
_FILTERS = {"docx": ("MS Word 2007 XML", ".docx"), "xlsx": ("Calc MS Excel 2007 XML", ".xlsx")}
# content suffix → LibreOffice import filter. Named explicitly: left to detection, LibreOffice imports a
# damaged binary as plain text and "succeeds" with garbage.
_IMPORT_FILTERS = {".doc": "MS Word 97", ".rtf": "Rich Text Format", ".xls": "MS Excel 97"}
_INSTALL_HINT = "服务器需安装 LibreOffice（Debian 软件包 libreoffice-writer-nogui、libreoffice-calc-nogui）"


def soffice_binary() -> str | None:
    """The LibreOffice executable, or None when LibreOffice is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def ole_kind(data: bytes) -> str | None:
    """'text' for a Word/WPS compound file, 'sheet' for Excel/ET, None if unknown (by stream names).

    The directory entries of an OLE file are UTF-16LE names; Word keeps its text in `WordDocument`,
    Excel (and Kingsoft ET) in `Workbook` (or `Book` for Excel 5). The directory may sit anywhere in
    the file, so the whole file is scanned (a notice is a few MB at most: milliseconds).
    """
    if not data.startswith(OLE_MAGIC):
        return None
    head = data
    if "WordDocument".encode("utf-16-le") in head:
        return "text"
    if "Workbook".encode("utf-16-le") in head or "Book\x00".encode("utf-16-le") in head:
        return "sheet"
    return None


def _content_suffix(path: Path, data: bytes) -> str:
    """The extension LibreOffice should see for these bytes."""
    if data.startswith(RTF_MAGIC):
        return ".rtf"
    kind = ole_kind(data)
    if kind == "text":
        return ".doc"
    if kind == "sheet":
        return ".xls"
    return path.suffix.lower() or ".bin"


# ---------------------------------------------------------------- cold conversion (one soffice per file)

_profile_lock = threading.Lock()     # one soffice per profile at a time
_profile_dir: Path | None = None


def _profile() -> Path:
    """This process's LibreOffice profile folder (created on first use, removed at exit)."""
    global _profile_dir
    if _profile_dir is None or not _profile_dir.exists():
        _profile_dir = Path(tempfile.mkdtemp(prefix=f"plandoc-lo-profile-{os.getpid()}-"))
        atexit.register(shutil.rmtree, _profile_dir, True)
    return _profile_dir


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _convert_cold(src: Path, out_dir: Path, target: str, timeout: float) -> None:
    soffice = soffice_binary()
    if soffice is None:
        raise InputError(src, "无法转换旧版 Office/WPS 文件：未安装 LibreOffice", hint=_INSTALL_HINT)
    filt, _ = _FILTERS[target]
    infilter = _IMPORT_FILTERS.get(src.suffix)
    with _profile_lock:
        cmd = [soffice, f"-env:UserInstallation={_profile().as_uri()}", "--headless", "--invisible",
               "--nologo", "--norestore", "--nodefault", "--nolockcheck",
               *([f"--infilter={infilter}"] if infilter else []),
               "--convert-to", f"{target}:{filt}", "--outdir", str(out_dir), str(src)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise InputError(src, f"LibreOffice 转换超时（超过 {timeout:.0f} 秒未完成，文件可能损坏、加密或过于复杂）",
                             hint="请用 Word 或 WPS 打开后另存为 .docx/.xlsx 再放入") from None


# ---------------------------------------------------------------- warm conversion (a long-lived bridge)

def uno_python() -> str | None:
    """A Python interpreter that can `import uno` (Debian's python3-uno), or None."""
    candidates = [os.environ.get("PLANDOC_UNO_PYTHON"), "/usr/lib/libreoffice/program/python",
                  shutil.which("python3"), "/usr/bin/python3"]
    for exe in dict.fromkeys(c for c in candidates if c):
        if not os.path.exists(exe):
            continue
        try:
            ok = subprocess.run([exe, "-c", "import uno"], capture_output=True, timeout=20).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if ok:
            return exe
    return None


class WarmConverter:
    """One soffice kept running behind a UNO bridge; `convert()` is then ~10× faster than cold.

    Thread-safe (one request at a time). On any bridge failure the process is torn down and the
    caller falls back to a cold conversion; the next `convert()` starts a fresh bridge.
    """

    def __init__(self, timeout: float = CONVERT_TIMEOUT_S):
        self.timeout = timeout
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._profile: Path | None = None

    def start(self) -> bool:
        """Start soffice + bridge (blocking until it answers). False when UNO is not available."""
        with self._lock:
            return self._start()

    def _start(self) -> bool:
        if self._proc is not None and self._proc.poll() is None:
            return True
        soffice, py = soffice_binary(), uno_python()
        if soffice is None or py is None:
            return False
        self._profile = Path(tempfile.mkdtemp(prefix=f"plandoc-lo-warm-{os.getpid()}-"))
        bridge = Path(__file__).with_name("office_bridge.py")
        self._proc = subprocess.Popen([py, str(bridge), soffice, self._profile.as_uri()],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      start_new_session=True, text=True, bufsize=1)
        atexit.register(self.close)
        try:
            reply = self._reply(self.timeout)
        except (TimeoutError, OSError, ValueError):
            reply = None
        if not reply or not reply.get("ready"):
            self._teardown()
            return False
        return True

    def _reply(self, timeout: float) -> dict:
        assert self._proc is not None and self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError
        line = self._proc.stdout.readline()
        if not line:
            raise OSError("bridge closed")
        return json.loads(line)

    def convert(self, src: Path, out: Path, target: str) -> bool | None:
        """Convert `src` to `out`: True done, False LibreOffice refused the file, None the bridge is
        unavailable or failed (the caller falls back to a cold conversion)."""
        with self._lock:
            if not self._start():
                return None
            filt, _ = _FILTERS[target]
            try:
                self._proc.stdin.write(json.dumps({"src": src.as_uri(), "dst": out.as_uri(), "filter": filt,
                                                  "import_filter": _IMPORT_FILTERS.get(src.suffix, "")}) + "\n")
                self._proc.stdin.flush()
                reply = self._reply(self.timeout)
            except (TimeoutError, OSError, ValueError):
                self._teardown()
                return None
            return bool(reply.get("ok")) and out.exists() and out.stat().st_size > 0

    def _teardown(self) -> None:
        if self._proc is not None:
            _kill_group(self._proc)
            self._proc = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def close(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                try:
                    self._proc.stdin.close()      # the bridge terminates soffice and exits
                    self._proc.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            self._teardown()


_warm: WarmConverter | None = None
_keep_warm = False


def keep_warm() -> None:
    """Ask for a warm converter in this process, started on the first legacy file (not before: a
    watcher that never sees a .doc should not pay for a resident LibreOffice)."""
    global _keep_warm
    _keep_warm = True


def start_warm_converter() -> WarmConverter | None:
    """Keep a converter warm for this process (the watcher calls this once). None if UNO is missing."""
    global _warm
    if _warm is None:
        _warm = WarmConverter()
    return _warm if _warm.start() else None


def stop_warm_converter() -> None:
    global _warm
    if _warm is not None:
        _warm.close()
        _warm = None


# ---------------------------------------------------------------- the entry points

@contextmanager
def converted(path: Path, data: bytes, target: str, timeout: float = CONVERT_TIMEOUT_S):
    """Yield the path of `path` converted to `target` ("docx" | "xlsx") inside a private temp folder.

    The folder is removed afterwards. Raises `InputError` (Chinese reason) when LibreOffice is missing,
    times out, or produces nothing.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="plandoc-convert-") as tmp:
        tmp_dir = Path(tmp)
        src = tmp_dir / ("input" + _content_suffix(path, data))
        src.write_bytes(data)
        out_dir = tmp_dir / "out"
        out_dir.mkdir()
        out = out_dir / ("input" + _FILTERS[target][1])
        if _keep_warm and _warm is None:
            start_warm_converter()
        if _warm is None or _warm.convert(src, out, target) is None:
            _convert_cold(src, out_dir, target, timeout)
        if not out.exists() or out.stat().st_size == 0:
            kind = "Word/WPS 文档" if target == "docx" else "Excel/WPS 表格"
            raise InputError(path, f"LibreOffice 无法把该文件转换为 {target}（不是可识别的{kind}，可能已损坏或加密）",
                             hint="请用 Word 或 WPS 打开后另存为 ." + target + " 再放入")
        yield out


def legacy_workbook_to_xlsx(path: str | Path, out_dir: str | Path, timeout: float = CONVERT_TIMEOUT_S) -> Path:
    """Convert a returned 台账 in .xls/.et to `out_dir/<stem>.xlsx` and return that path.

    For the tracker ingest and the watcher: the original is only read. Raises `InputError` in Chinese.
    """
    path, out_dir = Path(path), Path(out_dir)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(path, f"无法读取文件（{e.strerror}）") from None
    if not data:
        raise InputError(path, "文件为空（0 字节）")
    if data.startswith(OLE_MAGIC) and ole_kind(data) == "text":
        raise InputError(path, "这是 Word/WPS 文字文档，不是 Excel 表格", hint="台账请报送 .xlsx/.xls/.et 工作簿")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (path.stem + ".xlsx")
    with converted(path, data, "xlsx", timeout) as out:
        shutil.copyfile(out, target)
    return target


def is_legacy_workbook(path: str | Path) -> bool:
    """True for an .xls/.et (or any OLE spreadsheet) — what `legacy_workbook_to_xlsx` accepts."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read()
    except OSError:
        return False
    return ole_kind(head) == "sheet" or (head.startswith(OLE_MAGIC) and path.suffix.lower() in SHEET_EXTS)


def read_legacy_text(path: Path, data: bytes, sha256: str, fmt: str):
    """A .doc/.wps/.rtf → blocks, via a .docx made by LibreOffice and the .docx reader."""
    from pipeline.readers.docx import read_docx
    with converted(path, data, "docx") as out:
        doc = read_docx(path, out.read_bytes(), sha256)
    doc.format = fmt
    return doc


if __name__ == "__main__":     # manual check: python -m pipeline.readers.office FILE.xls OUTDIR
    print(legacy_workbook_to_xlsx(sys.argv[1], sys.argv[2]))
