"""Render safety and refusal: untrusted text stays text, nothing is fetched, missing glyphs and a
missing HarfBuzz subsetter stop the render with a Chinese message, the CLI renders parse JSON."""
from __future__ import annotations

import http.server
import json
import re
import threading
from pathlib import Path

import pdfplumber
import pytest

from pipeline.errors import InputError
from pipeline.render.fetcher import ProjectOnlyFetcher, RefusedFetch
from pipeline.render.plan_pdf import render_plan_pdf
from pipeline.schema import Cell, DocNumber, Node, Notice, ParseResult, Period, Plan, Row, Source


def make_result(body: str = "", item_text: str = "", title: str = "关于印发示例县2024年国民经济和社会发展计划的通知",
                issuer: str = "示例县人民政府") -> ParseResult:
    """A small but complete plan: cover notice, two levels of headings, a run-in headline, a table."""
    item = Node(id="1.1", kind="item", level=2, label="（一）", title="稳步扩大有效投资",
                text=item_text or "全年实施重点项目120个以上，完成投资85亿元。")
    section = Node(id="1", kind="section", level=1, label="一、", title="重点工作任务", children=[item])
    row = Row(id="r1", category="地区生产总值", name="地区生产总值", unit="亿元",
              base=Period(year=2023, label="2023年完成", value=Cell(text="300.5"), growth=Cell(text="5.1")),
              target=Period(year=2024, label="2024年预期", value=Cell(text="—"), growth=Cell(text="6左右")))
    return ParseResult(
        source=Source(path="constructed.txt", sha256="0" * 64, format="txt"),
        notice=Notice(title=title, doc_number=DocNumber(text="示政发〔2024〕3号"), addressees=["各乡镇人民政府", "县政府各部门"],
                      body=body or "《示例县2024年国民经济和社会发展计划》已经县人民代表大会批准，现印发给你们，请认真组织实施。",
                      issuer=issuer, issuers=[issuer], date="2024-02-05", publicity="此件公开发布"),
        plan=Plan(title="示例县2024年国民经济和社会发展计划", sections=[section], indicators=[row],
                  attachment_title="示例县2024年国民经济和社会发展主要指标"))


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "".join("".join(c["text"] for c in p.chars) for p in pdf.pages)


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server API
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.hits = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_markup_in_a_notice_is_literal_text_and_fetches_nothing(tmp_path, loopback):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    hostile = (f'<img src="{loopback}/img.png"><link rel="stylesheet" href="{loopback}/x.css">'
               f'<img src="file://{secret}"><style>@import url("{loopback}/i.css");</style>'
               f'<img src="file:///etc/passwd">')
    result = make_result(body="现印发给你们。" + hostile, item_text="推进项目建设。" + hostile)
    out = tmp_path / "hostile.pdf"
    report = render_plan_pdf(result, out)
    text = pdf_text(out)
    flat = text.replace(" ", "")
    assert '<imgsrc="file:///etc/passwd">' in flat
    assert f'href="{loopback}/x.css"' in flat and "@import" in flat
    assert "TOP-SECRET-CONTENT" not in text and "root:" not in text
    assert _Recorder.hits == []
    assert report.refused == []
    assert all(url.startswith("file://") for url in report.served)
    served_paths = {Path(u.removeprefix("file://")) for u in report.served}
    assert served_paths <= {f.path for f in report.fonts.faces()}


def test_fetcher_serves_only_project_files(tmp_path, loopback):
    from pipeline.render.env import TEMPLATES_DIR
    fetcher = ProjectOnlyFetcher([TEMPLATES_DIR])
    ok = fetcher.fetch((TEMPLATES_DIR / "gongwen.css.j2").as_uri())
    assert b"@page" in ok.read()
    (tmp_path / "evil").symlink_to("/etc/passwd")
    for url in [f"{loopback}/a.css", "file:///etc/passwd", (tmp_path / "evil").as_uri(),
                (TEMPLATES_DIR / ".." / "pyproject.toml").as_uri(), "data:text/css,body{}", "ftp://127.0.0.1/x"]:
        with pytest.raises(RefusedFetch):
            fetcher.fetch(url)
    assert _Recorder.hits == []
    assert len(fetcher.refused) == 6


def test_a_character_without_a_glyph_is_refused_by_name(tmp_path):
    out = tmp_path / "tofu.pdf"
    with pytest.raises(InputError) as e:
        render_plan_pdf(make_result(item_text="推进项目建设𓀀三年行动。"), out)
    assert "𓀀" in e.value.message and "U+13000" in e.value.message and "字形" in e.value.message
    assert not out.exists()
    # two such characters: the first in reading order is named, with its page and the words around it
    with pytest.raises(InputError) as e:
        render_plan_pdf(make_result(item_text="推进𓀁项目建设𓀀三年行动，𓀁再次出现。"), out)
    assert "字符“𓀁”（U+13001）" in e.value.message and re.search(r"第\d+页", e.value.message)
    assert "推进𓀁项目" in e.value.message


def test_rare_name_characters_fall_back_to_noto_on_the_grid(tmp_path):
    out = tmp_path / "rare.pdf"
    text = "由王堃、李喆、张珺等同志牵头，2024年完成投资12.5亿元，新增就业3000人以上。" * 3
    report = render_plan_pdf(make_result(item_text=text), out)
    assert {"堃", "喆", "珺"} <= set(report.fallback_chars)
    assert all("Noto" in fam for ch, fam in report.fallback_chars.items() if ch in "堃喆珺")
    from pipeline.render import gbt9704 as g
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[1]   # the plan page, where the item text is
        rare = [c for c in page.chars if c["text"] in "堃喆珺"]
        assert len(rare) == 9 and {round(c["size"], 2) for c in rare} == {16.0}
        body = sorted({round(page.height - c["matrix"][5], 2) for c in page.chars if abs(c["size"] - 16) < 0.3})
        first = body[0]
        for y in body:    # fallback glyphs did not move any line off the grid
            steps = (y - first) / g.LINE_PITCH_PT
            assert abs(steps - round(steps)) < 0.01, (y, first)
        assert {round(page.height - c["matrix"][5], 2) for c in rare} <= set(body)


def test_missing_harfbuzz_subset_is_refused_in_chinese(tmp_path, monkeypatch):
    """Simulates an absent libharfbuzz-subset0 (WeasyPrint sets the handle to None when dlopen fails)."""
    from weasyprint.text import ffi
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    with pytest.raises(InputError) as e:
        render_plan_pdf(make_result(), tmp_path / "slow.pdf")
    assert "libharfbuzz-subset0" in e.value.message
    assert not (tmp_path / "slow.pdf").exists()


def test_unknown_style_is_refused(tmp_path):
    with pytest.raises(InputError):
        render_plan_pdf(make_result(), tmp_path / "x.pdf", style="fancy")


def test_cli_renders_a_parse_json_in_formal_style(tmp_path):
    from conftest import run_cli
    src = tmp_path / "plan.json"
    src.write_text(make_result().model_dump_json(), encoding="utf-8")
    out = tmp_path / "plan.pdf"
    proc = run_cli("render", str(src), "-o", str(out), "--style", "formal")
    assert proc.returncode == 0, proc.stderr
    text = pdf_text(out)
    assert "示例县人民政府文件" in text and "示政发〔2024〕3号" in text and "2024年2月5日" in text
    assert "地区生产总值" in text and "6左右" in text
    bad = run_cli("render", str(src), "-o", str(tmp_path / "y.pdf"), "--style", "fancy")
    assert bad.returncode == 2 and "plain" in bad.stderr


def test_cli_reports_a_broken_json_in_chinese(tmp_path):
    from conftest import run_cli
    src = tmp_path / "broken.json"
    src.write_text(json.dumps({"plan": 3}), encoding="utf-8")
    proc = run_cli("render", str(src), "-o", str(tmp_path / "z.pdf"))
    assert proc.returncode == 1 and "错误" in proc.stderr and "Traceback" not in proc.stderr
