"""Register our font files with fontconfig where they lie, instead of through WeasyPrint's copies.

WeasyPrint's `FontConfiguration.add_font_face` reads every `@font-face` file through the URL fetcher
and writes a copy into a fresh temporary folder, which fontconfig then scans. For our faces (Noto
.ttc collections of 20–27 MB, Fandol .otf) that is ~90 MB read and written per process, ~0.25 s of
every fresh `plandoc render`, and a `weasyprint-*` folder left in the temp folder whenever a worker is
killed. It also cannot say which face of a collection is meant: the family name is added to every
face of a .ttc, and the Japanese face 0 of Noto CJK could serve a Chinese text.

Our faces are local files that the fetcher allows. `LocalFaceConfiguration` asks the same fetcher
for permission (`ProjectOnlyFetcher.permit`: same checks, recorded as served, no bytes read) and
hands fontconfig the original path with the scan-time rules WeasyPrint would write (family
prepended, slant and weight assigned) plus a test on the face index, so our family name lands on
exactly the face `fonts.py` measured (Noto's SC face). Anything else — another descriptor, a URL
that is not one of our faces, a foreign fetcher, WeasyPrint internals that look different — goes
through WeasyPrint's own `add_font_face` unchanged.
"""
from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, tostring

from weasyprint.logger import LOGGER
from weasyprint.text.constants import FONTCONFIG_STYLE, FONTCONFIG_WEIGHT
from weasyprint.text.ffi import ffi, fontconfig, pangoft2
from weasyprint.text.fonts import PREFERRED_ENCODING, FontConfiguration

from pipeline.render.fetcher import ProjectOnlyFetcher
from pipeline.render.fonts import Face

# Descriptors our stylesheet writes in an @font-face rule; any other goes the WeasyPrint way.
_HANDLED = {"src", "font_family", "font_weight", "font_style"}


def scan_rules(face: Face, path: Path, weight, style) -> bytes:
    """The fontconfig configuration naming face `face.index` of the file `path` as `face.family`."""
    root = Element("fontconfig")
    match = SubElement(root, "match", target="scan")
    test = SubElement(match, "test", name="file", compare="eq")
    SubElement(test, "string").text = path.as_posix()
    test = SubElement(match, "test", name="index", compare="eq")
    SubElement(test, "int").text = str(face.index)
    # prepend, as WeasyPrint does: replacing the family breaks Pango (WeasyPrint #2510)
    edit = SubElement(match, "edit", name="family", mode="prepend")
    SubElement(edit, "string").text = face.family
    edit = SubElement(match, "edit", name="slant", mode="assign_replace")
    SubElement(edit, "const").text = FONTCONFIG_STYLE[style]
    edit = SubElement(match, "edit", name="weight", mode="assign_replace")
    SubElement(edit, "int").text = str(FONTCONFIG_WEIGHT[weight])
    header = b'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
    return header + tostring(root, encoding="utf-8")


class LocalFaceConfiguration(FontConfiguration):
    """A `FontConfiguration` that registers the faces of one `FontSet` in place."""

    def __init__(self, faces: list[Face]):
        super().__init__()
        self._faces = {f.family: f for f in faces}
        self._registered: set[str] = set()
        self.copied: list[str] = []      # families that went WeasyPrint's way (for tests and logs)

    def add_font_face(self, rule_descriptors, url_fetcher):
        face = self._faces.get(rule_descriptors.get("font_family"))
        src = rule_descriptors.get("src") or []
        usable = (face is not None and isinstance(url_fetcher, ProjectOnlyFetcher)
                  and set(rule_descriptors) <= _HANDLED and list(src) == [("external", face.url)]
                  and rule_descriptors.get("font_weight", "normal") in FONTCONFIG_WEIGHT
                  and rule_descriptors.get("font_style", "normal") in FONTCONFIG_STYLE)
        if not usable:
            self.copied.append(str(rule_descriptors.get("font_family")))
            return super().add_font_face(rule_descriptors, url_fetcher)
        if face.family in self._registered:
            return None
        path = url_fetcher.permit(face.url)          # RefusedFetch stops the render, as a fetch would
        rules = scan_rules(face, path, rule_descriptors.get("font_weight", "normal"),
                           rule_descriptors.get("font_style", "normal"))
        fontconfig.FcConfigParseAndLoadFromMemory(self._config, rules, True)
        if not fontconfig.FcConfigAppFontAddFile(self._config, path.as_posix().encode(PREFERRED_ENCODING)):
            LOGGER.warning("Font-face %r cannot be loaded", face.family)   # WeasyPrint's logger and wording
            return None
        self._registered.add(face.family)
        return pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", self.font_map))
