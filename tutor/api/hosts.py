"""Only the host names the server is meant to be reached by.

A page on any site can point its own name at 127.0.0.1 (DNS rebinding); the browser then
treats the tutor as that site, and sends its requests with that name in ``Host``. Refusing
unknown names stops it. Litestar's own check compares the port too, which a proxy or a
changed ``TUTOR_PORT`` would trip over; this one compares the name alone.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.exceptions import ClientException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from tutor.config import ServerSettings

_LOOPBACK = ("localhost", "127.0.0.1", "::1")
_ANY_INTERFACE = ("0.0.0.0", "::", "")


def allowed_hosts(settings: ServerSettings) -> list[str]:
    """The names the server answers to: the setting, or loopback and ``TUTOR_HOST``."""
    if settings.allowed_hosts is not None:
        return [host.lower() for host in settings.allowed_hosts]
    extra = [] if settings.host in _ANY_INTERFACE else [settings.host.lower()]
    return list(dict.fromkeys([*_LOOPBACK, *extra]))


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without its port or IPv6 brackets, in lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class HostCheck(ASGIMiddleware):
    """Refuse requests and WebSockets whose ``Host`` is not an allowed name (400)."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(self, hosts: list[str]) -> None:
        """Allow ``hosts``: names, ``*.domain`` for its subdomains, or ``*`` for any."""
        self._any = "*" in hosts
        self._names = frozenset(h for h in hosts if not h.startswith("*."))
        self._domains = tuple(h[1:] for h in hosts if h.startswith("*."))

    def allows(self, name: str) -> bool:
        """Whether the host ``name`` (without port) is allowed."""
        return self._any or name in self._names or name.endswith(self._domains)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Pass the connection on, or refuse it."""
        header = next((v for k, v in scope["headers"] if k == b"host"), b"")
        name = host_name(header.decode("latin-1"))
        if not self.allows(name):
            raise ClientException(
                f"this server does not answer to the host name {name!r}"
                " (TUTOR_ALLOWED_HOSTS lists the names it does)"
            )
        await next_app(scope, receive, send)
