"""What keeps a render cheap in a long-lived process, checked on real renders (no mocks):

- fonts are loaded once per process, not once per render (one shared FontConfiguration/stylesheet);
- WeasyPrint never copies a whole font file for a font it subsets (`weasy_compat`, lazy-font-data);
- neither changes a byte of the PDF: a fresh process without either patch writes the same file;
- the compact code point tables answer exactly what fontTools reads from the font.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.render import reuse
from pipeline.render.fetcher import ProjectOnlyFetcher
from pipeline.render.plan_pdf import render_plan_pdf
from test_render_safety import make_result

REPO = Path(__file__).resolve().parents[1]


def test_fonts_are_fetched_once_per_process(tmp_path, monkeypatch):
    # `permit` is the fetcher's door for every read (`fetch` reads what it permits; font files are
    # registered in place after asking it: weasy_compat.py, local-faces)
    fetched: list[str] = []
    real_permit = ProjectOnlyFetcher.permit

    def counting_permit(self, url):
        fetched.append(url)
        return real_permit(self, url)

    monkeypatch.setattr(ProjectOnlyFetcher, "permit", counting_permit)
    reuse.clear()
    first = render_plan_pdf(make_result(), tmp_path / "a.pdf")
    after_first = list(fetched)
    second = render_plan_pdf(make_result(item_text="全年新开工项目60个，竣工项目40个。"), tmp_path / "b.pdf")
    faces = {f.url for f in first.fonts.faces()}
    assert set(after_first) == faces and len(after_first) == len(faces)
    assert fetched == after_first, "the second render fetched fonts again"
    assert reuse.cached_counts() == (1, 1)
    # each report still names the font files its PDF was set from
    assert set(first.served) == set(second.served) == faces
    assert (tmp_path / "b.pdf").stat().st_size > 0


def test_a_different_font_set_gets_its_own_configuration(tmp_path):
    from pipeline.render.fonts import resolve_fonts
    default = resolve_fonts()
    noto_only = resolve_fonts(font_dir=tmp_path / "no-fandol")   # no project faces: Noto for every role
    assert reuse.faces_key(default) != reuse.faces_key(noto_only)
    reuse.clear()
    render_plan_pdf(make_result(), tmp_path / "a.pdf", fonts=default)
    report = render_plan_pdf(make_result(), tmp_path / "b.pdf", fonts=noto_only)
    assert reuse.cached_counts() == (2, 2)
    assert all("Fandol" not in url for url in report.served)


def test_subsetted_fonts_are_never_copied_whole(tmp_path, monkeypatch):
    from weasyprint.pdf import fonts as pdf_fonts

    from pipeline.render import weasy_compat
    render_plan_pdf(make_result(), tmp_path / "warm.pdf")
    assert weasy_compat.active("lazy-font-data")
    lazy = vars(pdf_fonts.Font)["file_content"]
    whole_copies: list[int] = []
    real_fetch = lazy._fetch

    def counting(hb_face):
        data = real_fetch(hb_face)
        whole_copies.append(len(data))
        return data

    monkeypatch.setattr(lazy, "_fetch", counting)
    render_plan_pdf(make_result(), tmp_path / "a.pdf")
    assert whole_copies == []


def test_lazy_font_data_reads_the_same_bytes_as_the_eager_copy(tmp_path):
    """Reading `file_content` before the subset replaces it yields the face's whole blob."""
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.text.fonts import get_hb_object_data

    from pipeline.render import weasy_compat
    from pipeline.render.fonts import resolve_fonts
    weasy_compat.install()
    seen: list[tuple[bytes, bytes]] = []
    original_clean = pdf_fonts.Font.clean

    def clean(font, to_unicode, hinting):
        seen.append((font.file_content, get_hb_object_data(font.hb_face)))
        return original_clean(font, to_unicode, hinting)

    pdf_fonts.Font.clean = clean
    try:
        render_plan_pdf(make_result(), tmp_path / "a.pdf")
    finally:
        pdf_fonts.Font.clean = original_clean
    sizes = {f.path.stat().st_size for f in resolve_fonts().faces()}
    assert seen and all(lazy_blob == eager_blob for lazy_blob, eager_blob in seen)
    assert {len(blob) for blob, _ in seen} <= sizes      # whole files (.otf or the whole .ttc)


EAGER_RENDER = """
import sys
from pathlib import Path
sys.path[:0] = [{repo!r}, {tests!r}]
from pipeline.render import weasy_compat
weasy_compat.disable("lazy-font-data")      # WeasyPrint as shipped: whole-file copies
from pipeline.render.engine import render_pdf
from pipeline.render.plan_pdf import plan_context
from pipeline.render.fonts import resolve_fonts
from test_render_safety import make_result
render_pdf("plan.html.j2", plan_context(make_result(), "formal", resolve_fonts()), Path(sys.argv[1]), label="计划")
"""


def test_pdf_is_byte_identical_to_an_unshared_unpatched_render(tmp_path):
    """A fresh process builds its own FontConfiguration for its one render and copies fonts whole,
    as every render did before; the shared, lazy render in this process must match it byte for byte."""
    ours = tmp_path / "ours.pdf"
    render_plan_pdf(make_result(), tmp_path / "warm.pdf")      # shared objects already in use
    render_plan_pdf(make_result(), ours, style="formal")
    script = EAGER_RENDER.format(repo=str(REPO), tests=str(REPO / "tests"))
    eager = tmp_path / "eager.pdf"
    proc = subprocess.run([sys.executable, "-c", script, str(eager)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert eager.read_bytes() == ours.read_bytes()


@pytest.mark.parametrize("role", ["fang", "xbs"])
def test_compact_codepoint_tables_match_fonttools(role):
    from fontTools.ttLib import TTFont

    from pipeline.render.fonts import advance_em, codepoints, resolve_fonts
    path = resolve_fonts().chains[role][0].path
    font = TTFont(str(path), fontNumber=0, lazy=True)
    cmap = font.getBestCmap()
    hmtx, upem = font["hmtx"], font["head"].unitsPerEm
    table = codepoints(path)
    assert len(table) == len(cmap)
    probe = list(range(0, 0x3100)) + list(range(0x4E00, 0xA000)) + [0x20000, 0x2A6D6, 0x13000, 0x10FFFF]
    assert [cp for cp in probe if cp in table] == [cp for cp in probe if cp in cmap]
    for ch in "国民经济和社会发展计划2023年（一）、，。堃A":
        expected = hmtx[cmap[ord(ch)]][0] / upem if ord(ch) in cmap else 1.0
        assert abs(advance_em(path, ch) - expected) < 1e-6, ch
    font.close()
