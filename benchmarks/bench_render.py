"""Render benchmark: the reference notice as a GB/T 9704 PDF (goal ≤ 1.0 s wall for ~12–16 pages).

Baselines measured in the same run, printed as ratios:
- bare WeasyPrint on the same HTML, stylesheet and fonts, without our guards (glyph check, fetcher
  bookkeeping, atomic write): what the guards cost;
- LibreOffice converting the reference .docx to PDF (when `soffice` is installed): the tool offices
  use today; goal: ours ≥ 3× faster, both measured cold (a fresh process each), and LibreOffice cold
  against our render in a running process;
- the cold render with WeasyPrint parsing its C declarations itself (`weasy_compat` precompiled-ffi off);
- one process rendering 5 times as WeasyPrint does out of the box (a new FontConfiguration per
  render, every font file copied whole into Python per render) against ours (fonts shared per
  process and read lazily: `render/reuse.py`, `render/weasy_compat.py`): time of the first and
  second render and resident memory after 1 and 5 renders, each measured in its own fresh process.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "samples" / "zhoucun-2023-plan.txt"
REFERENCE_DOCX = ROOT / "samples" / "zhoucun-2023-plan.docx"
GOAL_SECONDS = 1.0
REPEAT = 3
SERIES = 5

# Runs in a fresh process: render the reference SERIES times, print JSON of times and RSS.
SERIES_SCRIPT = """
import json, sys, time
sys.path.insert(0, {root!r})
from pipeline.parse import parse_file
from pipeline.render import reuse, weasy_compat
from pipeline.render.plan_pdf import render_plan_pdf
stock = sys.argv[1] == "stock"
if stock:
    weasy_compat.disable("lazy-font-data")   # WeasyPrint's eager whole-file copies
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
result = parse_file({reference!r})
base = rss_mb()
times, rss = [], []
for i in range({series}):
    if stock:
        reuse.clear()                              # a new FontConfiguration and stylesheet per render
    t0 = time.perf_counter()
    render_plan_pdf(result, sys.argv[2])
    times.append(time.perf_counter() - t0)
    rss.append(rss_mb())
print(json.dumps({{"times": times, "rss": rss, "base": base}}))
"""


def _series(mode: str, out: Path) -> dict:
    import json
    script = SERIES_SCRIPT.format(root=str(ROOT), reference=str(REFERENCE), series=SERIES)
    proc = subprocess.run([sys.executable, "-c", script, mode, str(out)], check=True, capture_output=True,
                          text=True, cwd=ROOT)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _wall(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run() -> list[tuple[str, str]]:
    from pipeline.parse import parse_file
    from pipeline.render.env import make_env
    from pipeline.render.fonts import resolve_fonts
    from pipeline.render.plan_pdf import plan_context, render_plan_pdf

    out: list[tuple[str, str]] = []
    result = parse_file(REFERENCE)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pdf = tmp / "plan.pdf"
        report = render_plan_pdf(result, pdf)        # warm-up: imports, jieba, font cmaps
        warm = [_wall(lambda: render_plan_pdf(result, pdf)) for _ in range(REPEAT)]
        best = min(warm)
        out.append((f"render reference plan, in process ({report.pages} pages), best of {REPEAT}",
                    f"{best:.2f} s (median {statistics.median(warm):.2f} s; goal ≤ {GOAL_SECONDS:.1f} s: "
                    f"{'met' if best <= GOAL_SECONDS else 'NOT met'})"))
        out.append(("PDF size", f"{pdf.stat().st_size / 1024:.0f} KB"))

        # Baseline 1: bare WeasyPrint on the same document.
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
        fonts = resolve_fonts()
        env = make_env(fonts)
        html = env.get_template("plan.html.j2").render(**plan_context(result, "plain", fonts))
        css = env.get_template("gongwen.css.j2").render()

        def bare():
            fc = FontConfiguration()
            HTML(string=html).write_pdf(tmp / "bare.pdf", stylesheets=[CSS(string=css, font_config=fc)],
                                        font_config=fc)
        bare_best = min(_wall(bare) for _ in range(REPEAT))
        out.append(("bare WeasyPrint, same HTML/CSS/fonts, best of 3", f"{bare_best:.2f} s"))
        out.append(("ours / bare WeasyPrint (cost of the guards)", f"{best / bare_best:.2f}×"))

        # Cold: a fresh `plandoc render` process on the parse JSON, as a clerk runs it.
        js = tmp / "plan.json"
        js.write_text(result.model_dump_json(), encoding="utf-8")
        env_vars = dict(os.environ, PYTHONIOENCODING="utf-8")
        cold = _wall(lambda: subprocess.run([sys.executable, "-m", "pipeline", "render", str(js), "-o",
                                             str(tmp / "cold.pdf")], check=True, cwd=ROOT, env=env_vars,
                                            capture_output=True))
        out.append(("plandoc render JSON, fresh process (cold)", f"{cold:.2f} s"))
        plain_ffi = _wall(lambda: subprocess.run([sys.executable, "-m", "pipeline", "render", str(js), "-o",
                                                  str(tmp / "cold-plain.pdf")], check=True, cwd=ROOT,
                                                 env=dict(env_vars, PLANDOC_FAST_FFI="0"), capture_output=True))
        out.append(("  same, WeasyPrint parsing its C declarations (precompiled-ffi off)",
                    f"{plain_ffi:.2f} s ({plain_ffi / cold:.2f}× the cold render)"))

        if Path("/proc/self/status").exists():
            stock, ours = _series("stock", tmp / "stock.pdf"), _series("ours", tmp / "ours.pdf")
            out.append(("same process: 1st / 2nd render, stock WeasyPrint",
                        f"{stock['times'][0]:.2f} s / {stock['times'][1]:.2f} s"))
            out.append(("same process: 1st / 2nd render, ours",
                        f"{ours['times'][0]:.2f} s / {ours['times'][1]:.2f} s "
                        f"(2nd: {stock['times'][1] / ours['times'][1]:.1f}× faster)"))
            for label, data in (("stock WeasyPrint", stock), ("ours", ours)):
                out.append((f"RSS after parse / 1 / {SERIES} renders, {label}",
                            f"{data['base']:.0f} / {data['rss'][0]:.0f} / {data['rss'][-1]:.0f} MB"))
            grown = lambda d: d["rss"][-1] - d["base"]   # noqa: E731 - local shorthand
            out.append((f"render memory after {SERIES} renders (RSS over parse), stock / ours",
                        f"{grown(stock) / max(grown(ours), 1):.1f}×"))

        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice and REFERENCE_DOCX.exists():
            profile = tmp / "lo-profile"
            lo = _wall(lambda: subprocess.run(
                [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                 "--outdir", str(tmp / "lo"), str(REFERENCE_DOCX)], check=True, capture_output=True, timeout=300))
            out.append(("LibreOffice .docx → PDF (cold)", f"{lo:.2f} s"))
            out.append(("LibreOffice / ours, cold vs cold (goal ≥ 3×)", f"{lo / cold:.1f}×"))
            out.append(("LibreOffice cold / ours in a running process (watch, make run)", f"{lo / best:.1f}×"))
        else:
            out.append(("LibreOffice .docx → PDF", "skipped: soffice not installed (make samples installs it)"))
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for name, value in run():
        print(f"{name:<58} {value}")
