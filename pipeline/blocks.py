"""The block model: what every reader produces and the only thing the parser sees.

A reader turns a file (.txt, .docx, .pdf, .md, .html) into a flat list of blocks in reading order:
`TextBlock` for a paragraph (or a line, for text files) and `TableBlock` for a table. The parser
never learns which format a block came from, so the same notice gives the same JSON from any reader.

Conventions every reader keeps:
- `TextBlock.text` is the original text of the paragraph with leading/trailing indentation removed
  (U+3000, NBSP, spaces); inner characters are untouched (full-width digits stay full-width).
  Word auto-numbering labels that are not part of the paragraph text are rendered by the reader
  and put in front of the text (`auto_label` records that this happened).
- `TextBlock.norm` is the matching form of `text` (see `pipeline.text.normalize`).
- Blank lines are kept as `TextBlock(text="")` by line-oriented readers; paragraph readers may omit them.
- `TableBlock.cells` lists each *source* cell once, at its top-left grid position, with its spans.
  `spans_known=False` means the source lost the merge information (a flattened text table: each
  cell sits at the next free column of its row, spans 1) and the parser must infer merges.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.diagnostics import Diagnostics
from pipeline.provenance import Provenance


# `Where` is the historical name of the one provenance type; both names are the same class.
Where = Provenance


@dataclass(slots=True)
class TextBlock:
    text: str
    norm: str
    where: Provenance = field(default_factory=Provenance)
    style: str | None = None          # docx style name, if any (hint only)
    outline_level: int | None = None  # docx w:outlineLvl (0-based) or heading level hint
    auto_label: str | None = None     # auto-numbering label the reader rendered into `text`
    font: str | None = None           # dominant font name (hint only: 黑体/楷体/仿宋 suggest the rung)
    indent: float | None = None       # first-line indent in characters, when the reader knows it

    @property
    def is_blank(self) -> bool:
        return not self.norm


@dataclass(slots=True)
class TableCell:
    text: str                 # original text; several paragraphs joined with "\n"
    row: int                  # 0-based grid row of the top-left corner
    col: int                  # 0-based grid column of the top-left corner
    rowspan: int = 1
    colspan: int = 1
    where: Provenance = field(default_factory=Provenance)
    indent: int = 0           # leading spaces before the text (a cue for child rows in flattened tables)
    inferred: bool = False    # its span was reconstructed from a flattened table, not read from the source


@dataclass(slots=True)
class TableBlock:
    cells: list[TableCell]
    n_rows: int
    n_cols: int
    spans_known: bool
    where: Provenance = field(default_factory=Provenance)
    confident: bool = True    # False: a detected table whose cells could not all be placed (keep out of prose only)

    def rows(self) -> list[list[TableCell]]:
        """Source cells grouped by their top-left row, in column order."""
        out: list[list[TableCell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out


Block = TextBlock | TableBlock


@dataclass(slots=True)
class SourceDoc:
    """What a reader returns: the blocks plus facts about the source file."""

    path: str
    sha256: str
    format: str               # "txt" | "docx" | "pdf" | "doc" | "wps" | "rtf" | "ofd" | "image" | "md" | "html"
    blocks: list[Block]
    encoding: str | None = None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)   # what the reader noticed (pdf_page_without_text…)
    ocr: bool = False         # the text was recognised from page images (see readers/ocr.py)
    metadata: dict[str, str] = field(default_factory=dict)  # front matter / page metadata: secondary evidence only
