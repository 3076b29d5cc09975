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
