"""Build the constructed 周村区2024年 plan: the second year the year-over-year diff compares with.

    python scripts/build_2024_sample.py [OUT_DIR]

CONSTRUCTED, NOT REAL. The corpus has one year of the 周村区 plan; a diff needs two. This script
derives a 2024 notice from the 2023 reference text (`samples/zhoucun-2023-plan.txt`) the way next
year's plan is drafted in practice: the years move on, the cover gets a new 文号 and session, and a
recorded list of edits changes targets, wording, tasks and table rows. Every edit below is also
written down by hand in `tests/gold/diff_2023_2024.json` (the gold the diff tests check against);
keep the two in step when an edit changes.

Outputs: `zhoucun-2024-plan.txt` (same flattened-table layout as the reference text) and
`zhoucun-2024-plan.docx` (typed by `scripts/build_samples.build_docx`, real merged table cells).
Each textual edit must match exactly once in the 2023 text, so a changed reference fails loudly.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

REFERENCE = REPO / "samples" / "zhoucun-2023-plan.txt"
OUT_NAME = "zhoucun-2024-plan"

# --- Cover notice ---------------------------------------------------------------------------------
COVER_EDITS = [
    ("周政发〔2024〕34号", "周政发〔2024〕12号"),
    ("第十九届人民代表大会第二次会议", "第十九届人民代表大会第三次会议"),
    ("2024年4月25日", "2024年3月26日"),
]

# --- Plan body: (old, new, why). Applied after the years moved on (2023→2024, 2022→2023). --------
MOVED_HEADLINE = ("不遗余力稳定外资外贸。培育一批具备国际市场竞争力和市场占有率的外贸领军企业和品牌，"
                  "新增外贸进出口企业20家以上。打造省级跨境电子商务园1处、新入驻跨境电商企业10家以上。")

BODY_EDITS: list[tuple[str, str, str]] = [
    # 一、 preamble: wording; the 预期目标 paragraph: targets up / down / qualifier / qualitative → number
    ("要深入学习贯彻党的二十大精神", "要全面贯彻党的二十大和二十届二中全会精神", "reworded"),
    ("地区生产总值增长5.5%左右", "地区生产总值增长6%左右", "GDP target rose"),
    ("一般公共预算收入增长5%以上", "一般公共预算收入增长5%左右", "qualifier only"),
    ("固定资产投资增长8%以上", "固定资产投资增长6%以上", "fell"),
    ("社会消费品零售总额增长5%以上", "社会消费品零售总额增长6%以上", "rose"),
    ("外贸进出口总额和实际使用外资保持稳定增长", "外贸进出口总额增长3%以上，实际使用外资保持稳定增长",
     "qualitative → number for 外贸进出口总额"),
    # （一）2.1.1 re-targeted (numbers only)
    ("突出抓好总投资394.3亿元的93个区重点项目（含文昌湖31个、总投资122.3亿元），46个市重大项目（含文昌湖7个）",
     "突出抓好总投资412.6亿元的98个区重点项目（含文昌湖33个、总投资130.5亿元），48个市重大项目（含文昌湖8个）",
     "re-targeted"),
    ("新引进过亿元项目30个以上", "新引进过亿元项目36个以上", "re-targeted"),
    # （一）2.1.2 reworded (words only)
    ("加快推进米特加、莎家邦起运等项目建设", "持续推进米特加、莎家邦起运等项目建设", "reworded"),
    ("扎实推进新城吾悦广场建设", "推动新城吾悦广场开业运营", "reworded"),
    # （一）2.1.3 moved to the end of （七）
    (MOVED_HEADLINE, "", "moved: removed here, appended to （七）"),
    # （三）2.3.1 / 2.3.2 re-targeted, 2.3.2 also reworded
    ("高新技术企业新增14家（含文昌湖4家）", "高新技术企业新增18家（含文昌湖5家）", "re-targeted"),
    ("研发经费支出占GDP比重达到3%左右", "研发经费支出占GDP比重达到3.1%左右", "re-targeted"),
    ("创新平台9家", "创新平台10家", "re-targeted"),
    ("加快“四强”产业攀登", "持续推进“四强”产业攀登", "reworded"),
    ("新实施重点技改项目114个以上（含文昌湖14个）", "新实施重点技改项目120个以上（含文昌湖15个）", "re-targeted"),
    ("力争新培育专精特新企业10家以上", "力争新培育专精特新企业12家以上", "re-targeted"),
    # （三）2.3.3 dropped, a new headline in its place
    ("开辟数字经济新赛道。坚持数字赋能、创新赋能、平台赋能，开辟新场景、营造新业态、畅通新赛道，深耕新经济“沃土”，"
     "推动工业互联网、电商与智慧物流等产业发展壮大。实施数字经济“倍增工程”，优化数字园区、5G基站等数字基础设施布局，"
     "做大做强做优物联网、大数据、云计算等数字产业，力争培育新一代信息技术先进应用场景4个。",
     "加快培育新质生产力。坚持以科技创新引领产业创新，积极布局人工智能、低空经济、新型储能等未来产业，"
     "实施“人工智能+”行动，推动人工智能与制造业深度融合，力争培育省级以上数字化转型标杆企业3家。",
     "task dropped, task added"),
    # （四）
    ("启动胶济客专周村东站建设", "加快胶济客专周村东站建设", "reworded"),
    ("对10个老旧小区、2条背街小巷进行升级改造", "对12个老旧小区、3条背街小巷进行升级改造", "re-targeted"),
    # （五）
    ("优良天数达到242天", "优良天数达到245天", "re-targeted"),
    ("完成4.5公里雨污管网改造", "完成6公里雨污管网改造", "re-targeted"),
    # （六）
    ("新打造省级美丽乡村2个", "新打造省级美丽乡村3个", "re-targeted"),
    # （七）: the moved headline arrives as its last run-in headline
    ("持续提升企业群众办事体验。", "持续提升企业群众办事体验。" + MOVED_HEADLINE, "moved here"),
    # （八）
    ("发放创业担保贷款4000万元以上", "发放创业担保贷款5000万元以上", "re-targeted"),
    ("职工门诊统筹保障由1500元提高到3000元，门诊就医报销由一级医院扩大到二、三级医院。", "",
     "sentence task removed (done in 2023)"),
    ("加快山东轻工职业学院文昌湖校区、周村一中建设，完成凤鸣小学改扩建主体工程。",
     "建成山东轻工职业学院文昌湖校区、周村一中，完成凤鸣小学改扩建工程。", "reworded"),
    ("全年免费为群众送戏200场", "全年免费为群众送戏220场", "re-targeted"),
    ("建成社区应急救援站7个", "建成社区应急救援站5个", "re-targeted (fell)"),
    ("以“亲清指数”提升“发展指数”。",
     "以“亲清指数”提升“发展指数”。扎实办好民生实事。聚焦群众急难愁盼，新建改造城市公厕10座，"
     "新增公共停车泊位1000个，让群众获得感成色更足。", "task added"),
]

# --- Indicator table: rows as (name line as in the text, cells after the name). -----------------
# Only the listed rows change; a value None removes the row, INSERT_AFTER adds one.
TABLE_ROWS: dict[str, list[str] | None] = {
    " 一、地区生产总值": ["亿元", "266.3", "5.6", "—", "6"],
    "     规模以上工业增加值": ["亿元", "—", "7.2", "—", "7"],
    "     服务业增加值": ["亿元", "141.2", "5.9", "146", "5.5"],
    '     "四新"经济增加值占比': ["%", "44.6", "1.3", "45.3", "稳步提高"],
    " 二、固定资产投资": ["亿元", "164.1", "7.5", "172", "6"],
    " 三、社会消费品零售总额": ["亿元", "75.6", "6.4", "80.6", "6"],
    "     实际使用外资": ["亿美元", "0.1204", "5.7", "保持稳定"],
    "     进出口总额": ["亿元", "57.9", "2.8", "59.6", "3以上"],
    "     研发经费投入占比": None,
    "     一般公共预算收入": ["亿元", "23.9", "5.4", "25.1", "5左右"],
    "     一般公共预算支出": ["亿元", "29.1", "2.2", "29.39", "1"],
    "     金融机构存款余额": ["亿元", "548.6", "9.3", "595", "8.5"],
    "     金融机构贷款余额": None,
    "     城镇新增就业人数": ["人", "4350", "—", "4000", "—"],
    "     城镇居民人均可支配收入": ["元", "49826", "5.2", "—", "5.5以上"],
    "     农村居民人均可支配收入": ["元", "25496", "6.3", "—", ""],
    "     粮食综合生产能力": ["万吨", "5.6", "0.5", "5.6", "保持稳定"],
}
# (after this row name, new row name, its cells): renamed 研发 row (a synonym) and one new indicator
INSERT_AFTER = [
    (" 五、科技创新", "     研发经费投入强度", ["%", "3.05", "1", "3.1", "1"]),
    ("     研发经费投入强度", "     每万人口高价值发明专利拥有量", ["件", "3.2", "14.3", "3.6", "12.5"]),
]


def _replace_once(text: str, old: str, new: str) -> str:
    n = text.count(old)
    if n != 1:
        raise SystemExit(f"edit expects exactly one match, found {n}: {old[:40]}…")
    return text.replace(old, new, 1)


def _move_years_on(text: str) -> str:
    """2023 → 2024 and 2022 → 2023 in one pass (a 4-digit year followed by 年 or inside 〔〕)."""
    shift = {"2023": "2024", "2022": "2023"}
    return re.sub(r"(?<!\d)(2022|2023)(?=年|〕)", lambda m: shift[m.group(1)], text)


def _row_span(lines: list[str], name: str) -> tuple[int, int]:
    """[start, end) of the flattened row whose first cell is `name` (cells run to the blank line)."""
    start = lines.index("\t" + name)
    end = start + 1
    while end < len(lines) and lines[end] != "":
        end += 1
    return start, end


def _edit_table(text: str) -> str:
    lines = text.split("\n")
    for name, cells in TABLE_ROWS.items():
        start, end = _row_span(lines, name)
        if cells is None:
            del lines[start:end + 1]          # the row and its blank separator
        else:
            lines[start + 1:end] = ["\t" + c for c in cells]
    for after, name, cells in INSERT_AFTER:
        _, end = _row_span(lines, after)
        lines[end + 1:end + 1] = ["\t" + name] + ["\t" + c for c in cells] + [""]
    return "\n".join(lines)


def build_text(reference: Path = REFERENCE) -> str:
    text = reference.read_text(encoding="utf-8")
    text = _move_years_on(text)
    for old, new in COVER_EDITS:
        text = _replace_once(text, old, new)
    for old, new, _why in BODY_EDITS:
        text = _replace_once(text, old, new)
    return _edit_table(text)


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else REPO / "samples"
    out_dir.mkdir(parents=True, exist_ok=True)
    txt = out_dir / f"{OUT_NAME}.txt"
    txt.write_text(build_text(), encoding="utf-8")
    from build_samples import build_docx
    docx = build_docx(txt, out_dir / f"{OUT_NAME}.docx")
    print(f"wrote {txt}, {docx}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
