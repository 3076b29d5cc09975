"""`plandoc` command line (contract.md, "Commands").

Exit codes: 0 success, 1 the input was read but is invalid (Chinese message naming file and place),
2 usage error (refused before any work), 3 internal error (a Chinese message naming the log file
that holds the traceback; the user never sees a traceback). `main` is the one error boundary that
maps exceptions to these codes; commands just raise. Heavy modules are imported inside each command so `plandoc parse` does not pay for
WeasyPrint or jieba start-up.
"""
from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from typer.core import TyperCommand, TyperGroup

from pipeline.errors import InputError, printable

USAGE_PREFIX = "用法："
HELP_OPTION_HELP = "显示本帮助并退出"


class _ChineseHelp:
    """The Chinese help and usage lines of a command, through Click's overridable methods.

    Typer's vendored Click hard-codes "Usage: " (`HelpFormatter.write_usage`) and the help option's
    "Show this message and exit." (`decorators.help_option`); they are not gettext strings. Both are
    produced by methods a `Command` subclass may override (`format_usage`, `get_help_option`), and
    Typer takes the subclass through `Typer(cls=…)` and `@app.command(cls=…)`: translated, not forked.
    The metavars come through Typer's own `options_metavar` / `subcommand_metavar` parameters.
    """

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=USAGE_PREFIX)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_HELP
        return option

    def format_help(self, ctx, formatter) -> None:
        # Typer formats help with Rich (typer.rich_utils: Rich's markdown, syntax and traceback
        # modules, ~6 MB); the titles are set when help is shown, so a command that prints no help —
        # the long-running watcher above all — never loads them.
        _chinese_help_titles()
        super().format_help(ctx, formatter)


class ChineseGroup(_ChineseHelp, TyperGroup):
    pass


class ChineseCommand(_ChineseHelp, TyperCommand):
    pass


app = typer.Typer(add_completion=False, no_args_is_help=True, cls=ChineseGroup, options_metavar="[选项]",
                  subcommand_metavar="命令 [参数]...",
                  help="plandoc：国民经济和社会发展计划通知的解析、排版、台账、通报、比对与收文目录监视")

EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 1, 2, 3


class Style(str, Enum):
    plain = "plain"
    formal = "formal"


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version
        try:
            v = version("plandoc")
        except PackageNotFoundError:
            v = "未安装"
        typer.echo(f"plandoc {v}")
        raise typer.Exit(0)


@app.callback()
def _root(show_version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                            help="显示版本号后退出")):
    """plandoc：国民经济和社会发展计划通知的解析、排版、台账、通报、比对与收文目录监视"""


def _usage(message: str) -> None:
    """Refuse before any work: a usage error (exit 2)."""
    raise typer.BadParameter(message)


def _check_render_settings(output: Path) -> None:
    """A bad PLANDOC_PDF_VARIANT is refused before the input is read (exit 1, naming the variable)."""
    if output.suffix.lower() == ".pdf":
        from pipeline.settings import render_settings
        render_settings()


def load_plan(path: Path):
    """PLAN/OLD/NEW arguments: a source file or a parse JSON."""
    from pipeline.load import load_result
    from pipeline.plan_guard import require_plan
    return require_plan(load_result(path), path)


@app.command(cls=ChineseCommand)
def parse(file: Path = typer.Argument(..., help="通知文件（.txt/.docx/.pdf/.md/.html）"),
          output: Optional[Path] = typer.Option(None, "-o", "--output", help="输出 JSON 文件；缺省写到标准输出")):
    """解析一份通知，输出 JSON。"""
    from pipeline.parse import parse_file
    result = parse_file(file)
    text = result.model_dump_json(indent=2)
    if output:
        from pipeline.fsutil import atomic_write_text
        atomic_write_text(output, text + "\n")
    else:
        sys.stdout.write(text + "\n")


@app.command(cls=ChineseCommand)
def schema():
    """打印解析结果的 JSON Schema。"""
    from pipeline.schema import json_schema
    sys.stdout.write(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n")


@app.command(cls=ChineseCommand)
def render(file: Path = typer.Argument(..., help="通知文件或解析 JSON"),
           output: Path = typer.Option(..., "-o", "--output", help="输出 .pdf 或可编辑的 .docx"),
           style: Style = typer.Option(Style.plain, "--style", help="plain（默认）或 formal（带红色版头）"),
           cc: Optional[str] = typer.Option(None, "--cc", help="版记的抄送机关（formal 样式；覆盖原文的抄送）"),
           printer: Optional[str] = typer.Option(None, "--printer",
                                                 help="版记的印发机关（formal 样式；缺省取原文版记或发文机关）")):
    """把计划排成符合 GB/T 9704 的 PDF（或可编辑的 .docx）。"""
    suffix = output.suffix.lower()
    if suffix not in (".pdf", ".docx"):
        _usage(f"不支持的输出格式“{output.suffix or '（无扩展名）'}”，-o 只能是 .pdf 或 .docx")
    _check_render_settings(output)
    result = load_plan(file)
    from pipeline.render.docx_writer import write_plan_docx
    from pipeline.render.plan_pdf import render_plan_pdf
    from pipeline.schema import Imprint
    given = Imprint(cc_text=cc.strip().lstrip("抄送：:").strip() or None, printer=(printer or "").strip() or None) \
        if (cc or printer) else None
    (write_plan_docx if suffix == ".docx" else render_plan_pdf)(result, output, style=style.value, imprint=given)


@app.command(cls=ChineseCommand)
def tracker(plan: Path = typer.Argument(..., help="计划（源文件或解析 JSON）"),
            output: Path = typer.Option(..., "-o", "--output", help="输出台账 .xlsx；用 --by-unit 时为输出目录"),
            assign: Optional[Path] = typer.Option(None, "--assign", help="分工：填好牵头单位的总台账 .xlsx 或 编号,牵头单位,配合单位 的 .csv"),
            by_unit: bool = typer.Option(False, "--by-unit", help="按牵头/配合单位各写一份台账（需 --assign）")):
    """生成各部门填报用的台账工作簿。"""
    if by_unit and assign is None:
        _usage("--by-unit 需要用 --assign 给出分工")
    result = load_plan(plan)
    from pipeline.track.workbook import write_department_trackers, write_tracker
    if by_unit:
        for path in write_department_trackers(result, output, assign):
            typer.echo(str(path))
    else:
        write_tracker(result, output, assignments=assign)


@app.command(cls=ChineseCommand)
def bulletin(paths: List[Path] = typer.Argument(..., metavar="PLAN [FILLED.xlsx...]",
                                             help="计划（源文件或解析 JSON）；其后可直接列出更多台账"),
             progress: List[Path] = typer.Option(..., "--progress", help="已填报的台账 .xlsx（可多个：--progress a.xlsx b.xlsx）"),
             as_of: Optional[str] = typer.Option(None, "--as-of", help="截至日期 YYYY-MM-DD"),
             output: Path = typer.Option(..., "-o", "--output", help="输出 .pdf、可编辑的 .docx 或 .json"),
             style: Style = typer.Option(Style.plain, "--style", help="plain（默认）或 formal（督查通报红头）"),
             signed: Optional[str] = typer.Option(None, "--date", help="成文日期 YYYY-MM-DD（缺省为截至日期）"),
             assign: Optional[Path] = typer.Option(None, "--assign", help="分工：填好牵头单位的总台账或分工 .csv")):
    """根据填报的台账生成进展情况通报。"""
    # `--progress a.xlsx b.xlsx`: click binds one value per option, so the extra files arrive as
    # positional arguments after PLAN; they are progress files too.
    plan, extra = paths[0], list(paths[1:])
    _check_render_settings(output)
    result = load_plan(plan)
    from pipeline.track.bulletin import make_bulletin
    make_bulletin(result, list(progress) + extra, as_of, output, style=style.value, signed=signed, assignments=assign)


@app.command(cls=ChineseCommand)
def diff(old: Path = typer.Argument(..., help="上一年计划"), new: Path = typer.Argument(..., help="本年计划"),
         output: Path = typer.Option(..., "-o", "--output", help="输出 .json / .html / .pdf / .docx")):
    """比较两个年度的计划。"""
    from pipeline.diff.report import FORMATS
    if output.suffix.lower() not in FORMATS:
        _usage(f"不支持的输出格式“{output.suffix or '（无扩展名）'}”，-o 只能是 {'、'.join(sorted(FORMATS))}")
    _check_render_settings(output)
    a, b = load_plan(old), load_plan(new)
    from pipeline.diff.report import write_diff
    for w in write_diff(a, b, output).warnings:
        typer.echo(printable(f"警告：{w}"), err=True)


@app.command(cls=ChineseCommand)
def watch(inbox: Path = typer.Argument(..., help="收文目录"),
          out: Path = typer.Option(Path("output"), "--out", help="输出目录"),
          once: bool = typer.Option(False, "--once", help="处理现有文件后退出"),
          polling: bool = typer.Option(False, "--polling", help="使用轮询（网络共享目录）")):
    """监视收文目录：处理放入的通知，失败的文件附中文原因。"""
    from pipeline.watch.service import run_watch
    raise typer.Exit(run_watch(inbox, out, once=once, polling=polling))


def main() -> None:
    """The one error boundary: input errors exit 1, usage errors 2 (in Chinese, before any work), anything
    else 3 with its traceback in a log file instead of on the screen."""
    UsageError = _click_exceptions().UsageError
    aborts = (typer.Abort, getattr(_click_exceptions(), "Abort", typer.Abort), KeyboardInterrupt)
    from pipeline.limits import CpuLimitExceeded, apply_limits, cpu_limit_seconds, memory_limit_bytes
    apply_limits(cpu=len(sys.argv) > 1 and sys.argv[1] != "watch")
    try:
        rc = app(standalone_mode=False)
    except InputError as e:
        if e.path is None and len(sys.argv) > 1 and sys.argv[1] in _NAMES_ITS_INPUT:
            e.path = _inputs_named(bare=True) or None     # e.g. a glyph missing in render: which notice
        typer.echo(f"错误：{e.message}", err=True)
        sys.exit(EXIT_INPUT)
    except MemoryError:
        typer.echo(f"错误：{_inputs_named()}处理所需内存超出上限（{memory_limit_bytes() // 1048576} MB），"
                   "文件内容异常（例如超大表格或压缩炸弹），已停止（处理建议：请检查文件是否正确）", err=True)
        sys.exit(EXIT_INPUT)
    except CpuLimitExceeded:
        typer.echo(f"错误：{_inputs_named()}处理时间超出上限（CPU {cpu_limit_seconds()} 秒），文件内容异常，已停止"
                   "（处理建议：请检查文件是否正确）", err=True)
        sys.exit(EXIT_INPUT)
    except UsageError as e:
        _print_usage_error(e)
        sys.exit(EXIT_USAGE)
    except typer.Exit as e:                # raised through when not in standalone mode
        sys.exit(e.exit_code)
    except aborts:
        typer.echo("已中止。", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception:
        log = _log_internal_error()
        typer.echo(f"内部错误：plandoc 出现了意外问题，原始文件未被修改。详细信息已写入 {log}，请把该文件发给维护人员。",
                   err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(rc if isinstance(rc, int) else 0)


def _click_exceptions():
    """Click's exception module: vendored by newer Typer (typer._click), the click package before."""
    try:
        from typer._click import exceptions
    except ImportError:                    # pragma: no cover - Typer < 0.20 depends on click
        from click import exceptions
    return exceptions


def _chinese_help_titles() -> None:
    """Typer's help panels take their titles from module-level strings (its gettext hook); set them."""
    from typer import rich_utils
    for name, zh in (("ARGUMENTS_PANEL_TITLE", "参数"), ("OPTIONS_PANEL_TITLE", "选项"),
                     ("COMMANDS_PANEL_TITLE", "命令"), ("ERRORS_PANEL_TITLE", "错误"),
                     ("REQUIRED_LONG_STRING", "[必填]"), ("DEFAULT_STRING", "[默认：{}]"),
                     ("ABORTED_TEXT", "已中止。")):
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, zh)


def _param_name(param) -> str:
    if param is None:
        return "参数"
    opts = getattr(param, "opts", None) or []
    if getattr(param, "param_type_name", "") == "option" and opts:
        return max(opts, key=len)
    return (getattr(param, "human_readable_name", None) or getattr(param, "name", None) or "参数").upper()


def _choices(param) -> list[str]:
    """The allowed values of an enum/choice parameter (Typer keeps the Enum as the annotation)."""
    enum_cls = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(enum_cls, type) and issubclass(enum_cls, Enum):
        return [str(m.value) for m in enum_cls]
    return [str(getattr(c, "value", c)) for c in getattr(getattr(param, "type", None), "choices", None) or []]


def usage_message_zh(e) -> str:
    """A Chinese sentence for a click usage error, from its structured fields (not its English text)."""
    cx = _click_exceptions()
    BadParameter, MissingParameter, NoSuchOption = cx.BadParameter, cx.MissingParameter, cx.NoSuchOption
    if isinstance(e, MissingParameter):
        kind = "选项" if getattr(e.param, "param_type_name", "") == "option" else "参数"
        return f"缺少{kind} {_param_name(e.param)}"
    if isinstance(e, NoSuchOption):
        hint = f"；是否想用 {'、'.join(sorted(e.possibilities))}" if e.possibilities else ""
        return f"没有选项 {e.option_name}{hint}"
    if isinstance(e, BadParameter):
        choices = _choices(e.param)
        if choices:
            return f"{_param_name(e.param)} 只能是 {'、'.join(choices)}"
        if any("\u4e00" <= ch <= "\u9fff" for ch in e.message):
            return e.message
        return f"{_param_name(e.param)} 的值无效（{e.message}）"
    if e.message.startswith("Got unexpected extra argument"):
        return "多余的参数：" + e.message.rsplit("(", 1)[-1].rstrip(")")
    if e.message.startswith("No such command"):
        return "没有这个命令：" + e.message.split(" ", 3)[-1].strip(".")
    return e.message


def _print_usage_error(e) -> None:
    ctx = e.ctx
    if type(e).__name__ == "NoArgsIsHelpError":   # no arguments at all: the help was printed, nothing to add
        return
    if ctx is not None:
        typer.echo(ctx.get_usage(), err=True)
        typer.echo(f"运行 “{ctx.command_path} --help” 查看帮助。", err=True)
    typer.echo(f"用法错误：{usage_message_zh(e)}", err=True)


def _log_internal_error() -> str:
    import datetime
    import tempfile
    import traceback
    from pipeline.cache import CACHE_ROOT
    text = f"{datetime.datetime.now().isoformat()} plandoc {' '.join(sys.argv[1:])}\n{traceback.format_exc()}\n"
    for folder in (CACHE_ROOT / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "plandoc-error.log"
            with path.open("a", encoding="utf-8") as f:
                f.write(text)
            return str(path)
        except OSError:
            continue
    return "（日志无法写入）"


# Commands whose errors without a file (raised deep in typesetting or computing) are about the input
# named on the command line: the message names it, so a clerk running a batch knows which notice failed.
_NAMES_ITS_INPUT = ("render", "tracker", "bulletin", "diff")
# Options whose value is an output or a setting, not an input file.
_VALUE_OPTIONS = ("-o", "--output", "--out", "--style", "--as-of", "--date")


def _inputs_named(bare: bool = False) -> str:
    """The input files named on the command line (the place of a resource failure is the whole input);
    output paths and option values are not inputs. `bare`: the names joined by 、 (for InputError.path)."""
    from pipeline.errors import displayable
    args, names = sys.argv[2:], []
    for i, a in enumerate(args):
        if a.startswith("-") or (i > 0 and args[i - 1] in _VALUE_OPTIONS):
            continue
        if Path(a).is_file():
            names.append(displayable(a))
    if bare:
        return "”、“".join(names[:3])
    return "".join(f"文件“{n}”，" for n in names[:3])


if __name__ == "__main__":
    main()
