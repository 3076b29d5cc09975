"""Heading labels misread by OCR restored from their siblings (readers/ocr_labels.py).

The misreadings are the ones seen on scans of rendered real notices: （六）→（和）, （八）→（入）/（人入）."""
from __future__ import annotations

from pipeline.blocks import TextBlock
from pipeline.diagnostics import DiagnosticCode, Diagnostics
from pipeline.parse import parse_file
from pipeline.provenance import Provenance
from pipeline.readers.ocr import fix_ocr_blocks
from pipeline.readers.ocr_labels import repair_labels
from pipeline.text import normalize


def _blocks(*lines: str, page: int = 1) -> list[TextBlock]:
    return [TextBlock(text=t, norm=normalize(t), where=Provenance(page=page)) for t in lines]


def _texts(blocks) -> list[str]:
    return [b.text for b in blocks]


def test_a_label_between_its_siblings_gets_the_free_number():
    blocks = _blocks("一、主要任务", "（五）扩大有效投资。", "（和）聚力推进现代农业创新工程，结出乡村振兴“新硕果”。",
                     "（七）深化改革开放。")
    repairs = repair_labels(blocks)
    assert _texts(blocks)[2] == "（六）聚力推进现代农业创新工程，结出乡村振兴“新硕果”。"
    assert [(r.old, r.new) for r in repairs] == [("（和）", "（六）")]
    assert blocks[2].norm == normalize("（六）聚力推进现代农业创新工程，结出乡村振兴“新硕果”。")


def test_the_first_of_a_parent_when_the_second_follows():
    blocks = _blocks("二、重点工作", "（入）开展建设评估工作。", "（二）编制海绵系统方案。")
    repair_labels(blocks)
    assert _texts(blocks)[1] == "（一）开展建设评估工作。"


def test_the_last_of_a_parent_right_after_its_predecessor():
    blocks = _blocks("二、重点任务", "（七）持续改善生态环境。", "（人入）聚力推进优质民生供给工程。", "持续强化社会保障。",
                     "三、保障措施")
    repair_labels(blocks)
    assert _texts(blocks)[2] == "（八）聚力推进优质民生供给工程。"
    assert _texts(blocks)[3] == "持续强化社会保障。"


def test_rung_one_in_a_gap_and_its_children_then_count_from_it():
    blocks = _blocks("五、扩大开放", "（一）稳外贸。", "人、保障民生", "（和）办好民生实事。", "（二）兜牢底线。",
                     "七、加强组织领导")
    repairs = repair_labels(blocks)
    assert _texts(blocks)[2] == "六、保障民生"
    assert _texts(blocks)[3] == "（一）办好民生实事。"       # first under the restored 六、, before （二）
    assert [(r.old, r.new) for r in repairs] == [("人、", "六、"), ("（和）", "（一）")]


def test_nothing_is_guessed_when_the_siblings_leave_no_single_number():
    lines = ("一、主要任务", "（一）稳增长。", "（注）以上数据为初步核算。", "（二）促改革。",      # no gap between 1 and 2
             "（四）惠民生。", "（和）强保障。", "（七）抓落实。")                           # 4 … 7: two numbers free
    blocks = _blocks(*lines)
    assert repair_labels(blocks) == []
    assert _texts(blocks) == list(lines)


def test_body_text_after_the_last_section_is_never_made_a_section():
    lines = ("六、强化组织保障", "区、镇两级要压实责任。", "各部门要按季度报送进展。")
    blocks = _blocks(*lines)
    assert repair_labels(blocks) == []
    assert _texts(blocks) == list(lines)


def test_in_a_mixed_pdf_only_ocr_pages_change_and_each_repair_is_reported():
    text_layer = _blocks("一、主要任务", "（五）扩大有效投资。", page=1)
    scanned = _blocks("（和）推进现代农业。", "（七）深化改革开放。", page=2)
    blocked_text = _blocks("（和）这是文本层。", page=3)
    diagnostics = Diagnostics()
    out = fix_ocr_blocks(text_layer + scanned, {2}, diagnostics)
    assert _texts(out) == ["一、主要任务", "（五）扩大有效投资。", "（六）推进现代农业。", "（七）深化改革开放。"]
    [d] = list(diagnostics)
    assert d.code == DiagnosticCode.ocr_label_restored and d.where.page == 2
    assert "（和）" in d.message and "（六）" in d.message
    # a text-layer page is read as written, even where the siblings would allow a repair
    out = fix_ocr_blocks(_blocks("一、主要任务", "（五）扩大有效投资。") + blocked_text + _blocks("（七）深化改革。"),
                         {2}, Diagnostics())
    assert _texts(out)[2] == "（和）这是文本层。"


def test_the_parser_itself_stays_strict_for_text_files(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_text("一、主要任务\n（五）扩大有效投资。\n（和）推进现代农业。\n（七）深化改革开放。\n", encoding="utf-8")
    labels = [n.label for n in parse_file(p, keywords=False).plan.sections[0].children]
    assert labels == ["（五）", "（七）"]
