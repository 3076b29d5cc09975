"""Diff building blocks on hand-made input the code was not tuned to: class rules, base units,
synonyms, anaphoric rates, look-alike tasks, the review band, word-level redlines."""
from __future__ import annotations

from pipeline.diff.indicators import diff_indicators
from pipeline.diff.quantities import Quantity, cell_quantity, compare
from pipeline.diff.redline import redline_ops, tokenize
from pipeline.diff.targets import diff_targets
from pipeline.diff.tasks import HIGH, LOW, diff_tasks
from pipeline.schema import Cell, Node, Period, Row, Target


def row(name, unit, value=None, growth=None, rid="R1"):
    def cell(x):
        if x is None:
            return Cell(text="—")
        if isinstance(x, tuple):
            return Cell(text=f"{x[0]}{x[1]}", number=x[0], comparator={"以上": "ge", "左右": "approx"}[x[1]])
        if isinstance(x, str):
            return Cell(text=x)
        return Cell(text=str(x), number=float(x), comparator="eq")
    return Row(id=rid, category="c", name=name, unit=unit, target=Period(value=cell(value), growth=cell(growth)))


def target(tid, text, metric, value=None, unit=None, comparator=None, node="2.1", **kw):
    base = {"万元": 1e4, "亿元": 1e8, "万人": 1e4}.get(unit, 1.0)
    return Target(id=tid, node_id=node, text=text, metric=metric, value=value, unit=unit, comparator=comparator,
                  base_value=None if value is None else value * base, **kw)


# --- cells and quantities ------------------------------------------------------------------------

def test_range_moves_by_both_ends():
    old = cell_quantity(Cell(text="2-3", low=2, high=3))
    assert compare(old, cell_quantity(Cell(text="3-4", low=3, high=4)))[0] == "rose"
    assert compare(old, cell_quantity(Cell(text="1-2", low=1, high=2)))[0] == "fell"
    assert compare(old, cell_quantity(Cell(text="2-3", low=2, high=3)))[0] == "unchanged"


def test_literals_and_empties():
    lit = cell_quantity(Cell(text="保持稳定"))
    assert compare(lit, cell_quantity(Cell(text="保持 稳定")))[0] == "unchanged"
    assert compare(lit, cell_quantity(Cell(text="稳中有升")))[0] == "qualifier_changed"
    assert compare(lit, cell_quantity(Cell(text="3", number=3, comparator="eq")))[0] == "form_changed"
    assert compare(cell_quantity(Cell(text="—")), cell_quantity(Cell(text="")))[0] is None
    assert compare(Quantity("number", 1, 1, ("eq",)), Quantity("number", 1, 1, ("ge",)))[0] == "qualifier_changed"


# --- indicators ----------------------------------------------------------------------------------

def test_indicator_in_other_unit_and_synonym_name():
    old = [row("城镇新增就业人数", "万人", value=1.2), row("规上工业增加值", "亿元", growth=6, rid="R2"),
           row("社零额", "亿元", value=80, growth=(5, "以上"), rid="R3")]
    new = [row("新增城镇就业", "人", value=12000), row("规模以上工业增加值", "亿元", growth=6.5, rid="R2"),
           row("社会消费品零售总额", "万元", value=800000, growth=(5, "左右"), rid="R3")]
    d = {e.name: e for e in diff_indicators(old, new)}
    jobs = d["新增城镇就业"]
    assert jobs.change == "unchanged" and jobs.compared == "value" and jobs.old.name == "城镇新增就业人数"
    assert any("万人" in n for n in jobs.notes)
    assert d["规模以上工业增加值"].change == "rose" and d["规模以上工业增加值"].growth_delta == 0.5
    retail = d["社会消费品零售总额"]
    assert retail.change == "qualifier_changed" and retail.value_change == "unchanged"


def test_indicator_new_dropped_and_lower_is_better():
    old = [row("单位GDP能耗", "吨标准煤", value=(0.5, "左右")), row("旧指标", "个", value=3, rid="R2")]
    new = [row("单位GDP能耗", "吨标准煤", value=(0.45, "左右")), row("新指标", "个", value=3, rid="R2")]
    d = diff_indicators(old, new)
    assert [(e.name, e.change) for e in d] == [("单位GDP能耗", "fell"), ("旧指标", "dropped"), ("新指标", "new")]
    assert d[0].tightened is True          # a lower energy-use target is the harder one


# --- prose targets -------------------------------------------------------------------------------

def test_anaphoric_rate_takes_the_previous_metric():
    old = [target("T1", "地区生产总值达到240亿元", "地区生产总值", 240, "亿元", "ge", node="2"),
           target("T2", "同比增长21%", "同比", 21, "%", "eq", node="2", direction="growth")]
    new = [target("T1", "地区生产总值增长20%", "地区生产总值", 20, "%", "eq", node="2", direction="growth")]
    d = diff_targets(old, new)
    rate = [e for e in d if e.old is not None and e.old.id == "T2"][0]
    assert rate.new is not None and rate.change == "fell" and rate.delta == -1
    assert [e.change for e in d if e.old is not None and e.old.id == "T1"] == ["dropped"]


def test_qualitative_target_becoming_a_number_is_its_own_kind():
    old = [target("T1", "外贸进出口保持稳定增长", "外贸进出口总额", direction="growth")]
    new = [target("T1", "进出口总额增长3%以上", "进出口总额", 3, "%", "ge", direction="growth")]
    (e,) = diff_targets(old, new)
    assert e.change == "form_changed" and e.form == "to_number" and e.old is not None and e.new is not None
    (back,) = diff_targets(new, old)
    assert back.change == "form_changed" and back.form == "to_literal"


def test_same_number_new_scope_or_modality():
    old = [target("T1", "新增高新技术企业14家（含文昌湖4家）", "新增高新技术企业", 14, "家", "eq", scope="含文昌湖4家")]
    new = [target("T1", "力争新增高新技术企业14家", "新增高新技术企业", 14, "家", "eq", modality="stretch")]
    (e,) = diff_targets(old, new)
    assert e.change == "qualifier_changed" and e.qualifier_changed


def test_money_targets_compare_in_base_units():
    old = [target("T1", "发放创业担保贷款0.4亿元", "创业担保贷款", 0.4, "亿元", "eq")]
    new = [target("T1", "发放创业担保贷款4000万元", "创业担保贷款", 4000, "万元", "eq")]
    (e,) = diff_targets(old, new)
    assert e.change == "unchanged" and any("单位" in n for n in e.notes)


# --- tasks ---------------------------------------------------------------------------------------

def item(nid, label, title, children=(), text=""):
    return Node(id=nid, kind="item", level=2, label=label, title=title, text=text, children=list(children))


def headline(nid, title, text):
    return Node(id=nid, kind="headline", level=3, title=title, text=text)


STREET_TASK = "新建社区党群服务中心{n}处，改造老旧小区{m}个，完善便民服务设施，提升社区治理水平。"


def _streets(order, numbers):
    return [item(f"2.{k + 1}", f"（{'一二三'[k]}）", f"{name}街道", [
        headline(f"2.{k + 1}.1", "完善社区服务", STREET_TASK.format(n=numbers[name][0], m=numbers[name][1]))])
        for k, name in enumerate(order)]


def test_look_alike_tasks_follow_their_heading():
    """Three street tasks identical once numbers are masked: the parent heading decides the pairing,
    even after the streets changed order and every number moved."""
    old = _streets(["青年路", "丝绸路", "大街"], {"青年路": (2, 5), "丝绸路": (3, 6), "大街": (1, 4)})
    new = _streets(["大街", "青年路", "丝绸路"], {"青年路": (4, 7), "丝绸路": (1, 2), "大街": (3, 3)})
    d = diff_tasks(old, new, 2023, 2024)
    heads = {e.old_path.split("“")[0]: e for e in d if e.old_id and e.old_id.count(".") == 2}
    old_item = {n.id: n.title for n in old}
    new_item = {n.id: n.title for n in new}
    for e in d:
        if e.old_id and e.old_id.count(".") == 2:
            assert old_item[e.old_id.rsplit(".", 1)[0]] == new_item[e.new_id.rsplit(".", 1)[0]]
            assert e.change == "reworded" and e.numbers_changed and not e.words_changed
    assert heads and sum(e.moved for e in d) == 1      # one street moved to the front; children follow


def test_review_band_and_unrelated_tasks():
    base = "加快推进城市更新行动，实施老旧街区改造提升，完善道路管网配套，打造宜居宜业城市环境。"
    half = "加快推进城市更新行动，实施老旧街区改造提升，同时启动智慧停车平台建设，推进充电桩进小区。"
    other = "深化农村集体产权制度改革，发展壮大村级集体经济，推进农业社会化服务体系建设。"
    old = [item("2.1", "（一）", "城市建设", text=base), item("2.2", "（二）", "农村改革", text=other)]
    new = [item("2.1", "（一）", "城市建设", text=half),
           item("2.2", "（二）", "文化事业", text="繁荣发展文化事业，建设城市书房和农家书屋，开展送戏下乡活动。")]
    d = diff_tasks(old, new, 2023, 2024)
    review = [e for e in d if e.change == "review"]
    assert len(review) == 1 and LOW <= review[0].similarity < HIGH
    assert review[0].old_id == "2.1" and review[0].new_id == "2.1"
    assert {(e.change, e.old_id, e.new_id) for e in d if e.change in ("new", "dropped")} == \
        {("dropped", "2.2", None), ("new", None, "2.2")}


# --- redlines ------------------------------------------------------------------------------------

def test_tokens_keep_numbers_units_and_latin_whole():
    toks = tokenize("地区生产总值增长5.5%左右，PM2.5浓度下降，建设5G基站300个，培育专精特新企业")
    for t in ("5.5%", "PM2.5", "5G", "300", "专精特新"):
        assert t in toks


def test_redline_is_word_level_not_a_sentence_replacement():
    ops = redline_ops("加快推进米特加、莎家邦起运等30个项目建设，做大做强头部企业群体。",
                      "持续推进米特加、莎家邦起运等36个项目建设，做大做强头部企业群体。")
    edits = [(o.old, o.new) for o in ops if o.op != "equal"]
    assert edits == [("加快", "持续"), ("30", "36")]


# --- quantities: exact class rules (issue 18: mutation testing) ----------------------------------
# Expected values are worked out by hand from domain.md §4/§7, not copied from a run.
import dataclasses  # noqa: E402

import pytest  # noqa: E402

from pipeline.diff.quantities import EMPTY, base_of, form_of, metric_key, tightened  # noqa: E402

# domain.md §4 "Not applicable" and "Dashes": a lone dash or slash in a cell means "no value".
NOT_APPLICABLE_MARKS = ("—", "——", "-", "－", "/", "／", "―", "――", "−", "–")


@pytest.mark.parametrize("mark", NOT_APPLICABLE_MARKS + ("", " ", "　"))
def test_not_applicable_and_blank_cells_are_empty_not_literals(mark):
    """A dash is "no target", not a wording: 3 → — must not read as 定量→定性 (form_changed)."""
    q = cell_quantity(Cell(text=mark))
    assert q == EMPTY
    assert compare(q, cell_quantity(Cell(text="", number=None)))[0] is None
    assert compare(q, cell_quantity(Cell(text="保持稳定")))[0] == "qualifier_changed"


def test_quantity_middle_value_and_shared_empty_is_frozen():
    assert cell_quantity(Cell(text="2-3", low=2, high=3)).mid == 2.5
    assert cell_quantity(Cell(text="0.4", number=0.4), factor=1e4).mid == pytest.approx(4000)
    assert EMPTY.mid is None and cell_quantity(Cell(text="保持稳定")).mid is None
    with pytest.raises(dataclasses.FrozenInstanceError):   # EMPTY is one shared object
        EMPTY.low = 1.0


def test_units_converted_before_comparing():
    """0.4 万人 and 4000 人 are the same target (float noise of the conversion is not a move)."""
    old = cell_quantity(Cell(text="0.4", number=0.4, comparator="eq"), factor=1e4)
    assert compare(old, cell_quantity(Cell(text="4000", number=4000, comparator="eq"))) == ("unchanged", 0.0)
    assert compare(old, cell_quantity(Cell(text="4001", number=4001, comparator="eq"))) == ("rose", pytest.approx(1))
    assert compare(old, cell_quantity(Cell(text="3999", number=3999, comparator="eq"))) == ("fell", pytest.approx(-1))
    # the same number with 以上 against a bare number: only the qualifier changed
    ge = cell_quantity(Cell(text="4000以上", number=4000, comparator="ge"))
    assert compare(cell_quantity(Cell(text="4000", number=4000)), ge) == ("qualifier_changed", 0.0)
    assert compare(cell_quantity(Cell(text="4000", number=4000, comparator="eq")),
                   cell_quantity(Cell(text="4000", number=4000))) == ("unchanged", 0.0)


def test_range_against_single_number_and_widened_range():
    five = cell_quantity(Cell(text="5", number=5, comparator="eq"))
    assert compare(five, cell_quantity(Cell(text="5-6", low=5, high=6))) == ("rose", 0.5)   # floor kept, ceiling up
    assert compare(five, cell_quantity(Cell(text="4-5", low=4, high=5))) == ("fell", -0.5)
    wide = cell_quantity(Cell(text="4-6", low=4, high=6))
    assert compare(five, wide) == ("qualifier_changed", 0.0)               # both ways around 5: no direction
    assert compare(wide, cell_quantity(Cell(text="3-8", low=3, high=8))) == ("rose", 0.5)   # mid 5 → 5.5
    assert compare(wide, cell_quantity(Cell(text="2-7", low=2, high=7))) == ("fell", -0.5)  # mid 5 → 4.5
    assert compare(five, cell_quantity(Cell(text="5.5", number=5.5, comparator="eq"))) == ("rose", 0.5)


def test_form_and_kind_changes():
    lit, num = cell_quantity(Cell(text="保持稳定")), cell_quantity(Cell(text="3", number=3, comparator="eq"))
    assert compare(num, lit) == ("form_changed", None)
    assert compare(EMPTY, num) == ("qualifier_changed", None)
    assert compare(lit, EMPTY) == ("qualifier_changed", None)
    assert compare(lit, cell_quantity(Cell(text="保持稳定"))) == ("unchanged", None)
    assert form_of(lit, num) == "to_number" and form_of(num, lit) == "to_literal"
    assert form_of(num, num) is None and form_of(lit, lit) is None and form_of(EMPTY, num) is None


def test_tightened_reads_the_direction_of_better():
    assert tightened("rose", False) is True       # a higher GDP growth floor is harder
    assert tightened("fell", False) is False
    assert tightened("fell", True) is True        # a lower unemployment ceiling is harder
    assert tightened("rose", True) is False
    for change in ("unchanged", "qualifier_changed", "form_changed", None):
        assert tightened(change, False) is None and tightened(change, True) is None


def test_metric_key_and_base_units():
    key, approx = metric_key("研发经费投入占比")
    assert approx is True and key == metric_key("研发经费支出占GDP比重")[0]
    assert metric_key("地区生产总值") == (metric_key("地区生产总值")[0], False)
    assert base_of("万人") == ("人", 10000.0) and base_of("亿元") == ("元", 1e8) and base_of("%") == ("%", 1.0)
    assert base_of(" 标准箱 ") == ("标准箱", 1.0)       # a unit the table knows nothing of is its own base
    assert base_of(None) == (None, 1.0) and base_of("  ") == (None, 1.0)


def test_row_unit_changed_from_yi_to_wan_yuan_is_not_a_move():
    """Last year 4.6 亿元, this year 46000 万元: the same money (4.6 × 1e8 carries float noise)."""
    old = cell_quantity(Cell(text="4.6", number=4.6, comparator="eq"), factor=base_of("亿元")[1])
    new = cell_quantity(Cell(text="46000", number=46000, comparator="eq"), factor=base_of("万元")[1])
    assert compare(old, new) == ("unchanged", 0.0)
    assert compare(old, cell_quantity(Cell(text="46100", number=46100, comparator="eq"),
                                      factor=base_of("万元")[1])) == ("rose", pytest.approx(1e6))


def test_range_ceiling_lowered_and_range_converted_between_units():
    """4%—6% → 4%—5%: the ceiling came down, a fall of the middle by 0.5; 2—3 万人 = 20000—30000 人."""
    assert compare(cell_quantity(Cell(text="4-6", low=4, high=6)),
                   cell_quantity(Cell(text="4-5", low=4, high=5))) == ("fell", -0.5)
    assert compare(cell_quantity(Cell(text="4-6", low=4, high=6)),
                   cell_quantity(Cell(text="5-6", low=5, high=6))) == ("rose", 0.5)
    wan = cell_quantity(Cell(text="2-3", low=2, high=3), factor=base_of("万人")[1])
    assert compare(wan, cell_quantity(Cell(text="20000-30000", low=20000, high=30000))) == ("unchanged", 0.0)
    assert compare(wan, cell_quantity(Cell(text="20000-40000", low=20000, high=40000))) == ("rose", 5000.0)


def test_range_narrowed_upwards_rose_by_its_middle():
    """5%—5.5% after 4%—6%: floor up 1, ceiling down 0.5 — the middle rose from 5 to 5.25."""
    assert compare(cell_quantity(Cell(text="4-6", low=4, high=6)),
                   cell_quantity(Cell(text="5-5.5", low=5, high=5.5))) == ("rose", 0.25)
    assert compare(cell_quantity(Cell(text="4-6", low=4, high=6)),
                   cell_quantity(Cell(text="3.5-4.5", low=3.5, high=4.5))) == ("fell", -1.0)
