"""A returned 台账 in the drop folder: matched, validated, accepted or returned, bulletin refreshed.

Matching uses the workbook's own metadata: `plandoc tracker` writes a very hidden sheet (`_plandoc`)
with the plan key, so a department may rename the file freely. Validation is the tracker's ingest
(`pipeline.track.ingest.read_workbook`): every bad cell is collected, and a workbook with any is
returned to `failed/` with a 原因 file listing each (sheet, cell, what is wrong, what to write) — it
never blocks other departments' workbooks. The reporting period is the workbook's 统计截至.

Under the plan's lock (the same lock a revision of the plan takes), in this order:
1. a byte-identical copy of an accepted workbook is a duplicate;
2. validate; decide the period and the unit (填报单位);
3. keep a copy in the archive folder and record the report in one transaction — a unit's corrected
   workbook for the same period supersedes its earlier one (which stays in the history);
4. regenerate the bulletin of that period — and of later periods, whose "与上期相比" it feeds —
   from every report accepted so far, with the 报送情况 part.
A kill anywhere re-runs from the start: a report already recorded (step 3) is not recorded again,
and the bulletins are rebuilt from the archive, never from a half-accepted round.

A workbook whose plan has not arrived yet waits for it (`wait_for_plan`): departments may send their
workbooks before the clerk drops the plan notice, and returning them would make every department send
again. It moves to `INBOX/等待计划/` (its subfolder path kept) beside a note saying why, and the archive's
`waiting` table remembers its plan key; the watcher releases it — same claim token, so it is never
counted twice — as soon as a plan with that key is archived (`service.Watcher.release_waiting`), also
after a restart.

A period is closed once a later period has accepted reports: the bulletin has moved on, and a late
workbook for the old period would silently rewrite a bulletin already circulated.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.archive import Archive
from pipeline.errors import InputError
from pipeline.fsutil import atomic_write_text
from pipeline.track.layout import AS_OF_LABEL, META_SHEET
from pipeline.watch.locks import plan_lock
from pipeline.watch.plan_outputs import BULLETIN_DIR, enabled_outputs

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
LEGACY_SUFFIXES = (".xls", ".et")
REPORTS_DIR = ".plandoc/reports"
WAITING_DIR = "等待计划"                  # INBOX/等待计划/: workbooks whose plan has not arrived yet
WAIT_NOTE_SUFFIX = ".等待说明.txt"         # the archive's copies of accepted workbooks
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# What to write instead, per column header (the ingest says what is wrong).
ADVICE = {
    "完成状态": "请从下拉列表中选择：已完成、超序时、序时推进、滞后、未启动、调整、不适用",
    "本期完成值": "请只填数字（如 35 或 5.2），单位和文字说明写在“进展情况”里",
    "本期累计": "请只填数字（本年累计值，单位与“单位”列一致）",
    "同比增长%": "请只填数字（如 5.2 表示增长 5.2%，下降填负数）",
    "完成率%": "可留空由系统计算；如填写，应等于 本期累计 ÷ 年度目标 × 100",
    "进展情况": "请写明本期做了什么、推进到什么程度",
    "编号": "请不要修改“编号”列，按下发的台账原样填报",
    AS_OF_LABEL: "请在“统计截至”后填写日期，如 2023-06-30",
}
DEFAULT_ADVICE = "请使用下发的台账填报，不要删改表头、工作表和编号"


def is_workbook(path: Path, name: str) -> bool:
    """A spreadsheet, by its name or — for a zip — by its content (a renamed .xlsx still is one)."""
    suffix = Path(name).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES + LEGACY_SUFFIXES:
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(4)
        if head != b"PK\x03\x04":
            return False
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def convert_legacy_workbook(path: Path, workdir: Path) -> Path:
    """A legacy .xls/.et workbook converted to .xlsx in `workdir` (LibreOffice, readers/office.py);
    a conversion that fails returns the workbook with the converter's Chinese reason."""
    from pipeline.readers.office import legacy_workbook_to_xlsx
    from pipeline.watch.process import Failure
    try:
        return legacy_workbook_to_xlsx(path, workdir)
    except InputError as e:
        raise Failure(e.reason, hint=e.hint) from None


@dataclass
class Meta:
    plan_key: str | None
    title: str | None


def read_meta(path: Path) -> Meta:
    from openpyxl import load_workbook
    from pipeline.watch.process import Failure
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:
        raise Failure(f"无法打开工作簿（{type(e).__name__}），文件可能已损坏或不完整",
                      hint="请用 Excel 或 WPS 打开确认后重新保存、报送") from None
    try:
        if META_SHEET not in wb.sheetnames:
            return Meta(None, None)
        meta = {r[0]: r[1] for r in wb[META_SHEET].iter_rows(values_only=True) if r and r[0]}
        return Meta(meta.get("plan_key"), meta.get("title"))
    finally:
        wb.close()


def wait_note(name: str, meta: Meta, when: float | None = None) -> str:
    import time
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when or time.time()))
    title = meta.title or "（台账未写明计划名称）"
    return (f"文件：{name}\n"
            f"放入时间：{stamp}\n"
            f"为什么在这里：这份台账属于《{title}》，但收文目录还没有收到这份计划，暂时无法核对和汇总。\n"
            "接下来：请把这份计划的通知文件放入收文目录。计划处理完成后，本台账会自动接着处理"
            "（接收或退回），不需要重新放入，也不要把它移出本文件夹。\n"
            "如果这份台账放错了（不属于任何计划），可以直接删除它和本说明。\n")


def wait_for_plan(archive: Archive, task, claim: Path, meta: Meta):
    """Park a workbook in 等待计划/ until its plan arrives. Ordered for a kill at any point: the
    archive reserves the place first (a re-run reuses it), the note is written, the file moves last —
    until then it is still in the processing area, and an adopting watcher simply runs this again."""
    import os
    from pipeline.watch.process import Outcome, _final_candidates
    folder = Path(task.inbox) / WAITING_DIR
    rel = Path(task.name)
    place = archive.reserve_wait(task.token, name=task.name, plan_key=meta.plan_key, title=meta.title,
                                 candidates=_final_candidates(folder, task.name, WAIT_NOTE_SUFFIX))
    place.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(place.with_name(place.name + WAIT_NOTE_SUFFIX), wait_note(rel.as_posix(), meta))
    if os.path.lexists(claim):
        os.rename(claim, place)
    return Outcome(task.token, task.name, "waiting", f"等待计划《{meta.title or meta.plan_key}》", str(place))


def bulletin_stem(base: str, as_of: str) -> str:
    from pipeline.render.env import date_zh
    return f"{base}执行情况通报（截至{date_zh(as_of)}）"


def process_workbook(archive: Archive, task, claim: Path, byte_sha: str):
    from pipeline.watch.process import Failure, _duplicate, _finish
    archive.set_kind(task.token, "workbook")
    with tempfile.TemporaryDirectory(prefix="plandoc-wb-") as tmp:
        path = claim
        with open(claim, "rb") as f:
            legacy = f.read(8).startswith(_OLE_MAGIC)
        if legacy or Path(task.name).suffix.lower() in LEGACY_SUFFIXES:
            path = convert_legacy_workbook(claim, Path(tmp))
        meta = read_meta(path)
        if not meta.plan_key:
            raise Failure("这份表格没有本系统台账的计划标识，无法确定属于哪份计划",
                          hint="请在下发的台账（…推进台账.xlsx）上填报，不要复制到新建的表格里")
        plan = archive.find_plan(plan_key=meta.plan_key)
        if plan is None:
            return wait_for_plan(archive, task, claim, meta)
        archive.end_wait(task.token)        # released from 等待计划/ (or never waited): it is processed now
        with plan_lock(task.inbox, plan["plan_id"]):
            plan = archive.plan(plan["plan_id"])
            archive.set_kind(task.token, "workbook", plan["plan_id"])
            original = archive.accepted_report_with_bytes(plan["plan_id"], byte_sha, task.token)
            if original:
                return _duplicate(archive, task, original)
            known = archive.report(task.token)
            if known is None:
                as_of = _accept_or_return(archive, task, plan, path, byte_sha)
            elif known["state"] == "returned":     # resumed after a kill: return it again, same reason
                raise Failure(known["reason"] or "台账未通过检查")
            else:
                as_of = known["as_of"]
            bulletin = regenerate_bulletins(archive, task.inbox, plan, since=as_of)
    return _finish(archive, task, "done", Path(task.inbox) / "done", detail=str(bulletin))


def _accept_or_return(archive: Archive, task, plan: dict, path: Path, byte_sha: str) -> str:
    from pipeline.track.config import load_config
    from pipeline.track.ingest import WorkbookErrors, ingest, read_workbook
    from pipeline.track.items import build_items
    from pipeline.watch.plan_drop import load_version
    cfg = load_config()
    result = load_version(archive, plan["token"])
    items = build_items(result, cfg)
    report, errors = read_workbook(path, items, cfg)
    unit, as_of = report.unit, report.as_of.isoformat() if report.as_of else None

    def give_back(reason: str, hint: str, short: str | None = None):
        from pipeline.watch.process import Failure
        archive.record_report(token=task.token, name=task.name, plan_id=plan["plan_id"], as_of=as_of, unit=unit,
                              state="returned", reason=short or reason.splitlines()[0], byte_sha256=byte_sha)
        raise Failure(reason, hint=hint)

    if errors:
        give_back(cell_errors_text(errors), "请按每一处的说明改正后重新报送；有错误的台账不会导入任何一行",
                  short=f"台账有 {len(errors)} 处错误（{_first(errors)}）")
    if as_of is None:
        give_back("没有填写“统计截至”日期，无法确定是哪一期的报送", ADVICE[AS_OF_LABEL], "未填写统计截至日期")
    if plan["year"] and report.as_of.year != plan["year"]:
        give_back(f"统计截至 {as_of} 不在计划年度 {plan['year']} 年内", "请核对统计截至日期",
                  f"统计截至 {as_of} 不在计划年度内")
    if report.as_of > dt.date.today():
        give_back(f"统计截至 {as_of} 晚于今天", "请核对统计截至日期", f"统计截至 {as_of} 晚于今天")
    if not unit:
        give_back("没有填写“填报单位”，无法确定是哪个单位的报送",
                  "请在“重点任务”表上方“填报单位”后填写本单位全称", "未填写填报单位")
    later = sorted({r["as_of"] for r in archive.reports(plan["plan_id"], state="accepted") if r["as_of"] > as_of})
    if later:
        give_back(f"截至 {as_of} 的报送期已结束：已开始汇总截至 {later[-1]} 的进展",
                  f"请按最新一期（统计截至 {later[-1]}）填报后重新报送", f"报送期（截至 {as_of}）已结束")
    others = [r["copy_path"] for r in archive.reports(plan["plan_id"], as_of, "accepted") if r["unit"] != unit]
    try:
        ingest([*others, path], items, cfg)       # two units reporting one row differently
    except WorkbookErrors as e:
        mine = [err for err in e.errors if err.file == str(path)]
        if mine:
            give_back(cell_errors_text(mine), "请与相关单位核对同一事项的填报内容后重新报送",
                      short=f"与其他单位的填报冲突（{_first(mine)}）")
    copy = Path(task.inbox) / REPORTS_DIR / f"{task.token}.xlsx"
    copy.parent.mkdir(parents=True, exist_ok=True)
    tmp = copy.with_name(f".{copy.name}.part")
    shutil.copyfile(path, tmp)
    tmp.replace(copy)
    archive.record_report(token=task.token, name=task.name, plan_id=plan["plan_id"], as_of=as_of, unit=unit,
                          state="accepted", byte_sha256=byte_sha, copy_path=str(copy))
    return as_of


def _first(errors) -> str:
    e = errors[0]
    where = f"{e.sheet or ''}{e.cell or ''}"
    return (f"{where}：" if where else "") + e.reason.splitlines()[0][:40] + ("等" if len(errors) > 1 else "")


def cell_errors_text(errors) -> str:
    lines = [f"台账有 {len(errors)} 处需要改正（整份台账未导入）："]
    for i, e in enumerate(errors, 1):
        place = "、".join(x for x in (f"工作表“{e.sheet}”" if e.sheet else None,
                                      f"单元格 {e.cell}" if e.cell else (f"第{e.row}行" if e.row else None),
                                      f"“{e.column}”列" if e.column else None) if x) or "整个工作簿"
        lines.append(f"{i}. {place}：{e.reason}；应填写：{ADVICE.get(e.column or '', DEFAULT_ADVICE)}")
    return "\n".join(lines)


# -- bulletins ------------------------------------------------------------------------------------
def submission_status(archive: Archive, plan_id: str, as_of: str) -> dict:
    """报送情况 of one period: units reported, returned (one-line reason), not yet reported. The units
    expected are every unit that has sent this plan a workbook in any period."""
    everything = archive.reports(plan_id)
    expected = sorted({r["unit"] for r in everything if r["unit"]})
    mine = [r for r in everything if r["as_of"] == as_of]
    reported = {r["unit"]: r for r in mine if r["state"] == "accepted"}
    returned: dict[str, dict] = {}
    for r in mine:
        if r["state"] == "returned" and r["unit"] not in reported:
            returned[r["unit"] or r["name"]] = r              # the latest return per unit
    missing = [u for u in expected if u not in reported and u not in returned]
    return {
        "as_of": as_of,
        "reported": [{"unit": u, "file": r["name"]} for u, r in sorted(reported.items())],
        "returned": [{"unit": u, "file": r["name"], "reason": r["reason"]} for u, r in sorted(returned.items())],
        "missing": missing,
    }


def regenerate_bulletins(archive: Archive, inbox: str, plan: dict, since: str) -> Path | None:
    """Rebuild the bulletin of period `since` and of every later period (held under the plan lock)."""
    from pipeline.track.bulletin import make_bulletin
    from pipeline.watch.plan_drop import load_version
    result = load_version(archive, plan["token"])
    periods = sorted({r["as_of"] for r in archive.reports(plan["plan_id"], state="accepted") if r["as_of"] >= since})
    first = None
    folder = Path(plan["folder"]) / BULLETIN_DIR
    for as_of in periods:
        paths = [Path(r["copy_path"]) for r in archive.reports(plan["plan_id"], as_of, "accepted")]
        status = submission_status(archive, plan["plan_id"], as_of)
        stem = bulletin_stem(plan["base"], as_of)
        folder.mkdir(parents=True, exist_ok=True)
        pdf = folder / f"{stem}.pdf"
        editable = (folder / f"{stem}（可编辑）.docx",) if "docx" in enabled_outputs() else ()
        figures = make_bulletin(result, paths, as_of, pdf, archive=archive.path, submissions=status, also=editable)
        atomic_write_text(folder / f"{stem}（数据）.json",
                          json.dumps({**figures, "submissions": status}, ensure_ascii=False, indent=2) + "\n")
        first = first or pdf
    return first
