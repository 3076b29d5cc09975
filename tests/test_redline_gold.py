"""Redline gold written by hand (shares nothing with diff/redline.py: no _ATOM, no PLAN_WORDS):
numbers with their %/个百分点, years, PM2.5 and 5G stay whole; equal runs show the NEW year's wording."""
from __future__ import annotations

import pytest

from pipeline.diff.redline import redline_ops, redline_text, tokenize
from pipeline.diff.tasks import relative_years

GOLD = {
    "2023年PM2.5平均浓度下降5.5%，建成5G基站300个":
        ["2023年", "PM2.5", "平均", "浓度", "下降", "5.5%", "，", "建成", "5G", "基站", "300", "个"],
    "新建、提升改造2-3处街角游园": ["新建", "、", "提升", "改造", "2-3", "处", "街角", "游园"],
    "由1500元提高到3000元，提高1.5个百分点":
        ["由", "1500", "元", "提高", "到", "3000", "元", "，", "提高", "1.5个百分点"],
    "力争新培育专精特新企业10家以上": ["力争", "新", "培育", "专精特新", "企业", "10", "家", "以上"],
}


@pytest.mark.parametrize("text", list(GOLD))
def test_tokens_match_hand_read_gold(text):
    assert tokenize(text) == GOLD[text]


def test_equal_runs_show_the_new_years_wording():
    old, new = "做好2023年工作，新增就业4000人", "做好2024年工作，新增就业4500人"
    ops = redline_ops(old, new, key=lambda t, side: relative_years(t, (2023, 2024)[side]))
    assert ops[0].op == "equal" and ops[0].old == ops[0].new == "做好2024年工作，新增就业"
    text = redline_text(ops)
    assert "2023" not in text and text == "做好2024年工作，新增就业[-4000-]{+4500+}人"


def test_numbers_change_as_whole_tokens():
    assert redline_text(redline_ops("增长5.5%左右", "增长6%左右")) == "增长[-5.5%-]{+6%+}左右"


# the generic plan vocabulary, listed by hand (a word dropped from the tokenizer's list fails here)
HAND_WORDS = ["专精特新", "规上", "序时", "新质生产力", "瞪羚企业", "技改", "双招双引", "营商环境", "招商引资", "预期目标",
              "约束性", "预期性", "新旧动能", "高质量发展", "雨污分流", "棚户区", "老旧小区", "背街小巷", "人工智能",
              "低空经济", "数字经济", "一窗受理"]


@pytest.mark.parametrize("word", HAND_WORDS)
def test_plan_vocabulary_stays_one_token(word):
    assert word in tokenize(f"着力抓好{word}各项工作")


def test_changed_share_counts_the_old_characters_replaced():
    from pipeline.diff.redline import changed_share
    ops = redline_ops("增长5.5%左右", "增长6%左右")         # 5.5% (4 of 8 old characters) replaced
    assert changed_share(ops) == 0.5
    assert changed_share(redline_ops("做好工作", "做好工作")) == 0.0
    assert changed_share([]) == 0.0
