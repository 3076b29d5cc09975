"""`plandoc` command line (contract.md, "Commands").

Exit codes: 0 success, 1 the input was read but is invalid (Chinese message naming file and place),
2 usage error. Heavy modules are imported inside each command so `plandoc parse` does not pay for
WeasyPrint or jieba start-up.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from pipeline.errors import InputError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="plandoc：国民经济和社会发展计划通知的解析、排版、台账、通报、比对与收文目录监视")


def _fail(e: InputError) -> None:
    typer.echo(f"错误：{e.message}", err=True)
    raise typer.Exit(1)


def load_plan(path: Path):
    """PLAN/OLD/NEW arguments: a source file or a parse JSON."""
    from pipeline.load import load_result
    return load_result(path)


@app.command()
def parse(file: Path = typer.Argument(..., help="通知文件（.txt/.docx/.pdf/.md/.html）"),
          output: Optional[Path] = typer.Option(None, "-o", "--output", help="输出 JSON 文件；缺省写到标准输出")):
    """解析一份通知，输出 JSON。"""
    from pipeline.parse import parse_file
    try:
        result = parse_file(file)
    except InputError as e:
        _fail(e)
    text = result.model_dump_json(indent=2)
    if output:
        from pipeline.fsutil import atomic_write_text
        atomic_write_text(output, text + "\n")
    else:
        sys.stdout.write(text + "\n")


@app.command()
def schema():
    """打印解析结果的 JSON Schema。"""
    from pipeline.schema import json_schema
    sys.stdout.write(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n")


@app.command()
def render(file: Path = typer.Argument(..., help="通知文件或解析 JSON"),
           output: Path = typer.Option(..., "-o", "--output", help="输出 PDF"),
           style: str = typer.Option("plain", "--style", help="plain（默认）或 formal（带红色版头）")):
    """把计划排成符合 GB/T 9704 的 PDF。"""
    if style not in ("plain", "formal"):
        typer.echo("错误：--style 只能是 plain 或 formal", err=True)
        raise typer.Exit(2)
    try:
        result = load_plan(file)
        from pipeline.render.plan_pdf import render_plan_pdf
        render_plan_pdf(result, output, style=style)
    except InputError as e:
        _fail(e)


@app.command()
def tracker(plan: Path = typer.Argument(..., help="计划（源文件或解析 JSON）"),
            output: Path = typer.Option(..., "-o", "--output", help="输出台账 .xlsx")):
    """生成各部门填报用的台账工作簿。"""
    try:
        result = load_plan(plan)
        from pipeline.track.workbook import write_tracker
        write_tracker(result, output)
    except InputError as e:
        _fail(e)


@app.command()
def bulletin(paths: List[Path] = typer.Argument(..., metavar="PLAN [FILLED.xlsx...]",
                                             help="计划（源文件或解析 JSON）；其后可直接列出更多台账"),
             progress: List[Path] = typer.Option(..., "--progress", help="已填报的台账 .xlsx（可多个：--progress a.xlsx b.xlsx）"),
             as_of: Optional[str] = typer.Option(None, "--as-of", help="截至日期 YYYY-MM-DD"),
             output: Path = typer.Option(..., "-o", "--output", help="输出 .pdf 或 .json")):
    """根据填报的台账生成进展情况通报。"""
    # `--progress a.xlsx b.xlsx`: click binds one value per option, so the extra files arrive as
    # positional arguments after PLAN; they are progress files too.
    plan, extra = paths[0], list(paths[1:])
    try:
        result = load_plan(plan)
        from pipeline.track.bulletin import make_bulletin
        make_bulletin(result, list(progress) + extra, as_of, output)
    except InputError as e:
        _fail(e)


@app.command()
def diff(old: Path = typer.Argument(..., help="上一年计划"), new: Path = typer.Argument(..., help="本年计划"),
         output: Path = typer.Option(..., "-o", "--output", help="输出 .json / .html / .pdf")):
    """比较两个年度的计划。"""
    try:
        a, b = load_plan(old), load_plan(new)
        from pipeline.diff.report import write_diff
        write_diff(a, b, output)
    except InputError as e:
        _fail(e)


@app.command()
def watch(inbox: Path = typer.Argument(..., help="收文目录"),
          out: Path = typer.Option(Path("output"), "--out", help="输出目录"),
          once: bool = typer.Option(False, "--once", help="处理现有文件后退出"),
          polling: bool = typer.Option(False, "--polling", help="使用轮询（网络共享目录）")):
    """监视收文目录：处理放入的通知，失败的文件附中文原因。"""
    from pipeline.watch.service import run_watch
    raise typer.Exit(run_watch(inbox, out, once=once, polling=polling))


def main() -> None:
    try:
        app()
    except InputError as e:  # pragma: no cover - commands catch their own
        typer.echo(f"错误：{e.message}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
