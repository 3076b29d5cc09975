"""Round trip: parsing our own PDF gives what parsing the source gave.

Proves the renderer (every section, headline, table row and target made it onto the page in a form
a reader recognises) and the PDF reader (it recovers them from a real typeset 公文) together.
"""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not (REPO / "pipeline" / "readers" / "pdf.py").exists(),
                                reason="the PDF reader (pipeline/readers/pdf.py) has not landed yet")


def _tree(nodes):
    out = []
    for n in nodes:
        out.append((n.id, n.kind, n.level, n.label, n.title))
        out.extend(_tree(n.children))
    return out


@pytest.fixture(scope="module", params=["plain", "formal"])
def both(request, reference_txt, tmp_path_factory):
    from pipeline.parse import parse_file
    from pipeline.render.plan_pdf import render_plan_pdf
    source = parse_file(reference_txt)
    out = tmp_path_factory.mktemp("roundtrip") / f"{request.param}.pdf"
    render_plan_pdf(source, out, style=request.param)
    return source, parse_file(out)


def test_notice_fields_survive(both):
    src, back = both
    assert back.source.format == "pdf"
    for field in ("title", "addressees", "body", "issuer", "date", "publicity"):
        assert getattr(back.notice, field) == getattr(src.notice, field), field


def test_sections_and_headlines_survive(both):
    src, back = both
    assert _tree(back.plan.sections) == _tree(src.plan.sections)
    assert back.plan.title == src.plan.title
    assert back.plan.attachment_title == src.plan.attachment_title


def test_node_texts_survive(both):
    src, back = both
    def texts(nodes):
        return [(n.id, n.text) for n in nodes] + [t for n in nodes for t in texts(n.children)]
    assert texts(back.plan.sections) == texts(src.plan.sections)


def test_indicator_rows_survive(both):
    src, back = both
    def rows(result):
        return [(r.category, r.name, r.unit,
                 r.base.value.text, r.base.growth.text, r.target.value.text, r.target.growth.text)
                for r in result.plan.indicators]
    assert rows(back) == rows(src)


def test_targets_survive(both):
    src, back = both
    def targets(result):
        return [(t.node_id, t.metric, t.value, t.unit, t.comparator) for t in result.plan.targets]
    assert targets(back) == targets(src)
    assert len(src.plan.targets) > 10
