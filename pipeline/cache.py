"""Where plandoc keeps what it derives once per machine and can always rebuild.

`~/.cache/plandoc/` (or `$XDG_CACHE_HOME/plandoc/`): the word index (`words.py`), font code point
tables (`render/fonts.py`), compiled templates (`render/env.py`) and WeasyPrint's precompiled C
declarations (`render/weasy_compat.py`, precompiled-ffi). Every user treats an unwritable folder as "slower", never as
an error.
"""
from __future__ import annotations

import os
from pathlib import Path

CACHE_ROOT = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "plandoc"
