"""The diagnostics contract and the shared tree/provenance mechanisms (issue 16, phase 1).

- every diagnostic code is one `DiagnosticCode` member, has a severity and a meaning, is listed in the
  JSON Schema and in the README table — and nothing else is listed;
- a parse hands one provenance object from the block to the node (no conversions);
- `Plan.walk()` visits every node once, in document order, and survives a deep tree.
"""
from __future__ import annotations

import json
import re

from conftest import REPO

from pipeline.blocks import TextBlock, Where
from pipeline.diagnostics import CODES, Diagnostic, DiagnosticCode, Diagnostics, Severity
from pipeline.parse import parse_file
from pipeline.parse.tree import build_tree
from pipeline.provenance import Provenance
from pipeline.schema import Node, ParseResult, Plan, json_schema
from pipeline.text import normalize

GAPPED = """周村区2023年国民经济和社会发展计划

一、总体要求
坚持稳中求进工作总基调。
三、重点任务
（一）扩大有效投资。全年完成固定资产投资增长5%。
（三）稳定就业。新增城镇就业4000人以上。
"""


def _readme_codes() -> dict[str, str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("<!-- diagnostic-codes")
    rows = {}
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        m = re.match(r"\|\s*`(\w+)`\s*\|\s*(\w+)\s*\|", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def test_every_code_has_severity_meaning_and_readme_row():
    assert set(CODES) == set(DiagnosticCode)
    assert all(info.meaning and info.stage for info in CODES.values())
    readme = _readme_codes()
    assert set(readme) == {c.value for c in DiagnosticCode}, "README table and DiagnosticCode disagree"
    assert readme == {c.value: CODES[c].severity.value for c in DiagnosticCode}


def test_schema_lists_codes_and_does_not_leak_internal_names():
    schema = json_schema()
    text = json.dumps(schema, ensure_ascii=False)
    assert "Warning_" not in text
    assert schema["properties"]["warnings"]["items"] == {"$ref": "#/$defs/Diagnostic"}
    defs = schema["$defs"]
    assert defs["DiagnosticCode"]["enum"] == [c.value for c in DiagnosticCode]
    assert defs["Severity"]["enum"] == ["info", "warning", "error"]
    for code in DiagnosticCode:                       # each code explained in the schema itself
        assert code.value in defs["DiagnosticCode"]["description"]
    assert set(defs["Diagnostic"]["properties"]) == {"code", "message", "where", "severity"}


def test_numbering_gap_reaches_the_json_with_place_and_severity(tmp_path):
    f = tmp_path / "gapped.txt"
    f.write_text(GAPPED, encoding="utf-8")
    result = parse_file(f, keywords=False)
    gaps = [w for w in result.warnings if w.code == DiagnosticCode.numbering_gap]
    assert [w.where.line for w in gaps] == [5, 7]
    assert all(w.severity is Severity.warning for w in gaps)
    data = json.loads(result.model_dump_json())
    w = next(w for w in data["warnings"] if w["code"] == "numbering_gap")
    assert list(w) == ["code", "message", "where", "severity"]
    assert list(w["where"]) == ["page", "line", "paragraph", "table", "row", "col"]
    assert w["where"]["line"] == 5 and w["severity"] == "warning" and "跳号" in w["message"]


def test_no_headings_is_an_error_without_place(tmp_path):
    f = tmp_path / "flat.txt"
    f.write_text("周村区2023年国民经济和社会发展计划\n\n今年要做好各项工作。\n", encoding="utf-8")
    result = parse_file(f, keywords=False)
    (d,) = [w for w in result.warnings if w.code == "no_headings"]
    assert d.severity is Severity.error and d.where == Provenance()


def test_json_round_trip_and_older_json_without_severity():
    d = Diagnostics()
    d.add(DiagnosticCode.table_shape, "第1个表格第3行多出一格", Provenance(table=1, row=3))
    again = Diagnostic.model_validate_json(d[0].model_dump_json())
    assert again == d[0] and isinstance(again.where, Provenance)
    old = Diagnostic.model_validate({"code": "header_block", "message": "x", "where": {"line": 1}})
    assert old.severity is Severity.info and old.where.line == 1


def test_provenance_is_one_type_shared_from_block_to_node():
    assert Where is Provenance
    blocks = [TextBlock(text=t, norm=normalize(t), where=Provenance(line=i)) for i, t in
              enumerate(["一、总体要求。", "（一）稳增长。", "（二）惠民生。"], start=1)]
    sections, _ = build_tree(blocks)
    assert sections[0].where is blocks[0].where
    assert sections[0].children[1].where is blocks[2].where


def test_walk_is_document_order_and_has_parents(reference_txt):
    plan = parse_file(reference_txt, keywords=False).plan

    def recursive(nodes):
        for n in nodes:
            yield n
            yield from recursive(n.children)
    assert [n.id for n in plan.walk()] == [n.id for n in recursive(plan.sections)]
    assert len({n.id for n in plan.walk()}) == sum(1 for _ in plan.walk())
    for node, parent in plan.walk_with_parents():
        assert (parent is None and node in plan.sections) or node in parent.children
    first = plan.sections[1]
    assert [n.id for n in first.walk()][0] == first.id


def test_walk_survives_a_tree_deeper_than_the_recursion_limit():
    root = Node(id="1", kind="section", level=1, title="t")
    cur = root
    for k in range(5000):
        child = Node(id=f"{cur.id}.1" if k < 3 else f"d{k}", kind="item", level=2, title="t")
        cur.children.append(child)
        cur = child
    assert sum(1 for _ in Plan(sections=[root]).walk()) == 5001


def test_parse_result_validates_from_its_own_json(reference_txt):
    result = parse_file(reference_txt, keywords=False)
    again = ParseResult.model_validate_json(result.model_dump_json())
    assert again.model_dump() == result.model_dump()
    assert isinstance(again.plan.sections[0].where, Provenance)


def test_every_schema_property_and_model_is_described_in_chinese_and_english():
    """`plandoc schema` documents itself: every model and every property carries a description."""
    schema = json_schema()
    models = {"PlandocParse": schema, **schema["$defs"]}
    missing = []
    for name, model in models.items():
        if not model.get("description"):
            missing.append(name)
        for prop, spec in model.get("properties", {}).items():
            desc = spec.get("description", "")
            # both languages: some CJK and some Latin letters outside the quoted examples
            if not (re.search(r"[\u4e00-\u9fff]", desc) and re.search(r"[A-Za-z]{3,}", desc)):
                missing.append(f"{name}.{prop}")
    assert not missing, f"undescribed: {missing}"
