"""Word segmentation for title line breaks: exactly `jieba.lcut(text, HMM=False)`, without loading jieba.

Why not jieba itself: a title needs a few hundred dictionary look-ups, but jieba first unmarshals its
whole prefix dictionary (~600 000 entries): ~1 s and ~100 MB in every process that renders, more
than the rest of a warm render. Why not a small title vocabulary: titles name any project, place or
policy, and a word missing from a short list would be broken across lines.

So this module keeps jieba's dictionary and algorithm but reads the dictionary from an on-disk
SQLite index (`~/.cache/plandoc/words-<digest>.sqlite`, keyed by the dictionary file's path, size and
mtime; built once per machine from jieba's `dict.txt` in about a second). Segmentation is jieba
0.42's default accurate mode without HMM, step for step (`cut` → `get_DAG` → `calc` →
`__cut_DAG_NO_HMM`), so the lines are the same whether or not jieba is loaded; `tests/test_render.py`
compares both on real titles. When no index can be built (a read-only cache folder), it falls back
to jieba itself — slower, same words.
"""
from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import re
import sqlite3
import tempfile
import threading
from pathlib import Path

from pipeline.render.fonts import CACHE_DIR

# jieba 0.42.1, jieba/__init__.py: the block and skip patterns of `cut`, the ASCII run of `__cut_DAG_NO_HMM`.
_RE_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_RE_SKIP = re.compile("(\r\n|\\s)", re.U)
_RE_ENG = re.compile("[a-zA-Z0-9]", re.U)
_BATCH = 900            # SQLite host parameters per query (the old default limit is 999)

_lock = threading.Lock()
_index: dict[str, object] = {}


def jieba_dictionary() -> Path | None:
    """jieba's bundled dictionary file, found without importing jieba."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).resolve().parent / "dict.txt"
    return path if path.is_file() else None


def _prefix_dictionary(dict_path: Path) -> tuple[dict[str, int], int]:
    """jieba's `gen_pfdict`: word → frequency, every prefix of a word present (0 unless a word)."""
    freq: dict[str, int] = {}
    total = 0
    with dict_path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.strip().split(" ")
            if len(parts) < 2:
                continue
            word, count = parts[0], int(parts[1])
            freq[word] = count
            total += count
            for end in range(1, len(word)):
                freq.setdefault(word[:end], 0)
    return freq, total


def _build(dict_path: Path, target: Path) -> None:
    freq, total = _prefix_dictionary(dict_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name, suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        with db:
            db.execute("CREATE TABLE pf (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (total INTEGER NOT NULL, max_len INTEGER NOT NULL)")
            db.executemany("INSERT INTO pf VALUES (?, ?)", freq.items())
            db.execute("INSERT INTO meta VALUES (?, ?)", (total, max(map(len, freq), default=1)))
        db.close()
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _index_path(dict_path: Path) -> Path:
    st = dict_path.stat()
    key = hashlib.sha1(f"{dict_path}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    return CACHE_DIR.parent / f"words-{key}.sqlite"


def _open_index():
    """(connection, log total, longest entry) or None when no index can be had."""
    with _lock:
        if "db" in _index:
            return _index["db"]
        found = None
        dict_path = jieba_dictionary()
        if dict_path is not None:
            path = _index_path(dict_path)
            try:
                if not path.is_file():
                    _build(dict_path, path)
                db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
                total, max_len = db.execute("SELECT total, max_len FROM meta").fetchone()
                found = (db, math.log(total), max_len)
            except (OSError, sqlite3.Error, TypeError, ValueError):
                found = None
        _index["db"] = found
        return found


def _lookup(db: sqlite3.Connection, sentence: str, max_len: int) -> dict[str, int]:
    """Entries of the prefix dictionary among the substrings of `sentence` (up to `max_len` long)."""
    wanted = sorted({sentence[k:e] for k in range(len(sentence))
                     for e in range(k + 1, min(len(sentence), k + max_len) + 1)})
    found: dict[str, int] = {}
    with _lock:
        for i in range(0, len(wanted), _BATCH):
            batch = wanted[i:i + _BATCH]
            marks = ",".join("?" * len(batch))
            found.update(db.execute(f"SELECT word, freq FROM pf WHERE word IN ({marks})", batch))
    return found


def _cut_block(sentence: str, freq: dict[str, int], log_total: float) -> list[str]:
    """jieba's `get_DAG` + `calc` + `__cut_DAG_NO_HMM` on one block of hanzi/ASCII."""
    n = len(sentence)
    dag: dict[int, list[int]] = {}
    for k in range(n):
        ends = []
        i, frag = k, sentence[k]
        while i < n and frag in freq:
            if freq[frag]:
                ends.append(i)
            i += 1
            frag = sentence[k:i + 1]
        dag[k] = ends or [k]
    route: dict[int, tuple[float, int]] = {n: (0, 0)}
    for idx in range(n - 1, -1, -1):
        route[idx] = max((math.log(freq.get(sentence[idx:x + 1]) or 1) - log_total + route[x + 1][0], x)
                         for x in dag[idx])
    words: list[str] = []
    x, buf = 0, ""
    while x < n:
        y = route[x][1] + 1
        word = sentence[x:y]
        if _RE_ENG.match(word) and len(word) == 1:
            buf += word
        else:
            if buf:
                words.append(buf)
                buf = ""
            words.append(word)
        x = y
    if buf:
        words.append(buf)
    return words


def _jieba_words(text: str) -> list[str]:
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)
    return jieba.lcut(text, HMM=False)


def cut(text: str) -> list[str]:
    """Words of `text` as `jieba.lcut(text, HMM=False)` gives them (empty strings dropped)."""
    index = _open_index()
    if index is None:
        return [w for w in _jieba_words(text) if w]
    db, log_total, max_len = index
    words: list[str] = []
    for block in _RE_HAN.split(text):
        if not block:
            continue
        if _RE_HAN.match(block):
            words.extend(_cut_block(block, _lookup(db, block, max_len), log_total))
        else:
            for piece in _RE_SKIP.split(block):
                if _RE_SKIP.match(piece):
                    words.append(piece)
                else:
                    words.extend(piece)
    return [w for w in words if w]
