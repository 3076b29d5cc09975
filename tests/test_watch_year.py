"""The drop folder runs the clerk's year (issue 12), tried as a clerk would: one live watcher (a real
subprocess on real inotify events) and files copied in over time — plans out of order, a revision,
the same notice in another format, returned 台账 workbooks good and bad for two periods, a unit's
correction, a late workbook for a closed period. Then the overview page is opened in a real headless
chromium (test_overview_in_browser)."""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from test_watch_support import (REPO, archive_rows, needs_render, start_watcher, stop_watcher, terminal_count,
                                wait_until)

pytestmark = needs_render

SAMPLES = REPO / "samples"
ALL_OUTPUTS = "json,plain,formal,tracker,compare,docx"


class Folder:
    """The inbox and output folder of one clerk, with a watcher running on them."""

    def __init__(self, root: Path):
        self.inbox, self.out, self.log = root / "inbox", root / "out", root / "watch.log"
        self.inbox.mkdir(parents=True)
        self.dropped = 0
        self.proc = start_watcher(self.inbox, self.out, log=self.log, PLANDOC_WATCH_OUTPUTS=ALL_OUTPUTS)

    def drop(self, *files: tuple[str, bytes], timeout: float = 150) -> None:
        """Copy files in (each written whole under a temp name, then renamed, as copy tools do) and
        wait until the watcher has finished every one of them."""
        for name, data in files:
            tmp = self.inbox / f".{name}.tmp"
            tmp.write_bytes(data)
            tmp.rename(self.inbox / name)
        self.dropped += len(files)
        assert wait_until(lambda: terminal_count(self.inbox) >= self.dropped, timeout, interval=0.25), \
            self.log.read_text(errors="replace")[-3000:]

    def rows(self) -> dict[str, dict]:
        return {r["name"]: r for r in archive_rows(self.inbox)}

    def reports(self) -> list[dict]:
        con = sqlite3.connect(str(self.inbox / ".plandoc" / "archive.sqlite3"), timeout=30)
        con.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in con.execute("SELECT * FROM reports ORDER BY id")]
        finally:
            con.close()


def _set_as_of(wb, value) -> None:
    ws = wb["重点任务"]
    for row in ws.iter_rows(min_row=1, max_row=6):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip().rstrip("：:") == "统计截至":
                ws.cell(cell.row, cell.column + 1).value = value
                return
    raise AssertionError("统计截至 label not found")


def _workbook(path: Path, *, as_of=None, edit=None) -> bytes:
    wb = load_workbook(path)
    if as_of is not None:
        _set_as_of(wb, as_of)
    if edit:
        edit(wb)
    out = path.with_name(f"edited-{path.name}")
    wb.save(out)
    return out.read_bytes()


def _header(ws) -> tuple[int, dict[str, int]]:
    for r in range(1, 12):
        values = [c.value for c in ws[r]]
        if "编号" in values:
            return r, {v: i + 1 for i, v in enumerate(values) if v}
    raise AssertionError("no header")


def _filled_rows(ws, column: str) -> list[int]:
    r0, cols = _header(ws)
    return [r for r in range(r0 + 1, ws.max_row + 1) if ws.cell(r, cols[column]).value not in (None, "")]


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    root = tmp_path_factory.mktemp("year")
    wbdir = root / "workbooks"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_progress_workbooks.py"),
                    str(SAMPLES / "zhoucun-2023-plan.txt"), str(wbdir)], check=True, capture_output=True, cwd=REPO)
    folder = Folder(root)
    state = {"folder": folder, "wb": wbdir}
    try:
        # 1. this year's plan arrives first, last year's later; 2. a revision and the same notice as .docx
        folder.drop(("2024年计划.txt", (SAMPLES / "zhoucun-2024-plan.txt").read_bytes()))
        state["before_last_year"] = sorted(p.name for p in (folder.out / "周村区" / "2024").iterdir())
        folder.drop(("周村区2023年计划.txt", (SAMPLES / "zhoucun-2023-plan.txt").read_bytes()))
        revised = (SAMPLES / "zhoucun-2023-plan.txt").read_text(encoding="utf-8").replace(
            "新增城镇就业4000人以上", "新增城镇就业4600人以上")
        folder.drop(("周村区2023年计划（修订稿）.txt", revised.encode("utf-8")))
        folder.drop(("周村区2023年计划.docx", (SAMPLES / "zhoucun-2023-plan.docx").read_bytes()))

        # 3. round 1 (1—3月): dates typed three ways, a workbook with bad cells, one without 统计截至
        r1 = wbdir / "round1"
        bad_cells: list[str] = []

        def spoil(wb):
            ws = wb["重点任务"]
            _, cols = _header(ws)
            rows = _filled_rows(ws, "完成状态")
            ws.cell(rows[0], cols["完成状态"]).value = "差不多"
            ws.cell(rows[1], cols["本期完成值"]).value = "约三成"
            bad_cells.extend([ws.cell(rows[0], cols["完成状态"]).coordinate,
                              ws.cell(rows[1], cols["本期完成值"]).coordinate])
        folder.drop(("工信局-一季度.xlsx", _workbook(r1 / "区工业和信息化局.xlsx", as_of="2023.3.31")),
                    ("住建局-一季度.xlsx", _workbook(r1 / "区住房和城乡建设局.xlsx", as_of="2023年3月31日")),
                    ("统计局-一季度.xlsx", _workbook(r1 / "区统计局.xlsx", as_of=45016)),    # Excel serial of 2023-03-31
                    ("发改局-一季度.xlsx", _workbook(r1 / "区发展和改革局.xlsx", edit=spoil)),
                    ("财政局-一季度.xlsx", _workbook(r1 / "区财政局.xlsx", as_of="")))
        state["bad_cells"] = bad_cells
        # the 发改局 corrects its workbook; the 统计局 sends a corrected one that replaces its first
        state["bulletin_r1_before"] = json.loads(_bulletin_json(folder.out, "2023年3月31日").read_text("utf-8"))

        def reword(wb):
            ws = wb["重点任务"]
            _, cols = _header(ws)
            for r in _filled_rows(ws, "进展情况"):
                ws.cell(r, cols["进展情况"]).value = "（更正）" + str(ws.cell(r, cols["进展情况"]).value)
        folder.drop(("发改局-一季度（改）.xlsx", (r1 / "区发展和改革局.xlsx").read_bytes()),
                    ("统计局-一季度（更正）.xlsx", _workbook(r1 / "区统计局.xlsx", edit=reword)))
        # 4. round 2 (1—6月) opens; then a late round-1 workbook comes in for the closed period
        r2 = wbdir / "round2"
        folder.drop(("工信局-上半年.xlsx", (r2 / "区工业和信息化局.xlsx").read_bytes()),
                    ("发改局-上半年.xlsx", (r2 / "区发展和改革局.xlsx").read_bytes()))
        folder.drop(("农业农村局-一季度.xlsx", (r1 / "区农业农村局.xlsx").read_bytes()))
        yield state
    finally:
        assert stop_watcher(folder.proc) == 0


def _bulletin_json(out: Path, date: str) -> Path:
    return out / "周村区" / "2023" / "通报" / f"周村区2023年计划执行情况通报（截至{date}）（数据）.json"


def test_plan_outputs_and_late_comparison(year):
    out = year["folder"].out
    y23, y24 = out / "周村区" / "2023", out / "周村区" / "2024"
    for folder, y in ((y23, 2023), (y24, 2024)):
        for name in (f"周村区{y}年计划.pdf", f"周村区{y}年计划（红头文件）.pdf", f"周村区{y}年计划（解析结果）.json",
                     f"周村区{y}年计划推进台账.xlsx"):
            assert (folder / name).stat().st_size > 0, name
    assert not [n for n in year["before_last_year"] if "比对" in n], "no comparison before last year's plan"
    # last year's plan arrived later: the comparison was made then, in this year's folder, all three formats
    comparison = json.loads((y24 / "周村区2023—2024年计划比对报告.json").read_text("utf-8"))
    assert (comparison["old"]["year"], comparison["new"]["year"]) == (2023, 2024)
    assert (y24 / "周村区2023—2024年计划比对报告.pdf").read_bytes().startswith(b"%PDF-")
    assert "<html" in (y24 / "周村区2023—2024年计划比对报告.html").read_text("utf-8")[:400].lower()
    # …and re-made against the revision (the current 2023 plan says 4600)
    olds = [t["old"]["value"] for t in comparison["targets"] if t["old"] and t["old"]["metric"] == "新增城镇就业"]
    assert 4600 in olds, olds
    # the formal PDF is the 红头 style: it differs from the plain one
    assert (y23 / "周村区2023年计划.pdf").read_bytes() != (y23 / "周村区2023年计划（红头文件）.pdf").read_bytes()
    assert not [p for p in out.rglob("*") if re.search(r"-\d+\.(pdf|json)$", p.name)], "numbered suffixes"


def test_revision_is_versioned_and_compared_duplicate_stays_duplicate(year):
    folder = year["folder"]
    y23 = folder.out / "周村区" / "2023"
    rows = folder.rows()
    v1, v2, dup = rows["周村区2023年计划.txt"], rows["周村区2023年计划（修订稿）.txt"], rows["周村区2023年计划.docx"]
    assert (v1["state"], v1["version"], v2["state"], v2["version"]) == ("done", 1, "done", 2)
    assert dup["state"] == "duplicate" and dup["duplicate_of"] == v1["token"]
    kept = y23 / "历次版本" / "第1版"
    assert json.loads((kept / "周村区2023年计划（解析结果）.json").read_text("utf-8"))["source"]["path"] == v1["name"]
    assert json.loads((y23 / "周村区2023年计划（解析结果）.json").read_text("utf-8"))["source"]["path"] == v2["name"]
    assert v1["pdf_path"] == str(kept / "周村区2023年计划.pdf") and Path(v1["pdf_path"]).exists()
    assert v2["pdf_path"] == str(y23 / "周村区2023年计划.pdf")
    rev = json.loads((y23 / "周村区2023年计划修订比对（第1版—第2版）.json").read_text("utf-8"))
    moved = [t for t in rev["targets"] if t["change"] != "unchanged"]
    assert [(t["metric"], t["change"], t["old"]["value"], t["new"]["value"]) for t in moved] == \
        [("新增城镇就业", "rose", 4000, 4600)]
    assert (y23 / "周村区2023年计划修订比对（第1版—第2版）.pdf").exists()


def test_workbooks_accepted_returned_and_replaced(year):
    folder = year["folder"]
    rows = folder.rows()
    state = {n: r["state"] for n, r in rows.items() if n.endswith(".xlsx")}
    assert state == {"工信局-一季度.xlsx": "done", "住建局-一季度.xlsx": "done", "统计局-一季度.xlsx": "done",
                     "发改局-一季度.xlsx": "failed", "财政局-一季度.xlsx": "failed",
                     "发改局-一季度（改）.xlsx": "done", "统计局-一季度（更正）.xlsx": "done",
                     "工信局-上半年.xlsx": "done", "发改局-上半年.xlsx": "done", "农业农村局-一季度.xlsx": "failed"}
    reports = {r["name"]: r for r in folder.reports()}
    assert {n: r["as_of"] for n, r in reports.items() if n.endswith("一季度.xlsx") and r["state"] != "returned"} == {
        "工信局-一季度.xlsx": "2023-03-31", "住建局-一季度.xlsx": "2023-03-31", "统计局-一季度.xlsx": "2023-03-31"}
    assert reports["统计局-一季度.xlsx"]["state"] == "superseded"
    assert reports["统计局-一季度（更正）.xlsx"]["state"] == "accepted"
    # every bad cell listed with sheet, cell, what is wrong and what to write instead
    reason = (folder.inbox / "failed" / "发改局-一季度.xlsx.原因.txt").read_text("utf-8")
    for cell in year["bad_cells"]:
        assert f"工作表“重点任务”、单元格 {cell}" in reason, reason
    assert "差不多" in reason and "约三成" in reason and reason.count("应填写：") >= 2
    assert "统计截至" in (folder.inbox / "failed" / "财政局-一季度.xlsx.原因.txt").read_text("utf-8")
    late = (folder.inbox / "failed" / "农业农村局-一季度.xlsx.原因.txt").read_text("utf-8")
    assert "已结束" in late and "2023-06-30" in late
    # originals are never modified: the accepted ones sit in done/ byte for byte
    assert (folder.inbox / "done" / "发改局-一季度（改）.xlsx").read_bytes() == \
        (year["wb"] / "round1" / "区发展和改革局.xlsx").read_bytes()


def test_bulletins_follow_accepted_workbooks(year):
    out = year["folder"].out
    r1 = json.loads(_bulletin_json(out, "2023年3月31日").read_text("utf-8"))
    r2 = json.loads(_bulletin_json(out, "2023年6月30日").read_text("utf-8"))
    for b in (r1, r2):
        pdf = Path(str(_bulletin_json(out, "x")).replace("（截至x）（数据）.json", f"（截至{b['as_of'][:4]}年"
                                                      f"{int(b['as_of'][5:7])}月{int(b['as_of'][8:])}日）.pdf"))
        assert pdf.read_bytes().startswith(b"%PDF-"), pdf
    s1 = r1["submissions"]
    assert [u["unit"] for u in s1["reported"]] == sorted(["区工业和信息化局", "区住房和城乡建设局", "区统计局",
                                                          "区发展和改革局"])
    # the 财政局's workbook had no 统计截至: returned, so for this period the unit has not reported
    assert s1["missing"] == ["区财政局"] and s1["returned"] == []
    s2 = r2["submissions"]
    assert [u["unit"] for u in s2["reported"]] == ["区发展和改革局", "区工业和信息化局"]
    assert sorted(s2["missing"]) == sorted(["区住房和城乡建设局", "区统计局", "区财政局"])
    # the bulletin of round 1 was rebuilt when the 发改局's corrected workbook came in: fewer tasks without a
    # report (the folder's plans carry no 任务分解, so a task nobody reported on counts as 未明确牵头单位)
    def without_report(b):
        return b["unreported"] + len(b["unassigned"])
    assert without_report(r1) < without_report(year["bulletin_r1_before"])
    # round 2 compares with round 1 from the folder's archive ("与上期相比")
    assert r2["previous"] and r2["previous"]["as_of"] == "2023-03-31"
    pdf_text = subprocess.run(["pdftotext", str(_bulletin_json(out, "2023年6月30日")).replace("（数据）.json", ".pdf"),
                               "-"], capture_output=True, text=True).stdout
    assert "五、报送情况" in pdf_text and "未报送" in pdf_text and "六、下步工作要求" in pdf_text
    # the same bulletin as an editable .docx beside the PDF, with the same parts in the same order
    from docx import Document
    editable = Path(str(_bulletin_json(out, "2023年6月30日")).replace("（数据）.json", "（可编辑）.docx"))
    paras = [p.text for p in Document(str(editable)).paragraphs]
    heads = [t for t in paras if t in ("四、主要指标运行情况", "五、报送情况", "六、下步工作要求")]
    assert heads == ["四、主要指标运行情况", "五、报送情况", "六、下步工作要求"], heads
    assert any(t.startswith("未报送：") and "区财政局" in t for t in paras)


# -- the overview page in a real browser ----------------------------------------------------------
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Debian chromium + chromium-driver not installed (make test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1200,1600", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _file_of(url: str) -> Path:
    from urllib.parse import unquote, urlparse
    u = urlparse(url)
    assert u.scheme == "file", url
    return Path(unquote(u.path))


MAGIC = {".pdf": b"%PDF-", ".xlsx": b"PK\x03\x04", ".docx": b"PK\x03\x04", ".json": b"{", ".html": b"<"}


def test_overview_in_browser(year, browser, tmp_path):
    from selenium.webdriver.common.by import By
    folder = year["folder"]
    index = folder.out / "index.html"
    browser.get(index.as_uri())
    assert browser.title == "计划收文总览"
    assert not browser.find_elements(By.TAG_NAME, "script")
    # every link resolves to a file that exists and is what its name says
    links = [(a.text, a.get_attribute("href")) for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")]
    targets = [_file_of(href) for _, href in links]
    assert len(links) >= 20
    for (text, href), target in zip(links, targets):
        assert target.is_file(), (text, href)
        magic = MAGIC.get(target.suffix)
        if magic:
            assert target.read_bytes()[:len(magic)] == magic, target
    # every output the folder holds is linked (the current plan outputs, comparisons, bulletins, versions)
    produced = {p for p in folder.out.rglob("*") if p.is_file() and p.name != "index.html"}
    assert produced <= set(targets), sorted(str(p) for p in produced - set(targets))
    # the counts shown are the archive's
    reports = folder.reports()
    text = lambda css: browser.find_element(By.CSS_SELECTOR, css).text
    assert int(text("#total-accepted")) == sum(r["state"] in ("accepted", "superseded") for r in reports)
    assert int(text("#total-returned")) == sum(r["state"] == "returned" for r in reports)
    assert int(text("#total-plans")) == 2
    assert int(text("#total-failed")) == sum(r["state"] == "failed" for r in archive_rows(folder.inbox))
    periods = {p.get_attribute("data-as-of"): p for p in browser.find_elements(By.CSS_SELECTOR, ".period")}
    assert sorted(periods) == ["2023-03-31", "2023-06-30"]
    units = sorted({r["unit"] for r in reports if r["unit"]})
    for as_of, el in periods.items():
        accepted = {r["unit"] for r in reports if r["as_of"] == as_of and r["state"] == "accepted"}
        returned = {r["unit"] for r in reports if r["as_of"] == as_of and r["state"] == "returned"} - accepted
        n = lambda css: int(el.find_element(By.CSS_SELECTOR, css).text)
        assert (n(".n-reported"), n(".n-returned"), n(".n-missing")) == \
            (len(accepted), len(returned), len(units) - len(accepted) - len(returned)), as_of
        assert len(el.find_elements(By.CSS_SELECTOR, "tr.unit")) == len(units)
        assert el.find_element(By.CSS_SELECTOR, "a.bulletin").text.endswith(".pdf")
    assert "已结束" in periods["2023-03-31"].find_element(By.CSS_SELECTOR, "tr.returned").text
    failures = browser.find_elements(By.CSS_SELECTOR, "tr.failure")
    assert len(failures) == 3 and any("统计截至" in f.text for f in failures)
    # following the page's own links in the browser: the comparison (HTML) and a reason file open
    for text_, href in links:
        if href.endswith(".html") or href.endswith(".txt"):
            browser.get(href)
            assert browser.find_element(By.TAG_NAME, "body").text.strip(), href
    # screenshot check: the page renders (non-blank, CJK text drawn, the red rule under region names)
    browser.get(index.as_uri())
    shot = tmp_path / "overview.png"
    assert browser.save_screenshot(str(shot))
    from PIL import Image
    img = Image.open(shot).convert("RGB")
    assert img.size[0] >= 1000 and img.size[1] >= 1000
    colours = img.getcolors(maxcolors=1 << 20)
    dark = sum(c for c, rgb in colours if sum(rgb) < 200)
    red = sum(c for c, (r, g, b) in colours if r > 150 and g < 60 and b < 60)
    assert dark > 2000, "no text drawn"
    assert red > 500, "no region heading rule"
