"""Targets in the prose (issue 4): gold precision/recall, the grammar's parts, units and numerals."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pipeline.metrics import match_metric, normalize_metric
from pipeline.parse import parse_file
from pipeline.parse.numerals import cn_to_number, parse_number
from pipeline.parse.targets import extract_targets
from pipeline.units import comparable, to_base, unit_info

HERE = Path(__file__).resolve().parent
from conftest import CORPUS, CORPUS_SKIP, REFERENCE_TXT  # noqa: E402
GOLD = HERE / "gold"
FIXTURES = HERE / "fixtures"

FIELDS = ("value", "unit", "comparator", "low", "high", "from_value", "direction", "scope", "modality")


def _num_eq(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9)


def _matches(pred, gold: dict) -> bool:
    names = {normalize_metric(gold["metric"]), *(normalize_metric(m) for m in gold.get("metric_alt", []))}
    if normalize_metric(pred.metric) not in names:
        return False
    for f in FIELDS:
        p, g = getattr(pred, f), gold[f]
        if f in ("value", "low", "high", "from_value"):
            if not _num_eq(p, g):
                return False
        elif p != g:
            return False
    return True


def score(predicted: list, gold: list[dict]) -> tuple[float, float, list, list]:
    """Precision, recall and the unmatched items on both sides (one-to-one matching)."""
    free = list(range(len(gold)))
    unmatched_pred = []
    for p in predicted:
        hit = next((i for i in free if _matches(p, gold[i])), None)
        if hit is None:
            unmatched_pred.append(p)
        else:
            free.remove(hit)
    tp = len(predicted) - len(unmatched_pred)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(gold) if gold else 0.0
    return precision, recall, unmatched_pred, [gold[i] for i in free]


def _describe(unmatched_pred, missed) -> str:
    lines = [f"extra: {p.metric} {p.value}{p.unit} {p.comparator} {p.direction} {p.scope} {p.modality} ← {p.text}"
             for p in unmatched_pred]
    lines += [f"missed: {g['metric']} {g['value']}{g['unit']} {g['comparator']} ← {g['text']}" for g in missed]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def reference_result():
    return parse_file(REFERENCE_TXT, keywords=False)


def test_reference_gold_precision_and_recall_are_one(reference_result):
    gold = json.loads((GOLD / "targets_zhoucun.json").read_text(encoding="utf-8"))["targets"]
    precision, recall, extra, missed = score(reference_result.plan.targets, gold)
    assert (precision, recall) == (1.0, 1.0), _describe(extra, missed)


def test_variant_gold_meets_thresholds():
    path = FIXTURES / "targets_variant.txt"
    gold = json.loads((GOLD / "targets_variant.json").read_text(encoding="utf-8"))["targets"]
    result = parse_file(path, keywords=False)
    precision, recall, extra, missed = score(result.plan.targets, gold)
    assert precision >= 0.95 and recall >= 0.90, _describe(extra, missed)


def test_targets_are_attached_to_their_nodes_in_document_order(reference_result):
    plan = reference_result.plan
    ids = [t.id for t in plan.targets]
    assert ids == [f"T{i}" for i in range(1, len(ids) + 1)]
    by_node: dict[str, list[str]] = {}

    def walk(nodes):
        for n in nodes:
            by_node[n.id] = list(n.target_ids)
            walk(n.children)
    walk(plan.sections)
    for t in plan.targets:
        assert t.id in by_node[t.node_id]
        assert t.where.line is not None
    # the 预期目标 list lives in section 一; 新增城镇就业 in 二（八）'s first headline
    employment = next(t for t in plan.targets if t.metric == "新增城镇就业")
    assert employment.node_id.startswith("2.8")
    assert all(t.node_id == "1" for t in plan.targets if t.metric in ("地区生产总值", "居民人均可支配收入"))


def test_base_units_make_table_and_body_comparable(reference_result):
    loans = next(t for t in reference_result.plan.targets if t.metric == "创业担保贷款")
    assert (loans.base_unit, loans.base_value) == ("元", 4000 * 1e4)
    funds = next(t for t in reference_result.plan.targets if t.metric == "省外到位资金")
    assert funds.base_value == pytest.approx(50 * 1e8)


def _one(text: str):
    found = extract_targets(text)
    assert len(found) == 1, [(f.metric, f.value, f.unit) for f in found]
    return found[0]


@pytest.mark.parametrize("text", [
    "持续改善空气质量，降低PM2.5浓度。",
    "加快5G基站等新型基础设施布局。",
    "谋划“十四五”重大项目，落实“十三五”收尾任务。",
    "创建国家5A级旅游景区。",
    "深入学习贯彻党的二十大精神。",
    "已经第十九届人民代表大会第二次会议批准。",
    "2023年4月25日印发，周政发〔2023〕34号。",
    "聚焦“文旅产业+‘1+3+4’八条重点产业链”现代产业体系。",
    "加快“四强”产业攀登，坚持“两区同创”。",
    "全力答好六张时代新答卷，做好两篇文章。",
    "建成总投资6.5亿元的水生态工程。",
    "招引一批优质项目，推广新三板挂牌。",
])
def test_identifiers_names_and_attributes_are_not_targets(text):
    assert extract_targets(text) == []


@pytest.mark.parametrize("text,metric,value,unit,comparator,direction", [
    ("城镇登记失业率控制在4.5%以内。", "城镇登记失业率", 4.5, "%", "le", "level"),
    ("单位生产总值能耗下降3%左右。", "单位生产总值能耗", 3, "%", "approx", "decline"),
    ("全年新增市场主体不少于5000户。", "新增市场主体", 5000, "户", "ge", "level"),
    ("新建两所公办幼儿园。", "公办幼儿园", 2, "所", "eq", "level"),
    ("力争新培育省级专精特新企业十二家。", "新培育省级专精特新企业", 12, "家", "eq", "level"),
    ("农村居民收入增长不低于7%。", "农村居民收入", 7, "%", "ge", "growth"),
    ("外贸进出口总额突破30亿元。", "外贸进出口总额", 30, "亿元", "ge", "level"),
    ("引进各类人才约1.5万人。", "各类人才", 1.5, "万人", "approx", "level"),
    ("城镇化率提高1.2个百分点。", "城镇化率", 1.2, "个百分点", "eq", "growth"),
])
def test_clause_shapes_and_cues(text, metric, value, unit, comparator, direction):
    t = _one(text)
    assert (normalize_metric(t.metric), t.value, t.unit, t.comparator, t.direction) == \
        (normalize_metric(metric), value, unit, comparator, direction)


def test_range_from_to_scope_modality_and_list_carry_over():
    r = _one("改造提升3～5处农贸市场。")
    assert (r.comparator, r.low, r.high, r.value, r.metric) == ("range", 3, 5, None, "农贸市场")
    ft = _one("城乡低保标准由每人每月800元提高到850元。")
    assert (ft.comparator, ft.from_value, ft.value, ft.unit, ft.direction) == ("from_to", 800, 850, "元", "growth")
    down = _one("化肥使用量由1.2万吨降低到1万吨。")
    assert (down.direction, down.from_value, down.value) == ("decline", 1.2, 1)
    scoped = _one("新建充电桩300个（其中乡镇100个）。")
    assert (scoped.value, scoped.scope) == (300, "其中乡镇100个")
    pair = extract_targets("确保新增规模以上工业企业8家以上、高新技术企业6家。")
    assert [(p.metric, p.value, p.comparator, p.modality) for p in pair] == [
        ("新增规模以上工业企业", 8, "ge", "firm"), ("新增高新技术企业", 6, "eq", "firm")]


def test_quoted_aggregates_and_literal_targets_expand_per_metric():
    agg = extract_targets("确保签约率、履约率“两个100%”。")
    assert [(a.metric, a.value, a.unit) for a in agg] == [("签约率", 100, "%"), ("履约率", 100, "%")]
    dbl = extract_targets("推动火灾起数和亡人数“双下降”。")
    assert [(d.metric, d.direction, d.value) for d in dbl] == [("火灾起数", "decline", None), ("亡人数", "decline", None)]
    assigned = _one("全面完成上级下达的能耗双控约束性指标。")
    assert (assigned.metric, assigned.binding, assigned.value) == ("能耗双控约束性指标", "约束性", None)


def test_full_width_digits_are_read():
    t = _one("新增城镇就业４０００人以上。")
    assert (t.value, t.unit, t.comparator) == (4000, "人", "ge")


def test_chinese_numerals():
    assert [cn_to_number(s) for s in ("两", "十", "十二", "二十五", "三百零五", "一万二千", "三亿")] == \
        [2, 10, 12, 25, 305, 12000, 300000000]
    assert cn_to_number("一二") is None and cn_to_number("二〇二三") is None and cn_to_number("") is None
    assert parse_number("1.2万") == 12000 and parse_number("4,000") == 4000 and parse_number("5.5") == 5.5


def test_units_have_base_and_factor_and_keep_rates_apart():
    assert to_base(0.4, "万人") == (4000, "人")
    assert to_base(394.3, "亿元") == (pytest.approx(394.3e8), "元")
    assert unit_info("万亿元").factor == 1e12 and unit_info("亿美元").base == "美元"
    assert comparable("万人", "人") and comparable("亿元", "万元")
    assert not comparable("%", "个百分点") and not comparable("人", "元")
    assert unit_info("微克/立方米") is not None
    assert unit_info("月") is None


def test_metric_synonyms():
    assert normalize_metric("规上工业增加值") == normalize_metric("规模以上工业增加值")
    assert normalize_metric("GDP") == normalize_metric("地区生产总值")
    assert normalize_metric("城镇新增就业人数") == normalize_metric("新增城镇就业")
    assert normalize_metric("社零额") == normalize_metric("社会消费品零售总额")
    assert normalize_metric("全区固定资产投资") == "固定资产投资"
    assert match_metric("研发经费支出占GDP比重", "研发经费投入占比").kind == "approximate"
    assert match_metric("居民人均可支配收入", "农村居民人均可支配收入").kind == "covers"
    assert match_metric("农村居民人均可支配收入", "居民人均可支配收入") is None
    assert match_metric("固定资产投资", "一般公共预算收入") is None


def _real_texts():
    real = CORPUS / "real"
    if not real.exists():
        pytest.skip(CORPUS_SKIP)
    import csv
    csv.field_size_limit(10 ** 8)
    texts = {p.name: p.read_text(encoding="gb18030") for p in sorted(real.glob("hailar-gwr-*.txt"))}
    for p in sorted(real.glob("gwr-2026-*.csv")):
        with p.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                texts[p.name] = row["full_text"]
    return texts


def test_real_reports_yield_well_formed_targets():
    """Text nobody here wrote (work reports, scraped provincial reports): no crash, sane fields."""
    for name, text in _real_texts().items():
        found = extract_targets(text)
        assert len(found) >= 50, name
        for t in found:
            assert t.metric and t.metric[0] not in "，、；：。）”" and len(t.metric) <= 60, (name, t.metric)
            if t.value is not None or t.low is not None:
                assert unit_info(t.unit) is not None, (name, t.unit)
            assert t.comparator in (None, "eq", "ge", "le", "approx", "range", "from_to")
            if "PM2.5" in t.text:
                assert t.value != 2.5, (name, t.text)
