"""`make run`: every notice in a folder → `<stem>.json` (parse) and `<stem>.pdf` (GB/T 9704 render).

Usage: python -m pipeline.samples_run SAMPLES_DIR OUTPUT_DIR

Only supported inputs (.txt .docx .pdf) are processed; README files and anything else are skipped.
A file that fails does not stop the others: its Chinese reason is printed, and the exit code is 1
if any failed. Originals are only read.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from pipeline.errors import InputError
from pipeline.readers import SUPPORTED


def inputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in SUPPORTED and not p.name.lower().startswith("readme"))


def process(src: Path, out_dir: Path, parsed: dict | None = None) -> str:
    """Parse and render one file; returns a short note (pages, seconds). `parsed` collects results."""
    from pipeline.fsutil import atomic_write_text
    from pipeline.parse import parse_file
    from pipeline.render.plan_pdf import render_plan_pdf
    result = parse_file(src)
    if parsed is not None:
        parsed[src] = result
    atomic_write_text(out_dir / f"{src.stem}.{src.suffix.lstrip('.').lower()}.json"
                      if _stem_clash(src) else out_dir / f"{src.stem}.json",
                      result.model_dump_json(indent=2) + "\n")
    pdf = out_dir / (f"{src.stem}.{src.suffix.lstrip('.').lower()}.pdf" if _stem_clash(src) else f"{src.stem}.pdf")
    report = render_plan_pdf(result, pdf, style="plain")
    return f"{report.pages} 页，{report.seconds:.2f} 秒"


_STEMS: dict[str, int] = {}


def _stem_clash(src: Path) -> bool:
    """Several formats of one notice (plan.txt, plan.docx, plan.pdf) must not overwrite each other."""
    return _STEMS.get(src.stem, 0) > 1


def derived_outputs(parsed: dict, out_dir: Path) -> list[str]:
    """What a clerk does next with the plans: a 台账 per plan, and a year-over-year comparison for
    each region with consecutive years. One source per (region, year): .txt, else .docx, else .pdf."""
    from pipeline.diff.report import write_diff
    from pipeline.track.workbook import write_tracker
    order = {".txt": 0, ".docx": 1, ".pdf": 2}
    plans: dict[tuple[str, int], object] = {}
    for src in sorted(parsed, key=lambda p: order.get(p.suffix.lower(), 9)):
        r = parsed[src]
        if r.plan.region and r.plan.year and r.plan.sections:
            plans.setdefault((r.plan.region, r.plan.year), r)
    notes = []
    for (region, year), r in sorted(plans.items()):
        out = out_dir / f"{region}{year}年-台账.xlsx"
        write_tracker(r, out)
        notes.append(out.name)
        prev = plans.get((region, year - 1))
        if prev is not None:
            outs = [out_dir / f"{region}{year - 1}-{year}年计划比对.{ext}" for ext in ("json", "html", "pdf")]
            write_diff(prev, r, *outs)
            notes.extend(o.name for o in outs)
    return notes


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("用法：python -m pipeline.samples_run 样例目录 输出目录", file=sys.stderr)
        return 2
    src_dir, out_dir = Path(argv[0]), Path(argv[1])
    console = Console(stderr=True, soft_wrap=True)   # never hard-wrap a file path or a reason
    if not src_dir.is_dir():
        console.print(f"错误：样例目录“{src_dir}”不存在")
        return 1
    out_dir.mkdir(parents=True, exist_ok=True)
    files = inputs(src_dir)
    _STEMS.clear()
    for f in files:
        _STEMS[f.stem] = _STEMS.get(f.stem, 0) + 1
    failed: list[tuple[Path, str]] = []
    parsed: dict = {}
    t0 = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("处理样例", total=len(files))
        for f in files:
            progress.update(task, description=f"处理 {f.name}")
            try:
                note = process(f, out_dir, parsed)
                progress.console.print(f"  ✓ {f.name}：{note}")
            except InputError as e:
                failed.append((f, e.message))
                progress.console.print(f"  ✗ {e.message}")
            except Exception as e:  # noqa: BLE001 - one bad file must not hide the others
                msg = f"文件“{f}”：处理时出现内部错误（{type(e).__name__}: {e}）"
                failed.append((f, msg))
                progress.console.print(f"  ✗ {msg}")
            progress.advance(task)
    try:
        for name in derived_outputs(parsed, out_dir):
            console.print(f"  ✓ {name}")
    except InputError as e:
        failed.append((out_dir, e.message))
        console.print(f"  ✗ {e.message}")
    ok = len(files) - len([f for f, _ in failed if f != out_dir])
    console.print(f"共 {len(files)} 个文件：成功 {ok} 个，失败 {len(failed)} 个，"
                  f"用时 {time.perf_counter() - t0:.1f} 秒，输出在 {out_dir}/")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
