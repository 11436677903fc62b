"""The only way WeasyPrint may read a file while rendering a report.

Reports are built from untrusted API text. Autoescaping keeps that text out of the markup,
and this fetcher is the second wall: even if a tag slipped through (or a user template asked
for it), WeasyPrint could read nothing but the bundled templates folder and the one logo file
the configuration names. No network, no ``data:``, no other file.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse


class FetchRefused(ValueError):
    """Raised for every URL outside the allow-list; WeasyPrint logs it and moves on."""


class AssetFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves files under ``roots`` and the exact ``files``.

    ``calls`` records every URL WeasyPrint asked for, so tests (and curious users) can see
    that hostile text never turned into a request.
    """

    def __init__(self, roots: tuple[Path, ...], files: tuple[Path, ...] = ()) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False,
                         fail_on_errors=False)
        self.roots = tuple(Path(r).resolve() for r in roots)
        self.files = frozenset(Path(f).resolve() for f in files)
        self.calls: list[str] = []

    def allows(self, path: Path) -> bool:
        resolved = path.resolve()
        if resolved in self.files:
            return resolved.is_file()
        return resolved.is_file() and any(resolved.is_relative_to(r) for r in self.roots)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        self.calls.append(url)
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"refused to fetch {url[:200]!r}: only bundled assets are served")
        path = Path(url2pathname(unquote(parts.path)))
        if not self.allows(path):
            raise FetchRefused(f"refused to fetch {url[:200]!r}: not a bundled asset")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.resolve().as_uri(), body=path.read_bytes(),
                                  headers={"Content-Type": mime})

    def open(self, url: object, data: object = None, timeout: object = None) -> object:
        """Redirects and other urllib paths come through here; nothing may escape."""
        full = getattr(url, "full_url", url)
        return self.fetch(str(full))
