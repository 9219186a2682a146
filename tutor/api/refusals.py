"""The refusals every route may give before its handler runs, added to the OpenAPI document.

The cross-site check, the media-type check and the JSON size limit apply to all routes
alike (see :mod:`tutor.api.cross_site` and :mod:`tutor.api.requests`), so their answers
are documented here once rather than on each route.
"""

from __future__ import annotations

from litestar.openapi.spec import Example as OpenAPIExample
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Reference,
)

_CHANGES = ("put", "post", "patch", "delete")
_FOR_CHANGES = {
    "403": (
        "Sent by a page from another site",
        "a page from another site may not send this request; use the tutor's own pages, "
        "or an API token",
    )
}
_FOR_BODIES = {
    "413": ("The body is larger than the server accepts", "Request Entity Too Large"),
    "415": (
        "The body is not in the media type the route reads",
        "send the body as application/json, not text/plain",
    ),
}


def _response(status: str, description: str, detail: str) -> OpenAPIResponse:
    example = OpenAPIExample(
        summary=description, value={"status_code": int(status), "detail": detail}
    )
    return OpenAPIResponse(
        description=description,
        content={
            "application/json": OpenAPIMediaType(
                schema=Reference("#/components/schemas/ErrorBody"),
                examples={f"refusal-{status}": example},
            )
        },
    )


def _add(operation: Operation, refusals: dict[str, tuple[str, str]]) -> None:
    responses = operation.responses if operation.responses is not None else {}
    for status, (description, detail) in refusals.items():
        if status not in responses:
            responses[status] = _response(status, description, detail)
    operation.responses = responses


def document_refusals(openapi: OpenAPI) -> None:
    """Add the cross-site, media-type and size refusals to each operation they apply to."""
    for item in (openapi.paths or {}).values():
        if isinstance(item, Reference):
            continue
        for method in _CHANGES:
            operation: Operation | None = getattr(item, method)
            if operation is None:
                continue
            _add(operation, _FOR_CHANGES)
            if operation.request_body is not None:
                _add(operation, _FOR_BODIES)
