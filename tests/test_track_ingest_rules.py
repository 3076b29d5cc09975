"""The small rules of reading a returned 台账 (pipeline/track/ingest.py), on their boundaries (issue 18:
mutation testing): how a cell's value becomes text, the size cap, the cap on listed errors, the
message template that a department's own braces cannot break. Expected values are worked out by hand.
"""
from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError, model_validator

from pipeline.errors import InputError
from pipeline.track import ingest
from pipeline.track.ingest import MAX_ERRORS_SHOWN, MAX_WORKBOOK_BYTES, CellError, Cell, WorkbookErrors


class _Row(BaseModel):
    cell: Cell = None


@pytest.mark.parametrize("value,expected", [
    (3.0, "3"),                                    # Excel stores 3 as 3.0: the clerk typed 3
    (2.5, "2.5"),
    (12, "12"),
    (dt.date(2023, 5, 1), "2023-05-01"),
    (dt.datetime(2023, 5, 1, 14, 30), "2023-05-01"),
    ("  已完成 ", "已完成"),
    ("   ", None),
    (None, None),
])
def test_cell_values_become_the_text_the_clerk_typed(value, expected):
    assert _Row(cell=value).cell == expected


class _Checked(BaseModel):
    progress: Cell = None

    @model_validator(mode="after")
    def _quote(self):
        raise ingest._err(f"进展情况写了“{self.progress}”", "progress")


@pytest.mark.parametrize("typed", ["{完成} {{一半}}", "{field} {progress}", "见附件}"])
def test_a_message_quoting_braces_shows_them_as_typed(typed):
    """A department's cell text with braces is quoted in the message as written (pydantic reads a
    message as a template), and the row check still names its field."""
    with pytest.raises(ValidationError) as e:
        _Checked(progress=typed)
    (err,) = e.value.errors()
    assert err["msg"] == f"进展情况写了“{typed}”"
    assert ingest._blamed_field(err) == "progress"


def test_an_error_without_a_field_blames_where_pydantic_found_it():
    assert ingest._blamed_field({"loc": ("value",), "type": "plandoc"}) == "value"
    assert ingest._blamed_field({"loc": (), "type": "plandoc"}) is None


def test_size_cap_on_its_boundary(tmp_path):
    at_cap, over = tmp_path / "刚好.xlsx", tmp_path / "超出.xlsx"
    for path, size in ((at_cap, MAX_WORKBOOK_BYTES), (over, MAX_WORKBOOK_BYTES + 1)):
        with path.open("wb") as f:                 # sparse: no 20 MB written
            f.truncate(size)
    assert MAX_WORKBOOK_BYTES == 20 * 1024 * 1024
    with pytest.raises(InputError, match="文件过大（20.0 MB）"):
        ingest._open(over)
    with pytest.raises(InputError) as e:            # at the cap: read, and refused for what it is
        ingest._open(at_cap)
    assert "过大" not in str(e.value) and "不是 .xlsx 工作簿" in str(e.value)


def _errors(n: int) -> list[CellError]:
    return [CellError("台账.xlsx", "重点任务", k + 3, "本期完成值", f"E{k + 3}", "应填数字") for k in range(n)]


def test_errors_listed_up_to_the_cap_then_counted():
    assert MAX_ERRORS_SHOWN == 60
    at_cap = str(WorkbookErrors(_errors(MAX_ERRORS_SHOWN)))
    assert f"台账有 {MAX_ERRORS_SHOWN} 处错误" in at_cap and "另有" not in at_cap
    assert at_cap.count("应填数字") == MAX_ERRORS_SHOWN
    over = str(WorkbookErrors(_errors(MAX_ERRORS_SHOWN + 2)))
    assert over.count("应填数字") == MAX_ERRORS_SHOWN and "……另有 2 处错误未列出" in over


def test_not_applicable_is_not_started():
    """不适用 needs no 进展情况, like 未启动; any other status does."""
    assert ingest.NOT_STARTED_STATUSES == ("未启动", "不适用")


def test_number_cells_and_their_refusals():
    assert ingest.parse_number("１，２３４.５") == 1234.5
    assert ingest.parse_number(" 5.2% ") == 5.2
    assert ingest.parse_number(".5") == 0.5 and ingest.parse_number("+3") == 3.0
    for empty in (None, "", "  ", "—", "-", "/"):
        assert ingest.parse_number(empty) is None
    for bad in ("约5", "5吨", "1.2.3", "5-6"):
        with pytest.raises(Exception, match="应填数字"):
            ingest.parse_number(bad)
    with pytest.raises(Exception, match="不能填“True”"):
        ingest.parse_number(True)


def test_a_column_the_department_deleted_reads_as_empty():
    """Only the columns present are validated; the others stay empty (None), not "" — an empty status
    that read as "" would count as started and demand a 进展情况."""
    task = ingest.TaskReport.model_validate({"id": "2.1"})
    assert all(getattr(task, f) is None for f in ("lead", "partners", "deadline", "progress", "value", "status",
                                                  "status_word", "problems", "next_steps"))
    ind = ingest.IndicatorReport.model_validate({"id": "R1"})
    assert all(getattr(ind, f) is None for f in ("actual", "growth", "completion", "lead", "note"))


@pytest.mark.parametrize("value,expected", [
    ("2023年6月30日", dt.date(2023, 6, 30)),
    ("2023 年 6 月 30 日", dt.date(2023, 6, 30)),
    ("2023.6.30", dt.date(2023, 6, 30)),
    ("２０２３-06-30", dt.date(2023, 6, 30)),     # full-width digits
    ("2023/6/30", dt.date(2023, 6, 30)),
    (dt.datetime(2023, 6, 30, 9, 0), dt.date(2023, 6, 30)),
    (dt.date(2023, 6, 30), dt.date(2023, 6, 30)),
    (45107, dt.date(2023, 6, 30)),               # an Excel date serial
    (None, None),
    ("", None),
])
def test_as_of_dates_as_departments_write_them(value, expected):
    assert ingest._parse_as_of(value) == expected


@pytest.mark.parametrize("value", ["2023年6月31日", "6月30日", "二〇二三年六月", "截至2023年6月30日", 5, True])
def test_as_of_dates_that_are_not_dates(value):
    with pytest.raises(ValueError):
        ingest._parse_as_of(value)


def test_messages_a_clerk_reads_exactly():
    def message(fn, *args):
        with pytest.raises(Exception) as e:
            fn(*args)
        return e.value.message()
    assert message(ingest.parse_number, True) == "应填数字，不能填“True”"
    assert message(ingest.parse_number, "约" + "5" * 30) == \
        "应填数字，不能填“约5555555555555555555”（单位、文字说明请写在进展情况或备注里）"
    with pytest.raises(ValidationError) as e:
        ingest.TaskReport.model_validate({"id": None})
    assert e.value.errors()[0]["msg"] == "编号为空"


# -- the row checks against the plan (validation context: the plan's items and the settings) --------
from pipeline.track.config import load_config  # noqa: E402
from pipeline.track.items import Check, IndicatorItem, PlanItems, TaskItem  # noqa: E402
from pipeline.schema import Row  # noqa: E402


def _plan_items() -> PlanItems:
    tasks = [
        TaskItem("T1", "target", "2.1", "二（一）", "覆盖面", "覆盖面达到100%", unit="%", tests=[Check("level", 100.0)]),
        TaskItem("T2", "target", "2.1", "二（一）", "新建学校", "新建学校30所", unit="所", tests=[Check("quantity", 30.0)]),
        TaskItem("2.1", "node", "2.1", "二（一）", "扩大投资", "扩大有效投资"),
        TaskItem("2.2", "node", "2.2", "二（二）", "招商", "新引进项目30个", unit="个", tests=[Check("quantity", 30.0)]),
    ]
    row = Row(id="R1", name="x", category="", unit=None)
    indicators = [
        IndicatorItem("R1", "结构", "城镇化率", "%", "60%", row, tests=[Check("level", 60.0)]),
        IndicatorItem("R2", "规模", "固定资产投资", "亿元", "165亿元", row, tests=[Check("quantity", 165.0), Check("growth", 8.0)]),
        IndicatorItem("R3", "规模", "社会消费品零售总额", "%", "增长6%", row, tests=[Check("growth", 6.0)]),
    ]
    return PlanItems("key", "计划", "周村区", 2023, tasks, indicators)


def _task(**row):
    return ingest.TaskReport.model_validate(row, context={"items": _plan_items(), "config": load_config()})


def _indicator(config=True, **row):
    return ingest.IndicatorReport.model_validate(row, context={"items": _plan_items(),
                                                                "config": load_config() if config else None})


BLAMED = {"本期完成值": "value", "本期累计": "actual", "完成率%": "completion", "这一行": "value",
          "任务已启动": "progress", "完成状态": "status", "填了完成率%": "actual"}


def _refusal(make, **row) -> str:
    """The message of the one error, after checking it blames the column the message is about."""
    with pytest.raises(ValidationError) as e:
        make(**row)
    (err,) = e.value.errors()
    start = max((k for k in BLAMED if err["msg"].startswith(k)), key=len)
    assert ingest._blamed_field(err) == BLAMED[start], err
    return err["msg"]


def test_a_share_reaches_100_and_no_further():
    assert _task(id="T1", value=100, progress="已全覆盖").value == 100
    assert _refusal(_task, id="T1", value=100.5, progress="x") == "本期完成值 100.5 超过 100：该目标是比例（%），不可能超过 100%"
    assert _indicator(id="R1", actual=100).actual == 100
    assert _refusal(_indicator, id="R1", actual=100.5) == "本期累计 100.5 超过 100：该指标是比例（%），不可能超过 100%"


def test_a_count_is_never_negative_a_percentage_may_be():
    assert _refusal(_task, id="T2", value=-1, progress="x") == "本期完成值 -1 为负数：数量类目标的完成值不能小于 0"
    assert _task(id="T1", value=-1, progress="x").value == -1       # a level in % (a change) can fall below 0


def test_a_value_on_a_task_row_without_a_target():
    assert _refusal(_task, id="2.1", value=5, progress="x") == "这一行是任务（不是量化目标），本期完成值请填在对应的 T 编号行"
    assert _task(id="2.2", value=5, progress="x").value == 5        # a task with its own target takes it
    assert _task(id="2.1", progress="已开工").value is None


def test_started_rows_need_a_progress_text():
    need = "任务已启动（已填状态或完成值），但没有填写进展情况"
    assert _refusal(_task, id="T2", value=3) == need
    assert _refusal(_task, id="2.1", status="推进中") == need
    for resting in ("未启动", "不适用", "待启动", "其他"):           # and their aliases
        assert _task(id="2.1", status=resting).progress is None


def test_status_words_become_canonical_and_unknown_ones_are_named():
    r = _task(id="2.1", status="推进中", progress="x")
    assert (r.status, r.status_word) == ("序时推进", "推进中")
    cfg = load_config()
    assert _refusal(_task, id="2.1", status="差不多", progress="x") == \
        f"完成状态“差不多”不是可识别的用语（可选：{'、'.join(cfg.statuses)}，或配置中的同义词）"
    without = ingest.TaskReport.model_validate({"id": "2.1", "status": "推进中", "progress": "x"})
    assert (without.status, without.status_word) == (None, "推进中")     # no settings: kept as written only


def test_completion_rate_rules():
    assert _indicator(id="R2", actual=82.5, completion=50).completion == 50
    assert _indicator(id="R2", actual=82.5, completion=50.5).completion == 50.5          # within 0.5 points
    assert _refusal(_indicator, id="R2", actual=82.5, completion=51) == "完成率% 51 与 本期累计 ÷ 年度目标 = 50.0% 不符"
    assert _refusal(_indicator, id="R2", completion=50) == "填了完成率%，但没有填本期累计"
    assert _refusal(_indicator, id="R2", actual=600, completion=301) == "完成率% 301 不在 0—300 之间"
    assert _indicator(id="R2", actual=495, completion=300).completion == 300
    assert _indicator(id="R2", actual=0, completion=0).completion == 0
    assert _refusal(_indicator, id="R2", actual=-1, completion=-0.5) == "完成率% -0.5 不在 0—300 之间"
    assert _refusal(_indicator, id="R3", actual=5, completion=50) == \
        "完成率% 填了 50，但该指标没有可累计的绝对量目标（增长6%），完成率无从计算，请留空"
    assert _refusal(_indicator, id="R1", actual=30, completion=50) == \
        "完成率% 填了 50，但该指标没有可累计的绝对量目标（60%），完成率无从计算，请留空"
    # without the settings nothing of this is judged (the row is read for its values only)
    assert _indicator(config=False, id="R2", actual=82.5, completion=99).completion == 99


def test_where_an_error_is_told():
    e = CellError("台账.xlsx", "重点任务", 7, "本期完成值", "F7", "应填数字")
    assert e.describe() == "工作表“重点任务”第7行“本期完成值”列（F7）：应填数字"
    assert CellError("台账.xlsx", "重点任务", 7, "本期完成值", None, "应填数字").describe() == \
        "工作表“重点任务”第7行“本期完成值”列：应填数字"
    assert CellError("台账.xlsx", None, None, None, None, "缺少工作表“重点任务”").describe() == "缺少工作表“重点任务”"
    one = WorkbookErrors([e])
    assert one.reason == "台账有 1 处错误，该文件未导入：\n工作表“重点任务”第7行“本期完成值”列（F7）：应填数字"
    two = WorkbookErrors([e, CellError("财政局.xlsx", "主要指标", 4, "本期累计", "D4", "应填数字")])
    assert two.reason == ("台账有 2 处错误，这些文件未导入：\n台账.xlsx：工作表“重点任务”第7行“本期完成值”列（F7）：应填数字\n"
                          "财政局.xlsx：工作表“主要指标”第4行“本期累计”列（D4）：应填数字")


def _reason(path) -> str:
    with pytest.raises(InputError) as e:
        ingest._open(path)
    return e.value.reason


def test_files_that_are_no_workbook_are_told_apart(tmp_path):
    import zipfile
    assert _reason(tmp_path / "没有.xlsx") == "文件不存在"
    (tmp_path / "文件夹.xlsx").mkdir()
    assert _reason(tmp_path / "文件夹.xlsx") == "这是一个文件夹，不是台账文件"
    (tmp_path / "空.xlsx").write_bytes(b"")
    assert _reason(tmp_path / "空.xlsx") == "文件为空（0 字节）"
    big = tmp_path / "大.xlsx"
    with big.open("wb") as f:
        f.truncate(MAX_WORKBOOK_BYTES + 1)
    assert _reason(big) == "文件过大（20.0 MB），不像是一份台账"
    for name, parts in (("报告.docx", {"word/document.xml": "<w/>"}), ("资料.zip", {"a.txt": "x"}), ("无扩展名", {"a.txt": "x"})):
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            for part, body in parts.items():
                z.writestr(part, body)
    assert _reason(tmp_path / "报告.docx") == "这是Word 文档，不是 .xlsx 台账工作簿"
    assert _reason(tmp_path / "资料.zip") == "这是扩展名为“.zip”的文件，不是 .xlsx 台账工作簿"
    assert _reason(tmp_path / "无扩展名") == "这是扩展名为“（无）”的文件，不是 .xlsx 台账工作簿"


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm", ".xltx", ".xltm", ".XLSX"])
def test_every_excel_workbook_extension_is_opened(tmp_path, suffix):
    from openpyxl import Workbook
    path = tmp_path / f"台账{suffix}"
    Workbook().save(tmp_path / "t.xlsx")
    (tmp_path / "t.xlsx").rename(path)
    wb = ingest._open(path)
    assert wb.sheetnames == ["Sheet"]
    wb.close()
