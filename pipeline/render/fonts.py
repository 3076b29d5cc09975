"""Font roles of a 公文 and the physical faces behind them, resolved once per render.

GB/T 9704 names type by role (仿宋 body, 黑体 level 1, 楷体 level 2, 小标宋 titles, 宋体 page
numbers). Each role gets a chain of faces, best first (typesetting.md §5.2):

1. faces a clerk configured explicitly (environment `PLANDOC_FONT_<ROLE>`, file paths separated by
   the OS path separator) — e.g. a licensed 仿宋_GB2312 or 方正小标宋 that is not installed;
2. licensed faces installed on the system (found through fontconfig by their family names);
3. the project's open Fandol faces (`fonts/` of the checkout, extracted by `make`; `PLANDOC_FONT_DIR`
   overrides; the folders are listed by `pipeline.resources.font_dirs`);
4. the system's Noto CJK faces (Debian `fonts-noto-cjk`), which cover all of GBK.

Every physical face is loaded through `@font-face` under its own family name (`PD …`), never by
its installed name, which sidesteps fontconfig aliases and local-font clashes, and makes the PDF font
names map back to a face and a role in tests. WeasyPrint silently substitutes a face it cannot find
and silently draws tofu for a character no face has, so this module also answers "does the chain of
this role have a glyph for this character" (`FontSet.missing`) before anything is drawn.
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import os
import re
import shutil
import subprocess
import zlib
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.cache import CACHE_ROOT
from pipeline.errors import UNPRINTABLE_CLASS, InputError
from pipeline.resources import font_dirs


# Role → installed family names of the licensed faces offices use (any one will do).
LICENSED_FAMILIES: dict[str, tuple[str, ...]] = {
    "fang": ("仿宋_GB2312", "仿宋", "FangSong_GB2312", "FangSong"),
    "hei": ("黑体", "SimHei"),
    "kai": ("楷体_GB2312", "楷体", "KaiTi_GB2312", "KaiTi"),
    "xbs": ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05"),
    "song": ("宋体", "SimSun"),
}
ROLE_NAMES_ZH = {"fang": "仿宋", "hei": "黑体", "kai": "楷体", "xbs": "小标宋", "song": "宋体"}

# Role → open faces in the project font folder (Fandol, GPLv3 with font exception).
PROJECT_FACES: dict[str, tuple[str, ...]] = {
    "fang": ("FandolFang-Regular.otf",),
    "kai": ("FandolKai-Regular.otf",),
}
# Role → (Noto family, style) as fontconfig reports them; Debian's fonts-noto-cjk.
NOTO_FACES: dict[str, tuple[tuple[str, str], ...]] = {
    "fang": (("Noto Serif CJK SC", "Regular"),),
    "hei": (("Noto Sans CJK SC", "Regular"),),
    "kai": (("Noto Serif CJK SC", "Regular"),),
    "xbs": (("Noto Serif CJK SC", "Bold"),),
    "song": (("Noto Serif CJK SC", "Regular"),),
}
ROLES = tuple(LICENSED_FAMILIES)

# Characters that never need a glyph: whitespace is layout, U+200B a break hint.
_NO_GLYPH_NEEDED = frozenset(" \t\n\r\u3000\u00a0\u200b")


_INVISIBLE = re.compile(f"[{UNPRINTABLE_CLASS}]")


def needs_glyph(ch: str) -> bool:
    """Whether drawing `ch` takes a glyph from some face (whitespace, control and invisible format
    characters — bidi marks, zero-width joiners — do not: the shaper consumes them)."""
    return ch not in _NO_GLYPH_NEEDED and ord(ch) >= 32 and not _INVISIBLE.match(ch)


@dataclass(frozen=True)
class Face:
    """One physical face (face `index` of a font file) under the `@font-face` family name we give it."""

    family: str
    path: Path
    origin: str     # configured | licensed | project | system
    index: int = 0  # the face within a collection (.ttc): Noto's SC face is 2, face 0 is JP

    @property
    def url(self) -> str:
        return self.path.as_uri()

    @property
    def coverage(self) -> "CodepointSet":
        return codepoints(self.path, self.index)

    def advance(self, ch: str) -> float:
        return advance_em(self.path, ch, self.index)


@dataclass
class FontSet:
    """The resolved role chains of one render."""

    chains: dict[str, list[Face]]
    notes: list[str] = field(default_factory=list)

    def faces(self) -> list[Face]:
        seen: dict[str, Face] = {}
        for chain in self.chains.values():
            for face in chain:
                seen.setdefault(face.family, face)
        return list(seen.values())

    def css_family(self, role: str) -> str:
        return ", ".join(f'"{f.family}"' for f in self.chains[role])

    def allowed_paths(self) -> set[Path]:
        return {f.path.resolve() for f in self.faces()}

    def role_of_family(self, family: str) -> set[str]:
        """Roles whose chain contains the face named `family` (for tests reading PDF font names)."""
        return {role for role, chain in self.chains.items() if any(f.family == family for f in chain)}

    def missing(self, role: str, text: str) -> list[str]:
        """Characters of `text` that no face of the role's chain has a glyph for, in order, once."""
        cmaps = [f.coverage for f in self.chains[role]]
        out: list[str] = []
        for ch in dict.fromkeys(text):
            if not needs_glyph(ch):
                continue
            if not any(ord(ch) in cm for cm in cmaps):
                out.append(ch)
        return out

    def face_for(self, role: str, ch: str) -> Face | None:
        for f in self.chains[role]:
            if ord(ch) in f.coverage:
                return f
        return None

    def text_width(self, role: str, text: str, size: float, letter_spacing: float = 0.0) -> float:
        """Advance width in points of `text` set in `role` at `size` (fontTools hmtx + letter-spacing).

        Used where the standard fixes a position relative to a string's width (signature and date),
        since half-width digits make character counts useless.
        """
        total = 0.0
        for ch in text:
            face = self.face_for(role, ch)
            total += (face.advance(ch) if face else 1.0) * size + letter_spacing
        return total


CACHE_DIR = CACHE_ROOT / "fonts"


class CodepointSet:
    """The code points a face maps, as a bitmap: ~140 KB for a CJK face instead of ~5 MB as a frozenset
    of ints (five faces are consulted per render and kept for the life of the process)."""

    __slots__ = ("_bits", "_count")

    def __init__(self, sorted_codepoints: array):
        top = sorted_codepoints[-1] if len(sorted_codepoints) else 0
        bits = bytearray(top // 8 + 1)
        for cp in sorted_codepoints:
            bits[cp >> 3] |= 1 << (cp & 7)
        self._bits = bytes(bits)
        self._count = len(sorted_codepoints)

    def __contains__(self, cp: int) -> bool:
        byte = cp >> 3
        return byte < len(self._bits) and bool(self._bits[byte] >> (cp & 7) & 1)

    def __len__(self) -> int:
        return self._count


@dataclass(frozen=True)
class FontTables:
    """One face's cmap coverage and advances (sorted code points with their advance in em, as arrays)."""

    coverage: CodepointSet
    codepoints: array
    advances: array

    def advance(self, cp: int, default: float = 1.0) -> float:
        i = bisect.bisect_left(self.codepoints, cp)
        return self.advances[i] if i < len(self.codepoints) and self.codepoints[i] == cp else default


def _tables(cps: array, adv: array) -> FontTables:
    return FontTables(CodepointSet(cps), cps, adv)


@functools.lru_cache(maxsize=None)
def _font_tables(path: Path, index: int = 0) -> FontTables:
    """Code points and advances (in em) of face `index` of a font file.

    Decompiling a CJK cmap with fontTools takes 0.1–0.4 s per face, every run; the result is cached
    on disk keyed by the file's path, size and mtime (`~/.cache/plandoc/fonts`), so a render pays it
    once per installed font, not once per process.
    """
    st = path.stat()
    key = hashlib.sha1(f"{path.resolve()}|{index}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()
    cache = CACHE_DIR / f"{key}.bin"
    try:
        data = cache.read_bytes()
        n = int.from_bytes(data[:4], "little")
        cps, adv = array("I"), array("f")
        cps.frombytes(data[4:4 + 4 * n])
        adv.frombytes(data[4 + 4 * n:4 + 8 * n])
        if len(cps) == len(adv) == n:
            return _tables(cps, adv)
    except (OSError, ValueError):
        pass
    from fontTools.ttLib import TTFont
    font = TTFont(str(path), fontNumber=index, lazy=True)
    try:
        cmap = font.getBestCmap() or {}
        hmtx, upem = font["hmtx"], font["head"].unitsPerEm
        cps = array("I", sorted(cmap))
        adv = array("f", (hmtx[cmap[cp]][0] / upem for cp in cps))
    finally:
        font.close()
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.part")
        tmp.write_bytes(len(cps).to_bytes(4, "little") + cps.tobytes() + adv.tobytes())
        os.replace(tmp, cache)
    except OSError:
        pass   # a read-only home only costs time
    return _tables(cps, adv)


def codepoints(path: Path, index: int = 0) -> CodepointSet:
    """Code points face `index` of a font file maps."""
    return _font_tables(path, index).coverage


def advance_em(path: Path, ch: str, index: int = 0) -> float:
    return _font_tables(path, index).advance(ord(ch))


def _opens_as_font(path: Path, index: int = 0) -> bool:
    try:
        return bool(codepoints(path, index))
    except Exception:
        return False


@functools.lru_cache(maxsize=1)
def _fontconfig_faces() -> tuple[tuple[str, str, str, int], ...]:
    """(family, style, file, face index) of every installed face, from one `fc-list` call."""
    exe = shutil.which("fc-list")
    if not exe:
        return ()
    try:
        out = subprocess.run([exe, "--format", "%{family}\t%{style}\t%{file}\t%{index}\n"],
                             capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    rows = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 4:
            index = int(parts[3]) if parts[3].isdigit() else 0
            for fam in parts[0].split(","):
                rows.append((fam.strip(), parts[1], parts[2], index))
    return tuple(rows)


def _installed(family: str, style: str | None = None) -> tuple[Path, int] | None:
    """(file, face index) of the installed face of `family` (and `style`)."""
    for fam, st, file, index in _fontconfig_faces():
        if fam == family and (style is None or style in st.split(",")):
            return Path(file), index
    return None


def _family_name(origin: str, path: Path, index: int = 0) -> str:
    """Our @font-face family: ASCII, stable, distinct from any installed family name."""
    stem = re.sub(r"[^A-Za-z0-9]+", " ", path.stem).strip() or "Face"
    if origin in ("configured", "licensed"):
        digest = zlib.crc32(f"{path}|{index}".encode() if index else str(path).encode()) % 10000
        return f"PD Licensed {stem} {digest}" if stem.isascii() and stem != "Face" else f"PD Licensed {digest}"
    return f"PD {stem}" + (f" {index}" if index else "")


def _env_paths(role: str) -> list[Path]:
    raw = os.environ.get(f"PLANDOC_FONT_{role.upper()}", "")
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]


def resolve_fonts(*, require_licensed: bool | None = None, font_dir: Path | None = None,
                  configured: dict[str, list[Path]] | None = None) -> FontSet:
    """Build the role chains. Raises InputError (Chinese) when a role has no usable face at all.

    `configured` (role → font files) overrides the environment; `require_licensed` (default: env
    `PLANDOC_REQUIRE_LICENSED_FONTS=1`) refuses to fall back to open faces for any role.
    """
    if require_licensed is None:
        require_licensed = os.environ.get("PLANDOC_REQUIRE_LICENSED_FONTS", "") == "1"
    search = [font_dir] if font_dir is not None else font_dirs()
    chains: dict[str, list[Face]] = {}
    notes: list[str] = []
    for role in ROLES:
        chain: list[Face] = []
        for path in (configured or {}).get(role) or _env_paths(role):
            if not path.is_file() or not _opens_as_font(path):
                raise InputError(path, f"配置的{ROLE_NAMES_ZH[role]}字体文件不存在或无法读取",
                                 hint=f"请检查环境变量 PLANDOC_FONT_{role.upper()} 中的路径")
            chain.append(Face(_family_name("configured", path), path.resolve(), "configured"))
        for fam in LICENSED_FAMILIES[role]:
            found = _installed(fam)
            if found and _opens_as_font(*found):
                path, index = found
                chain.append(Face(_family_name("licensed", path, index), path.resolve(), "licensed", index))
                break
        if require_licensed and not chain:
            raise InputError(None, f"要求使用正版{ROLE_NAMES_ZH[role]}字体，但没有配置也没有安装",
                             hint=f"请安装 {LICENSED_FAMILIES[role][0]}，或设置环境变量 PLANDOC_FONT_{role.upper()}")
        for name in PROJECT_FACES.get(role, ()):
            path = next((d / name for d in search if (d / name).is_file() and _opens_as_font(d / name)), None)
            if path is not None:
                chain.append(Face(_family_name("project", path), path.resolve(), "project"))
            else:
                notes.append(f"未找到开源{ROLE_NAMES_ZH[role]}字体 {name}，改用 Noto 字体（在源码目录运行 make setup 可安装；"
                             f"已安装的 plandoc 可把字体放进 {search[-1]} 或用环境变量 PLANDOC_FONT_DIR 指定）")
        for fam, style in NOTO_FACES[role]:
            found = _installed(fam, style)
            if found and _opens_as_font(*found):
                path, index = found
                chain.append(Face(_family_name("system", path, index), path.resolve(), "system", index))
        if not chain:
            raise InputError(None, f"没有可用的{ROLE_NAMES_ZH[role]}字体（也没有 Noto CJK 字体）",
                             hint="请运行 make setup 安装 fonts-noto-cjk 和 Fandol 字体")
        # The same face may arrive twice (e.g. a licensed family that is Noto under an alias).
        unique: dict[tuple[Path, int], Face] = {}
        for face in chain:
            unique.setdefault((face.path, face.index), face)
        chains[role] = list(unique.values())
    return FontSet(chains=chains, notes=notes)


def require_harfbuzz_subset() -> None:
    """Refuse to render without HarfBuzz subsetting: the fontTools path takes ~15 s instead of ~0.3 s."""
    from weasyprint.text import ffi
    if getattr(ffi, "harfbuzz_subset", None) is None:
        raise InputError(None, "缺少系统库 libharfbuzz-subset0，排版会慢几十倍（约 15 秒一页），已停止",
                         hint="请运行 make setup，或以 root 执行 apt-get install -y libharfbuzz-subset0")
