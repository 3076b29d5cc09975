"""Scraped notices with a website header block in front (domain.md §1.4, forms a–c): the block is cut
off before the cover is read, and its fields serve only as secondary evidence."""
from __future__ import annotations

import pytest

from pipeline.parse import parse_file

HEADERS = {
    "inline": ["标题：关于印发周村区2023年国民经济和社会发展计划的通知 索引号：11370306004271562X/2023-00012 "
               "文号： 发文日期：2023-06-28 发布机构：周村区人民政府", "下载 打印"],
    "pipe": ["|标题|关于印发周村区2023年国民经济和社会发展计划的通知|索引号|11370306004271562X/2023-00012|",
             "|发文机关|周村区人民政府|发文字号|周政发〔2023〕34号|", "|成文日期|2023-04-25|发布日期|2023-06-28|"],
    "lines": ["首页 > 政务公开 > 政策文件", "标题", "关于印发周村区2023年国民经济和社会发展计划的通知", "发文机关",
              "周村区人民政府", "发文字号", "周政发〔2023〕34号", "索引号", "11370306004271562X/2023-00012",
              "成文日期", "2023-04-25", "主题分类", "国民经济计划", "有效性", "有效",
              "下载 打印 全屏 收藏 【字号 大 中 小】 分享"],
}


def _without_where(data):
    if isinstance(data, dict):
        return {k: _without_where(v) for k, v in data.items() if k != "where"}
    if isinstance(data, list):
        return [_without_where(v) for v in data]
    return data


@pytest.mark.parametrize("form", sorted(HEADERS))
def test_header_block_is_cut_off(tmp_path, reference_txt, form):
    p = tmp_path / f"{form}.txt"
    p.write_text("\n".join(HEADERS[form]) + "\n" + reference_txt.read_text(encoding="utf-8"), encoding="utf-8")
    r = parse_file(p, keywords=False)
    base = parse_file(reference_txt, keywords=False)
    assert r.notice.model_dump() == base.notice.model_dump()
    assert r.plan.title == "周村区2023年国民经济和社会发展计划"
    assert _without_where(r.plan.model_dump()) == _without_where(base.plan.model_dump())   # shifted lines only
    assert len(r.plan.indicators) == 20
    assert "header_block" in {w.code for w in r.warnings}


def test_header_fields_fill_only_what_the_body_lacks(tmp_path, reference_txt):
    lines = reference_txt.read_text(encoding="utf-8").split("\n")
    lines = [l for l in lines if "周政发〔2023〕34号" not in l and l != "2023年4月25日"]  # a web copy lost both
    header = ["标题", "关于印发周村区2023年国民经济和社会发展计划的通知", "发文字号", "周政发〔2023〕34号",
              "发布日期", "2023-06-28"]
    p = tmp_path / "lost.txt"
    p.write_text("\n".join(header + lines), encoding="utf-8")
    r = parse_file(p, keywords=False)
    assert r.notice.doc_number.canonical == "周政发〔2023〕34号"
    assert r.notice.date is None                  # 发布日期 is when the page went up, not the 成文日期
    assert (r.notice.issuer, r.notice.publicity) == ("周村区人民政府", "此件公开发布")   # signature without its date
    assert "doc_number_from_header" in {w.code for w in r.warnings}
