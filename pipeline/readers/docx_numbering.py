"""Word automatic numbering: render the labels (一、 （一） 1. …) that are not in the paragraph text.

Chinese offices number headings with Word lists far more often than by typing the label, and
python-docx's `Paragraph.text` leaves the label out (python-docx #92/#180/#471/#554); Docling renders
the East-Asian formats as bullets (#4335). Without the label the parser cannot see the ladder.

The model (ECMA-376 §17.9): a paragraph's `w:numPr` (or its style's) names `numId` and `ilvl`;
`w:num` points to a `w:abstractNum` and may override levels (`lvlOverride`: `startOverride`, or a
whole `lvl`). Each `lvl` has `start`, `numFmt`, `lvlText` (`%1、`, `（%2）`, `%1.%2`), `lvlRestart`
and `isLgl`. Counters are shared by every `num` that points to the same abstract list (that is how
Word continues a list across numIds) unless the `num` overrides the start, in which case that
`num` restarts the level the first time it is used.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_Q = "{%s}" % W
_PLACEHOLDER = re.compile(r"%([1-9])")

_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _cn_count(n: int, digits: str, units: tuple[str, str, str], leading_one_ten: bool) -> str:
    """Chinese counting below 10000: 1→一, 10→十 (or 一十), 21→二十一, 105→一百〇五."""
    if n <= 0 or n >= 10000:
        return str(n)
    ten, hundred, thousand = units
    parts: list[str] = []
    pending_zero = False
    for value, unit in ((1000, thousand), (100, hundred), (10, ten), (1, "")):
        d = (n // value) % 10
        if d == 0:
            if parts:
                pending_zero = True
            continue
        if pending_zero:
            parts.append(digits[0])
            pending_zero = False
        if unit == ten and d == 1 and not parts and not leading_one_ten:
            parts.append(ten)
        else:
            parts.append(digits[d] + unit)
    return "".join(parts)


def _letters(n: int, upper: bool) -> str:
    """Word's letter numbering repeats the letter: 27 → aa, 28 → bb."""
    if n <= 0:
        return str(n)
    ch = chr((ord("A") if upper else ord("a")) + (n - 1) % 26)
    return ch * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    """Render counter `n` in the OOXML `numFmt` `fmt`. Unknown formats fall back to decimal."""
    if fmt in ("decimal", "decimalHalfWidth", ""):
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate({ord(str(i)): chr(0xFF10 + i) for i in range(10)})
    if fmt in ("chineseCounting", "taiwaneseCounting", "japaneseCounting"):
        return _cn_count(n, _CN_DIGITS, ("十", "百", "千"), leading_one_ten=False)
    if fmt in ("chineseCountingThousand", "taiwaneseCountingThousand"):
        return _cn_count(n, _CN_DIGITS.replace("〇", "零"), ("十", "百", "千"), leading_one_ten=False)
    if fmt == "chineseLegalSimplified":
        return _cn_count(n, _CN_LEGAL, ("拾", "佰", "仟"), leading_one_ten=True)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return _HEAVENLY_STEMS[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return _EARTHLY_BRANCHES[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else f"({n})"
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return f"{n}."
    if fmt == "upperLetter":
        return _letters(n, True)
    if fmt == "lowerLetter":
        return _letters(n, False)
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


@dataclass(slots=True)
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""               # lvlText with %N placeholders
    restart: int | None = None   # lvlRestart: restart after this (1-based) level; 0 = never
    is_legal: bool = False       # isLgl: every placeholder rendered as decimal


@dataclass(slots=True)
class _Instance:
    abstract_id: str
    overrides: dict[int, Level] = field(default_factory=dict)
    start_overrides: dict[int, int] = field(default_factory=dict)
    started: set[int] = field(default_factory=set)


def _parse_level(el) -> tuple[int, Level]:
    ilvl = int(el.get(_Q + "ilvl", "0"))
    lvl = Level()
    for child in el:
        tag = child.tag[len(_Q):] if child.tag.startswith(_Q) else ""
        val = child.get(_Q + "val")
        if tag == "start" and val is not None:
            lvl.start = int(val)
        elif tag == "numFmt":
            lvl.fmt = val or "decimal"
        elif tag == "lvlText":
            lvl.text = val or ""
        elif tag == "lvlRestart" and val is not None:
            lvl.restart = int(val)
        elif tag == "isLgl":
            lvl.is_legal = val not in ("0", "false")
    lvl.text = _LOST_SEPARATOR.sub(r"\1、", lvl.text) if lvl.fmt in _CHINESE_COUNTERS else lvl.text
    return ilvl, lvl


# A Chinese counter followed by "?" (一? 二?) is an encoding loss, not a question mark: LibreOffice's RTF
# export writes \leveltext as 8-bit text and turns the separator 、 into \'3f, and the .docx it then
# converts back to keeps the "?" — so every auto-numbered 一、 of an .rtf came back as 一?. After a
# Chinese counter the separator of a 公文 label is 、 (一、 二、); a question mark never follows one.
_CHINESE_COUNTERS = {"chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographDigital",
                     "taiwaneseCounting", "taiwaneseCountingThousand", "taiwaneseDigital", "japaneseCounting",
                     "ideographTraditional", "ideographZodiac"}
_LOST_SEPARATOR = re.compile(r"(%[1-9])[?？](?=$|\s)")


class Numbering:
    """Stateful label renderer for one document: call `label(num_id, ilvl)` in reading order."""

    def __init__(self, numbering_xml: bytes | None):
        self._abstract: dict[str, dict[int, Level]] = {}
        self._instances: dict[str, _Instance] = {}
        self._counters: dict[str, list[int | None]] = {}   # abstract id → counter per level
        if numbering_xml:
            root = etree.fromstring(numbering_xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
            for a in root.iter(_Q + "abstractNum"):
                levels = dict(_parse_level(l) for l in a.iter(_Q + "lvl"))
                self._abstract[a.get(_Q + "abstractNumId")] = levels
            for n in root.iter(_Q + "num"):
                ref = n.find(_Q + "abstractNumId")
                if ref is None:
                    continue
                inst = _Instance(ref.get(_Q + "val"))
                for ov in n.iter(_Q + "lvlOverride"):
                    ilvl = int(ov.get(_Q + "ilvl", "0"))
                    so = ov.find(_Q + "startOverride")
                    if so is not None:
                        inst.start_overrides[ilvl] = int(so.get(_Q + "val", "1"))
                    lv = ov.find(_Q + "lvl")
                    if lv is not None:
                        inst.overrides[ilvl] = _parse_level(lv)[1]
                self._instances[n.get(_Q + "numId")] = inst

    def _level(self, inst: _Instance, ilvl: int) -> Level | None:
        if ilvl in inst.overrides:
            return inst.overrides[ilvl]
        return self._abstract.get(inst.abstract_id, {}).get(ilvl)

    def label(self, num_id: str | None, ilvl: int) -> str | None:
        """The rendered label of the next paragraph in list `num_id` at level `ilvl`, advancing counters.

        None when the paragraph is not really numbered (numId 0, unknown list, bullet or empty text).
        """
        if not num_id or num_id == "0" or num_id not in self._instances:
            return None
        if not 0 <= ilvl < 9:               # the schema has levels 0..8 only
            return None
        inst = self._instances[num_id]
        lvl = self._level(inst, ilvl)
        if lvl is None:
            return None
        counters = self._counters.setdefault(inst.abstract_id, [None] * 9)
        if ilvl in inst.start_overrides and ilvl not in inst.started:
            counters[ilvl] = inst.start_overrides[ilvl]
        elif counters[ilvl] is None:
            counters[ilvl] = self._start(inst, ilvl)
        else:
            counters[ilvl] += 1
        inst.started.add(ilvl)
        # Deeper levels restart when this level advances (unless their lvlRestart says otherwise).
        for deeper in range(ilvl + 1, 9):
            d = self._level(inst, deeper)
            if d is None or d.restart is None or (d.restart != 0 and d.restart - 1 >= ilvl):
                counters[deeper] = None
        if lvl.fmt in ("bullet", "none") or not lvl.text:
            return None
        return self._render(inst, lvl, counters)

    def _start(self, inst: _Instance, ilvl: int) -> int:
        if ilvl in inst.start_overrides:
            return inst.start_overrides[ilvl]
        lvl = self._level(inst, ilvl)
        return lvl.start if lvl else 1

    def _render(self, inst: _Instance, lvl: Level, counters: list[int | None]) -> str:
        def sub(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            if not 0 <= k < 9:
                return m.group(0)
            value = counters[k] if counters[k] is not None else self._start(inst, k)
            ref = self._level(inst, k)
            fmt = "decimal" if (lvl.is_legal or ref is None) else ref.fmt
            return format_number(value, fmt)
        return _PLACEHOLDER.sub(sub, lvl.text)
