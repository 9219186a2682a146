"""Cross-site request forgery: a page on another site may not change anything here.

A browser attaches the session cookie to requests a foreign page makes (a form posted to
``/api/v1/auth/tokens``, or one that signs the visitor in as someone else). Every request
that may change something (any method but GET, HEAD and OPTIONS) must therefore come from
the tutor's own pages, or not from a browser at all:

- ``Sec-Fetch-Site``, which browsers set and pages cannot, must be ``same-origin`` (or
  ``none``: typed by the person, not sent by a page);
- without it (an older browser), ``Origin`` must be the server's own;
- a request with neither is not from a page in a browser (curl, the bots), and passes;
- so does one carrying ``Authorization``: browsers never add that header by themselves,
  and a foreign page may not set it without a CORS preflight, which is never granted.

Origins listed in ``TUTOR_ALLOWED_ORIGINS`` (the UI's dev server) pass as well. The cookie
is also ``SameSite=Lax``; that alone would still let a page on another port of the same
host, or a subdomain, through.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNSENT_BY_PAGES = frozenset({"same-origin", "none"})


def _header(scope: Scope, name: bytes) -> str | None:
    value = next((v for k, v in scope["headers"] if k == name), None)
    return None if value is None else value.decode("latin-1")


class CrossSiteCheck(ASGIMiddleware):
    """Refuse a state-changing request sent by another site's page (403)."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, allowed_origins: list[str]) -> None:
        """Let pages of ``allowed_origins`` through besides the server's own."""
        self._allowed = frozenset(origin.rstrip("/").lower() for origin in allowed_origins)

    def allows(self, scope: Scope) -> bool:
        """Whether the request may go on."""
        if scope.get("method") in _SAFE_METHODS or _header(scope, b"authorization"):
            return True
        origin = _header(scope, b"origin")
        origin = origin.strip().lower() if origin is not None else None
        if origin is not None and origin in self._allowed:
            return True
        site = _header(scope, b"sec-fetch-site")
        if site is not None:
            return site.strip().lower() in _UNSENT_BY_PAGES
        if origin is None:
            return True
        host = (_header(scope, b"host") or "").strip().lower()
        try:
            return origin != "null" and urlsplit(origin).netloc == host
        except ValueError:  # not a URL at all ("http://[::1"): no page of ours sent it
            return False

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Pass the request on, or refuse it."""
        if not self.allows(scope):
            raise PermissionDeniedException(
                "a page from another site may not send this request; "
                "use the tutor's own pages, or an API token"
            )
        await next_app(scope, receive, send)
