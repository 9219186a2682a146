"""``/api/v1/auth``: sign up, sign in, sign out, and personal API tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_204_NO_CONTENT,
    HTTP_403_FORBIDDEN,
    HTTP_429_TOO_MANY_REQUESTS,
)
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.config import JsonDict

from tutor.api.errors import error_responses
from tutor.api.fields import Text, Timestamp
from tutor.api.security import SESSION_COOKIE
from tutor.auth.store import User
from tutor.auth.throttle import AccountLimits
from tutor.resources import Resources


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class Credentials(BaseModel):
    """A name and password."""

    name: Text = Field(max_length=64, examples=["ada"])
    password: Text = Field(
        max_length=1024,
        description="Up to 1024 characters; a new one needs 10 besides spaces, and must not "
        "be easy to guess.",
        examples=["correct horse battery"],
    )


class Learner(BaseModel):
    """The signed-in learner."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": "0b6e2f0a-5f1d-4c8e-9d3b-2a7c1e4f6a90", "name": "ada"}]
        }
    )

    id: UUID
    name: str


class NewToken(BaseModel):
    """A token to create."""

    name: Text = Field(min_length=1, max_length=100, examples=["matrix bot"])
    expires_at: Timestamp | None = Field(
        default=None,
        description="When it stops working; never when absent. A time without an offset is UTC.",
        examples=["2030-01-01T00:00:00Z"],
    )

    @field_validator("expires_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        # The database reads a time without an offset as UTC; so does the answer.
        return _utc(value)


_TOKEN_EXAMPLE: JsonDict = {
    "id": "5d0c8a53-7b2e-4f61-a0d9-3c1b9e8f7a21",
    "name": "matrix bot",
    "created_at": "2026-01-05T09:30:00Z",
    "expires_at": None,
    "last_used_at": "2026-01-06T18:02:11Z",
    "revoked": False,
}


class TokenInfo(BaseModel):
    """A personal API token (without its secret)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_TOKEN_EXAMPLE]})

    id: UUID
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool

    @field_validator("created_at", "expires_at", "last_used_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        # The driver gives the earliest times back without an offset; they are UTC.
        return _utc(value)


class CreatedToken(TokenInfo):
    """A new token; ``token`` is shown this once and never again."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _TOKEN_EXAMPLE
                | {"last_used_at": None, "token": "tt_9QeXv1mB3yJm0Yc6r2kq5Tn8Lw4Hs7Dp1Fa0Gu3Zx6E"}
            ]
        }
    )

    token: str = Field(description="The secret: send it as 'Authorization: Bearer <token>'.")


DEVICE_COOKIE = "tutor_device"
"""Marks a browser the learner has signed in from (see :mod:`tutor.auth.throttle`)."""
_DEVICE_DAYS = 400
"""How long a browser is remembered; browsers keep a cookie at most this long."""


def _client(request: Request[Any, Any, Any]) -> str:
    # The proxy middleware has put the real client here when a trusted proxy forwarded it.
    return request.client.host if request.client else "?"


def _too_many(what: str, wait: float) -> HTTPException:
    return HTTPException(
        status_code=HTTP_429_TOO_MANY_REQUESTS,
        detail=f"too many {what}; try again in {max(1, round(wait))} s",
        headers={"Retry-After": str(max(1, round(wait)))},
    )


async def _signed_in(
    request: Request[Any, Any, Any], resources: Resources, user: User, status: int, device: str
) -> Response[Learner]:
    token = await resources.accounts.open_session(user, resources.settings.auth.session_days)
    # X-Forwarded-Proto counts only from a trusted proxy, which has set the scheme.
    secure = request.url.scheme == "https"
    session = Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=resources.settings.auth.session_days * 86_400,
        path="/",
    )
    known = Cookie(
        key=DEVICE_COOKIE,
        value=device,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=_DEVICE_DAYS * 86_400,
        path="/api/v1/auth",
    )
    return Response(
        Learner(id=user.id, name=user.name), status_code=status, cookies=[session, known]
    )


class AuthController(Controller):
    """Accounts and sessions."""

    path = "/api/v1/auth"
    tags = ("auth",)

    @post(
        "/signup",
        summary="Create an account and sign in",
        responses=error_responses(400, 403, 413, 429),
    )
    async def signup(
        self,
        request: Request[Any, Any, Any],
        resources: NamedDependency[Resources],
        account_limits: NamedDependency[AccountLimits],
        data: JSONBody[Credentials],
    ) -> Response[Learner]:
        """Create a learner and sign in; sets the session cookie.

        The password needs 10 characters besides spaces and must not be easy to guess (a
        common password, a word, a name, a keyboard pattern); the refusal says why.
        Attempts are limited per address, whatever their outcome.
        """
        if not resources.settings.auth.allow_signup:
            raise HTTPException(status_code=HTTP_403_FORBIDDEN, detail="sign-up is closed here")
        if (wait := account_limits.signup_wait(_client(request))) > 0:
            raise _too_many("sign-ups from this address", wait)
        user = await resources.accounts.create_user(data.name, data.password)
        device = account_limits.remember(user.name, None)
        return await _signed_in(request, resources, user, HTTP_201_CREATED, device)

    @post("/signin", summary="Sign in", responses=error_responses(400, 401, 413, 429))
    async def signin(
        self,
        request: Request[Any, Any, Any],
        resources: NamedDependency[Resources],
        account_limits: NamedDependency[AccountLimits],
        data: JSONBody[Credentials],
    ) -> Response[Learner]:
        """Check the password; sets the session cookie.

        Failures are limited per name and address, per address and per name; the limit
        per name does not hold a browser the learner has signed in from before.
        """
        client, device = _client(request), request.cookies.get(DEVICE_COOKIE)
        if (wait := account_limits.signin_wait(data.name, client, device)) > 0:
            raise _too_many("failed sign-ins", wait)
        user = await resources.accounts.authenticate(data.name, data.password)
        if user is None:
            account_limits.signin_failed(data.name, client, device)
            # The same answer for an unknown name and a wrong password: no name probing.
            raise NotAuthorizedException("wrong name or password")
        device = account_limits.signin_succeeded(user.name, client, device)
        return await _signed_in(request, resources, user, HTTP_200_OK, device)

    @post(
        "/signout",
        status_code=HTTP_204_NO_CONTENT,
        summary="Sign out",
        response_cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0)],
    )
    async def signout(
        self, request: Request[Any, Any, Any], resources: NamedDependency[Resources]
    ) -> None:
        """End this browser session and clear its cookie; without one, nothing happens."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await resources.accounts.close_session(token)

    @get("/me", summary="The signed-in learner", responses=error_responses(401))
    async def me(self, user: NamedDependency[User]) -> Learner:
        """Who the session or token belongs to."""
        return Learner(id=user.id, name=user.name)

    @post(
        "/tokens",
        summary="Create a personal API token",
        responses=error_responses(400, 401, 413),
    )
    async def create_token(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        data: JSONBody[NewToken],
    ) -> CreatedToken:
        """For the CLI and the chat bots; the secret is in this answer only."""
        record, secret = await resources.accounts.create_api_token(user, data.name, data.expires_at)
        return CreatedToken(
            **TokenInfo.model_validate(record, from_attributes=True).model_dump(), token=secret
        )

    @get("/tokens", summary="List personal API tokens", responses=error_responses(401))
    async def list_tokens(
        self, resources: NamedDependency[Resources], user: NamedDependency[User]
    ) -> list[TokenInfo]:
        """Newest first; revoked ones included, marked."""
        tokens = await resources.accounts.api_tokens(user)
        return [TokenInfo.model_validate(t, from_attributes=True) for t in tokens]

    @delete(
        "/tokens/{token_id:uuid}",
        summary="Revoke a personal API token",
        responses=error_responses(401, 404),
    )
    async def revoke_token(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        token_id: FromPath[UUID],
    ) -> None:
        """It stops working at once."""
        if not await resources.accounts.revoke_api_token(user, token_id):
            raise NotFoundException(f"no token {token_id}")
