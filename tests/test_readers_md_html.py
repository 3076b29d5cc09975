"""The .md and .html readers: one notice written three ways (.txt with a flattened tab table, .md with
front matter and a pipe table, a saved .html page with chrome and a <table>) gives the same cover, tree
and indicator rows; what is not the document (front matter, index disclaimers, page chrome) stays out."""
from __future__ import annotations

import json

import pytest

from pipeline.errors import InputError
from pipeline.parse import parse_file
from pipeline.readers import read_document

COVER = ["示范区人民政府办公室关于印发《示范区2025年生态环境保护工作计划》的通知", "示府办发〔2025〕7号",
         "各镇人民政府、街道办事处，区政府各委、办、局：",
         "《示范区2025年生态环境保护工作计划》已经区政府同意，现印发给你们，请认真组织实施。",
         "示范区人民政府办公室", "2025年3月18日", "示范区2025年生态环境保护工作计划",
         "一、工作目标", "全年空气质量优良天数比例达到85%以上，新增绿地12公顷。",
         "二、重点任务", "（一）推进污染防治。完成3处黑臭水体整治。", "（二）加强生态建设。建成口袋公园6个。"]
HEADER = ["指标名称", "单位", "2024年完成", "2025年目标"]
ROWS = [["空气质量优良天数比例", "%", "83.6", "85以上"], ["新增绿地", "公顷", "10", "12"], ["黑臭水体整治", "处", "2", "3"]]


def _txt() -> str:
    out = list(COVER) + ["", "附件", "", "主要指标表"]
    for row in [HEADER] + ROWS:
        out += ["\t" + c for c in row] + [""]
    return "\n".join(out) + "\n"


def _md() -> str:
    fm = ["---", "标题: 示范区人民政府办公室关于印发《示范区2025年生态环境保护工作计划》的通知", "文号: 示府办发〔2025〕7号",
          "发布日期: 2025-04-02", "---", "", "> 本文由脚本提取，以官方链接为准。", "", f"# {COVER[0]}", ""]
    body = [l for x in COVER[1:] for l in (x, "")]
    table = ["附件", "", "主要指标表", "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    table += ["| " + " | ".join(r) + " |" for r in ROWS]
    return "\n".join(fm + body + table + ["", "## 附件（官方直链）", "- [附件1](https://example.invalid/a.pdf)"]) + "\n"


def _html() -> str:
    cells = "".join(f"<th>{h}</th>" for h in HEADER)
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in ROWS)
    paras = "".join(f"<p>{x}</p>" for x in COVER)
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>页面</title><script>var a='一、不是标题';</script>"
            "<style>p{}</style></head><body><nav>首页 &gt; 政务公开 &gt; 通知</nav><header>打印 关闭窗口</header>"
            f"<div class='content'>{paras}<p>附件</p><p>主要指标表</p><table><tr>{cells}</tr>{rows}</table></div>"
            "<footer>版权所有 网站标识码 1234</footer></body></html>")


def _core(result) -> dict:
    d = json.loads(result.model_dump_json())
    n = d["notice"]
    return {"notice": {k: n[k] for k in ("title", "verb", "issuers", "addressees", "date", "doc_number")},
            "sections": [(s["id"], s["title"], [c["title"] for c in s["children"]]) for s in d["plan"]["sections"]],
            "indicators": [(r["name"], r["unit"], r["base"]["value"]["text"], r["target"]["value"]["text"])
                           for r in d["plan"]["indicators"]],
            "targets": [(t["metric"], t["value"], t["unit"], t["comparator"]) for t in d["plan"]["targets"]]}


@pytest.fixture()
def three(tmp_path):
    (tmp_path / "n.txt").write_text(_txt(), encoding="utf-8")
    (tmp_path / "n.md").write_text(_md(), encoding="utf-8")
    (tmp_path / "n.html").write_bytes(_html().encode("utf-8"))
    return {ext: parse_file(tmp_path / f"n.{ext}", keywords=False) for ext in ("txt", "md", "html")}


def test_three_formats_parse_the_same(three):
    want = _core(three["txt"])
    assert len(want["indicators"]) == 3 and want["sections"] and want["targets"]
    assert want["notice"]["addressees"] == ["各镇人民政府", "街道办事处", "区政府各委、办、局"]
    for ext in ("md", "html"):
        assert _core(three[ext]) == want, ext
        assert three[ext].source.format == ext


def test_front_matter_and_chrome_stay_out(tmp_path):
    (tmp_path / "n.md").write_text(_md(), encoding="utf-8")
    doc = read_document(tmp_path / "n.md")
    text = "\n".join(getattr(b, "text", "") for b in doc.blocks)
    assert doc.metadata["文号"] == "示府办发〔2025〕7号"
    assert "发布日期" not in text and "脚本提取" not in text and "example.invalid" not in text
    (tmp_path / "n.html").write_bytes(_html().encode("utf-8"))
    doc = read_document(tmp_path / "n.html")
    text = "\n".join(getattr(b, "text", "") for b in doc.blocks)
    assert "首页" not in text and "版权所有" not in text and "var a" not in text and "打印" not in text


def test_html_rowspan_is_a_known_merge(tmp_path):
    html = ("<html><body><p>附件</p><table><tr><th>类别</th><th>指标名称</th><th>单位</th><th>2025年目标</th></tr>"
            "<tr><td rowspan='2'>环境质量</td><td>优良天数比例</td><td>%</td><td>85</td></tr>"
            "<tr><td>PM2.5浓度</td><td>微克/立方米</td><td>≤30</td></tr></table></body></html>")
    (tmp_path / "t.html").write_text(html, encoding="utf-8")
    r = parse_file(tmp_path / "t.html", keywords=False)
    assert [(x.category, x.name, x.target.value.text) for x in r.plan.indicators] == [
        ("环境质量", "优良天数比例", "85"), ("环境质量", "PM2.5浓度", "≤30")]


def test_markdown_without_body_is_refused_with_a_reason(tmp_path):
    p = tmp_path / "empty.md"
    p.write_text("---\n标题: 无\n---\n\n> 说明\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_document(p)
    assert "没有正文" in str(e.value)
