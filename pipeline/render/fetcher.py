"""The only door through which WeasyPrint may read anything: project templates, stylesheets, fonts.

Parsed notices are untrusted; Jinja escapes them, so no markup from a notice should ever make
WeasyPrint fetch a resource. This fetcher is the second wall: it serves `file:` URLs whose real path
(symlinks resolved) lies inside the templates folder or is one of the font files resolved for this
render, and refuses everything else — `http(s):`, `ftp:`, `data:`, any other file — by raising a
fatal error, so a refused fetch stops the render instead of silently dropping a resource.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class RefusedFetch(FatalURLFetchingError):
    """A resource outside the project's templates and fonts was requested."""

    def __init__(self, url: str):
        super().__init__(f"refused to fetch {url!r}: only project templates and fonts may be read")
        self.url = url


class ProjectOnlyFetcher(URLFetcher):
    """Serve files from `roots` (folders) and `files` (single files); refuse and record the rest."""

    def __init__(self, roots: list[Path], files: set[Path] | None = None):
        super().__init__(allowed_protocols=["file"], fail_on_errors=True)
        self.roots = [r.resolve() for r in roots]
        self.files = {f.resolve() for f in (files or set())}
        self.served: list[str] = []
        self.refused: list[str] = []

    def _allowed(self, path: Path) -> bool:
        if path in self.files:
            return True
        return any(path.is_relative_to(root) for root in self.roots) and path.is_file()

    def permit(self, url: str) -> Path:
        """The real path behind `url` when it may be read (recorded as served); RefusedFetch otherwise.

        `fetch` reads what this permits; `weasy_compat` (local-faces) registers a font file in place after asking here.
        """
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            self.refused.append(url)
            raise RefusedFetch(url)
        try:
            path = Path(unquote(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError):
            self.refused.append(url)
            raise RefusedFetch(url) from None
        if not self._allowed(path):
            self.refused.append(url)
            raise RefusedFetch(url)
        self.served.append(url)
        return path

    def fetch(self, url, headers=None):
        path = self.permit(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime})
