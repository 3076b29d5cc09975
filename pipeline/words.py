"""Chinese word segmentation and idf values exactly as jieba 0.42 gives them, without loading jieba.

Why not jieba itself: jieba first unmarshals its whole prefix dictionary (~600 000 entries) and the
keyword ranking read its idf table (~270 000 entries): ~2 s and ~115 MB in every process that
renders titles, ranks keywords or diffs words, more than the work itself. A text needs a few
thousand of those entries. Why not a small vocabulary: titles and plans name any project, place or
policy, and a word missing from a short list would be cut apart.

So this module keeps jieba's dictionary, idf table and algorithm but reads the entries from an
on-disk SQLite index (`~/.cache/plandoc/words-<digest>.sqlite`, keyed by the data files' path, size
and mtime and by the index format; built once per machine in a couple of seconds) and looks up only
the substrings of the text at hand. Segmentation is jieba's default accurate mode without HMM, step
for step (`cut` → `get_DAG` → `calc` → `__cut_DAG_NO_HMM`); `Tokenizer.add_word`/`load_userdict`
overlay words the way jieba's do (`suggest_freq(word, tune=False)` when no frequency is given, the
total raised, missing prefixes added with 0). Tests compare both on the real corpus. When no index can
be had (a read-only cache folder), everything falls back to jieba itself: slower, same words.
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

from pipeline.cache import CACHE_ROOT

_FORMAT = "2"           # bump when the index tables change: a new file name, never a stale schema

# jieba 0.42.1, jieba/__init__.py: the block and skip patterns of `cut`, the ASCII run of
# `__cut_DAG_NO_HMM`, and the user dictionary line (`re_userdict`).
_RE_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_RE_SKIP = re.compile("(\r\n|\\s)", re.U)
_RE_ENG = re.compile("[a-zA-Z0-9]", re.U)
_RE_USERDICT = re.compile("^(.+?)( [0-9]+)?( [a-z]+)?$", re.U)
_KNOWN_MAX = 60_000     # remembered look-ups per process (see `Index.freqs`)
_UNKNOWN = object()
ABSENT = -1
_BATCH = 900            # SQLite host parameters per query (the old default limit is 999)

_lock = threading.Lock()
_index: dict[str, object] = {}


def jieba_dictionary() -> Path | None:
    """jieba's bundled dictionary file, found without importing jieba."""
    folder = _jieba_folder()
    path = folder / "dict.txt" if folder else None
    return path if path and path.is_file() else None


def jieba_idf_file() -> Path | None:
    """jieba's bundled general-corpus idf table (`analyse/idf.txt`), found without importing jieba."""
    folder = _jieba_folder()
    path = folder / "analyse" / "idf.txt" if folder else None
    return path if path and path.is_file() else None


def _jieba_folder() -> Path | None:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).resolve().parent


def read_idf(path: Path) -> dict[str, float]:
    """jieba's idf table as `jieba.analyse.IDFLoader` reads it: `word idf` per line, last one wins."""
    idf: dict[str, float] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            word, _, value = line.rstrip("\n").rpartition(" ")
            if word:
                idf[word] = float(value)
    return idf


def idf_median(idf: dict[str, float]) -> float:
    return sorted(idf.values())[len(idf) // 2] if idf else 1.0


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


def _build(dict_path: Path, idf_path: Path, target: Path) -> None:
    freq, total = _prefix_dictionary(dict_path)
    idf = read_idf(idf_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name, suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        with db:
            db.execute("CREATE TABLE pf (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
            db.execute("CREATE TABLE idf (word TEXT PRIMARY KEY, value REAL NOT NULL) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (total INTEGER NOT NULL, max_len INTEGER NOT NULL, "
                       "idf_median REAL NOT NULL, idf_top REAL NOT NULL)")
            db.executemany("INSERT INTO pf VALUES (?, ?)", freq.items())
            db.executemany("INSERT INTO idf VALUES (?, ?)", idf.items())
            median = idf_median(idf)
            db.execute("INSERT INTO meta VALUES (?, ?, ?, ?)",
                       (total, max(map(len, freq), default=1), median, max(idf.values(), default=median)))
        db.close()
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _index_path(*sources: Path) -> Path:
    stamp = "|".join(f"{p}|{p.stat().st_size}|{p.stat().st_mtime_ns}" for p in sources)
    key = hashlib.sha1(f"{_FORMAT}|{stamp}".encode()).hexdigest()[:16]
    return CACHE_ROOT / f"words-{key}.sqlite"


class Index:
    """The on-disk prefix dictionary and idf table; look-ups are serialised (one connection per process)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self._known: dict[str, int] = {}    # recent answers, ABSENT for words not in the dictionary
        self.total, self.max_len, self.idf_median, self.idf_top = db.execute(
            "SELECT total, max_len, idf_median, idf_top FROM meta").fetchone()

    def _select(self, table: str, column: str, keys) -> dict:
        keys = list(keys)
        found: dict = {}
        with _lock:
            for i in range(0, len(keys), _BATCH):
                batch = keys[i:i + _BATCH]
                marks = ",".join("?" * len(batch))
                found.update(self.db.execute(
                    f"SELECT word, {column} FROM {table} WHERE word IN ({marks})", batch))
        return found

    def freqs(self, words) -> dict[str, int]:
        """Prefix-dictionary entries among `words` (absent words are left out).

        Answers are remembered, up to `_KNOWN_MAX` of them: plan prose repeats its vocabulary, so
        most fragments of a text were asked about already, and SQLite's per-row cost dominates the
        cut. Past the bound the memory is simply cleared (a bounded few MB, never the dictionary)."""
        known = self._known
        found = {w: f for w in words if (f := known.get(w, _UNKNOWN)) is not _UNKNOWN}
        missing = [w for w in words if w not in found]
        if missing:
            answered = self._select("pf", "freq", missing)
            if len(known) + len(missing) > _KNOWN_MAX:
                known.clear()
            for w in missing:
                known[w] = answered.get(w, ABSENT)
            found.update(answered)
        return {w: f for w, f in found.items() if f != ABSENT}

    def idf(self, words) -> dict[str, float]:
        """idf values of those of `words` jieba's table has."""
        return self._select("idf", "value", words)


def _open_index() -> Index | None:
    """The index, built on first use; None when it cannot be had (then callers use jieba itself)."""
    with _lock:
        if "db" in _index:
            return _index["db"]
    found = None
    dict_path, idf_path = jieba_dictionary(), jieba_idf_file()
    if dict_path is not None and idf_path is not None:
        try:
            path = _index_path(dict_path, idf_path)
            if not path.is_file():
                _build(dict_path, idf_path, path)
            db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
            found = Index(db)
        except (OSError, sqlite3.Error, TypeError, ValueError):
            found = None
    with _lock:
        return _index.setdefault("db", found)


def _load_jieba():
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)
    return jieba


class Tokenizer:
    """`jieba.Tokenizer()` for `cut(text, HMM=False)`, with words added like jieba's `add_word`.

    The added words are kept as a list and replayed on whichever dictionary serves the cut: an
    overlay over the on-disk index (a few hundred entries) or, without an index, a real jieba
    tokenizer. Both give the same words; only the cost differs."""

    def __init__(self) -> None:
        self._added: list[tuple[str, int | None]] = []
        self._overlay: dict[str, int] | None = None     # word/prefix → freq, over the index
        self._total = 0
        self._max_len = 0
        self._jieba = None

    def add_word(self, word: str, freq: int | None = None) -> None:
        """jieba's `add_word(word, freq)`: no frequency means `suggest_freq(word, tune=False)`."""
        self._added.append((word, None if freq is None else int(freq)))
        self._overlay = None
        self._jieba = None

    def load_userdict(self, path: str | Path) -> None:
        """jieba's `load_userdict`: `word [freq] [tag]` per UTF-8 line, blank lines skipped."""
        with open(path, "rb") as fh:
            for raw in fh:
                line = raw.strip().decode("utf-8").lstrip("\ufeff")
                if not line:
                    continue
                word, freq, _tag = _RE_USERDICT.match(line).groups()
                self.add_word(word, None if freq is None else int(freq.strip()))

    # -- segmentation ------------------------------------------------------------------------
    def cut(self, text: str) -> list[str]:
        """Words of `text` as jieba's `cut(text, HMM=False)` gives them (empty strings dropped)."""
        index = _open_index()
        if index is None:
            return [w for w in self._jieba_tokenizer().cut(text, HMM=False) if w]
        self._ensure_overlay(index)
        return self._cut_indexed(index, text)

    def _jieba_tokenizer(self):
        if self._jieba is None:
            tokenizer = _load_jieba().Tokenizer()
            for word, freq in self._added:
                tokenizer.add_word(word, freq)
            self._jieba = tokenizer
        return self._jieba

    def _ensure_overlay(self, index: Index) -> None:
        if self._overlay is not None:
            return
        self._overlay, self._total, self._max_len = {}, index.total, index.max_len
        for word, freq in self._added:
            if freq is None:
                freq = self._suggest_freq(index, word)
            self._overlay[word] = freq
            self._total += freq
            self._max_len = max(self._max_len, len(word))
            prefixes = [word[:end] for end in range(1, len(word)) if word[:end] not in self._overlay]
            present = index.freqs(prefixes)
            for prefix in prefixes:
                self._overlay[prefix] = present.get(prefix, 0)

    def _suggest_freq(self, index: Index, word: str) -> int:
        """jieba's `suggest_freq(word, tune=False)`: enough frequency for `word` to be cut whole."""
        ftotal = float(self._total)
        freq = 1
        pieces = self._cut_indexed(index, word)
        known = self._freqs(index, pieces + [word])
        for piece in pieces:
            freq *= known.get(piece, 1) / ftotal
        return max(int(freq * self._total) + 1, known.get(word, 1))

    def _freqs(self, index: Index, words) -> dict[str, int]:
        words = set(words)
        found = index.freqs(words - self._overlay.keys())
        found.update((w, self._overlay[w]) for w in words if w in self._overlay)
        return found

    def _cut_indexed(self, index: Index, text: str) -> list[str]:
        blocks = [b for b in _RE_HAN.split(text) if b]
        freq = self._present_fragments(index, [b for b in blocks if _RE_HAN.match(b)])
        log_total = math.log(self._total)
        words: list[str] = []
        for block in blocks:
            if _RE_HAN.match(block):
                words.extend(_cut_block(block, freq, log_total))
            else:
                for piece in _RE_SKIP.split(block):
                    if _RE_SKIP.match(piece):
                        words.append(piece)
                    else:
                        words.extend(piece)
        return [w for w in words if w]

    def _present_fragments(self, index: Index, blocks: list[str]) -> dict[str, int]:
        """Dictionary entries among the substrings `get_DAG` asks about.

        `get_DAG` extends a fragment from each start only while it is in the prefix dictionary, so
        we walk the same way over what is known (our words, then the index's remembered answers) and
        stop at the first fragment never asked about; those are asked in one query per round, and
        the walks resume there. Rounds ≤ the longest word, queries only for new fragments."""
        overlay, known, max_len = self._overlay, index._known, self._max_len
        found: dict[str, int] = {}
        todo = [(b, k, 1) for b in blocks for k in range(len(b))]
        while todo:
            stalled = []
            for block, start, length in todo:
                end = min(len(block), start + max_len)
                while start + length <= end:
                    frag = block[start:start + length]
                    f = overlay.get(frag)
                    if f is None:
                        f = known.get(frag, _UNKNOWN)
                        if f is _UNKNOWN:
                            stalled.append((block, start, length))
                            break
                    if f == ABSENT:
                        break
                    found[frag] = f
                    length += 1
            if stalled:
                index.freqs({b[k:k + n] for b, k, n in stalled})     # remembers every answer
            todo = stalled
        return found


def _cut_block(sentence: str, freq: dict[str, int], log_total: float) -> list[str]:
    """jieba's `get_DAG` + `calc` + `__cut_DAG_NO_HMM` on one block of hanzi/ASCII."""
    route = _route(sentence, freq, log_total)
    return _words_of_route(sentence, route)


def _route(sentence: str, freq: dict[str, int], log_total: float) -> dict[int, tuple[float, int]]:
    """jieba's `get_DAG` + `calc`: from each position, the best log probability of the rest and the
    end of the first word on that route."""
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
    return route


def _words_of_route(sentence: str, route: dict[int, tuple[float, int]]) -> list[str]:
    """jieba's `__cut_DAG_NO_HMM` walk of a route (single ASCII letters/digits run together)."""
    n = len(sentence)
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


class IdfTable:
    """jieba's idf values, looked up per text in the index (or, without one, read whole from jieba)."""

    def __init__(self) -> None:
        self._table: dict[str, float] | None = None
        self._median = self._top = 0.0

    def _fallback(self) -> dict[str, float]:
        if self._table is None:
            path = jieba_idf_file()
            self._table = read_idf(path) if path else {}
            self._median = idf_median(self._table)
            self._top = max(self._table.values(), default=self._median)
        return self._table

    def stats(self) -> tuple[float, float]:
        """(median, highest) idf of the whole table."""
        index = _open_index()
        if index is not None:
            return index.idf_median, index.idf_top
        self._fallback()
        return self._median, self._top

    def lookup(self, words) -> dict[str, float]:
        """idf of those of `words` the table has."""
        index = _open_index()
        if index is not None:
            return index.idf(set(words))
        table = self._fallback()
        return {w: table[w] for w in words if w in table}


_default: list[Tokenizer] = []


def _tokenizer() -> Tokenizer:
    if not _default:
        _default.append(Tokenizer())
    return _default[0]


def likelihoods(blocks: list[str]) -> list[tuple[float, list[str]]]:
    """For each block of hanzi (no spaces or punctuation), the natural log of the probability of its
    most probable segmentation under jieba's unigram model (the route `cut` takes) and its words.

    Why: comparing two spellings of a block says which one reads as words — a character misread by
    OCR usually breaks a word into unlikely single characters (`pipeline.readers.ocr_words`). Looked
    up in one pass over the index like `cut`, so a few thousand variants cost one query round."""
    tok = _tokenizer()
    index = _open_index()
    if index is None:
        jt = tok._jieba_tokenizer()
        jt.check_initialized()
        freq, log_total = jt.FREQ, math.log(jt.total)
    else:
        tok._ensure_overlay(index)
        freq = tok._present_fragments(index, [b for b in blocks if b])
        log_total = math.log(tok._total)
    out = []
    for b in blocks:
        if not b:
            out.append((0.0, []))
            continue
        route = _route(b, freq, log_total)
        out.append((route[0][0], _words_of_route(b, route)))
    return out


def cut(text: str) -> list[str]:
    """Words of `text` as `jieba.lcut(text, HMM=False)` gives them (empty strings dropped)."""
    return _tokenizer().cut(text)
