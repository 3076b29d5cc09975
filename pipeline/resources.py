"""Where the running package finds what is not Python: its data files, templates and the open font folder.

Data files (`pipeline/data/`: the keyword dictionary, track.toml, the OCR neighbour counts) sit inside
the package in a checkout and in a wheel alike (package-data), so `DATA_DIR` is simply beside this file.

Templates are package data: the top-level `templates/` folder of the checkout (the team's named
layout) is shipped in the wheel as the package `pipeline.templates` (setup.py), and an editable
install maps the same name to the checkout folder, so one `importlib.resources` lookup serves both.

Fonts are not shipped (the Fandol faces are GPL-with-font-exception files that `make` extracts into
the git-ignored `fonts/` folder). The folders searched for them, first hit wins per face:
1. `PLANDOC_FONT_DIR`, when set (must be an existing folder);
2. `fonts/` of the source checkout, when the package runs from one (editable install): it sits beside
   the checkout's `templates/`, which importlib.resources found (no walking up from a source file);
3. the user's data folder `$XDG_DATA_HOME/plandoc/fonts` (default `~/.local/share/plandoc/fonts`),
   where a wheel-installed plandoc's user can put the faces.
Without any of them the renderer falls back to the system's Noto CJK faces.
"""
from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path

from pipeline.errors import InputError

FONT_DIR_ENV = "PLANDOC_FONT_DIR"
DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.lru_cache(maxsize=1)
def templates_dir() -> Path:
    """The folder holding the Jinja templates and stylesheets (a real directory: WeasyPrint and the
    fetcher's allow-list need file paths)."""
    try:
        found = resources.files("pipeline.templates")
    except ModuleNotFoundError:
        raise RuntimeError("plandoc templates (package pipeline.templates) are not installed: run `make setup` "
                           "(or `pip install -e .`) in the checkout once after updating") from None
    path = Path(str(found))
    if not (path / "plan.html.j2").is_file():
        raise RuntimeError(f"plandoc templates not found at {found}; reinstall the package")
    return path


def source_checkout() -> Path | None:
    """The checkout the package runs from (editable install): the folder holding `templates/` and
    `pyproject.toml`. None when installed from a wheel (templates then sit inside the package)."""
    root = templates_dir().parent
    return root if (root / "pyproject.toml").is_file() and (root / "pipeline").is_dir() else None


def user_data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "plandoc"


def font_dirs() -> list[Path]:
    """Folders that may hold the open Fandol faces, best first (see the module docstring)."""
    configured = os.environ.get(FONT_DIR_ENV, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if not path.is_dir():
            raise InputError(None, f"环境变量 {FONT_DIR_ENV} 指向的字体文件夹“{configured}”不存在",
                             hint=f"请改正或删除环境变量 {FONT_DIR_ENV}")
        return [path]
    dirs = []
    checkout = source_checkout()
    if checkout is not None:
        dirs.append(checkout / "fonts")
    dirs.append(user_data_dir() / "fonts")
    return dirs
