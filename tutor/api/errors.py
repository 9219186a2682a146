"""Error answers of the HTTP API: their body, and how a route documents the ones it gives."""

from __future__ import annotations

from typing import Any, Final

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    """Why a request failed; every error answer has this shape."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status_code": 404, "detail": "no document 6f1c…"}]}
    )

    status_code: int = Field(description="The HTTP status, repeated.")
    detail: str = Field(description="What went wrong, for a person.")
    extra: dict[str, Any] | list[Any] | None = Field(
        default=None, description="Details by field or by file, when there are some."
    )
    error: str | None = Field(
        default=None, description="The kind of error, for a refusal of the tutor's own rules."
    )


_ERRORS: Final[dict[int, tuple[str, str]]] = {
    400: ("The request is malformed or breaks a rule", "Validation failed for POST /api/v1/…"),
    401: (
        "No learner: sign in, or send a valid personal API token",
        "sign in, or send a personal API token as 'Authorization: Bearer <token>'",
    ),
    403: ("Not allowed here", "sign-up is closed here"),
    404: ("Nothing with that id belongs to the learner", "no learning path 6f1c2b1e-…"),
    409: ("It conflicts with what is stored", "the name is taken"),
    413: ("The body is larger than the server accepts", "Request Entity Too Large"),
    422: ("Nothing in the request could be used", "no file could be ingested"),
    429: ("Too many attempts; see Retry-After", "too many failed sign-ins; try again in 60 s"),
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """The documented error answers for ``codes`` (each with an example body).

    Args:
        codes: HTTP statuses among 400, 401, 403, 404, 409, 413, 422 and 429.

    Returns:
        The ``responses`` argument of a route decorator.
    """
    specs: dict[int, ResponseSpec] = {}
    for code in codes:
        description, detail = _ERRORS[code]
        specs[code] = ResponseSpec(
            data_container=ErrorBody,
            description=description,
            generate_examples=False,
            examples=[Example(summary=description, value={"status_code": code, "detail": detail})],
        )
    return specs
