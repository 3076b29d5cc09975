"""Build pipeline/data/ocr_bigrams.tsv: how often each pair of adjacent hanzi that contains an OCR
look-alike character, and how often each look-alike occurs at all (`pipeline.readers.ocr_words.CONFUSABLE`) occurs in real government prose.

Why: the word dictionary cannot decide a misread glyph when the misreading is itself a word (新人驻 /
新入驻: 新人 and 入驻 are both words) or when the true word is missing from it (雨污). Adjacent-
character counts from real official texts can: 入驻 and 雨污 are common there, 人驻 and 两污 never occur.

Source: the real documents of ../shared/corpus/real (work reports, provincial 政府工作报告, Shanghai
notices, the GovDoc-CN notice) — never the reference notice (zhoucun-2023-plan.txt) whose scan the
OCR tests measure, so the table is not tuned to the text it is judged on. Only counts are kept (no
text), only pairs with a look-alike character (what the correction asks about), and only pairs seen
at least twice (a single occurrence may be a typo or a scrape defect).

usage: python scripts/build_ocr_bigrams.py [CORPUS_DIR]   (default ../shared/corpus)
"""
from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.readers.ocr_words import CONFUSABLE  # noqa: E402

OUT = ROOT / "pipeline" / "data" / "ocr_bigrams.tsv"
EXCLUDED = {"zhoucun-2023-plan.txt"}
MIN_COUNT = 2
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def _texts(corpus: Path):
    real = corpus / "real"
    for p in sorted(real.glob("*.txt")):
        if p.name in EXCLUDED or p.name.endswith("_a.txt"):
            continue
        raw = p.read_bytes()
        for enc in ("utf-8", "gb18030"):
            try:
                yield raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    csv.field_size_limit(10 ** 8)
    for p in sorted(real.glob("*.csv")):
        with p.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                yield row.get("full_text") or ""
    for p in sorted((real / "shanghai").glob("*.md")):
        if p.name.lower() != "readme.md":
            yield p.read_text(encoding="utf-8")


def count(corpus: Path) -> tuple[Counter, int, int]:
    pairs: Counter = Counter()
    files = chars = 0
    for text in _texts(corpus):
        files += 1
        for run in _HAN_RUN.findall(text):
            chars += len(run)
            for c in run:
                if c in CONFUSABLE:
                    pairs[c] += 1             # a look-alike's own count: the bigram model divides by it
            for a, b in zip(run, run[1:]):
                if a in CONFUSABLE or b in CONFUSABLE:
                    pairs[a + b] += 1
    return pairs, files, chars


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus"
    pairs, files, chars = count(corpus)
    kept = sorted((p, n) for p, n in pairs.items() if n >= MIN_COUNT or len(p) == 1)
    lines = ["# counts of OCR look-alike characters and of adjacent hanzi pairs with one; built by scripts/build_ocr_bigrams.py",
             f"# from {files} real documents ({chars} hanzi) of the shared corpus, the reference notice excluded"]
    lines += [f"{p}\t{n}" for p, n in kept]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(kept)} pairs from {files} documents, {chars} hanzi -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
