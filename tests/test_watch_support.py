"""Shared helpers of the watch test files (no tests here): the corpus sample, generated inputs,
running the watcher as a real subprocess, and reading the archive."""
from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "zhoucun-2023-plan.txt"        # the project's own copy, in every clone

RENDER_AVAILABLE = importlib.util.find_spec("pipeline.render.plan_pdf") is not None
needs_render = pytest.mark.skipif(not RENDER_AVAILABLE, reason="pipeline.render.plan_pdf not present yet")


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


# Other districts of the same city: the sample re-issued under their names gives distinct, realistic
# notices (different region → different canonical content and output folder).
DISTRICTS = ["张店区", "淄川区", "博山区", "临淄区", "周村区", "桓台县", "高青县", "沂源县"]


def district_variant(text: str, district: str, year: int = 2023) -> str:
    out = text.replace("周村区", district)
    if year != 2023:
        out = out.replace("2023", str(year)).replace("2022", str(year - 1))
    return out


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_hashes(folder: Path) -> dict[str, str]:
    """name → sha256 (or 'link:<target>') of every entry directly in `folder`."""
    out = {}
    if not folder.is_dir():
        return out
    for p in folder.iterdir():
        if p.is_symlink():
            out[p.name] = "link:" + os.readlink(p)
        elif p.is_file():
            out[p.name] = sha(p.read_bytes())
    return out


# -- generated files ------------------------------------------------------------------------------
def build_pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A structurally valid PDF with a correct xref table from the given object bodies."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_pdf(text: bytes = b"Hello plan") -> bytes:
    content = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def encrypted_pdf() -> bytes:
    content = b"BT /F1 12 Tf 72 720 Td (secret) Tj ET"
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>",
    ], trailer_extra=b"/Encrypt 6 0 R /ID [<" + b"01" * 16 + b"> <" + b"01" * 16 + b">] ")


def image_only_pdf() -> bytes:
    pixels = bytes([0, 255, 255, 0] * 16)
    return build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
        _stream(b"q 400 0 0 400 72 300 cm /Im1 Do Q"),
        _stream(pixels, b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 "),
    ])


CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 b'<Default Extension="xml" ContentType="application/xml"/>'
                 b'<Override PartName="/word/document.xml" ContentType="%s"/></Types>')
RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        b'</Relationships>')
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = b"application/vnd.ms-word.document.macroEnabled.main+xml"


def document_xml(paragraphs: list[str]) -> bytes:
    from xml.sax.saxutils import escape
    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>").encode("utf-8")


def docx_bytes(paragraphs: list[str], macro: bool | str = False) -> bytes:
    """A minimal .docx. `macro`: True for both macro markers, "content_type" for only the
    macroEnabled content type, "vba" for only a word/vbaProject.bin part (one marker per file, so
    each check of the reader is needed on its own)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        docm = macro is True or macro == "content_type"
        z.writestr("[Content_Types].xml", CONTENT_TYPES % (DOCM_MAIN if docm else DOCX_MAIN))
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", document_xml(paragraphs))
        if macro is True or macro == "vba":
            z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2048))
    return buf.getvalue()


def zip_bomb_docx(path: Path, expanded_mb: int = 200) -> None:
    """A .docx whose document.xml inflates to `expanded_mb` MB (about 1000:1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES % DOCX_MAIN)
        z.writestr("_rels/.rels", RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                    b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
            chunk = b"A" * (1 << 20)
            for _ in range(expanded_mb):
                f.write(chunk)
            f.write(b"</w:t></w:r></w:p></w:body></w:document>")


# -- the watcher as a subprocess ------------------------------------------------------------------
def watcher_env(**extra: str) -> dict:
    env = dict(os.environ)
    # no warm-up render: the suite measures correctness, and on 2 shared cores CPU is the budget
    env.update({"PLANDOC_WATCH_SETTLE": "0.5", "PLANDOC_WATCH_RESCAN": "1", "PYTHONUNBUFFERED": "1",
                "PLANDOC_WATCH_WARMUP": "0",
                # folder-reliability tests count one JSON + one PDF per notice; the year's other outputs
                # (formal PDF, 台账, comparisons) are tested in test_watch_year.py
                "PLANDOC_WATCH_OUTPUTS": "json,plain"})
    env.update(extra)
    return env


# Every watcher a test starts; conftest's autouse fixture kills what is still running after each test,
# so a failing assertion (or a timeout) never leaves a watcher polling a deleted folder for hours.
STARTED: list[subprocess.Popen] = []


def start_watcher(inbox: Path, out: Path, *args: str, log: Path | None = None, **env: str) -> subprocess.Popen:
    stderr = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", str(inbox), "--out", str(out), *args],
                            cwd=REPO, env=watcher_env(**env), stdout=subprocess.DEVNULL, stderr=stderr)
    STARTED.append(proc)
    return proc


def reap_started(keep: frozenset[int] = frozenset()) -> list[int]:
    """Kill every started watcher that still runs (SIGKILL: the test is over); their pids. Watchers
    whose pid is in `keep` belong to a wider-scoped fixture (a module's folder) that stops them itself."""
    leaked = []
    for proc in [p for p in STARTED if p.pid not in keep]:
        STARTED.remove(proc)
        if proc.poll() is None:
            leaked.append(proc.pid)
            proc.kill()
            proc.wait()
    return leaked


def run_once(inbox: Path, out: Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "watch", str(inbox), "--out", str(out), "--once"],
                          cwd=REPO, env=watcher_env(**env), capture_output=True, text=True, timeout=timeout)


def stop_watcher(proc: subprocess.Popen, timeout: float = 30) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


def stop_watchers(*procs: subprocess.Popen, timeout: float = 30) -> list[int | str]:
    """Stop every one of `procs` before anything is asserted: exit codes in order ("timeout" for one
    that ignored SIGTERM and was killed). Assert on the list afterwards, never between the stops."""
    codes: list[int | str] = []
    for proc in procs:
        try:
            codes.append(stop_watcher(proc, timeout))
        except subprocess.TimeoutExpired:
            codes.append("timeout")
    return codes


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def archive_rows(inbox: Path) -> list[dict]:
    db = inbox / ".plandoc" / "archive.sqlite3"
    if not db.exists():
        return []
    con = sqlite3.connect(str(db), timeout=30)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM notices ORDER BY id")]
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def terminal_count(inbox: Path) -> int:
    return sum(1 for r in archive_rows(inbox) if r["state"] in ("done", "failed", "duplicate"))


def partial_outputs(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".part") or p.name.startswith(".")] if out.exists() else []
