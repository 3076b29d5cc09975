"""Word segmentation for title line breaks: exactly `jieba.lcut(text, HMM=False)`, without loading jieba.

The machinery (jieba's dictionary read from an on-disk SQLite index, jieba's algorithm step for step)
is shared with keywords and word-level diffs, so it lives in `pipeline/words.py`; this module keeps
the name the renderer and its tests use.
"""
from __future__ import annotations

from pipeline.words import _index, cut, jieba_dictionary  # noqa: F401  (re-exported)

__all__ = ["cut", "jieba_dictionary", "_index"]
