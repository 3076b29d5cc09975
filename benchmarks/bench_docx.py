"""Editable .docx and CJK typesetting costs (issue 13), as ratios measured in the same run.

- .docx writing (python-docx, `render/docx_writer.py`) of the plan and of the 通报 against the PDF
  render of the same document from the same context (goal ≤ 0.3×);
- the typesetting pass (clreq justification patch `render/justify.py` + punctuation compression
  `render/punct.py`) as the ratio of the plan's render with it to the render without it, each in a
  fresh process (the patch is process-wide) after one warm-up render (goal ≤ 1.1×). Reported as wall
  time and as the process's CPU time: on a machine shared with other work the wall-clock ratio of two
  sub-second renders swings by ±5 %, the CPU-time ratio much less (it does not count time spent
  waiting for a core).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import best_of

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "samples" / "zhoucun-2023-plan.txt"
DOCX_GOAL = 0.3
TYPESETTING_GOAL = 1.1

TYPESETTING_SCRIPT = """
import json, sys, time
sys.path.insert(0, {root!r})
from markupsafe import Markup
from pipeline.parse import parse_file
from pipeline.render import env, weasy_compat
from pipeline.render.plan_pdf import render_plan_pdf
if sys.argv[1] == "off":
    weasy_compat.disable("cjk-justify")               # WeasyPrint's own (space-only) justification
    env.compress_pairs = lambda html: Markup(str(html))  # no 标点挤压
result = parse_file({reference!r})
render_plan_pdf(result, sys.argv[2])                     # warm-up
best = cpu = float("inf")
for _ in range({repeat}):
    t0, c0 = time.perf_counter(), time.process_time()
    render_plan_pdf(result, sys.argv[2])
    best = min(best, time.perf_counter() - t0)
    cpu = min(cpu, time.process_time() - c0)
print(json.dumps({{"best": best, "cpu": cpu}}))
"""
TYPESETTING_REPEAT = 6
TYPESETTING_ROUNDS = 2     # on/off alternated in fresh processes; the minimum of each is kept


def _typesetting(mode: str, out: Path) -> dict:
    script = TYPESETTING_SCRIPT.format(root=str(ROOT), reference=str(REFERENCE), repeat=TYPESETTING_REPEAT)
    proc = subprocess.run([sys.executable, "-c", script, mode, str(out)], check=True, capture_output=True,
                          text=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _bulletin_context(tmp: Path):
    sys.path.insert(0, str(ROOT / "tests"))
    from test_track_support import filler_module
    from pipeline.parse import parse_file
    from pipeline.render.fonts import resolve_fonts
    from pipeline.track.bulletin import bulletin_document, make_figures
    from pipeline.track.config import load_config
    result = parse_file(REFERENCE)
    produced = filler_module().make_rounds(result, tmp / "returns")
    cfg = load_config()
    figures = make_figures(result, produced["round2"], "2023-06-30", cfg=cfg)
    fonts = resolve_fonts()
    return bulletin_document(figures, cfg, style="formal", issue=2, fonts=fonts), fonts


def run() -> list[tuple[str, str]]:
    from pipeline.parse import parse_file
    from pipeline.render.docx_writer import write_bulletin_docx, write_plan_docx
    from pipeline.render.engine import render_pdf
    from pipeline.render.fonts import resolve_fonts
    from pipeline.render.plan_pdf import render_plan_pdf

    out: list[tuple[str, str]] = []
    result = parse_file(REFERENCE)
    fonts = resolve_fonts()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pdf_s = best_of(lambda: render_plan_pdf(result, tmp / "plan.pdf", "formal", fonts=fonts), 3, warmup=True)
        docx_s = best_of(lambda: write_plan_docx(result, tmp / "plan.docx", "formal", fonts=fonts), 3, warmup=True)
        ratio = docx_s / pdf_s
        out.append(("plan: PDF render / .docx write, best of 3", f"{pdf_s:.3f} s / {docx_s:.3f} s"))
        out.append(("plan: .docx / PDF (goal ≤ 0.3×)", f"{ratio:.2f}× ({'met' if ratio <= DOCX_GOAL else 'NOT met'})"))

        ctx, bfonts = _bulletin_context(tmp)
        pdf_b = best_of(lambda: render_pdf("bulletin.html.j2", ctx, tmp / "b.pdf", fonts=bfonts, label="通报"), 3,
                        warmup=True)
        docx_b = best_of(lambda: write_bulletin_docx(ctx, tmp / "b.docx", fonts=bfonts), 3, warmup=True)
        ratio = docx_b / pdf_b
        out.append(("bulletin: PDF render / .docx write, best of 3", f"{pdf_b:.3f} s / {docx_b:.3f} s"))
        out.append(("bulletin: .docx / PDF (goal ≤ 0.3×)", f"{ratio:.2f}× ({'met' if ratio <= DOCX_GOAL else 'NOT met'})"))

        runs = {"on": [], "off": []}
        for _ in range(TYPESETTING_ROUNDS):          # alternated, so a burst of other load hits both
            for mode in runs:
                runs[mode].append(_typesetting(mode, tmp / f"{mode}.pdf"))
        for key, label in (("best", "wall"), ("cpu", "CPU")):
            on = min(r[key] for r in runs["on"])
            off = min(r[key] for r in runs["off"])
            ratio = on / off
            out.append((f"plan render with / without the typesetting pass ({label}, best of "
                        f"{TYPESETTING_ROUNDS}×{TYPESETTING_REPEAT})", f"{on:.3f} s / {off:.3f} s"))
            out.append((f"typesetting pass: render with / without, {label} time (goal ≤ 1.1×)",
                        f"{ratio:.2f}× ({'met' if ratio <= TYPESETTING_GOAL else 'NOT met'})"))
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    for name, value in run():
        print(f"{name:<58} {value}")
