"""Table↔body reconciliation (issue 4): agreements recorded, disagreements warned naming both places."""
from __future__ import annotations


import pytest

from pipeline.parse import parse_file
from pipeline.parse.reconcile import reconcile
from pipeline.schema import Cell, Node, Period, Plan, Provenance, Row, Target

from conftest import REFERENCE_TXT as REFERENCE  # noqa: E402  (samples/, present in every clone)
AGREEING = {"agree", "qualifier_missing", "wording_only"}
HEADLINE_ROWS = ("地区生产总值", "一般公共预算收入", "固定资产投资", "社会消费品零售总额",
                 "城镇居民人均可支配收入", "农村居民人均可支配收入")


def _reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def reference():
    _reference_text()
    return parse_file(REFERENCE, keywords=False)


def _pairs(plan, row_name: str, column: str = "growth"):
    return [m for m in plan.reconciliation if m.row_name == row_name and m.column == column]


def test_five_headline_targets_agree_with_the_table(reference):
    plan = reference.plan
    for name in HEADLINE_ROWS:
        pairs = _pairs(plan, name)
        assert len(pairs) == 1, name
        assert pairs[0].status in AGREEING, (name, pairs[0])
        target = next(t for t in plan.targets if t.id == pairs[0].target_id)
        assert target.node_id == "1"
    mismatched_rows = {w.message for w in reference.warnings if w.code == "table_body_mismatch"}
    assert not any(f"“{name}”" in msg for msg in mismatched_rows for name in HEADLINE_ROWS)
    assert not [w for w in reference.warnings if w.code == "headline_target_without_row"]


def test_units_synonyms_and_literals_are_reconciled(reference):
    plan = reference.plan
    jobs = _pairs(plan, "城镇新增就业人数", "value")          # 0.4 万人 ↔ 新增城镇就业4000人以上
    assert [m.status for m in jobs] == ["qualifier_missing"]
    trade = _pairs(plan, "进出口总额", "growth")              # 保持稳定 ↔ 保持稳定增长
    assert trade and trade[0].status == "agree" and trade[0].metric_match == "exact"
    energy = _pairs(plan, "万元生产总值能耗降低率", "growth")   # 完成市下达任务指标 ↔ 省市下达的…约束性指标
    assert energy and energy[0].status == "wording_only"
    rural = _pairs(plan, "农村居民人均可支配收入")
    assert rural[0].metric_match == "covers"


def test_rd_ratio_disagreement_is_flagged_with_both_places(reference):
    rd = _pairs(reference.plan, "研发经费投入占比", "value")
    assert rd and rd[0].status == "value_mismatch" and rd[0].metric_match == "approximate"
    warning = next(w for w in reference.warnings if w.code == "table_body_mismatch" and "研发经费投入占比" in w.message)
    assert "附件指标表" in warning.message and "正文二（三）" in warning.message and "3.05" in warning.message
    assert warning.where.line is not None


def test_constructed_disagreeing_variant_yields_warnings(tmp_path):
    text = _reference_text()
    edits = {"地区生产总值增长5.5%左右": "地区生产总值增长6.5%左右",
             "固定资产投资增长8%以上": "固定资产投资增长10%以上",
             "居民人均可支配收入增长5.5%以上": "居民人均可支配收入增长6%以上",
             "新增城镇就业4000人以上": "新增城镇就业5000人以上"}
    for old, new in edits.items():
        assert text.count(old) == 1
        text = text.replace(old, new)
    src = tmp_path / "variant.txt"
    src.write_text(text, encoding="utf-8")
    result = parse_file(src, keywords=False)
    mismatches = [w.message for w in result.warnings if w.code == "table_body_mismatch"]
    for row_name, body in [("地区生产总值", "6.5%"), ("固定资产投资", "10%"), ("城镇居民人均可支配收入", "6%"),
                           ("农村居民人均可支配收入", "6%"), ("城镇新增就业人数", "5000人")]:
        hits = [m for m in mismatches if f"“{row_name}”" in m and body in m]
        assert len(hits) == 1, (row_name, mismatches)
        assert "附件指标表" in hits[0] and "正文" in hits[0]
    # untouched headline targets still agree
    assert _pairs(result.plan, "一般公共预算收入")[0].status in AGREEING
    assert REFERENCE.read_text(encoding="utf-8") != text      # the original was not modified


def _row(rid, name, unit, growth=None, value=None, category="c"):
    return Row(id=rid, category=category, name=name, unit=unit,
               target=Period(year=2024, value=value or Cell(), growth=growth or Cell()),
               where=Provenance(table=1, line=10))


def test_hand_built_plan_headline_target_without_row_and_qualifier_mismatch():
    section = Node(id="1", kind="section", level=1, title="主要预期目标", where=Provenance(line=3))
    plan = Plan(year=2024, sections=[section], indicators=[
        _row("R1", "规上工业增加值", "亿元", growth=Cell(text="7以上", number=7, comparator="ge")),
        _row("R2", "城镇登记失业率", "%", value=Cell(text="4", number=4)),
    ], targets=[
        Target(id="T1", node_id="1", text="规模以上工业增加值增长7%左右", metric="规模以上工业增加值", value=7, unit="%",
               comparator="approx", direction="growth"),
        Target(id="T2", node_id="1", text="城镇登记失业率控制在4%以内", metric="城镇登记失业率", value=4, unit="%",
               comparator="le", direction="level"),
        Target(id="T3", node_id="1", text="粮食产量稳定在10万吨以上", metric="粮食产量", value=10, unit="万吨",
               comparator="ge", direction="level"),
    ])
    warnings = reconcile(plan)
    statuses = {(m.row_id, m.column): m.status for m in plan.reconciliation}
    assert statuses == {("R1", "growth"): "qualifier_mismatch", ("R2", "value"): "qualifier_missing"}
    codes = sorted(w.code for w in warnings)
    assert codes == ["headline_target_without_row", "table_body_mismatch"]
    assert any("粮食产量" in w.message for w in warnings if w.code == "headline_target_without_row")


# --- exact behaviour on hand-built plans (issue 18: mutation testing) ----------------------------
# Expected values below are written from the inputs and domain.md §4, not copied from a run.

# domain.md §4 "Not applicable" and "Dashes": a lone dash or slash in a cell means "no value".
NOT_APPLICABLE_MARKS = ("—", "——", "-", "－", "/", "／", "―", "――", "−", "–")


def _goals(*children):
    return Node(id="1", kind="section", level=1, title="主要预期目标", where=Provenance(line=3),
                children=list(children))


@pytest.mark.parametrize("mark", NOT_APPLICABLE_MARKS)
def test_not_applicable_cell_is_not_compared_with_a_literal_target(mark):
    """A 不适用 dash is neither a number nor a wording: comparing it with 保持稳定 would warn falsely."""
    plan = Plan(year=2024, sections=[_goals()], indicators=[
        _row("R1", "进出口总额", "亿元", growth=Cell(text=mark), value=Cell(text="保持稳定"))],
        targets=[Target(id="T1", node_id="1", text="进出口总额保持稳定", metric="进出口总额")])
    warnings = reconcile(plan)
    assert [(m.column, m.status) for m in plan.reconciliation] == [("value", "agree")]
    assert not [w for w in warnings if w.code == "table_body_mismatch"]


@pytest.mark.parametrize("comparator,word", [("ge", "以上"), ("le", "以内"), ("approx", "左右")])
def test_qualifier_missing_names_the_missing_word(comparator, word):
    """5 in the table, 5%以上/以内/左右 in the body: the note names the body's word; and the reverse."""
    plan = Plan(year=2024, sections=[_goals()], indicators=[
        _row("R1", "城镇调查失业率", "%", value=Cell(text="5", number=5, comparator="eq")),
        _row("R2", "居民消费价格涨幅", "%", value=Cell(text=f"3{word}", number=3, comparator=comparator))],
        targets=[Target(id="T1", node_id="1", text=f"城镇调查失业率5%{word}", metric="城镇调查失业率", value=5,
                        unit="%", comparator=comparator, direction="level"),
                 Target(id="T2", node_id="1", text="居民消费价格涨幅3%", metric="居民消费价格涨幅", value=3,
                        unit="%", comparator="eq", direction="level")])
    reconcile(plan)
    notes = {m.row_id: (m.status, m.note) for m in plan.reconciliation}
    assert notes == {"R1": ("qualifier_missing", f"表中未写限定词，正文为“{word}”"),
                     "R2": ("qualifier_missing", f"正文未写限定词，表中为“{word}”")}


def test_value_mismatch_warning_reads_in_full():
    """The clerk's message names the table place, the row, the year, both values and the body place."""
    plan = Plan(year=2024, sections=[_goals()], indicators=[
        _row("R1", "粮食产量", "万吨", value=Cell(text="9", number=9, comparator="eq"))],
        targets=[Target(id="T1", node_id="1", text="粮食产量稳定在10万吨以上", metric="粮食产量", value=10,
                        unit="万吨", comparator="ge", direction="level")])
    warnings = reconcile(plan)
    assert [(m.column, m.status) for m in plan.reconciliation] == [("value", "value_mismatch")]
    assert [w.message for w in warnings] == [
        "附件指标表第10行“粮食产量”2024年预期绝对值为9万吨，与正文一（第3行）“粮食产量稳定在10万吨以上”（10万吨以上）不一致"]


def test_growth_mismatch_from_a_headline_in_a_later_table_and_page():
    """Places: page, the 2nd table and its row; item 二（三） and its run-in headline (first 16 characters)."""
    headline = Node(id="2.3.1", kind="headline", level=3, title="释放科技创新源动力与产业升级新动能",
                    where=Provenance(line=21))
    item = Node(id="2.3", kind="item", level=2, title="推动创新", where=Provenance(line=20), children=[headline])
    section = Node(id="2", kind="section", level=1, title="重点工作", where=Provenance(line=15), children=[item])
    row = Row(id="R1", category="c", name="规上工业增加值", unit="亿元",
              target=Period(year=2025, value=Cell(), growth=Cell(text="6", number=6, comparator="eq")),
              where=Provenance(page=3, table=2, row=4))
    plan = Plan(year=2025, sections=[section], indicators=[row], targets=[
        Target(id="T1", node_id="2.3.1", text="规模以上工业增加值增长7%左右", metric="规模以上工业增加值", value=7,
               unit="%", comparator="approx", direction="growth")])
    warnings = reconcile(plan)
    assert [w.message for w in warnings] == [
        "附件指标表第3页第2个表格第4行“规上工业增加值”2025年预期增长%为6%，"
        "与正文二（三）“释放科技创新源动力与产业升级新动”（第21行）“规模以上工业增加值增长7%左右”（7%左右）不一致"]


def test_body_range_contains_or_misses_the_table_number():
    """正文 5%—6% against the table: 5.5 and both ends agree, 6.5 does not."""
    def run(number, low=5, high=6):
        plan = Plan(year=2024, sections=[_goals()], indicators=[
            _row("R1", "地区生产总值", "亿元", growth=Cell(text=str(number), number=number, comparator="eq"))],
            targets=[Target(id="T1", node_id="1", text=f"地区生产总值增长{low}%—{high}%", metric="地区生产总值", low=low, high=high,
                            unit="%", comparator="range", direction="growth")])
        reconcile(plan)
        return [(m.status, m.note) for m in plan.reconciliation]
    for inside in (5, 5.5, 6):
        assert run(inside) == [("agree", "")], inside
    assert run(6.5) == [("value_mismatch", "表中数值不在正文区间内")]
    assert run(4.9) == [("value_mismatch", "表中数值不在正文区间内")]
    assert run(0, 1, 2) == [("value_mismatch", "表中数值不在正文区间内")]   # 零增长 is a number, not a blank


def _literal_pair(cell_text, body_text, node_id="1"):
    plan = Plan(year=2024, sections=[_goals()], indicators=[
        _row("R1", "进出口总额", "亿元", growth=Cell(text=cell_text))],
        targets=[Target(id="T1", node_id=node_id, text=body_text, metric="进出口总额")])
    warnings = reconcile(plan)
    return [(m.status, m.note) for m in plan.reconciliation], [w.message for w in warnings]


def test_literal_cells_compared_by_shared_character_pairs():
    """Half of the cell's character pairs found in the body is "worded differently", less is a mismatch."""
    # 实现稳增长: 实现 现稳 稳增 增长 — the body has 稳增 增长: 2 of 4
    assert _literal_pair("实现稳增长", "进出口稳增长态势巩固")[0] == [
        ("wording_only", "表述略有不同：表中“实现稳增长”，正文“进出口稳增长态势巩固”")]
    # 稳中向好: 稳中 中向 向好 — the body has only 向好: 1 of 3
    pairs, messages = _literal_pair("稳中向好", "总体向好")
    assert pairs == [("kind_mismatch", "表中“稳中向好”与正文“总体向好”表述不同")]
    assert messages == ["附件指标表第10行“进出口总额”2024年预期增长%为“稳中向好”，与正文一（第3行）“总体向好”不一致"
                        "（表中“稳中向好”与正文“总体向好”表述不同）"]
    # the table's wording found whole in the body agrees
    assert _literal_pair("保持稳定", "进出口总额保持稳定增长")[0] == [("agree", "")]


def test_spaced_out_table_wording_still_meets_the_body():
    """PDF tables space out short cells (稳 定); spaces and quotes are not part of the wording."""
    assert _literal_pair("稳 定", "保持稳定")[0][0][0] == "wording_only"
    assert _literal_pair("“稳定”", "保持稳定")[0][0][0] == "wording_only"


def test_body_place_outside_the_task_tree_is_just_the_body():
    """A target whose node is not in the tree (or has none) is placed as 正文, never a crash."""
    for node_id in ("4.2", None):
        _, messages = _literal_pair("稳中向好", "总体向好", node_id=node_id)
        assert messages[0].startswith("附件指标表第10行“进出口总额”2024年预期增长%为“稳中向好”，与正文“总体向好”不一致")


def test_body_place_of_a_node_without_a_line_number():
    """Word/PDF bodies have no line numbers: the place is the numbering alone, no empty （第行）."""
    section = Node(id="3", kind="section", level=1, title="主要预期目标", where=Provenance(paragraph=12))
    plan = Plan(year=2024, sections=[section], indicators=[
        _row("R1", "进出口总额", "亿元", growth=Cell(text="稳中向好"))],
        targets=[Target(id="T1", node_id="3", text="总体向好", metric="进出口总额")])
    assert [w.message.split("，")[1] for w in reconcile(plan)] == ["与正文三“总体向好”不一致（表中“稳中向好”与正文“总体向好”表述不同）"]


def test_mismatch_message_shows_the_body_number_without_a_word_for_plain_and_from_to_targets():
    """正文 6% (no qualifier) and 由2.8%提高到3% (the target is the end value) against table 5 / 2.9."""
    plan = Plan(year=2024, sections=[_goals()], indicators=[
        _row("R1", "一般公共预算收入", "亿元", growth=Cell(text="5", number=5, comparator="eq")),
        _row("R2", "研发经费投入强度", "%", value=Cell(text="2.9", number=2.9, comparator="eq"))],
        targets=[Target(id="T1", node_id="1", text="一般公共预算收入增长6%", metric="一般公共预算收入", value=6,
                        unit="%", comparator="eq", direction="growth"),
                 Target(id="T2", node_id="1", text="研发经费投入强度由2.8%提高到3%", metric="研发经费投入强度",
                        value=3, unit="%", comparator="from_to", from_value=2.8, direction="level")])
    assert [w.message for w in reconcile(plan)] == [
        "附件指标表第10行“一般公共预算收入”2024年预期增长%为5%，与正文一（第3行）“一般公共预算收入增长6%”（6%）不一致",
        "附件指标表第10行“研发经费投入强度”2024年预期绝对值为2.9%，与正文一（第3行）“研发经费投入强度由2.8%提高到3%”（3%）不一致"]


def test_body_place_of_a_numbered_item_names_section_and_item():
    """A target in item （三） of section 二 is placed 正文二（三）, with its line."""
    item = Node(id="2.3", kind="item", level=2, title="推动创新", where=Provenance(line=20))
    section = Node(id="2", kind="section", level=1, title="重点工作", where=Provenance(line=15), children=[item])
    plan = Plan(year=2024, sections=[section], indicators=[
        _row("R1", "进出口总额", "亿元", growth=Cell(text="稳中向好"))],
        targets=[Target(id="T1", node_id="2.3", text="总体向好", metric="进出口总额")])
    assert [w.message.split("，")[1] for w in reconcile(plan)] == [
        "与正文二（三）（第20行）“总体向好”不一致（表中“稳中向好”与正文“总体向好”表述不同）"]


def test_category_wide_literal_target_covers_the_rows_of_its_category():
    """生态环境约束性指标 (no number) covers every row of 六、生态环境, and only literal targets do."""
    plan = Plan(year=2024, sections=[_goals()], indicators=[
        _row("R1", "细颗粒物（PM2.5）平均浓度", "微克/立方米", value=Cell(text="完成市下达任务"), category="生态环境")],
        targets=[Target(id="T1", node_id="1", text="全面完成市下达的生态环境约束性指标", metric="生态环境约束性指标"),
                 Target(id="T2", node_id="1", text="生态环境保护投入5亿元", metric="生态环境保护投入", value=5,
                        unit="亿元", direction="level"),
                 Target(id="T3", node_id="1", text="进出口保持稳定", metric="进出口")])
    warnings = reconcile(plan)
    assert [(m.target_id, m.metric_match, m.status) for m in plan.reconciliation] == [
        ("T1", "category", "wording_only")]
    assert sorted(w.message for w in warnings if w.code == "headline_target_without_row") == [
        "正文一（第3行）主要预期目标“生态环境保护投入5亿元”在附件指标表中没有对应指标",
        "正文一（第3行）主要预期目标“进出口保持稳定”在附件指标表中没有对应指标"]


def test_growth_and_decline_targets_meet_the_growth_column_not_a_percent_row():
    """增长/下降X% meets the 增长% column of a row in 亿元 or 吨; a row already in % has no growth rate
    to compare with a growth target (城镇化率 65%, 提高1%: neither column fits)."""
    plan = Plan(year=2024, sections=[_goals()], indicators=[
        _row("R1", "万元生产总值能耗", "吨标准煤", growth=Cell(text="3", number=3, comparator="eq")),
        _row("R2", "城镇化率", "%", value=Cell(text="65", number=65, comparator="eq"),
             growth=Cell(text="1", number=1, comparator="eq"))],
        targets=[Target(id="T1", node_id="1", text="万元生产总值能耗下降3%", metric="万元生产总值能耗", value=3, unit="%",
                        direction="decline"),
                 Target(id="T2", node_id="1", text="城镇化率提高1%", metric="城镇化率", value=1, unit="%",
                        direction="growth")])
    warnings = reconcile(plan)
    assert [(m.row_id, m.column, m.status) for m in plan.reconciliation] == [("R1", "growth", "agree")]
    assert not list(warnings)


def test_one_character_table_wording_is_not_a_near_match():
    """A single character has no character pair to share: 无 against 保持稳定 is a wording mismatch."""
    assert _literal_pair("无", "保持稳定")[0] == [("kind_mismatch", "表中“无”与正文“保持稳定”表述不同")]


def test_values_compared_in_base_units_across_table_and_body_units():
    """Body 1.2万人 = table 12000 人; body 46000万元 = table 4.6 亿元 (float noise of 4.6 × 1e8 is no
    difference); body 6% without a qualifier = table 6."""
    plan = Plan(year=2024, sections=[_goals()], indicators=[
        _row("R1", "城镇新增就业人数", "人", value=Cell(text="12000", number=12000, comparator="eq")),
        _row("R2", "固定资产投资", "亿元", value=Cell(text="4.6", number=4.6, comparator="eq")),
        _row("R3", "一般公共预算收入", "亿元", growth=Cell(text="6", number=6, comparator="eq"))],
        targets=[Target(id="T1", node_id="1", text="城镇新增就业1.2万人", metric="城镇新增就业人数", value=1.2,
                        unit="万人", direction="level"),
                 Target(id="T2", node_id="1", text="固定资产投资完成46000万元", metric="固定资产投资", value=46000,
                        unit="万元", direction="level"),
                 Target(id="T3", node_id="1", text="一般公共预算收入增长6%", metric="一般公共预算收入", value=6,
                        unit="%", direction="growth")])
    warnings = reconcile(plan)
    assert [(m.row_id, m.status, m.note) for m in plan.reconciliation] == [
        ("R1", "agree", ""), ("R2", "agree", ""), ("R3", "agree", "")]
    assert not list(warnings)


def test_from_to_body_target_agrees_with_the_table_end_value():
    """由2.8%提高到3%: the year's target is 3, which the table states without any qualifier word."""
    plan = Plan(year=2024, sections=[_goals()], indicators=[
        _row("R1", "研发经费投入强度", "%", value=Cell(text="3", number=3, comparator="eq"))],
        targets=[Target(id="T1", node_id="1", text="研发经费投入强度由2.8%提高到3%", metric="研发经费投入强度",
                        value=3, unit="%", comparator="from_to", from_value=2.8, direction="level")])
    warnings = reconcile(plan)
    assert [(m.status, m.note) for m in plan.reconciliation] == [("agree", "")]
    assert not list(warnings)


def test_approximate_metric_is_noted_after_the_comparison_note():
    """研发经费支出占GDP比重 in the body is only close to the table's 研发经费投入占比: said in the note."""
    def run(table_cmp):
        plan = Plan(year=2024, sections=[_goals()], indicators=[
            _row("R1", "研发经费投入占比", "%", value=Cell(text="3", number=3, comparator=table_cmp))],
            targets=[Target(id="T1", node_id="1", text="研发经费支出占GDP比重达到3%左右", metric="研发经费支出占GDP比重",
                            value=3, unit="%", comparator="approx", direction="level")])
        reconcile(plan)
        return [(m.metric_match, m.status, m.note) for m in plan.reconciliation]
    assert run("approx") == [("approximate", "agree", "指标口径相近但不完全相同")]
    assert run("eq") == [("approximate", "qualifier_missing",
                          "表中未写限定词，正文为“左右”；指标口径相近但不完全相同")]


def test_an_agreeing_target_wins_over_a_closer_named_one_that_only_lacks_a_qualifier():
    """城镇居民人均可支配收入 6 in the table; the body says 居民人均可支配收入增长6% (covers the row, agrees)
    and 城镇居民人均可支配收入增长6%左右 (exact name, the table lacks 左右): the agreeing pair is recorded."""
    plan = Plan(year=2024, sections=[_goals()], indicators=[
        _row("R1", "城镇居民人均可支配收入", "元", growth=Cell(text="6", number=6, comparator="eq"))],
        targets=[Target(id="T1", node_id="1", text="城镇居民人均可支配收入增长6%左右", metric="城镇居民人均可支配收入",
                        value=6, unit="%", comparator="approx", direction="growth"),
                 Target(id="T2", node_id="1", text="居民人均可支配收入增长6%", metric="居民人均可支配收入",
                        value=6, unit="%", direction="growth")])
    reconcile(plan)
    assert [(m.target_id, m.metric_match, m.status) for m in plan.reconciliation] == [("T2", "covers", "agree")]
