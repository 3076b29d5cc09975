"""Every cue word of the target grammar, one sentence each (issue 18: mutation testing found single
words of the lexicon could be lost unnoticed). The words are copied by hand from domain.md §3's
comparator table and modality paragraph — not read from the parser's own lists.
"""
from __future__ import annotations

import pytest

from pipeline.parse.targets import extract_targets


def _one(text: str):
    found = extract_targets(text)
    assert len(found) == 1, [(f.metric, f.value, f.unit, f.comparator) for f in found]
    return found[0]


# ge: 以上, 不低于, 不少于, 至少, 超过, 高于, 突破, 逾; a plain 达到 N
@pytest.mark.parametrize("text", [
    "新增市场主体5000户以上。", "新增市场主体不低于5000户。", "新增市场主体不少于5000户。",
    "新增市场主体至少5000户。", "新增市场主体超过5000户。", "新增市场主体高于5000户。",
    "新增市场主体突破5000户。", "新增市场主体逾5000户。", "新增市场主体达到5000户。",
])
def test_at_least(text):
    t = _one(text)
    assert (t.value, t.unit, t.comparator) == (5000, "户", "ge")


# le: 以下, 以内, 控制在…以内/之内, 不超过, 不高于, 低于, 少于, 不足, 至多
@pytest.mark.parametrize("text", [
    "城镇登记失业率4.5%以下。", "城镇登记失业率4.5%以内。", "城镇登记失业率控制在4.5%以内。",
    "城镇登记失业率控制在4.5%之内。", "城镇登记失业率不超过4.5%。", "城镇登记失业率不高于4.5%。",
    "城镇登记失业率低于4.5%。", "城镇登记失业率少于4.5%。", "城镇登记失业率不足4.5%。",
    "城镇登记失业率至多4.5%。",
])
def test_at_most(text):
    t = _one(text)
    assert (t.value, t.unit, t.comparator) == (4.5, "%", "le")


# approx: 左右, 约, 大约, 上下; the trailing qualifier wins (达到3%左右 → approx)
@pytest.mark.parametrize("text", [
    "引进各类人才1.5万人左右。", "引进各类人才约1.5万人。", "引进各类人才大约1.5万人。",
    "引进各类人才1.5万人上下。", "引进各类人才达到1.5万人左右。",
])
def test_about(text):
    t = _one(text)
    assert (t.value, t.unit, t.comparator) == (1.5, "万人", "approx")


# eq: a bare number, 为, 保持 N, 完成 N, 实现 N
@pytest.mark.parametrize("text", [
    "新建公办幼儿园12所。", "新建公办幼儿园数量为12所。", "公办幼儿园保持12所。",
    "新建公办幼儿园完成12所。", "新建公办幼儿园实现12所。",
])
def test_exactly(text):
    t = _one(text)
    assert (t.value, t.unit, t.comparator) == (12, "所", "eq")


# range: 2-3处, 2～3, 2~3, 2—3, 2至3, 2到3 (no 由/从 in front)
@pytest.mark.parametrize("sep", ["-", "～", "~", "—", "至", "到"])
def test_ranges(sep):
    t = _one(f"新建、提升改造2{sep}3处街角游园。")
    assert (t.comparator, t.low, t.high, t.unit) == ("range", 2, 3, "处")


# modality: 力争/争取/努力/力求 mark stretch goals, 确保/坚决 firm commitments
@pytest.mark.parametrize("word,modality", [
    ("力争", "stretch"), ("争取", "stretch"), ("努力", "stretch"), ("力求", "stretch"),
    ("确保", "firm"), ("坚决", "firm"),
])
def test_modality_words(word, modality):
    t = _one(f"{word}新增市场主体5000户以上。")
    assert (t.value, t.comparator, t.modality) == (5000, "ge", modality)


# direction: growth for a rate of increase, decline for a rate of decrease
@pytest.mark.parametrize("verb,direction", [
    ("增长", "growth"), ("增加", "growth"), ("提高", "growth"), ("提升", "growth"), ("上升", "growth"),
    ("下降", "decline"), ("降低", "decline"), ("减少", "decline"), ("削减", "decline"), ("压减", "decline"),
])
def test_direction_verbs(verb, direction):
    t = _one(f"单位生产总值能耗{verb}3%左右。")
    assert (t.value, t.unit, t.comparator, t.direction) == (3, "%", "approx", direction)


# scope: 含…, 其中…, 不含… (note the polarity)
@pytest.mark.parametrize("scope", ["含乡镇100个", "其中乡镇100个", "不含乡镇100个"])
def test_scope_words(scope):
    t = _one(f"新建充电桩300个（{scope}）。")
    assert (t.value, t.scope) == (300, scope)



# What a plan's sentence puts before the metric — adverbs, verbs of effort, "this year", the whole
# area — is not part of the metric: 全年新增市场主体 is the metric 新增市场主体. One sentence per lead
# phrase as plans write them (the reference, the Shanghai notices, domain.md's examples).
@pytest.mark.parametrize("lead", [
    "力争", "确保", "争取", "努力", "力求", "坚决", "务必", "全年", "年内", "全面", "持续", "积极", "加快",
    "进一步", "着力", "大力", "累计", "基本", "同时", "并", "再", "共", "推动", "推进", "突出抓好", "抓好",
    "扎实", "深入", "稳步", "全区", "全市", "全县", "今年", "当年", "年度内", "力促", "全力",
])
def test_lead_words_are_not_the_metric(lead):
    t = _one(f"{lead}新增市场主体5000户以上。")
    assert (t.metric, t.value, t.comparator) == ("新增市场主体", 5000, "ge")
