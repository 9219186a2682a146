"""``/api/v1/auth``: sign up, sign in, sign out, and personal API tokens."""

from __future__ import annotations

from datetime import datetime
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
    HTTP_403_FORBIDDEN,
    HTTP_429_TOO_MANY_REQUESTS,
)
from pydantic import BaseModel, Field

from tutor.api.security import SESSION_COOKIE
from tutor.auth.store import User
from tutor.resources import Resources


class Credentials(BaseModel):
    """A name and password."""

    name: str = Field(max_length=64, examples=["ada"])
    password: str = Field(max_length=1024, examples=["correct horse battery"])


class Learner(BaseModel):
    """The signed-in learner."""

    id: UUID
    name: str


class NewToken(BaseModel):
    """A token to create."""

    name: str = Field(min_length=1, max_length=100, examples=["matrix bot"])
    expires_at: datetime | None = None


class TokenInfo(BaseModel):
    """A personal API token (without its secret)."""

    id: UUID
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


class CreatedToken(TokenInfo):
    """A new token; ``token`` is shown this once and never again."""

    token: str


def _secure(request: Request[Any, Any, Any]) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


async def _signed_in(
    request: Request[Any, Any, Any], resources: Resources, user: User, status: int
) -> Response[Learner]:
    token = await resources.accounts.open_session(user, resources.settings.auth.session_days)
    cookie = Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=resources.settings.auth.session_days * 86_400,
        path="/",
    )
    return Response(Learner(id=user.id, name=user.name), status_code=status, cookies=[cookie])


class AuthController(Controller):
    """Accounts and sessions."""

    path = "/api/v1/auth"
    tags = ("auth",)

    @post("/signup", summary="Create an account and sign in")
    async def signup(
        self,
        request: Request[Any, Any, Any],
        resources: NamedDependency[Resources],
        data: JSONBody[Credentials],
    ) -> Response[Learner]:
        """Create a learner (name and password of 8+ characters); sets the session cookie."""
        if not resources.settings.auth.allow_signup:
            raise HTTPException(status_code=HTTP_403_FORBIDDEN, detail="sign-up is closed here")
        user = await resources.accounts.create_user(data.name, data.password)
        return await _signed_in(request, resources, user, HTTP_201_CREATED)

    @post("/signin", summary="Sign in")
    async def signin(
        self,
        request: Request[Any, Any, Any],
        resources: NamedDependency[Resources],
        data: JSONBody[Credentials],
    ) -> Response[Learner]:
        """Check the password; sets the session cookie. Failures are rate-limited."""
        limiter = resources.signin_limiter
        key = f"{data.name}|{request.client.host if request.client else '?'}"
        wait = limiter.retry_after(key)
        if wait > 0:
            raise HTTPException(
                status_code=HTTP_429_TOO_MANY_REQUESTS,
                detail=f"too many failed sign-ins; try again in {wait:.0f} s",
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        user = await resources.accounts.authenticate(data.name, data.password)
        if user is None:
            limiter.failed(key)
            # The same answer for an unknown name and a wrong password: no name probing.
            raise NotAuthorizedException("wrong name or password")
        limiter.succeeded(key)
        return await _signed_in(request, resources, user, HTTP_200_OK)

    @post("/signout", status_code=204, summary="Sign out")
    async def signout(
        self, request: Request[Any, Any, Any], resources: NamedDependency[Resources]
    ) -> Response[None]:
        """End this browser session and clear its cookie."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await resources.accounts.close_session(token)
        return Response(
            None, status_code=204, cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0)]
        )

    @get("/me", summary="The signed-in learner")
    async def me(self, user: NamedDependency[User]) -> Learner:
        """Who the session or token belongs to."""
        return Learner(id=user.id, name=user.name)

    @post("/tokens", summary="Create a personal API token")
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

    @get("/tokens", summary="List personal API tokens")
    async def list_tokens(
        self, resources: NamedDependency[Resources], user: NamedDependency[User]
    ) -> list[TokenInfo]:
        """Newest first; revoked ones included, marked."""
        tokens = await resources.accounts.api_tokens(user)
        return [TokenInfo.model_validate(t, from_attributes=True) for t in tokens]

    @delete("/tokens/{token_id:uuid}", summary="Revoke a personal API token")
    async def revoke_token(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        token_id: FromPath[UUID],
    ) -> None:
        """It stops working at once."""
        if not await resources.accounts.revoke_api_token(user, token_id):
            raise NotFoundException(f"no token {token_id}")
