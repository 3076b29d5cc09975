"""A constructed notice the parser was not tuned to: other district and numbers, ﹝﹞ and "5 号",
verb 下达, date 二〇二四年三月八日, half-width brackets, levels 1./（1）, 一要 enumerations; and the same
plan without any cover."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from pipeline.parse import parse_file

VARIANT = FIXTURES / "variant_boshan_2024.txt"


@pytest.fixture(scope="module")
def result():
    return parse_file(VARIANT, keywords=False)


def _ids(nodes):
    out = []
    for n in nodes:
        out.append((n.id, n.kind, n.level, n.label, n.title))
        out.extend(_ids(n.children))
    return out


def test_variant_cover(result):
    n = result.notice
    assert n.title == "关于下达博山区2024年国民经济和社会发展计划的通知"
    assert n.verb == "下达"
    assert n.doc_number.text == "博政发〔2024〕5 号"     # ﹝﹞ folded by normalisation; the space kept
    assert n.doc_number.canonical == "博政发〔2024〕5号"
    assert (n.doc_number.agency, n.doc_number.year, n.doc_number.serial) == ("博政发", 2024, 5)
    assert n.addressees == ["各镇人民政府", "街道办事处", "博山经济开发区管委会", "区政府各部门", "各有关单位"]
    assert n.body.startswith("《博山区2024年国民经济和社会发展计划》") and "现下达给你们" in n.body
    assert n.issuer == "博山区人民政府"
    assert n.date == "2024-03-08"
    assert n.publicity == "此件依申请公开"
    assert n.attachments == ["博山区2024年国民经济和社会发展主要指标"]


def test_variant_tree(result):
    p = result.plan
    assert (p.title, p.region, p.year) == ("博山区2024年国民经济和社会发展计划", "博山区", 2024)
    ids = _ids(p.sections)
    assert ("2.1.1", "item", 3, "1.", "抓项目扩投资") in ids
    assert ("2.1.1.1", "item", 4, "（1）", "加快续建项目") in ids
    assert ("2.1.1.2", "item", 4, "（2）", "抓好新开工项目") in ids
    assert ("2.1.2", "item", 3, "2.", "促消费稳外贸") in ids
    assert [(i, t) for i, k, _l, _lab, t in ids if k == "headline"] == [
        ("2.2.1", "做强陶瓷琉璃产业"), ("2.2.2", "发展新型材料产业"), ("2.2.3", "壮大文旅康养产业"),
        ("2.3.1", "深化大气污染防治"), ("2.3.2", "加强水环境治理"), ("2.3.3", "推进土壤污染防治")]
    # （含池上镇3个） and 第十八届 are not labels; section 一's text keeps the original full-width digits
    assert "（含池上镇3个）" in p.sections[1].children[0].children[0].text
    assert "增长６％左右" in p.sections[0].text
    assert not [w for w in result.warnings if w.code == "numbering_gap"]


def test_variant_table(result):
    rows = {r.name: r for r in result.plan.indicators}
    assert list(rows) == ["地区生产总值", "规模以上工业增加值", "外贸进出口总额", "实际利用外资",
                          "城镇居民人均可支配收入", "农村居民人均可支配收入", "城镇调查失业率"]
    gdp = rows["地区生产总值"]
    assert (gdp.base.year, gdp.target.year, gdp.base.label, gdp.target.label) == (2023, 2024, "2023年预计", "2024年计划")
    assert (gdp.target.growth.number, gdp.target.growth.comparator) == (6.0, "approx")
    trade, fdi = rows["外贸进出口总额"], rows["实际利用外资"]
    for r in (trade, fdi):
        assert (r.target.value.text, r.target.growth.text) == ("持平", "持平")
        assert r.target.value.merged and r.target.value.inferred
    assert fdi.unit == "万美元" and fdi.base.growth.number == -10.5
    rural = rows["农村居民人均可支配收入"]
    assert (rural.target.growth.text, rural.target.growth.number, rural.target.growth.inferred) == ("6以上", 6.0, True)
    assert rural.target.value.text == "—" and rural.target.value.number is None
    jobless = rows["城镇调查失业率"]
    assert (jobless.target.value.number, jobless.target.value.comparator) == (5.5, "le")
    assert not jobless.target.growth.merged        # a dash is never spread downwards


def test_unconfirmed_inferred_merges_warn(result):
    # nothing in this body mentions 持平 or the income growth: the inferred merges must be flagged
    warned = {w.message.split("”")[0].split("“")[1] for w in result.warnings if w.code == "inferred_merge_unconfirmed"}
    assert warned == {"外贸进出口总额", "实际利用外资", "城镇居民人均可支配收入", "农村居民人均可支配收入"}
    assert all(w.where.table == 1 and w.where.line for w in result.warnings if w.code == "inferred_merge_unconfirmed")


def test_variant_without_cover(tmp_path):
    lines = VARIANT.read_text(encoding="utf-8").split("\n")
    start = lines.index("博山区2024年国民经济和社会发展计划")
    no_cover = tmp_path / "no_cover.txt"
    no_cover.write_text("\n".join(lines[start:]), encoding="utf-8")
    r = parse_file(no_cover, keywords=False)
    assert r.notice is None
    assert (r.plan.title, r.plan.region, r.plan.year) == ("博山区2024年国民经济和社会发展计划", "博山区", 2024)
    with_cover = parse_file(VARIANT, keywords=False)
    assert _ids(r.plan.sections) == _ids(with_cover.plan.sections)
    assert len(r.plan.indicators) == 7
