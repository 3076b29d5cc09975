"""Post-correction of OCR'd text by word plausibility: a misread hanzi swapped for its look-alike
when that turns the surrounding text into clearly more probable words.

Why: at 300 dpi what Tesseract's chi_sim still gets wrong is mostly one character inside a word,
read as a character of nearly the same shape — 纳入 as 纳人, 万吨 as 万邑, 已经 as 己经. Such a
misreading usually breaks a dictionary word into single characters, which jieba's unigram model
(`pipeline.words.likelihoods`, the dictionary `cut` uses, with its frequencies) finds far less
probable. The repair is generic: a table of shape-confusable characters (not of phrases) and the
general word dictionary — nothing keyed to one document.

`CONFUSABLE` — where the sets come from: the classic look-alike groups of Chinese OCR and
proof-reading (形近字: the pairs textbooks and OCR error studies list for printed Song/Fangsong
type, where two glyphs differ by one short stroke, a stroke's length, or a dot): 人入八, 己已巳,
未末, 土士, 日曰, 天夭, 干千于, 大太犬, 木本术, 王玉主, 戊戌戍, 刀力, 儿几, 午牛, 田由甲申,
白自, 目且, 休体, 免兔, 侯候, 券卷, 折拆析, 失矢, 冶治, 准淮, 宇字, 今令, 住往, 特持, 侍待,
问间, 厂广, 市巿, 贝见, 办为, 开井, 壁璧, 拔拨, 辨辩, 货贷, 设没, 乌鸟; and
the pairs chi_sim showed on government notices at 150-300 dpi in this project's measurements
(两/雨, 合/含, 吨/邑; 人/入 is a classic one). Sets are symmetric: each member may be a misreading
of any other. Tesseract's own alternatives (`lstm_choice_mode=2`) were tried as the candidate source
and dropped: for a misread glyph they list characters of other shapes (埠: 坟 孝 培 寺), not the
printed one.

What the dictionary cannot decide — a word it lacks (雨污: 两污 reads as likely) and a misreading
that is a word as well (新人驻 / 新入驻: 新人 and 入驻 are both words, no margin) — goes to a second
opinion, `correct_line_by_neighbours`: how often each look-alike occurs next to the glyph's
neighbours in real government prose (`pipeline/data/ocr_bigrams.tsv`, built by
scripts/build_ocr_bigrams.py from the shared corpus, the reference notice excluded). Read as if
every glyph were unsure, the reference notice loses none of its 451 look-alike characters to it.

Safeguards, because a wrong "correction" of a correct character is worse than a kept error:
 - only characters Tesseract was unsure of (`MAX_CONFIDENCE`; its per-character confidence, already
   lowered to the word's in `_Hocr`) are considered;
 - only a character that, as read, is a word of its own on the most probable route is replaced
   (as read it breaks a word apart), and a variant wins only by a clear margin of log probability
   (`MIN_MARGIN`, a factor of ~150) over the text as read, and only when the variant then forms a
   word of two or more characters — the frequency of a lone character alone never decides;
 - only OCR'd glyphs go through here (the text layer of a PDF is never touched: the callers are
   `read_ocr` and `ocr_pdf_pages`).

Also `merge_split_percent`: Tesseract reads a wide % as a digit and a narrower % (5.5% → 5.59%, a
target changed without anyone noticing); the made-up digit's ink box is about as wide as it is high,
a real digit's is ~0.6 of its height, and it touches the %. Also `drop_stray_question_marks`: Tesseract adds a lone ？/? at the end of a line after a token it
read (a page-edge speck or the tail of a dash) with low confidence, and reads a closing ” after
Latin/digits as ? (“5+N?示范点); a doubtful one at the line end is dropped, one inside an open
quotation before running text becomes ”.
"""
from __future__ import annotations

import functools
import math
import re

from pipeline.resources import DATA_DIR

MAX_CONFIDENCE = 85.0     # Tesseract confidence (0-100) at or above which a glyph is trusted as read:
                          # the misread glyphs met were at 11-82; ~10 % of all glyphs of a scan are below 85
MIN_MARGIN = 5.0          # natural log: the variant's text must be ~150× as probable as the text read
CONTEXT = 6               # hanzi on each side of the character that take part in the comparison
STRAY_MARK_CONFIDENCE = 60.0
BIGRAM_SMOOTHING = 0.5    # added to every adjacent-pair count (an unseen pair is rare, not impossible)
MIN_BIGRAM_MARGIN = 3.0   # natural log: the variant must be ~20× as probable as the character read
MIN_EVIDENCE = 5          # times the variant was seen next to one of its neighbours in real prose
SPLIT_DIGIT_WIDTH = 0.9   # a digit's ink box wider than this share of its height is part of a % (real: ~0.6)
SPLIT_GAP = 0.3           # …and at most this share of its height away from the % it belongs to

_GROUPS = (
    "人入八", "己已巳", "未末", "土士", "日曰", "天夭", "干千于", "大太犬", "木本术", "王玉主",
    "戊戌戍", "刀力", "儿几", "午牛", "田由甲申", "白自", "目且", "休体", "免兔", "侯候", "券卷",
    "折拆析", "失矢", "冶治", "准淮", "宇字", "今令", "住往", "特持", "侍待", "问间", "厂广",
    "市巿", "贝见", "办为", "开井", "壁璧", "拔拨", "辨辩", "货贷", "设没", "乌鸟", "两雨", "合含", "吨邑",
)

CONFUSABLE: dict[str, str] = {}
for _g in _GROUPS:
    for _c in _g:
        CONFUSABLE[_c] = CONFUSABLE.get(_c, "") + "".join(o for o in _g if o != _c and o not in CONFUSABLE.get(_c, ""))

_HAN = re.compile(r"[\u4e00-\u9fd5]")


def _single_han(text: str) -> bool:
    return len(text) == 1 and _HAN.match(text) is not None


def _han_span(texts: list[str], i: int) -> tuple[int, int]:
    """[start, end) of the run of single hanzi around position i, at most `CONTEXT` on each side."""
    a = i
    while a > 0 and i - a < CONTEXT and _single_han(texts[a - 1]):
        a -= 1
    b = i + 1
    while b < len(texts) and b - i <= CONTEXT and _single_han(texts[b]):
        b += 1
    return a, b


def _word_length_at(words: list[str], k: int) -> int:
    """Length of the word of a segmentation that covers character k."""
    pos = 0
    for w in words:
        if pos <= k < pos + len(w):
            return len(w)
        pos += len(w)
    return 0


def correct_line(glyphs: list) -> int:
    """Correct the confusable, unsure characters of one OCR line in place (`glyph.text`); returns
    how many were changed. Left to right, each decision sees the earlier corrections."""
    from pipeline.words import likelihoods
    changed = 0
    texts = [g.text for g in glyphs]
    for i, g in enumerate(glyphs):
        if g.conf >= MAX_CONFIDENCE or texts[i] not in CONFUSABLE:
            continue
        a, b = _han_span(texts, i)
        if b - a < 2:
            continue                      # a lone character: no word to judge it by
        variants = [texts[i]] + list(CONFUSABLE[texts[i]])
        blocks = ["".join(texts[a:i]) + v + "".join(texts[i + 1:b]) for v in variants]
        scored = likelihoods(blocks)
        best = max(range(1, len(variants)), key=lambda k: scored[k][0])
        if scored[best][0] - scored[0][0] < MIN_MARGIN:
            continue
        # as read, the character stands alone (a misreading breaks a word: 发改办 keeps its 办, which
        # reads as part of 改办, though 改为 would be likelier); the variant sits inside a word of
        # 2+ characters on its route (not a likelier lone character)
        if _word_length_at(scored[0][1], i - a) != 1 or _word_length_at(scored[best][1], i - a) < 2:
            continue
        texts[i] = g.text = variants[best]
        changed += 1
    return changed


def _neighbour(texts: list[str], k: int) -> str:
    return texts[k] if 0 <= k < len(texts) and _single_han(texts[k]) else ""


def _bigram_score(counts: dict[str, int], prev: str, c: str, nxt: str) -> float:
    """log P(c, nxt | prev) under the adjacent-character model, up to a term the variants share:
    n(prev c) · n(c nxt) / n(c), each count smoothed by `BIGRAM_SMOOTHING`."""
    score = -math.log(counts.get(c, 0) + 1.0)
    for pair in ((prev + c) if prev else "", (c + nxt) if nxt else ""):
        if pair:
            score += math.log(counts.get(pair, 0) + BIGRAM_SMOOTHING)
    return score


def correct_line_by_neighbours(glyphs: list) -> int:
    """The second opinion, where `correct_line` abstains: the adjacent-character counts of real
    government prose (`pipeline/data/ocr_bigrams.tsv`) decide between an unsure glyph and its look-
    alikes — 新人驻 → 新入驻 (入驻 is common there, 人驻 never occurs), 两污管网 → 雨污管网 (a word the
    dictionary lacks). A variant wins only with evidence (`MIN_EVIDENCE` occurrences next to one of
    its neighbours) and a clear margin (`MIN_BIGRAM_MARGIN`) over the character as read."""
    counts = _bigram_counts()
    changed = 0
    texts = [g.text for g in glyphs]
    for i, g in enumerate(glyphs):
        if g.conf >= MAX_CONFIDENCE or texts[i] not in CONFUSABLE:
            continue
        prev, nxt = _neighbour(texts, i - 1), _neighbour(texts, i + 1)
        if not (prev or nxt):
            continue
        read = _bigram_score(counts, prev, texts[i], nxt)
        best, best_score = None, read + MIN_BIGRAM_MARGIN
        for v in CONFUSABLE[texts[i]]:
            evidence = max(counts.get(prev + v, 0) if prev else 0, counts.get(v + nxt, 0) if nxt else 0)
            score = _bigram_score(counts, prev, v, nxt)
            if evidence >= MIN_EVIDENCE and score >= best_score:
                best, best_score = v, score
        if best is not None:
            texts[i] = g.text = best
            changed += 1
    return changed


@functools.lru_cache(maxsize=1)
def _bigram_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in (DATA_DIR / "ocr_bigrams.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, n = line.split("\t")
            counts[key] = int(n)
    return counts


def drop_stray_question_marks(glyphs: list) -> list:
    """The line without a doubtful ？/? Tesseract made up (confidence under `STRAY_MARK_CONFIDENCE`):

    - a lone final one after a token (a speck or the tail of a mark at the line end) is dropped;
    - one inside the line, inside an open “…, directly before a hanzi, is the closing ” misread
      (a question mark ends a sentence, it is not followed by running text inside a quotation):
      基层“5+N?示范点 → 基层“5+N”示范点."""
    unsure = [k for k, g in enumerate(glyphs) if g.text in ("？", "?") and g.conf < STRAY_MARK_CONFIDENCE]
    if not unsure:
        return glyphs
    drop = set()
    for k in unsure:
        if k == len(glyphs) - 1 and k >= 1:
            drop.add(k)
            continue
        before = "".join(g.text for g in glyphs[:k])
        sentence = re.split(r"[。！？；]", before)[-1]
        if (k + 1 < len(glyphs) and _HAN.match(glyphs[k + 1].text)
                and sentence.count("“") > sentence.count("”") + sentence.count('"')):
            glyphs[k].text = "”"
    return [g for k, g in enumerate(glyphs) if k not in drop]


def merge_split_percent(glyphs: list) -> list:
    """The line without the digits Tesseract cut from a % sign (5.5% read as 5.59%): a digit whose
    ink box is too wide for a digit (`SPLIT_DIGIT_WIDTH`), directly before and touching a %, is
    dropped, and the % gets its left edge back."""
    out = []
    for k, g in enumerate(glyphs):
        nxt = glyphs[k + 1] if k + 1 < len(glyphs) else None
        height = g.bottom - g.top
        if (nxt is not None and nxt.text in ("%", "％") and len(g.text) == 1 and g.text in "0123456789"
                and height > 0 and g.x1 - g.x0 > SPLIT_DIGIT_WIDTH * height and nxt.x0 - g.x1 <= SPLIT_GAP * height):
            nxt.x0 = min(nxt.x0, g.x0)
            continue
        out.append(g)
    return out


def correct_pages(pages) -> int:
    """Word-plausibility correction, split % signs and stray ？ removal on OCR'd pages (`PageResult`s),
    in place."""
    changed = 0
    for p in pages:
        lines: dict[str, list] = {}
        for g in p.glyphs:
            lines.setdefault(g.line, []).append(g)
        keep = []
        for glyphs in lines.values():
            changed += correct_line(glyphs)
            changed += correct_line_by_neighbours(glyphs)
            kept = drop_stray_question_marks(merge_split_percent(glyphs))
            changed += len(glyphs) - len(kept)
            keep.extend(kept)
        # the original order (lines are contiguous runs of glyphs in Tesseract's output)
        kept_ids = {id(g) for g in keep}
        p.glyphs = [g for g in p.glyphs if id(g) in kept_ids]
    return changed
