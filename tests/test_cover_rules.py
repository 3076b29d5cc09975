"""The cover-notice rules of pipeline/parse/cover.py, one by one and on their boundaries (domain.md §1.1).

Each test hands the module's functions a few paragraphs shaped like a real notice (the Zhoucun sample,
the Shanghai notices of the corpus, the Xixiang and Xicheng variants) and checks the field a clerk
reads off the paper: the title joined over its wrapped lines, the 文号, the 主送 list, the body, the
signature, the date and the 公开属性, and the 版记 at the very end. The thresholds of the module (how
far a 文号 may sit from the title, how many lines a title, a 主送 list or a 抄送 list may wrap over,
how long a signature or a title line may be) are each tested on the limit and just past it, the
"just past" case always being a line that is really not that field (a sentence, a related document's
number, a preamble), so no test rests on a window alone. Issue 18: mutation testing of parse/cover.py.
"""
from __future__ import annotations

import re

import pytest

from pipeline.blocks import TextBlock, Where
from pipeline.diagnostics import Diagnostics
from pipeline.parse.cover import (CoverResult, ImprintResult, _issuer_line, _skip_repeated_title, _title_object,
                                  find_title, is_doc_number_line, is_signature_line, parse_closing, parse_cover,
                                  parse_doc_number, parse_imprint, signature_organs, split_addressees, split_organs,
                                  title_object)
from pipeline.schema import DocNumber, Imprint, Notice
from pipeline.text import normalize, strip_indent


def paras(*lines: str) -> list[TextBlock]:
    """Non-blank paragraphs as a text reader makes them (text without indentation, norm normalised), line k+1."""
    return [TextBlock(text=strip_indent(t), norm=normalize(t), where=Where(line=k + 1)) for k, t in enumerate(lines)]


def found(diags: Diagnostics) -> list[tuple[str, int | None]]:
    return [(d.code.value, d.where.line) for d in diags]


def plain_message(diags: Diagnostics, code: str) -> str:
    """The message of the one diagnostic with this code; it is Chinese prose for the clerk (no stray Latin)."""
    [msg] = [d.message for d in diags if d.code.value == code]
    assert not re.search(r"[A-Za-z]", msg), msg
    return msg


# --- the Zhoucun sample cover (samples/zhoucun-2023-plan.txt, lines 1-11) ----------------------------------------
TITLE = "关于印发周村区2023年国民经济和社会发展计划的通知"
TITLE_1, TITLE_2 = " 关于印发周村区2023年国民经济", "和社会发展计划的通知"      # as wrapped in the sample
DOCNO = "周政发〔2023〕34号"
DN = DocNumber(text=DOCNO, canonical=DOCNO, agency="周政发", year=2023, serial=34)
ADDR = "各镇政府、街道办事处，周村经济开发区管委会，区政府各部门，有关单位："
ADDR_TEXT = ADDR.rstrip("：")
ADDRESSEES = ["各镇政府", "街道办事处", "周村经济开发区管委会", "区政府各部门", "有关单位"]
BODY = "《周村区2023年国民经济和社会发展计划》已经周村区第十九届人民代表大会第二次会议批准，现印发给你们，请认真组织实施。"
SIG = "周村区人民政府"
DATE = "2023年4月25日"
PUB = "（此件公开发布）"
PLAN = "周村区2023年国民经济和社会发展计划"
HEAD1 = "一、2023年经济社会发展的总体要求和预期目标"


def zhoucun(**changes) -> Notice:
    """The sample's cover as a clerk fills it in; `changes` for the fields a variant changes."""
    fields = dict(title=TITLE, doc_number=DN, verb="印发", addressees=ADDRESSEES, addressees_text=ADDR_TEXT, body=BODY,
                  issuer=SIG, issuers=[SIG], date="2023-04-25", publicity="此件公开发布")
    fields.update(changes)
    return Notice(**fields)


def test_the_sample_cover_field_by_field():
    d = Diagnostics()
    r = parse_cover(paras(TITLE_1, TITLE_2, DOCNO, ADDR, BODY, SIG, DATE, PUB, PLAN, HEAD1), d)
    assert r == CoverResult(zhoucun(), 8, [])
    assert found(d) == []


def test_no_cover_at_all_is_none_and_starts_at_the_plan():
    d = Diagnostics()
    assert parse_cover(paras(PLAN, HEAD1, "全区生产总值增长5.5%左右。"), d) == CoverResult(None, 0, [])
    assert found(d) == []


# --- 文号 (domain §1.1: agency code + bracketed year + serial + 号; position varies) -------------------------------

@pytest.mark.parametrize("line,is_number", [
    (DOCNO, True),
    ("文 号：周政发〔2023〕34号", True),                 # a spaced label: four characters besides the number
    ("周政发〔2023〕34号同时废止。", False),            # five more characters: a sentence citing the number
    ("根据区政府安排，周政发〔2023〕34号文件所列项目由区发展改革局牵头实施。", False),
    ("西政发〔20233", False),                             # damaged: no 〕, no 号 (handled apart)
    (HEAD1, False),
])
def test_a_doc_number_line_holds_the_number_and_at_most_a_short_label(line, is_number):
    assert is_doc_number_line(normalize(line)) is is_number


def test_doc_number_keeps_the_raw_text_and_a_canonical_form():
    assert parse_doc_number("周政发﹝2024﹞5 号") == DocNumber(text="周政发﹝2024﹞5 号", canonical="周政发〔2024〕5号",
                                                          agency="周政发", year=2024, serial=5)
    assert parse_doc_number("西政发〔20233") is None


def test_a_mirror_that_lost_the_title_starts_at_the_doc_number():
    """domain §1.1: some mirrors lose the title line; the cover is still there (verb read from the body)."""
    r = parse_cover(paras(DOCNO, ADDR, BODY, SIG, DATE, PUB, PLAN, HEAD1), Diagnostics())
    assert r == CoverResult(zhoucun(title=""), 6, [])


def test_doc_number_above_the_title_as_the_standard_prints_it():
    d = Diagnostics()
    r = parse_cover(paras(DOCNO, TITLE, ADDR, BODY, SIG, DATE, PUB, PLAN), d)
    assert r == CoverResult(zhoucun(), 7, [])
    assert found(d) == []


def test_doc_number_under_the_red_header_above_the_title():
    """GB/T 9704 layout: 发文机关标志, 文号, title (here after a line of page chrome)."""
    r = parse_cover(paras("【字号 大 中 小】", "周村区人民政府文件", DOCNO, TITLE, ADDR, BODY, SIG, DATE, PUB), Diagnostics())
    assert r == CoverResult(zhoucun(), 9, [])


def test_doc_number_three_paragraphs_above_the_title_is_the_notices():
    r = parse_cover(paras(DOCNO, "【字号 大 中 小】", "【打印】 【关闭】", TITLE, ADDR, BODY, SIG, DATE), Diagnostics())
    assert r == CoverResult(zhoucun(publicity=None), 8, [])


def test_a_related_documents_number_four_paragraphs_above_the_title_is_not():
    """A page that lists last year's notice (its 文号 alone on a line) before this year's cover."""
    r = parse_cover(paras("相关文件", "周政发〔2022〕28号", "周村区2022年国民经济和社会发展计划", "【字号 大 中 小】",
                          "【打印】 【关闭】", TITLE, ADDR, BODY, SIG, DATE, PUB), Diagnostics())
    assert r == CoverResult(zhoucun(doc_number=None), 11, [])


def test_doc_number_below_the_title_after_two_lines_of_page_chrome():
    r = parse_cover(paras(TITLE, "发布时间：2023-04-26", "来源：周村区人民政府办公室", DOCNO, ADDR, BODY, SIG, DATE),
                    Diagnostics())
    assert r == CoverResult(zhoucun(publicity=None), 8, [])


TITLE_F = "关于转发区发展改革委2024年重点项目建设计划的通知"
BODY_F = "现将区发展改革委《2024年重点项目建设计划》转发给你们，请认真贯彻执行。"
SIG_O = "周村区人民政府办公室"
FORWARDED = Notice(title=TITLE_F, verb="转发", body=BODY_F, issuer=SIG_O, issuers=[SIG_O], date="2024-03-01")


def test_the_forwarded_documents_own_number_is_not_the_notices():
    """A short 转发 notice without 主送 (domain: a long list moves to the 版记); the forwarded document
    follows with its own 文号, which is not the notice's number."""
    r = parse_cover(paras(TITLE_F, BODY_F, SIG_O, "2024年3月1日", "周发改发〔2024〕5号", "周村区2024年重点项目建设计划",
                          "一、总体要求"), Diagnostics())
    assert r == CoverResult(FORWARDED, 4, [])


def test_the_forwarded_documents_damaged_number_is_not_the_notices_either():
    d = Diagnostics()
    r = parse_cover(paras(TITLE_F, BODY_F, SIG_O, "2024年3月1日", "周发改发〔20245", "周村区2024年重点项目建设计划"), d)
    assert r == CoverResult(FORWARDED, 4, [])
    assert found(d) == []


TITLE_XIA = "关于下达西乡县2023年国民经济和社会发展计划的通知"
XIXIANG = Notice(title=TITLE_XIA, doc_number=DocNumber(text="西政发〔20233", agency="西政发", year=2023), verb="下达",
                 addressees=["各镇人民政府"], addressees_text="各镇人民政府", body="现将计划印发给你们。",
                 issuer="西乡县人民政府", issuers=["西乡县人民政府"], date="2023-02-01")


def test_damaged_doc_number_and_verb_mismatch_are_read_and_warned():
    """domain §1.1: `西政发〔20233` lost 〕 and 号: keep agency and year, warn; title 下达, body 印发: keep 下达, warn."""
    d = Diagnostics()
    r = parse_cover(paras(TITLE_XIA, "西政发〔20233", "各镇人民政府：", "现将计划印发给你们。", "西乡县人民政府", "2023年2月1日",
                          "西乡县2023年国民经济和社会发展计划"), d)
    assert r == CoverResult(XIXIANG, 6, [])
    assert found(d) == [("doc_number_damaged", 2), ("verb_mismatch", 1)]
    assert "“西政发〔20233”" in plain_message(d, "doc_number_damaged")
    mismatch = plain_message(d, "verb_mismatch")
    assert "“下达”" in mismatch and "“印发”" in mismatch


def test_damaged_doc_number_two_lines_below_the_title():
    d = Diagnostics()
    r = parse_cover(paras(TITLE_XIA, "发布时间：2023-02-03", "来源：西乡县人民政府办公室", "西政发〔20233", "各镇人民政府：",
                          "现将计划印发给你们。", "西乡县人民政府", "2023年2月1日"), d)
    assert r == CoverResult(XIXIANG, 8, [])
    assert found(d) == [("doc_number_damaged", 4), ("verb_mismatch", 1)]


def test_verb_mismatch_points_at_the_title_line():
    d = Diagnostics()
    title = "关于下达周村区2023年国民经济和社会发展计划的通知"
    r = parse_cover(paras(DOCNO, title, ADDR, BODY, SIG, DATE), d)
    assert r == CoverResult(zhoucun(title=title, verb="下达", publicity=None), 6, [])
    assert found(d) == [("verb_mismatch", 2)]


def test_a_body_without_any_verb_confirms_nothing_and_warns_nothing():
    d = Diagnostics()
    body = "《周村区2023年国民经济和社会发展计划》已经区人大批准，请认真组织实施。"
    r = parse_cover(paras(TITLE, DOCNO, ADDR, body, SIG, DATE), d)
    assert r == CoverResult(zhoucun(body=body, publicity=None), 6, [])
    assert found(d) == []


def test_the_verb_comes_from_the_body_when_the_title_has_none():
    d = Diagnostics()
    title = "关于周村区2023年国民经济和社会发展计划的通知"
    r = parse_cover(paras(title, DOCNO, ADDR, BODY, SIG, DATE), d)
    assert r == CoverResult(zhoucun(title=title, publicity=None), 6, [])
    assert found(d) == []


def test_a_lone_doc_number_without_title_or_signature_is_no_cover():
    d = Diagnostics()
    assert parse_cover(paras(DOCNO, PLAN, HEAD1, "全区生产总值增长5.5%左右。"), d) == CoverResult(None, 0, [])
    assert found(d) == []


def test_a_text_cut_after_the_doc_number_keeps_title_and_number():
    r = parse_cover(paras(TITLE, DOCNO))
    assert r == CoverResult(Notice(title=TITLE, doc_number=DN, verb="印发"), 2, [])


# --- title (关于 + verb + object + 的通知, wrapped; issuer organs before 关于) ------------------------------------------

@pytest.mark.parametrize("title,verb,obj", [
    (TITLE, "印发", PLAN),
    ("关于下达《周村区2024年国民经济和社会发展计划》的通知", "下达", "周村区2024年国民经济和社会发展计划"),
    ("关于转发区发展改革委关于加快推进重点项目建设的意见的通知", "转发", "区发展改革委关于加快推进重点项目建设的意见"),
    ("上海市交通委员会、上海海事局关于印发《上海港提高靠港船舶岸电使用率实施方案（2023年）》的通知", "印发",
     "上海港提高靠港船舶岸电使用率实施方案（2023年）"),
    ("关于周村区2023年国民经济和社会发展计划的通知", None, PLAN),
])
def test_title_verb_and_object(title, verb, obj):
    assert _title_object(title) == (verb, obj)
    assert title_object(Notice(title=title)) == obj


SHORE = ["市交通委、上海海事局", "关于印发《上海港提高靠港船舶岸电", "使用率实施方案（2023年）》的通知",
         "市交通委执法总队、各区交通主管部门、市港航中心、各相关港航企业：",
         "为提高上海港靠港船舶岸电使用率，推进本市港航领域绿色低碳发展，现将实施方案印发给你们，请认真贯彻落实。",
         "上海市交通委员会 上海海事局", "2023年4月17日"]
SHORE_TITLE = "市交通委、上海海事局关于印发《上海港提高靠港船舶岸电使用率实施方案（2023年）》的通知"


def test_issuer_line_above_a_wrapped_title_joins_the_title():
    """sh-city-2023-shore-power: the organs stand on their own line above 关于…, the title wraps."""
    assert find_title(paras(*SHORE), 25) == (0, 3, SHORE_TITLE, ["市交通委", "上海海事局"], True)
    r = parse_cover(paras(*SHORE), Diagnostics())
    assert r == CoverResult(Notice(title=SHORE_TITLE, verb="印发",
                                   addressees=["市交通委执法总队", "各区交通主管部门", "市港航中心", "各相关港航企业"],
                                   addressees_text=SHORE[3].rstrip("："), body=SHORE[4],
                                   issuer="上海市交通委员会、上海海事局", issuers=["上海市交通委员会", "上海海事局"],
                                   date="2023-04-17"), 7, ["市交通委", "上海海事局"])


HUANGPU_ADDR = "区委、区人民政府各部、委、办、局，各街道，各区级机关，各人民团体，区属企业集团："
HUANGPU_ADDRESSEES = ["区委、区人民政府各部、委、办、局", "各街道", "各区级机关", "各人民团体", "区属企业集团"]


def test_joint_issuers_in_the_title_line_and_on_one_signature_line():
    """sh-huangpu-2020: two offices before 关于 (split by spaces) and side by side in the signature."""
    lines = ["中共黄浦区委办公室  黄浦区人民政府办公室关于印发《黄浦区消防安全责任制实施细则》的通知", HUANGPU_ADDR,
             "经区委、区人民政府同意，现将《黄浦区消防安全责任制实施细则》印发给你们，请认真贯彻执行。", "特此通知。",
             "中共上海市黄浦区委办公室   上海市黄浦区人民政府办公室", "2020年6月1日", "黄浦区消防安全责任制实施细则", "一、适用范围"]
    r = parse_cover(paras(*lines), Diagnostics())
    n = r.notice
    assert (r.end, r.title_issuers) == (6, ["中共黄浦区委办公室", "黄浦区人民政府办公室"])
    assert n.title.replace(" ", "") == "中共黄浦区委办公室黄浦区人民政府办公室关于印发《黄浦区消防安全责任制实施细则》的通知"
    assert (n.verb, n.addressees, n.date, n.doc_number) == ("印发", HUANGPU_ADDRESSEES, "2020-06-01", None)
    assert n.body == lines[2] + "\n" + "特此通知。"          # two paragraphs between 主送 and signature
    assert n.issuers == ["中共上海市黄浦区委办公室", "上海市黄浦区人民政府办公室"]
    assert n.issuer == "中共上海市黄浦区委办公室、上海市黄浦区人民政府办公室"


def test_a_title_on_the_first_line_takes_no_organ_from_the_end_of_the_text():
    assert find_title(paras(TITLE, ADDR, BODY, SIG), 25) == (0, 1, TITLE, [], True)


def test_a_breadcrumb_ending_in_the_title_is_not_the_title():
    """Page chrome (domain §1.4): text before 关于 that is no organ makes the line no title; the real one follows."""
    crumb = "首页 > 政务公开 > 政策文件 > " + TITLE
    assert find_title(paras(crumb, TITLE, ADDR, BODY), 25) == (1, 2, TITLE, [], True)


def test_a_sentence_with_a_full_stop_is_not_a_title():
    assert find_title(paras("关于计划执行情况的说明见附件。", TITLE, ADDR), 25) == (1, 2, TITLE, [], True)


def test_a_title_wrapped_over_four_lines_is_joined():
    lines = paras("关于印发《周村区2023年", "国民经济和社会", "发展计划》", "的通知", ADDR, BODY)
    assert find_title(lines, 25) == (0, 4, "关于印发《周村区2023年国民经济和社会发展计划》的通知", [], True)


def test_a_paragraph_wrapped_over_five_lines_is_not_a_title():
    """A PDF-wrapped paragraph that starts with 关于 and only reaches 通知 on its fifth line."""
    lines = paras("关于区属国有企业2024年度投资计划，经区政府", "研究，同意按程序报批，请各单位按照职责分工",
                  "抓紧落实，加强协调配合，确保各项工作任务", "按期完成，有关执行情况请于年底前报区发展", "改革局，特此通知")
    assert find_title(lines, 25) is None


S200 = "关于印发" + "、".join(["周村区2024年重点项目建设计划", "周村区2024年重大招商引资项目推进计划",
                              "周村区2024年重点民生实事项目计划", "周村区2024年城市更新行动计划", "周村区2024年乡村振兴重点项目计划",
                              "周村区2024年科技创新重点项目计划", "周村区2024年生态环境治理项目计划",
                              "周村区2024年交通基础设施建设计划", "周村区2024年政府投资项目计划", "周村区2024年老旧小区改造计划",
                              "区级储备项目计划表"]) + "的通知"
S201 = ("关于2024年全区重点项目建设工作，区政府将按照清单化管理、项目化推进、节点化落实的要求，对全区120个区级重点项目实行"
        "领导包联和专班推进，各镇、街道和区直有关部门要落实属地责任和行业监管责任，每月5日前报送项目进展情况和存在问题，"
        "区发展改革局会同有关部门定期开展督导检查，对进度滞后的项目实行挂牌督办并纳入年度综合考核，确保全年完成投资150亿元，"
        "尽快形成实物工作量，具体安排见区政府办公室印发的通知")


def test_a_title_line_of_200_characters_is_a_title_and_201_a_paragraph():
    assert (len(S200), len(S201)) == (200, 201)
    assert find_title(paras(S200, ADDR, BODY), 25) == (0, 1, S200, [], True)
    assert find_title(paras(S201, "一、工作目标", "全年完成投资150亿元。"), 25) is None


def test_a_title_cut_off_at_the_end_of_the_text_is_no_title():
    assert find_title(paras("关于印发周村区2023年国民经济"), 25) is None


@pytest.mark.parametrize("first", ["关于印发周村区2023年国民经济", "关于转发区发展改革委2024年重点项目",
                                   "关于下达周村区2024年国民经济和社会"])
def test_a_title_cut_short_is_accepted_when_the_addressee_line_follows(first):
    assert find_title(paras(first, "各镇人民政府、街道办事处：", BODY), 25) == (0, 1, first, [], False)


def test_a_title_cut_short_before_a_half_width_colon_addressee_line():
    first = "关于转发区发展改革委2024年重点项目"
    assert find_title(paras(first, "各镇人民政府:"), 25) == (0, 1, first, [], False)


def test_a_cut_line_without_a_transmitting_verb_is_no_title():
    assert find_title(paras("关于做好2024年全区重点项目建设", "各镇人民政府：", "现将有关事项通知如下。"), 25) is None


@pytest.mark.parametrize("colon", ["：", ":"])
def test_joining_a_title_stops_at_the_addressee_line(colon):
    """The 主送 line ends the title even when a later body line happens to end in 通知 (a lost 。)."""
    first = "关于印发周村区2023年国民经济"
    lines = paras(first, "各镇政府、街道办事处" + colon, "现将计划印发给你们，请认真组织实施。", "特此通知")
    assert find_title(lines, 25) == (0, 1, first, [], False)


def test_an_unclosed_title_is_kept_and_warned():
    d = Diagnostics()
    first = "关于印发周村区2023年国民经济"
    r = parse_cover(paras(first, ADDR, BODY, SIG, DATE, PUB), d)
    assert r == CoverResult(zhoucun(title=first, doc_number=None), 6, [])
    assert found(d) == [("title_unclosed", 1)]
    assert f"“{first}”" in plain_message(d, "title_unclosed")
    # without a collector the cover is the same and nothing breaks
    assert parse_cover(paras(first, ADDR, BODY, SIG, DATE, PUB)) == r


MENU = ["首页", "走进周村", "政务公开", "政务服务", "互动交流", "专题专栏"] * 4


def test_a_title_24_lines_down_is_found():
    r = parse_cover(paras(*MENU, TITLE, ADDR, BODY, SIG, DATE), Diagnostics())
    assert r == CoverResult(zhoucun(doc_number=None, publicity=None), 29, [])


@pytest.mark.xfail(reason="defect: the 文号 scan stops at max_scan (cover.py:150) while the title may end there, so a "
                          "文号 right below a title found on paragraph 25 is not read and is glued onto the 主送 text")
def test_a_doc_number_right_below_a_title_24_lines_down_is_read():
    r = parse_cover(paras(*MENU, TITLE, DOCNO, ADDR, BODY, SIG, DATE), Diagnostics())
    assert r == CoverResult(zhoucun(publicity=None), 30, [])


def test_a_related_notice_listed_after_a_plan_body_is_no_cover():
    """A plan without a cover (domain §1.3) whose page lists a related notice at the foot."""
    body = [PLAN, HEAD1] + [f"（{n}）推进第{k}批区级重点项目建设，完成年度投资计划。" for k, n in
                            enumerate("一二三四五六七八九十", 1)] * 2 + ["二、保障措施", "各单位要加强组织领导。", "相关文件："]
    assert len(body) == 25
    lines = paras(*body, "关于印发周村区2022年国民经济和社会发展计划的通知")
    assert parse_cover(lines, Diagnostics()) == CoverResult(None, 0, [])


# --- repeated title of web copies ---------------------------------------------------------------------------------

def test_a_repeated_title_is_skipped():
    assert _skip_repeated_title(paras(TITLE, TITLE, ADDR), 1, TITLE) == 2


def test_a_repeat_wrapped_over_five_lines_is_skipped():
    lines = paras(TITLE, "关于印发", "周村区2023年", "国民经济和", "社会发展计划", "的通知", ADDR)
    assert _skip_repeated_title(lines, 1, TITLE) == 6


ISSUERS_30 = "周村区发展和改革局 周村区住房和城乡建设局 周村区工业和信息化局"


def test_a_repeat_that_carries_its_issuers_is_skipped():
    """Page heading without the organs, then the document's own heading with them (30 characters of organs)."""
    assert len(ISSUERS_30.replace(" ", "")) == 30
    lines = paras(TITLE, ISSUERS_30 + "关于印发周村区2023年国民经济和社会发展计划的通知", ADDR, BODY, SIG, DATE)
    assert _skip_repeated_title(lines, 1, TITLE) == 2
    assert parse_cover(lines, Diagnostics()) == CoverResult(zhoucun(doc_number=None, publicity=None), 6, [])


# --- 主送机关 (line(s) after title/文号 ending in a full-width colon; may wrap) -----------------------------------------

def test_addressees_wrapped_over_two_lines():
    r = parse_cover(paras(TITLE, DOCNO, "各镇政府、街道办事处，周村经济开发区管委会，", "区政府各部门，有关单位：", BODY, SIG, DATE))
    assert r == CoverResult(zhoucun(publicity=None), 7, [])


def test_addressees_wrapped_over_four_lines():
    lines = ["区委、区人民政府各部、委、", "办、局，各街道，", "各区级机关，各人民团体，", "区属企业集团："]
    r = parse_cover(paras(TITLE, DOCNO, *lines, BODY, SIG, DATE))
    assert r == CoverResult(zhoucun(addressees=HUANGPU_ADDRESSEES, addressees_text=HUANGPU_ADDR.rstrip("："),
                                    publicity=None), 9, [])


@pytest.mark.parametrize("colon", ["：", ":"])
def test_addressee_line_with_either_colon(colon):
    r = parse_cover(paras(TITLE, DOCNO, "各镇人民政府、街道办事处" + colon, BODY, SIG, DATE))
    assert r == CoverResult(zhoucun(addressees=["各镇人民政府", "街道办事处"], addressees_text="各镇人民政府、街道办事处",
                                    publicity=None), 6, [])


TITLE_W = "关于做好2024年全区重点项目建设工作的通知"


def test_a_preamble_wrapped_over_five_lines_is_no_addressee_list():
    """No 主送 (a long list moved to the 版记): the preamble runs over five PDF lines to 通知如下：."""
    lines = ["为深入贯彻落实区委、区政府关于稳增长的决策部署，", "加快推进2024年全区重点项目建设，进一步发挥投资对",
             "优化供给结构的关键作用，经区政府同意，现就做好", "2024年全区重点项目建设工作有关事项", "通知如下：",
             "一、明确工作目标", "全年实施区级重点项目120个，完成投资150亿元以上。"]
    n = parse_cover(paras(TITLE_W, *lines)).notice
    assert (n.title, n.addressees, n.addressees_text) == (TITLE_W, [], None)


def test_a_sentence_before_the_colon_line_is_no_addressee_list():
    lines = ["2024年全区重点项目已经区政府第12次常务会议研究同意。", "现将有关事项通知如下：", "一、明确工作目标"]
    n = parse_cover(paras(TITLE_W, *lines)).notice
    assert (n.title, n.addressees, n.addressees_text) == (TITLE_W, [], None)


DEPARTMENTS = ["区发展和改革局", "区教育和体育局", "区科学技术局", "区工业和信息化局", "区民政局", "区司法局", "区财政局",
               "区人力资源和社会保障局", "区自然资源局", "区住房和城乡建设局", "区交通运输局", "区水利局", "区农业农村局",
               "区商务局", "区文化和旅游局", "区卫生健康局", "区退役军人事务局", "区应急管理局", "区审计局",
               "区市场监督管理局", "区统计局", "区医疗保障局", "区城市管理局", "区行政审批服务局", "区大数据发展中心",
               "区投资促进服务中心", "区融媒体中心"]


def test_an_addressee_line_of_300_characters_is_read():
    text = "，".join(["城北路街道办事处", "青年路街道办事处", "永安街街道办事处", "丝绸路街道办事处", "大街街道办事处",
                       "南郊镇人民政府", "王村镇人民政府", "萌水镇人民政府", "北郊镇人民政府", "周村经济开发区管委会",
                       "文昌湖省级旅游度假区管委会"] + DEPARTMENTS)
    line = text + "："
    assert len(line) == 300
    r = parse_cover(paras(TITLE, DOCNO, line, BODY, SIG, DATE))
    assert (r.notice.addressees_text, r.notice.addressees) == (text, text.split("，"))
    assert (r.end, r.notice.body, r.notice.issuer) == (6, BODY, SIG)


PREAMBLE_301 = ("为深入贯彻落实区委、区政府关于稳增长的决策部署，区政府将按照清单化管理、项目化推进、节点化落实的要求，对全区120个"
                "区级重点项目实行领导包联和专班推进，各镇、街道和区直有关部门要落实属地责任和行业监管责任，每月10日前报送项目进展"
                "情况和存在问题，区发展改革局会同有关部门定期开展督导检查，对进度滞后的项目实行挂牌督办并纳入年度综合考核，确保全年"
                "完成投资150亿元，尽快形成实物工作量，强化用地、用能、资金等要素保障，推行容缺受理和并联审批，压缩审批时限，及时协调"
                "解决项目推进中的困难和问题，努力营造全社会支持重点项目建设的良好氛围，经区政府同意，现就做好2024年全区重点项目建设"
                "工作有关事项通知如下：")


def test_a_preamble_of_301_characters_is_no_addressee_list():
    """One long preamble sentence (its commas, no 。) ending in 通知如下：, right under the title."""
    assert len(PREAMBLE_301) == 301
    n = parse_cover(paras(TITLE_W, PREAMBLE_301, "一、明确工作目标")).notice
    assert (n.title, n.addressees, n.addressees_text) == (TITLE_W, [], None)


# --- body, signature, date, 公开属性 ----------------------------------------------------------------------------------

ATTACHMENTS = [f"{k}.周村区2023年{name}" for k, name in enumerate(
    ["重点项目建设计划", "重大招商引资项目计划", "重点民生实事项目计划", "城市更新项目计划", "乡村振兴重点项目计划",
     "科技创新项目计划", "生态环境治理项目计划", "交通基础设施项目计划", "教育设施建设计划", "医疗卫生设施建设计划",
     "文化体育设施建设计划", "老旧小区改造计划", "政府投资项目计划"], 1)]


def test_a_body_of_fourteen_paragraphs_still_reaches_the_signature():
    """The cover body with its 附件说明 listing thirteen attachments: fourteen paragraphs, then the signature."""
    body = [BODY, "附件：" + ATTACHMENTS[0], *ATTACHMENTS[1:]]
    assert len(body) == 14
    r = parse_cover(paras(TITLE, DOCNO, ADDR, *body, SIG, DATE, PLAN))
    assert r == CoverResult(zhoucun(body="\n".join(body), publicity=None), 19, [])


SELF_CONTAINED = ["为加快推进2024年全区重点项目建设，经区政府同意，现就有关事项通知如下。",
                  "一、明确工作目标", "全年实施区级重点项目120个，完成投资150亿元以上。",
                  "二、压实推进责任", "各镇、街道和区直有关部门要落实属地责任和行业监管责任。",
                  "三、强化要素保障", "优先保障重点项目用地、能耗和资金需求。",
                  "四、优化审批服务", "推行容缺受理和并联审批，压缩审批时限。",
                  "五、加强调度督导", "每月调度项目进展，对进度滞后的项目挂牌督办。",
                  "六、严格考核奖惩", "将重点项目推进情况纳入年度综合考核。",
                  "七、营造良好氛围", "及时总结推广项目建设中的好经验好做法。"]


def test_a_notice_with_its_content_inline_signs_at_the_very_end():
    """Fifteen paragraphs after the 主送: the content of the notice itself (一、二、…), not a cover body. The
    cover ends after its first paragraph; the closing block is read from the end of the text."""
    assert len(SELF_CONTAINED) == 15
    lines = paras(TITLE_W, "各镇人民政府、街道办事处，区政府各部门：", *SELF_CONTAINED, SIG, "2024年2月20日")
    r = parse_cover(lines, Diagnostics())
    assert (r.notice.body, r.notice.addressees, r.end) == (SELF_CONTAINED[0], ["各镇人民政府", "街道办事处", "区政府各部门"], 3)
    rest = lines[r.end:]
    assert parse_closing(rest, r.notice) == 14
    assert (r.notice.issuer, r.notice.issuers, r.notice.date) == (SIG, [SIG], "2024-02-20")


def test_a_cover_cut_after_the_signature_keeps_what_it_has():
    n = parse_cover(paras(TITLE, DOCNO, ADDR, BODY, SIG)).notice
    assert (n.title, n.doc_number, n.addressees, n.body) == (TITLE, DN, ADDRESSEES, BODY)


def test_a_text_that_is_only_the_cover_ends_at_the_date():
    r = parse_cover(paras(TITLE, DOCNO, ADDR, BODY, SIG, DATE))
    assert r == CoverResult(zhoucun(publicity=None), 6, [])


TITLE_XC = "关于转发西城区2024年国民经济和社会发展计划的通知"
BODY_XC = "现将《西城区2024年国民经济和社会发展计划》转发给你们，请遵照执行。"
XC_ISSUERS = ["西城区发展和改革委员会", "西城区统计局"]
XICHENG = Notice(title=TITLE_XC, doc_number=DocNumber(text="西发改发〔2024〕8号", canonical="西发改发〔2024〕8号",
                                                      agency="西发改发", year=2024, serial=8),
                 verb="转发", addressees=["区属各单位"], addressees_text="区属各单位", body=BODY_XC,
                 issuer="西城区发展和改革委员会、西城区统计局", issuers=XC_ISSUERS, date="2024-03-02", publicity="此件公开发布")


def test_joint_issuers_on_two_lines_then_date_and_publicity():
    """The Xicheng variant: 文号 above a title wrapped over three lines, two issuing organs, one line each."""
    r = parse_cover(paras("西发改发〔2024〕8号", "关于转发西城区2024年国民", "经济和社会发展", "计划的通知", "区属各单位：", BODY_XC,
                          *XC_ISSUERS, "2024年3月2日", "（此件公开发布）", "西城区2024年国民经济和社会发展计划"))
    assert r == CoverResult(XICHENG, 10, [])


def test_joint_issuers_at_the_end_of_a_text_that_lost_its_date():
    r = parse_cover(paras(TITLE_XC, "区属各单位：", BODY_XC, *XC_ISSUERS))
    assert r == CoverResult(XICHENG.model_copy(update=dict(doc_number=None, date=None, publicity=None)), 5, [])


def test_signature_then_half_width_publicity_without_a_date():
    """domain §1.1: the brackets of the 公开属性 may be half-width; stored without brackets."""
    r = parse_cover(paras(TITLE, DOCNO, ADDR, BODY, SIG, "( 此件公开发布 )", PLAN, HEAD1))
    assert r == CoverResult(zhoucun(date=None), 6, [])


def test_a_date_that_lost_its_ri_is_read_and_warned():
    d = Diagnostics()
    r = parse_cover(paras(TITLE, DOCNO, ADDR, BODY, SIG, "2023年4月25", PUB, PLAN), d)
    assert r == CoverResult(zhoucun(), 7, [])
    assert found(d) == [("date_damaged", 6)]


def test_a_cover_whose_signature_was_lost_still_has_its_date():
    """Web copies often show the signature only in the seal image: the date follows the body directly."""
    r = parse_cover(paras(TITLE, DOCNO, ADDR, BODY, DATE, PUB, PLAN))
    assert r == CoverResult(zhoucun(issuer=None, issuers=[]), 6, [])


def test_a_short_body_closed_by_te_ci_tong_zhi_is_body_not_a_repeated_title():
    """特此通知 (its 。 lost) ends in the same character as the title; it is the last body paragraph."""
    body = ["现将计划印发给你们，请认真组织实施。", "特此通知"]
    r = parse_cover(paras(TITLE, "各镇人民政府、街道办事处：", *body, SIG, DATE))
    assert r == CoverResult(zhoucun(doc_number=None, addressees=["各镇人民政府", "街道办事处"],
                                    addressees_text="各镇人民政府、街道办事处", body="\n".join(body), publicity=None), 6, [])


def test_an_addressee_line_that_lost_its_colon_is_not_the_signature():
    n = parse_cover(paras(TITLE, DOCNO, "各街道办事处", BODY, SIG, DATE, PUB)).notice
    assert (n.issuer, n.issuers, n.date, n.publicity) == (SIG, [SIG], "2023-04-25", "此件公开发布")


# --- signature lines and organ phrases ------------------------------------------------------------------------------

SIG_30 = "上海市黄浦区发展和改革委员会 上海市黄浦区住房保障和房屋管理局"
SENTENCE_31 = "请各单位于每月5日前将项目推进情况书面报送至区发展和改革委员会"      # a sentence that lost its 。


@pytest.mark.parametrize("line,is_sig", [
    (SIG, True),
    ("区委", True),                       # two characters: the shortest organ name
    ("局", False),
    (SIG_30, True),                       # thirty characters without the space
    (SENTENCE_31, False),
    ("中共上海市黄浦区委办公室        上海市黄浦区人民政府办公室", True),   # right-aligned print: spaces do not count
    ("联系单位：区发展和改革委员会", False),
    ("各镇政府、街道办事处", False),
    (DATE, False),
    (PLAN, False),
])
def test_signature_line(line, is_sig):
    assert (len(SIG_30.replace(" ", "")), len(SENTENCE_31)) == (30, 31)
    assert is_signature_line(normalize(line)) is is_sig


ISSUERS_60 = "上海市交通委员会 上海市发展和改革委员会 上海市规划和自然资源局 上海市住房和城乡建设管理委员会 上海市绿化和市容管理局"
SENTENCE_61 = "请各区和各部门于每月的5日前将本单位牵头的重点项目推进情况和存在问题及下一步工作安排以书面形式报送至上海市发展和改革委员会"


@pytest.mark.parametrize("line,is_issuer", [
    ("上海市交通委员会", True),
    ("市交通委、上海海事局", True),
    ("区委", True),
    ("局", False),
    (ISSUERS_60, True),                   # five joint issuers: sixty characters with the spaces
    (SENTENCE_61, False),            # sixty-one characters: a sentence that lost its 。
    ("各区人民政府，市政府各委、办、局", False),
    ("关于印发《上海港提高靠港船舶岸电", False),
])
def test_issuer_line(line, is_issuer):
    assert (len(ISSUERS_60), len(SENTENCE_61)) == (60, 61)
    assert _issuer_line(normalize(line)) is is_issuer


@pytest.mark.parametrize("phrase,organs", [
    ("上海市交通委员会、上海海事局", ["上海市交通委员会", "上海海事局"]),
    ("中共黄浦区委办公室  黄浦区人民政府办公室", ["中共黄浦区委办公室", "黄浦区人民政府办公室"]),
    ("黄浦区 人民政府", ["黄浦区人民政府"]),     # a spaced organ name is one organ
    ("周村区人民政府", ["周村区人民政府"]),
    ("首页 > 政务公开 > 政策文件 >", []),
    ("  ", []),
])
def test_split_organs(phrase, organs):
    assert split_organs(phrase) == organs


@pytest.mark.parametrize("line,organs", [
    ("上海市交通委员会 上海海事局", ["上海市交通委员会", "上海海事局"]),
    ("中共上海市黄浦区委办公室\u3000\u3000上海市黄浦区人民政府办公室", ["中共上海市黄浦区委办公室", "上海市黄浦区人民政府办公室"]),
    ("周村区人民政府", ["周村区人民政府"]),
])
def test_signature_organs(line, organs):
    assert signature_organs(normalize(line)) == organs


# --- 主送 and 抄送 lists: ， ； separate groups, 、 separates items unless the group is elliptic --------------------------

@pytest.mark.parametrize("text,items", [
    (ADDR_TEXT, ADDRESSEES),
    (HUANGPU_ADDR.rstrip("："), HUANGPU_ADDRESSEES),
    ("区政府各委、办、局，各街道办事处、彭浦镇政府", ["区政府各委、办、局", "各街道办事处", "彭浦镇政府"]),
    ("各乡、镇人民政府，县政府各部门", ["各乡、镇人民政府", "县政府各部门"]),
    ("各乡、镇政府；县直各单位", ["各乡、镇政府", "县直各单位"]),
    ("区委、区人大常委会、区政协，区法院、区检察院", ["区委", "区人大常委会", "区政协", "区法院", "区检察院"]),
    ("各镇、街道，区政府各部门", ["各镇", "街道", "区政府各部门"]),
    ("各镇、各街道办事处", ["各镇", "各街道办事处"]),
    ("开发区管委会、各镇、各街道办事处", ["开发区管委会", "各镇", "各街道办事处"]),
    ("各镇人民政府，，区政府各部门", ["各镇人民政府", "区政府各部门"]),       # a doubled comma loses nothing
    ("", []),
])
def test_split_addressees(text, items):
    assert split_addressees(text) == items


def test_the_national_addressee_formula_stays_whole():
    assert split_addressees("各省、自治区、直辖市人民政府，新疆生产建设兵团") == ["各省、自治区、直辖市人民政府", "新疆生产建设兵团"]
    # organs in their own right are still separate addressees
    assert split_addressees("区发改局、区财政局、团区委") == ["区发改局", "区财政局", "团区委"]
    assert split_addressees("各镇、街道") == ["各镇", "街道"]


# --- closing block of a notice without a separate plan body -------------------------------------------------------

def _closing(lines, **kw):
    notice = Notice(title=TITLE_W)
    return parse_closing(paras(*lines), notice, **kw), notice


def test_closing_with_signature_date_and_spaced_publicity():
    body = SELF_CONTAINED[1:10]
    start, n = _closing([*body, SIG, "2024年2月20日", "( 此件公开发布 )"])
    assert start == 9
    assert n == Notice(title=TITLE_W, issuer=SIG, issuers=[SIG], date="2024-02-20", publicity="此件公开发布")


def test_closing_with_joint_issuers_and_no_publicity():
    """govdoc-cn-397: two issuing offices, one line each, then the date."""
    start, n = _closing(["三、保障措施", "各单位要加强组织领导，确保各项任务落到实处。", "特此通知。", "国家发展改革委办公厅",
                         "税务总局办公厅", "2019年8月20日"])
    assert start == 3
    assert n == Notice(title=TITLE_W, issuer="国家发展改革委办公厅、税务总局办公厅",
                       issuers=["国家发展改革委办公厅", "税务总局办公厅"], date="2019-08-20")


def test_closing_block_that_is_the_whole_tail():
    start, n = _closing(["国家发展改革委办公厅", "税务总局办公厅", "2019年8月20日"])
    assert (start, n.issuers, n.date) == (0, ["国家发展改革委办公厅", "税务总局办公厅"], "2019-08-20")


def test_closing_with_eight_joint_issuers():
    organs = ["国家发展改革委", "工业和信息化部", "财政部", "自然资源部", "生态环境部", "住房城乡建设部", "交通运输部", "商务部"]
    start, n = _closing(["特此通知。", *organs, "2023年6月1日"])
    assert (start, n.issuers, n.issuer, n.date) == (1, organs, "、".join(organs), "2023-06-01")


@pytest.mark.parametrize("lines", [
    [],
    ["一、明确工作目标", "全年实施区级重点项目120个，完成投资150亿元以上。"],
    ["全年实施区级重点项目120个。", "国家发展改革委办公厅", "税务总局办公厅"],       # no date: no closing block
])
def test_no_closing_block(lines):
    start, n = _closing(lines)
    assert (start, n) == (len(lines), Notice(title=TITLE_W))


# --- 版记 (抄送 / 印发机关 + 印发日期 + 印发, the last lines of the document) ---------------------------------------------

CC_LINE = "抄送：区委各部门，区人大常委会办公室，区政协办公室。"
CC = ["区委各部门", "区人大常委会办公室", "区政协办公室"]
CC_TEXT = "区委各部门，区人大常委会办公室，区政协办公室"
PRINTED = "周村区人民政府办公室 2023年4月25日印发"
IMPRINT = Imprint(cc=CC, cc_text=CC_TEXT, printer="周村区人民政府办公室", print_date="2023-04-25")
LAST = "附件：周村区2023年国民经济和社会发展指导计划"


def test_imprint_copy_to_and_printed_line():
    assert parse_imprint(paras(LAST, CC_LINE, PRINTED)) == ImprintResult(IMPRINT, 1)


def test_imprint_with_a_spaced_print_run_note():
    assert parse_imprint(paras(LAST, CC_LINE, PRINTED, "（共 印 20 份）")) == ImprintResult(IMPRINT, 1)


def test_imprint_printer_alone_on_the_line_above():
    """PDF extraction splits the two ends of the 印发 line; the organ (letter-spaced) stands above."""
    assert parse_imprint(paras(CC_LINE, "周村区人民政府 办公室", "2023年4月25日印发")) == ImprintResult(IMPRINT, 0)
    assert parse_imprint(paras(HEAD1, LAST, CC_LINE, "周村区人民政府 办公室", "2023年4月25日印发")) == ImprintResult(IMPRINT, 2)


def test_imprint_whose_printer_was_lost():
    got = parse_imprint(paras(CC_LINE, "2023年4月25日印发"))
    assert got == ImprintResult(IMPRINT.model_copy(update=dict(printer=None)), 0)


CC_WRAPPED = ["抄送：区委各部门，区人大常委会办公室，区政协办公室，", "区法院， 区检察院，区人武部，", "各民主党派区委，区工商联，",
              "各人民团体。"]
CC_WRAPPED_ITEMS = ["区委各部门", "区人大常委会办公室", "区政协办公室", "区法院", "区检察院", "区人武部", "各民主党派区委",
                    "区工商联", "各人民团体"]
CC_WRAPPED_TEXT = "，".join(CC_WRAPPED_ITEMS)


def test_imprint_copy_to_wrapped_over_four_lines():
    got = parse_imprint(paras(LAST, *CC_WRAPPED, PRINTED))
    assert got == ImprintResult(IMPRINT.model_copy(update=dict(cc=CC_WRAPPED_ITEMS, cc_text=CC_WRAPPED_TEXT)), 1)


def test_imprint_copy_to_wrapped_over_four_lines_and_printer_lost():
    got = parse_imprint(paras(*CC_WRAPPED, "2023年4月25日印发"))
    assert got == ImprintResult(Imprint(cc=CC_WRAPPED_ITEMS, cc_text=CC_WRAPPED_TEXT, print_date="2023-04-25"), 0)


def test_imprint_printer_on_its_line_wins_over_an_organ_like_last_copy_to_line():
    """The last 抄送 line lost its 。 and ends in an organ name; the printer is the one on the 印发 line."""
    lines = ["抄送：区委各部门，区人大常委会办公室，区政协办公室，区法院，区检察院，", "区人武部", PRINTED]
    items = CC + ["区法院", "区检察院", "区人武部"]
    got = parse_imprint(paras(*lines))
    assert got == ImprintResult(IMPRINT.model_copy(update=dict(cc=items, cc_text="，".join(items))), 0)


def test_a_lone_copy_to_line_closing_the_document():
    got = parse_imprint(paras(LAST, CC_LINE))
    assert got == ImprintResult(Imprint(cc=CC, cc_text=CC_TEXT), 1)


def test_a_lone_copy_to_wrapped_over_four_lines_closing_the_document():
    got = parse_imprint(paras(LAST, *CC_WRAPPED))
    assert got == ImprintResult(Imprint(cc=CC_WRAPPED_ITEMS, cc_text=CC_WRAPPED_TEXT), 1)


@pytest.mark.parametrize("lines", [
    [],
    ["（共印20份）"],
    ["全区生产总值增长5.5%左右。", LAST],
    ["一、总体要求", "《周村区2023年国民经济和社会发展计划》已于2023年4月25日印发"],    # a sentence, not a 版记
])
def test_no_imprint(lines):
    assert parse_imprint(paras(*lines)) is None
