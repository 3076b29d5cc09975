"""The plan PDF is archival (issue 16): PDF/A-2b markers WeasyPrint writes (XMP with pdfaid, an output
intent), every font embedded, and document info naming title, author (the issuing organ), subject and keywords.
No veraPDF here: these are the checks of its rules that tools on this machine can make."""
from __future__ import annotations

import re
import subprocess

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from pipeline.parse import parse_file
from pipeline.render.plan_pdf import render_plan_pdf


def test_plan_pdf_is_pdfa_2b_with_metadata(reference_txt, tmp_path):
    result = parse_file(reference_txt)
    pdf = tmp_path / "plan.pdf"
    render_plan_pdf(result, pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Title"].strip() == result.notice.title
    assert fields["Author"].strip() == result.notice.issuer
    assert fields["Subject"].strip() == result.plan.title
    assert "周政发〔2023〕34号" in fields["Keywords"] and str(result.plan.year) in fields["Keywords"]
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(row.split()[-5] == "yes" for row in fonts), fonts      # the emb column
    with pdf.open("rb") as f:
        catalog = PDFDocument(PDFParser(f)).catalog
        intents = resolve1(catalog["OutputIntents"])
        assert resolve1(intents[0])["S"].name == "GTS_PDFA1"
        xmp = resolve1(catalog["Metadata"]).get_data()
    assert re.search(rb'pdfaid:part="2"', xmp) and re.search(rb'pdfaid:conformance="B"', xmp)
