"""Property tests for the grammar of targets, numerals and dates (domain.md §1.2, §3).

Sentences are built from the documented shapes — metric, value, unit, comparator words, ranges,
from→to — and must parse to the values they were built from; trap strings (identifiers, names,
years, 文号) must never become targets. The expected values come from the generator, not from the
parser; the Chinese numerals are written by a converter of this file's own (never the code's)."""
from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import example, given, strategies as st  # noqa: E402

from pipeline.parse.dates import parse_date  # noqa: E402
from pipeline.parse.numerals import parse_number  # noqa: E402
from pipeline.parse.targets import extract_targets  # noqa: E402

METRICS = ["地区生产总值", "一般公共预算收入", "固定资产投资", "社会消费品零售总额", "优良天数", "高新技术企业",
           "居民人均可支配收入", "进出口总额", "研发经费支出占比", "城镇新增就业"]
UNITS = ["%", "亿元", "万元", "元", "家", "个", "处", "人", "公里", "吨", "万吨", "亩"]
# (prefix cue, trailing qualifier) → comparator, as the table in domain.md §3 lists them
CUES = [("", "", "eq"), ("", "以上", "ge"), ("", "左右", "approx"), ("", "以内", "le"), ("不低于", "", "ge"),
        ("不少于", "", "ge"), ("超过", "", "ge"), ("突破", "", "ge"), ("达到", "", "ge"), ("控制在", "以内", "le"),
        ("不超过", "", "le"), ("低于", "", "le"), ("约", "", "approx"), ("达到", "左右", "approx"),
        ("保持", "", "eq"), ("实现", "", "eq")]
DIRECTIONS = [("增长", "growth"), ("下降", "decline"), ("", "level")]

values = st.one_of(st.integers(1, 99999).map(float),
                   st.tuples(st.integers(0, 9999), st.integers(1, 9)).map(lambda t: float(f"{t[0]}.{t[1]}")))


def _fmt(v: float) -> str:
    return f"{v:g}" if v < 1e6 else str(int(v))


@given(metric=st.sampled_from(METRICS), value=values, unit=st.sampled_from(UNITS), cue=st.sampled_from(CUES),
       direction=st.sampled_from(DIRECTIONS), modal=st.sampled_from(["", "力争", "确保"]))
def test_value_unit_comparator_sentences_parse_to_what_built_them(metric, value, unit, cue, direction, modal):
    prefix, qualifier, comparator = cue
    verb, kind = direction
    if verb and prefix in ("保持", "实现", "控制在"):
        verb = ""              # 增长保持5% reads oddly; the shapes are metric + cue + value
        kind = "level"
    sentence = f"{modal}{metric}{verb}{prefix}{_fmt(value)}{unit}{qualifier}。"
    found = extract_targets(sentence)
    assert len(found) == 1, (sentence, found)
    t = found[0]
    assert (t.value, t.unit, t.comparator) == (value, unit, comparator), sentence
    assert t.metric == metric, sentence
    assert t.direction == kind, sentence
    assert t.modality == {"": None, "力争": "stretch", "确保": "firm"}[modal], sentence


@given(metric=st.sampled_from(METRICS), low=st.integers(1, 500), span=st.integers(1, 500),
       unit=st.sampled_from(["个", "处", "家", "亿元", "%"]), sep=st.sampled_from(["-", "~", "～", "至", "到"]))
def test_ranges_parse_to_both_ends(metric, low, span, unit, sep):
    sentence = f"{metric}达到{low}{sep}{low + span}{unit}。"
    found = extract_targets(sentence)
    assert [(t.comparator, t.low, t.high, t.unit) for t in found] == [("range", low, low + span, unit)], sentence


@given(metric=st.sampled_from(METRICS), a=values, b=values, unit=st.sampled_from(["元", "亿元", "%", "家", "个"]),
       frm=st.sampled_from(["由", "从"]), verb=st.sampled_from([("提高", "growth"), ("增加", "growth"),
                                                              ("扩大", "growth"), ("降低", "decline")]),
       to=st.sampled_from(["到", "至"]))
def test_from_to_parses_to_both_values(metric, a, b, unit, frm, verb, to):
    sentence = f"{metric}{frm}{_fmt(a)}{unit}{verb[0]}{to}{_fmt(b)}{unit}。"
    found = extract_targets(sentence)
    assert [(t.comparator, t.from_value, t.value, t.unit, t.direction) for t in found] == \
        [("from_to", a, b, unit, verb[1])], sentence


# --- numerals: an independent writer of Chinese numerals ------------------------------------------
DIGITS = "零一二三四五六七八九"


def _cn_below_10000(n: int, leading: bool) -> str:
    out, zero = "", False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d == 0:
            zero = bool(out) or not leading
            continue
        if zero and out:
            out += "零"
        zero = False
        out += ("" if (d == 1 and value == 10 and not out and leading) else DIGITS[d]) + name
    return out


def cn_numeral(n: int) -> str:
    if n == 0:
        return "零"
    high, low = divmod(n, 10000)
    if not high:
        return _cn_below_10000(low, True)
    text = _cn_below_10000(high, True) + "万"
    if low:
        text += ("零" if low < 1000 else "") + _cn_below_10000(low, False).lstrip("零")
    return text


@given(st.integers(1, 99_999_999))
def test_chinese_numerals_read_back_to_their_value(n):
    assert parse_number(cn_numeral(n)) == n, cn_numeral(n)


@given(st.integers(1, 9_999_999), st.sampled_from(["", ","]))
def test_arabic_numerals_with_and_without_thousands_commas(n, comma):
    text = f"{n:,}" if comma else str(n)
    assert parse_number(text) == n


# --- dates ----------------------------------------------------------------------------------------
YEAR_DIGITS = "〇一二三四五六七八九"


@given(st.dates(min_value=__import__("datetime").date(1990, 1, 1), max_value=__import__("datetime").date(2035, 12, 31)),
       st.booleans())
def test_dates_in_arabic_and_chinese_read_to_the_same_day(day, chinese):
    if chinese:
        text = ("".join(YEAR_DIGITS[int(c)] for c in str(day.year)) + "年"
                + _cn_below_10000(day.month, True) + "月" + _cn_below_10000(day.day, True) + "日")
    else:
        text = f"{day.year}年{day.month}月{day.day}日"
    assert parse_date(text) == (day.isoformat(), None), text


# --- traps: never targets -------------------------------------------------------------------------
AGENCIES = ["周政发", "淄政字", "博政发", "济长政办字", "城发改委发"]
traps = st.one_of(
    st.integers(1990, 2035).map(lambda y: f"{y}年"),
    st.tuples(st.sampled_from(AGENCIES), st.integers(2000, 2035), st.integers(1, 300),
              st.sampled_from(["〔〕", "[]", "［］", "【】"])).map(lambda t: f"{t[0]}{t[3][0]}{t[1]}{t[3][1]}{t[2]}号"),
    st.integers(1, 30).map(lambda n: f"第{cn_numeral(n)}届"),
    st.integers(1, 30).map(lambda n: f"第{n}次会议"),
    st.sampled_from(["PM2.5", "PM10", "5G", "4A级", "5A级", "十四五", "十三五", "二十大", "经十路", "一汽", "“5+N”",
                     "‘1+3+4’", "“四减四增”", "六山一台", "两区同创", "一窗受理", "一对一", "一级医院", "Ⅲ类"]),
)
FRAMES = ["深入推进{}相关工作。", "认真落实{}要求，", "围绕{}，抓好落实。", "{}以来，各项工作稳步推进。"]


@given(trap=traps, frame=st.sampled_from(FRAMES))
@example(trap="六山一台", frame="围绕{}，抓好落实。")     # found by the dev profile: was a target 1台
def test_trap_strings_never_become_targets(trap, frame):
    sentence = frame.format(trap)
    assert extract_targets(sentence) == [], sentence
