"""The .docx package guards (readers/docx.py `check_package`, limits in pipeline/zipguard.py), each on its
own and at its boundary.

Every refusal here has exactly one reason to fire: a file carries one macro marker, or one entry too
many, or one byte too many — so deleting or loosening any single check fails a test (mutation testing
found that one file carrying both macro markers let either check be deleted unnoticed).
"""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline import zipguard as guard
from pipeline.readers import docx as reader
from test_watch_support import CONTENT_TYPES, DOCM_MAIN, DOCX_MAIN, RELS, document_xml

PATH = Path("通知.docx")


def package(extra: dict[str, bytes] | None = None, main: bytes = DOCX_MAIN, stored: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES % main)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", document_xml(["关于印发计划的通知"]))
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def refused(data: bytes) -> str:
    with pytest.raises(InputError) as e:
        reader.check_package(PATH, data)
    return e.value.reason


def test_a_plain_package_passes():
    zf = reader.check_package(PATH, package())
    assert "word/document.xml" in zf.namelist()


@pytest.mark.parametrize("what", ["content_type", "vbaProject.bin", "vbaData.xml", "VBAPROJECT.BIN"])
def test_each_macro_marker_alone_is_refused(what):
    if what == "content_type":
        data = package(main=DOCM_MAIN)
    else:
        data = package({f"word/{what}": b"\xd0\xcf\x11\xe0 VBA storage"})
    assert "宏" in refused(data)


def test_a_part_merely_named_like_vba_elsewhere_is_not_a_macro():
    reader.check_package(PATH, package({"word/media/vbaProject.bin.png": b"\x89PNG"}))


def _with_entries(total: int) -> bytes:
    base = 3                                  # content types, rels, document
    return package({f"word/media/e{i}.txt": b"" for i in range(total - base)}, stored=True)


def test_entry_cap_on_and_above_the_boundary():
    reader.check_package(PATH, _with_entries(guard.MAX_ENTRIES))          # on the cap: accepted
    reason = refused(_with_entries(guard.MAX_ENTRIES + 1))
    assert "文件数异常" in reason and str(guard.MAX_ENTRIES + 1) in reason


def _sizes(data: bytes) -> tuple[int, int]:
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    return sum(i.file_size for i in infos), max(1, sum(i.compress_size for i in infos))


def _package_of(unpacked_target: int, stored_random: int) -> bytes:
    """Exactly `unpacked_target` bytes unpacked: a stored random part plus deflated zeros for the rest."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES % DOCX_MAIN, compress_type=zipfile.ZIP_STORED)
        z.writestr("word/document.xml", document_xml(["正文"]), compress_type=zipfile.ZIP_STORED)
        if stored_random:
            z.writestr("word/media/photo.bin", os.urandom(stored_random), compress_type=zipfile.ZIP_STORED)
        used = sum(i.file_size for i in z.infolist())
        left = unpacked_target - used
        chunk = b"\0" * (1 << 20)
        part = 0
        while left > 0:                       # zeros in parts under the per-part cap
            info = zipfile.ZipInfo(f"word/media/zeros{part}.bin")
            info.compress_type = zipfile.ZIP_DEFLATED
            in_part = min(left, guard.MAX_PART_BYTES // 2)
            with z.open(info, "w", force_zip64=True) as f:
                while in_part > 0:
                    n = min(in_part, len(chunk))
                    f.write(chunk[:n])
                    in_part -= n
                    left -= n
            part += 1
    data = buf.getvalue()
    assert _sizes(data)[0] == unpacked_target
    return data


def test_ratio_guard_starts_just_above_ten_megabytes():
    ten_mb = 10 * 1024 * 1024
    reader.check_package(PATH, _package_of(ten_mb, 0))                     # on the floor: ratio not asked
    assert "压缩炸弹" in refused(_package_of(ten_mb + 1, 0))                 # one byte more at ~1000:1


def test_ratio_guard_on_both_sides_of_the_limit():
    unpacked = 12 * 1024 * 1024
    # the stored random part sets the packed size: ratio just under and just over MAX_RATIO
    under = _package_of(unpacked, unpacked // (guard.MAX_RATIO - 2))
    over = _package_of(unpacked, unpacked // (guard.MAX_RATIO + 40))
    u, p = _sizes(under)
    assert u / p < guard.MAX_RATIO
    reader.check_package(PATH, under)
    u, p = _sizes(over)
    assert u / p > guard.MAX_RATIO
    assert "压缩比" in refused(over)


def test_absolute_size_cap_applies_even_at_a_modest_ratio():
    cap = guard.MAX_TOTAL_BYTES
    stored = cap // 60                      # ratio ~60:1, well under MAX_RATIO
    reader.check_package(PATH, _package_of(cap, stored))
    assert "解压后体积异常" in refused(_package_of(cap + 1, stored))
