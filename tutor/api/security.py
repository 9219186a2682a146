"""Who is asking: a session cookie (the web UI) or a personal API token (CLI, bots)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException

from tutor.auth.store import User
from tutor.resources import Resources

SESSION_COOKIE = "tutor_session"
_BEARER = "bearer "


async def identify(
    connection: ASGIConnection[Any, Any, Any, Any], resources: Resources
) -> User | None:
    """The learner behind a request or WebSocket, or None.

    A WebSocket may also carry its token as ``?token=``: browsers cannot set headers on
    one, and the bots connect with API tokens.
    """
    accounts = resources.accounts
    session = connection.cookies.get(SESSION_COOKIE)
    if session and (user := await accounts.session_user(session)):
        return user
    header = connection.headers.get("authorization", "")
    token = header[len(_BEARER) :].strip() if header.lower().startswith(_BEARER) else None
    if token is None and connection.scope["type"] == ScopeType.WEBSOCKET:
        token = connection.query_params.get("token")
    if token and (user := await accounts.token_user(token)):
        return user
    return None


async def current_user(
    request: Request[Any, Any, Any], resources: NamedDependency[Resources]
) -> User:
    """The signed-in learner; 401 otherwise (an expired or revoked secret included)."""
    user = await identify(request, resources)
    if user is None:
        raise NotAuthorizedException(
            "sign in, or send a personal API token as 'Authorization: Bearer <token>'"
        )
    return user
