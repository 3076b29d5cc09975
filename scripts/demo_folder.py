"""`make run`, second half: the drop folder over the samples, as a clerk would use it.

    python scripts/demo_folder.py SAMPLES_DIR OUTPUT_DIR

The inbox is OUTPUT_DIR/收文目录/. Into it go, one batch after another (each processed by the real
`plandoc watch INBOX --out OUTPUT_DIR --once`): the sample notices (every format: the repeats are
recognised as duplicates), then the returned 台账 of round 1 (1—3月), then of round 2 (1—6月) —
CONSTRUCTED by scripts/make_progress_workbooks.py from the 2023 plan. OUTPUT_DIR then holds, under
<地区>/<年度>/, the plans (JSON, plain and formal PDF), the 台账, the comparison, the two bulletins,
and OUTPUT_DIR/index.html. Idempotent: a file whose bytes the folder's archive already holds is not
dropped again, so a second run only checks.
"""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTICE_SUFFIXES = (".txt", ".docx", ".pdf")
PROGRESS_PLAN = "zhoucun-2023-plan.txt"


def archived_hashes(inbox: Path) -> set[str]:
    db = inbox / ".plandoc" / "archive.sqlite3"
    if not db.exists():
        return set()
    con = sqlite3.connect(str(db))
    try:
        return {r[0] for r in con.execute("SELECT byte_sha256 FROM notices WHERE byte_sha256 IS NOT NULL")}
    finally:
        con.close()


def drop_and_process(files: list[tuple[str, Path]], inbox: Path, out: Path, label: str) -> None:
    known = archived_hashes(inbox)
    new = [(name, src) for name, src in files if hashlib.sha256(src.read_bytes()).hexdigest() not in known]
    print(f"{label}：{len(new)} 个新文件" + ("" if new else "（均已处理过）"), flush=True)
    if not new:
        return
    for name, src in new:
        tmp = inbox / f".{name}.tmp"
        shutil.copyfile(src, tmp)
        tmp.rename(inbox / name)
    subprocess.run([sys.executable, "-m", "pipeline", "watch", str(inbox), "--out", str(out), "--once"],
                   cwd=REPO, check=False)


SPOILED_UNIT = "区农业农村局"


def spoil(book: Path) -> Path:
    """A copy of `book` with one status cell filled the way clerks sometimes do (差不多)."""
    from openpyxl import load_workbook
    wb = load_workbook(book)
    ws = wb["重点任务"]
    header = next(r for r in range(1, 12) if "完成状态" in [c.value for c in ws[r]])
    col = [c.value for c in ws[header]].index("完成状态") + 1
    row = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, col).value)
    ws.cell(row, col).value = "差不多"
    out = book.with_name(f"{book.stem}（填错）.xlsx")
    wb.save(out)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("用法：python scripts/demo_folder.py 样例目录 输出目录", file=sys.stderr)
        return 2
    samples, out = Path(argv[0]).resolve(), Path(argv[1]).resolve()
    inbox = out / "收文目录"
    inbox.mkdir(parents=True, exist_ok=True)
    notices = sorted(p for p in samples.iterdir() if p.suffix.lower() in NOTICE_SUFFIXES)
    drop_and_process([(p.name, p) for p in notices], inbox, out, "计划通知")
    with tempfile.TemporaryDirectory(prefix="plandoc-demo-") as tmp:
        subprocess.run([sys.executable, str(REPO / "scripts" / "make_progress_workbooks.py"),
                        str(samples / PROGRESS_PLAN), tmp], cwd=REPO, check=True, capture_output=True)
        for n, (round_dir, label) in enumerate((("round1", "一季度"), ("round2", "上半年")), start=1):
            books = sorted((Path(tmp) / round_dir).glob("*.xlsx"))
            if round_dir == "round2":       # one unit types a word the 台账 does not know: returned
                books = [spoil(b) if b.stem == SPOILED_UNIT else b for b in books]
            drop_and_process([(f"{b.stem}-{label}台账.xlsx", b) for b in books], inbox, out,
                             f"第{n}期（{label}）报送的台账（构造数据）")
    print(f"总览：{out / 'index.html'}（双击打开）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
