"""Cover-notice field shapes and their real-world damage (domain.md §1.1–1.2)."""
from __future__ import annotations

import pytest

from pipeline.parse import parse_file
from pipeline.parse.cover import parse_doc_number
from pipeline.parse.dates import parse_date


@pytest.mark.parametrize("text,iso,warns", [
    ("2023年4月25日", "2023-04-25", False),
    ("二〇二四年三月八日", "2024-03-08", False),
    ("二○二三年十二月二十九日", "2023-12-29", False),
    ("二零二二年十月一日", "2022-10-01", False),
    ("2021312日", "2021-03-12", True),          # 年 and 月 lost: only 3-12 is valid
    ("2021112日", None, True),                  # 1-12 or 11-2: warn, don't guess
    ("2021年2月22", "2021-02-22", True),         # 日 lost
    ("2023年2月30日", None, True),
])
def test_dates(text, iso, warns):
    got, warning = parse_date(text)
    assert got == iso
    assert bool(warning) == warns


@pytest.mark.parametrize("text,canonical,serial", [
    ("周政发〔2023〕34号", "周政发〔2023〕34号", 34),
    ("淄政字[2022]12号", "淄政字〔2022〕12号", 12),
    ("莱芜政发［2021］3号", "莱芜政发〔2021〕3号", 3),
    ("济长政办字【2020】第7号", "济长政办字〔2020〕7号", 7),
    ("城发改委发（2023）105 号", "城发改委发〔2023〕105号", 105),
])
def test_doc_numbers(text, canonical, serial):
    d = parse_doc_number(text)
    assert d.canonical == canonical and d.serial == serial and d.text == text


def _parse(tmp_path, text):
    p = tmp_path / "n.txt"
    p.write_text(text, encoding="utf-8")
    return parse_file(p, keywords=False)


def test_number_above_title_three_line_title_joint_issuers(tmp_path):
    r = _parse(tmp_path, "\n".join([
        "西发改发〔2024〕8号", "关于转发西城区2024年国民", "经济和社会发展", "计划的通知", "",
        "区属各单位：", "现将《西城区2024年国民经济和社会发展计划》转发给你们，请遵照执行。", "",
        "西城区发展和改革委员会", "西城区统计局", "2024年3月2日", "",
        "西城区2024年国民经济和社会发展计划", "一、主要目标", "全区生产总值增长5%左右。"]))
    n = r.notice
    assert n.title == "关于转发西城区2024年国民经济和社会发展计划的通知"
    assert n.verb == "转发" and n.doc_number.serial == 8
    assert n.issuers == ["西城区发展和改革委员会", "西城区统计局"]
    assert n.date == "2024-03-02" and n.publicity is None
    assert (r.plan.title, r.plan.region, r.plan.year) == ("西城区2024年国民经济和社会发展计划", "西城区", 2024)


def test_damaged_number_and_verb_mismatch_warn(tmp_path):
    r = _parse(tmp_path, "\n".join([
        "关于下达西乡县2023年国民经济和社会发展计划的通知", "西政发〔20233", "各镇人民政府：",
        "现将计划印发给你们。", "西乡县人民政府", "2023年2月1日",
        "西乡县2023年国民经济和社会发展计划", "一、目标", "增长6%。"]))
    codes = {w.code for w in r.warnings}
    assert {"doc_number_damaged", "verb_mismatch"} <= codes
    assert r.notice.verb == "下达"
    assert (r.notice.doc_number.agency, r.notice.doc_number.year, r.notice.doc_number.serial) == ("西政发", 2023, None)


def test_self_contained_notice_signs_at_the_end():
    """govdoc-cn-397 (joint issuers, no separate plan body): signature and date close the document."""
    from conftest import corpus_file
    r = parse_file(corpus_file("real/govdoc-cn-397.txt"), keywords=False)
    n = r.notice
    assert n.issuers == ["国家发展改革委办公厅", "税务总局办公厅"]
    assert n.issuer == "国家发展改革委办公厅、税务总局办公厅"
    assert n.date == "2019-08-20"
    last = r.plan.sections[-1].children[-1]
    assert "办公厅" not in last.text and "2019年8月20日" not in last.text


# --- every transmitting verb and genre of a title (issue 18: mutation testing) -------------------
# domain.md §1.1: 关于<verb><object>的<genre>; the verb and the object (the plan's own title) are read
# from the title. Each case is a whole small notice, as a clerk would paste it.
_PLAN = "西城区2024年国民经济和社会发展计划"


@pytest.mark.parametrize("verb,genre", [(v, "通知") for v in ("印发", "下达", "转发", "批转", "颁发", "发布", "发送")]
                         + [("印发", g) for g in ("决定", "意见", "批复", "函", "通报")])
def test_title_verb_and_object_for_every_verb_and_genre(tmp_path, verb, genre):
    from pipeline.parse.cover import title_object
    r = _parse(tmp_path, "\n".join([
        "西政发〔2024〕8号", f"关于{verb}《{_PLAN}》的{genre}", "",
        "区属各单位：", f"现将《{_PLAN}》{verb}给你们，请认真贯彻执行。", "",
        "西城区人民政府", "2024年3月2日", "",
        _PLAN, "一、主要目标", "全区生产总值增长5%左右。"]))
    assert r.notice.title == f"关于{verb}《{_PLAN}》的{genre}"
    assert r.notice.verb == verb
    assert title_object(r.notice) == _PLAN
    assert not [w for w in r.warnings if w.code in ("title_unclosed", "verb_mismatch")]
