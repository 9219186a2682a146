"""Security headers on every answer: the UI's pages, the API, errors and files alike.

The UI is a static export whose pages carry a few inline scripts (Next.js hands the page's
data to React in them). Rather than allow inline scripts at large, the policy allows
exactly those: their SHA-256 hashes are read from the built pages when the app starts.
Styles are allowed inline: React components set ``style`` attributes and some inject
``<style>`` elements at run time; styles cannot run code. The Swagger page
(``/schema/swagger``) starts Swagger UI from an inline script carrying the whole OpenAPI
document; that page alone may run inline scripts, and it shows nothing a learner wrote.
Everything else (JSON) may load nothing at all.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

_EVERYWHERE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
_API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_PAGE_POLICY = (
    "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_SWAGGER_PREFIX = "/schema/"
_ONE_YEAR_S = 365 * 86_400


class _InlineScripts(HTMLParser):
    """The text of each ``<script>`` without ``src`` in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._current = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None


def inline_script_hashes(pages: Iterable[Path]) -> list[str]:
    """CSP sources (``'sha256-…'``) for the inline scripts of ``pages``, sorted."""
    hashes: set[str] = set()
    for page in pages:
        parser = _InlineScripts()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        for script in parser.scripts:
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            hashes.add(f"'sha256-{digest}'")
    return sorted(hashes)


class SecurityHeaders:
    """A ``before_send`` hook that adds the headers to each answer's start."""

    def __init__(self, web_dir: Path | None) -> None:
        """Allow the inline scripts of the UI's pages in ``web_dir`` (None: no UI)."""
        hashes = inline_script_hashes(sorted(web_dir.rglob("*.html"))) if web_dir else []
        self.page_policy = _PAGE_POLICY.format(scripts=" ".join(["'self'", *hashes]))
        self.swagger_policy = _PAGE_POLICY.format(scripts="'self' 'unsafe-inline'")

    def policy(self, path: str, content_type: str) -> str:
        """The Content-Security-Policy of an answer to ``path`` of ``content_type``."""
        if not content_type.startswith("text/html"):
            return _API_POLICY
        return self.swagger_policy if path.startswith(_SWAGGER_PREFIX) else self.page_policy

    async def __call__(self, message: Message, scope: Scope) -> None:
        """Add the headers when an HTTP answer starts."""
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in _EVERYWHERE.items():
            headers[name] = value
        headers["Content-Security-Policy"] = self.policy(
            scope.get("path", ""), headers.get("content-type") or ""
        )
        if scope.get("scheme") == "https":
            headers["Strict-Transport-Security"] = f"max-age={_ONE_YEAR_S}"
