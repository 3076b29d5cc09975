"""Font files are registered with fontconfig in place (`render/weasy_compat.py`, local-faces), checked on real renders:

- the face embedded for a collection (.ttc) is the face `fonts.py` resolved and measured (Noto's SC
  face), read back from the PDF's embedded font name table — WeasyPrint's own copy named every face;
- no font bytes pass through the fetcher and no `weasyprint-*` temporary folder is made, so a killed
  worker leaves nothing in the temp folder;
- a `@font-face` that is not one of ours still loads the WeasyPrint way.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pdfplumber
from fontTools.ttLib import TTFont

from pipeline.render.fetcher import ProjectOnlyFetcher
from pipeline.render.fonts import resolve_fonts
from pipeline.render.plan_pdf import render_plan_pdf
from test_render_safety import make_result

REPO = Path(__file__).resolve().parents[1]


def embedded_full_names(pdf_path: Path) -> dict[str, str]:
    """PDF font name (subset prefix dropped) → full name (name ID 4) of the embedded OpenType font."""
    out: dict[str, str] = {}
    with pdfplumber.open(pdf_path) as pdf:
        doc = pdf.doc
        for xref in doc.xrefs:
            for objid in xref.get_objids():
                try:
                    obj = doc.getobj(objid)
                except Exception:
                    continue
                if not isinstance(obj, dict) or getattr(obj.get("Type"), "name", "") != "FontDescriptor":
                    continue
                stream = obj.get("FontFile3") or obj.get("FontFile2")
                if stream is None:
                    continue
                data = doc.getobj(stream.objid).get_data() if hasattr(stream, "objid") else stream.get_data()
                font = TTFont(io.BytesIO(data))
                name = getattr(obj.get("FontName"), "name", str(obj.get("FontName")))
                out[name.split("+", 1)[-1].rstrip(",")] = font["name"].getDebugName(4) or ""
    return out


def test_collection_faces_are_the_resolved_chinese_faces(tmp_path):
    fonts = resolve_fonts()
    noto = [f for f in fonts.faces() if f.path.suffix.lower() == ".ttc"]
    assert noto, "the Noto CJK collections are installed by make setup"
    assert all(f.index > 0 for f in noto), "Noto's SC face is not face 0 (JP) of its collection"
    pdf = tmp_path / "plan.pdf"
    render_plan_pdf(make_result(), pdf, fonts=resolve_fonts(font_dir=tmp_path / "no-fandol"))  # Noto everywhere
    names = embedded_full_names(pdf)
    noto_names = {k: v for k, v in names.items() if "Noto" in k}
    assert noto_names, names
    for pdf_name, full in noto_names.items():
        assert " SC" in full, f"{pdf_name} was set from {full!r}, not the simplified-Chinese face"


def test_fonts_are_not_copied_and_leave_no_temp_folder(tmp_path):
    """A fresh process renders with TMPDIR pointed at an empty folder: nothing appears there, and the
    fetcher never read a font file's bytes (only `permit` was asked)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    script = f"""
import sys
sys.path.insert(0, {str(REPO)!r}); sys.path.insert(0, {str(REPO / "tests")!r})
from pipeline.render.fetcher import ProjectOnlyFetcher
read = []
real = ProjectOnlyFetcher.fetch
def fetch(self, url, headers=None):
    read.append(url)
    return real(self, url, headers)
ProjectOnlyFetcher.fetch = fetch
from pipeline.render.plan_pdf import render_plan_pdf
from test_render_safety import make_result
report = render_plan_pdf(make_result(), {str(tmp_path / "a.pdf")!r})
fonts = [u for u in read if u.endswith((".otf", ".ttc", ".ttf"))]
assert not fonts, fonts
assert report.served, "the fonts were permitted through the fetcher"
print("ok")
"""
    env = dict(os.environ, TMPDIR=str(tmp))
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr[-2000:]
    assert not [p.name for p in tmp.iterdir() if p.name.startswith("weasyprint-")]


def test_a_foreign_font_face_still_loads_the_weasyprint_way(tmp_path):
    from weasyprint import CSS, HTML

    from pipeline.render.weasy_compat import LocalFaceConfiguration
    fonts = resolve_fonts()
    fang = fonts.chains["fang"][0]
    config = LocalFaceConfiguration(fonts.faces())
    fetcher = ProjectOnlyFetcher([], {fang.path})
    css = CSS(string=f'@font-face {{ font-family: "Other Name"; src: url("{fang.url}"); }}'
                     'body { font-family: "Other Name"; }',
              font_config=config, url_fetcher=fetcher)
    pdf = tmp_path / "other.pdf"
    HTML(string="<p>国民经济</p>").write_pdf(pdf, stylesheets=[css], font_config=config)
    assert config.copied == ["Other Name"]
    with pdfplumber.open(pdf) as doc:
        assert {c["fontname"].split("+", 1)[-1] for c in doc.pages[0].chars} == {"Other-Name"}
