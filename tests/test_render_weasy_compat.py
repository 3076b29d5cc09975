"""The adaptations of WeasyPrint internals (`pipeline/render/weasy_compat.py`) against the installed WeasyPrint.

A WeasyPrint upgrade that moves or reshapes an internal an adaptation relies on turns that adaptation
off (slower, more memory, or ragged CJK lines; never a wrong PDF). That must not pass unnoticed:
`test_weasyprint_still_has_what_the_adaptations_rely_on` fails with the list of every difference.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.render import weasy_compat

REPO = Path(__file__).resolve().parents[1]


def test_weasyprint_still_has_what_the_adaptations_rely_on():
    problems = weasy_compat.shape_problems()
    assert problems == [], ("WeasyPrint changed what plandoc adapts (pipeline/render/weasy_compat.py); "
                            "these adaptations are now off:\n  " + "\n  ".join(problems))


def test_each_adaptation_names_its_upstream_reference_and_fallback():
    assert set(weasy_compat.ADAPTATIONS) == {"precompiled-ffi", "local-faces", "lazy-font-data", "cjk-justify"}
    for a in weasy_compat.ADAPTATIONS.values():
        assert ("Kozea/WeasyPrint#" in a.upstream or a.upstream.startswith("no upstream")) and a.fallback, a.name
        assert a.name in (weasy_compat.__doc__ or ""), a.name


def test_adaptations_are_applied_once():
    from weasyprint.layout import inline
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.text import line_break

    first = weasy_compat.install()
    patched = (inline.count_expandable_spaces, inline.justify_line, line_break.re, pdf_fonts.Font.__init__,
               pdf_fonts.get_hb_object_data, vars(pdf_fonts.Font)["file_content"])
    assert first == {"cjk-justify": True, "lazy-font-data": True, "local-faces": True}
    assert weasy_compat.install() == first
    again = (inline.count_expandable_spaces, inline.justify_line, line_break.re, pdf_fonts.Font.__init__,
             pdf_fonts.get_hb_object_data, vars(pdf_fonts.Font)["file_content"])
    assert all(a is b for a, b in zip(patched, again)), "an adaptation was applied twice"
    # applied, the checks still pass (the wrappers show WeasyPrint's own source and signatures)
    assert weasy_compat.shape_problems() == []


def test_the_glyph_check_still_finds_the_page_boxes(tmp_path):
    """engine._check_glyphs walks `Page._page_box` (read only; not an adaptation, but a private name)."""
    from weasyprint import HTML
    document = HTML(string="<p>国民经济</p>").render()
    assert hasattr(document.pages[0], "_page_box"), "weasyprint.document.Page no longer has _page_box"


def test_pdf_variants_offered_are_weasyprints():
    from weasyprint.pdf import VARIANTS

    from pipeline.settings import PDF_VARIANTS
    assert set(PDF_VARIANTS) <= set(VARIANTS), set(PDF_VARIANTS) - set(VARIANTS)


RESHAPED = """
import json, sys
sys.path.insert(0, {repo!r}); sys.path.insert(0, {tests!r})
from weasyprint.layout import inline
from weasyprint.pdf import fonts as pdf_fonts
original_justify, original_get = inline.justify_line, pdf_fonts.get_hb_object_data
def justify_line(context, line, extra_width, direction=None):  # WeasyPrint grew a parameter
    return original_justify(context, line, extra_width)
def get_hb_object_data(blob, ot_color=None, glyph=None):      # and renamed one
    return original_get(blob, ot_color, glyph)
inline.justify_line, pdf_fonts.get_hb_object_data = justify_line, get_hb_object_data
from pipeline.render import weasy_compat
from pipeline.render.plan_pdf import render_plan_pdf
from test_render_safety import make_result
report = render_plan_pdf(make_result(), sys.argv[1])
print(json.dumps({{"active": weasy_compat.install(), "problems": weasy_compat.shape_problems(),
                  "pages": report.pages, "justified": report.justified}}))
"""


@pytest.mark.timeout(300)
def test_a_reshaped_weasyprint_is_reported_and_left_alone(tmp_path):
    """Internals that look different: the adaptations relying on them stay off, the differences are
    listed, and the render still completes with WeasyPrint as shipped (here: ragged CJK lines, whole
    font files copied)."""
    import json
    script = RESHAPED.format(repo=str(REPO), tests=str(REPO / "tests"))
    out = tmp_path / "plan.pdf"
    proc = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True, text=True, cwd=REPO,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "WeasyPrint adaptation cjk-justify is off" in proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["active"]["cjk-justify"] is False and got["active"]["lazy-font-data"] is False
    assert got["active"]["local-faces"] is True and got["pages"] >= 1 and got["justified"] is False
    text = "\n".join(got["problems"])
    assert "cjk-justify: weasyprint.layout.inline.justify_line takes" in text and "direction" in text
    assert "lazy-font-data: weasyprint.pdf.fonts.get_hb_object_data takes ('blob'" in text
