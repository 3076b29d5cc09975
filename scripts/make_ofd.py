"""Write a text PDF's pages as an OFD package (GB/T 33190), as test input for the OFD reader.

    python scripts/make_ofd.py IN.pdf OUT.ofd

Built from the specification, independently of our reader: OFD.xml → DocBody/DocInfo/DocRoot →
Doc_0/Document.xml (CommonData: MaxUnitID, PageArea, PublicRes, DocumentRes; Pages) → one
Pages/Page_N/Content.xml per page, fonts in DocumentRes.xml, draw parameters in PublicRes.xml. Each run
of characters on one baseline in one font becomes a TextObject whose inner coordinate system is in
points, mapped to millimetres by a CTM (as several vendors write it), with DeltaX advances in the
`g N D` run-length form where runs repeat; ruling lines and rectangles become PathObjects with
AbbreviatedData. Positions come from pdfplumber, so the OFD has the PDF's layout (same lines, same
table), which lets a test compare the two readers on one notice.
"""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pdfplumber

PT_TO_MM = 25.4 / 72
NS = "http://www.ofdspec.org/2016"
DESCENT = 0.14          # share of the size below the baseline (CJK faces)


def _fmt(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".") or "0"


def delta_x(values: list[float]) -> str:
    """Advances, with repeats written as `g N D` (GB/T 33190 §11.3)."""
    out: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and abs(values[j + 1] - values[i]) < 1e-3:
            j += 1
        n = j - i + 1
        out.append(f"g {n} {_fmt(values[i])}" if n >= 3 else " ".join([_fmt(values[i])] * n))
        i = j + 1
    return " ".join(out)


class _Ids:
    def __init__(self):
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _runs(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into runs: same baseline band, same font and size, left to right."""
    rows: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (round(c["bottom"], 1), c["x0"])):
        if rows and abs(rows[-1][-1]["bottom"] - c["bottom"]) < 0.5 \
                and rows[-1][-1]["fontname"] == c["fontname"] and abs(rows[-1][-1]["size"] - c["size"]) < 0.05 \
                and c["x0"] >= rows[-1][-1]["x0"]:
            rows[-1].append(c)
        else:
            rows.append([c])
    return rows


def _text_object(run: list[dict], font_id: int, oid: int) -> str:
    size = run[0]["size"]
    x0 = min(c["x0"] for c in run)
    top = min(c["top"] for c in run)
    x1 = max(c["x1"] for c in run)
    bottom = max(c["bottom"] for c in run)
    baseline = run[0]["bottom"] - DESCENT * size - top          # in points, inside the object
    advances = [b["x0"] - a["x0"] for a, b in zip(run, run[1:])]
    text = "".join(c["text"] for c in run)
    boundary = " ".join(_fmt(v * PT_TO_MM) for v in (x0, top, x1 - x0, bottom - top))
    dx = f' DeltaX="{delta_x(advances)}"' if advances else ""
    return (f'<ofd:TextObject ID="{oid}" Boundary="{boundary}" CTM="{_fmt(PT_TO_MM)} 0 0 {_fmt(PT_TO_MM)} 0 0" '
            f'Font="{font_id}" Size="{_fmt(size)}">'
            f'<ofd:FillColor Value="0 0 0"/>'
            f'<ofd:TextCode X="{_fmt(run[0]["x0"] - x0)}" Y="{_fmt(baseline)}"{dx}>{escape(text)}</ofd:TextCode>'
            f'</ofd:TextObject>')


def _path_object(x0: float, top: float, x1: float, bottom: float, oid: int, draw_param: int) -> str:
    """A ruling line (zero width or height) or a rectangle's outline, in mm relative to its Boundary."""
    w, h = (x1 - x0) * PT_TO_MM, (bottom - top) * PT_TO_MM
    if w < 0.01 or h < 0.01:
        data = f"M 0 0 L {_fmt(w)} {_fmt(h)}"
    else:
        data = f"M 0 0 L {_fmt(w)} 0 L {_fmt(w)} {_fmt(h)} L 0 {_fmt(h)} C"
    boundary = " ".join(_fmt(v) for v in (x0 * PT_TO_MM, top * PT_TO_MM, max(w, 0.01), max(h, 0.01)))
    return (f'<ofd:PathObject ID="{oid}" Boundary="{boundary}" DrawParam="{draw_param}" Stroke="true">'
            f'<ofd:AbbreviatedData>{data}</ofd:AbbreviatedData></ofd:PathObject>')


def write_ofd(pdf_path: Path, out: Path) -> Path:
    ids = _Ids()
    fonts: dict[str, int] = {}
    draw_param = ids.next()
    pages_xml: list[tuple[int, str]] = []
    box = "0 0 210 297"
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            box = f"0 0 {_fmt(float(page.width) * PT_TO_MM)} {_fmt(float(page.height) * PT_TO_MM)}"
            objects = []
            chars = [c for c in page.chars if c.get("upright", True)]
            for run in _runs(chars):
                name = run[0]["fontname"].split("+", 1)[-1]
                if name not in fonts:
                    fonts[name] = ids.next()
                objects.append(_text_object(run, fonts[name], ids.next()))
            for ln in page.lines:
                objects.append(_path_object(ln["x0"], ln["top"], ln["x1"], ln["bottom"], ids.next(), draw_param))
            for r in page.rects:
                objects.append(_path_object(r["x0"], r["top"], r["x1"], r["bottom"], ids.next(), draw_param))
            page_id = ids.next()
            layer_id = ids.next()
            pages_xml.append((page_id, (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page xmlns:ofd="{NS}">'
                f'<ofd:Area><ofd:PhysicalBox>{box}</ofd:PhysicalBox></ofd:Area>'
                f'<ofd:Content><ofd:Layer ID="{layer_id}" Type="Body">{"".join(objects)}</ofd:Layer></ofd:Content>'
                f'</ofd:Page>')))
    font_xml = "".join(f'<ofd:Font ID="{fid}" FontName={quoteattr(name)} FamilyName={quoteattr(name)}/>'
                       for name, fid in fonts.items())
    document = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="{NS}">'
                f'<ofd:CommonData><ofd:MaxUnitID>{ids.n}</ofd:MaxUnitID>'
                f'<ofd:PageArea><ofd:PhysicalBox>{box}</ofd:PhysicalBox></ofd:PageArea>'
                f'<ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>'
                f'</ofd:CommonData><ofd:Pages>'
                + "".join(f'<ofd:Page ID="{pid}" BaseLoc="Pages/Page_{i}/Content.xml"/>'
                          for i, (pid, _) in enumerate(pages_xml))
                + '</ofd:Pages></ofd:Document>')
    ofd = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD xmlns:ofd="{NS}" Version="1.1" DocType="OFD">'
           f'<ofd:DocBody><ofd:DocInfo><ofd:DocID>plandoc-test</ofd:DocID><ofd:Creator>plandoc make_ofd.py</ofd:Creator>'
           f'</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
    public = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">'
              f'<ofd:DrawParams><ofd:DrawParam ID="{draw_param}" LineWidth="0.25"/></ofd:DrawParams></ofd:Res>')
    doc_res = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">'
               f'<ofd:Fonts>{font_xml}</ofd:Fonts></ofd:Res>')
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", ofd)
        z.writestr("Doc_0/Document.xml", document)
        z.writestr("Doc_0/PublicRes.xml", public)
        z.writestr("Doc_0/DocumentRes.xml", doc_res)
        for i, (_, xml) in enumerate(pages_xml):
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", xml)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python scripts/make_ofd.py IN.pdf OUT.ofd")
    print(write_ofd(Path(sys.argv[1]), Path(sys.argv[2])))
