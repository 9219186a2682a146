"""The request class of the app: bodies are read only in the media type a route expects.

A JSON route reads only ``application/json``: a browser page on another site can send
``text/plain`` or a form without asking first (a "simple" request), but not JSON, so this
also keeps cross-site forms from reaching a JSON route. Uploads read only
``multipart/form-data``. A JSON body nested deeper than :data:`MAX_JSON_DEPTH` is refused
before it is decoded: the decoder recurses, and a thousand levels would exhaust the stack.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.exceptions import ClientException, HTTPException
from litestar.status_codes import (
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
)

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects a JSON body may have; the API's need a few."""

MAX_JSON_BYTES = 1024 * 1024
"""Largest JSON body accepted; the largest the API reads (code to run) is some 20 KB."""

_QUOTE = ord('"')
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'"[]{}')
_STEP = np.zeros(256, dtype=np.int8)
_STEP[list(b"[{")] = 1
_STEP[list(b"]}")] = -1


def json_depth(body: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (0 for a scalar).

    Every step is linear and runs in C (no regular expression to backtrack), so a
    pathological body costs no more than an ordinary one of its size. Malformed text
    gives some number; the decoder then says what is wrong with it.
    """
    # Escaped backslashes, then escaped quotes, go first: every quote left opens or closes
    # a string. Left to right is how JSON pairs a run of backslashes, and so is replace.
    text = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    if not text:
        return 0
    codes = np.frombuffer(text, dtype=np.uint8)
    steps = _STEP[codes]
    # Brackets after an odd number of quotes are inside a string: they do not count.
    steps[(np.cumsum(codes == _QUOTE, dtype=np.int32) & 1) == 1] = 0
    return max(0, int(np.cumsum(steps, dtype=np.int32).max()))


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _too_large() -> HTTPException:
    return HTTPException(
        status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        detail=f"a JSON body may be at most {MAX_JSON_BYTES // 1024} KiB",
    )


class TutorRequest(Request[Any, Any, Any]):
    """A request whose body is read only as what its route expects."""

    async def json(self) -> Any:
        """The JSON body; refused unless sent as JSON, and when nested too deeply.

        Raises:
            HTTPException: 415 when the body is not ``application/json``, 413 when it is
                larger than :data:`MAX_JSON_BYTES`.
            ClientException: 400 when it is nested deeper than :data:`MAX_JSON_DEPTH`.
        """
        media_type = self.content_type[0]
        if media_type and not _is_json(media_type):
            raise HTTPException(
                status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail=f"send the body as application/json, not {media_type}",
            )
        if (self.content_length or 0) > MAX_JSON_BYTES:
            raise _too_large()
        body = await self.body()
        if body and not media_type:
            raise HTTPException(
                status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail="send the body as application/json (the Content-Type header is missing)",
            )
        if len(body) > MAX_JSON_BYTES:
            raise _too_large()
        if (depth := json_depth(body)) > MAX_JSON_DEPTH:
            raise ClientException(
                f"the JSON body nests {depth} levels deep; at most {MAX_JSON_DEPTH} are accepted"
            )
        return await super().json()

    async def form(self) -> FormMultiDict:
        """The multipart form; refused unless sent as ``multipart/form-data``.

        Raises:
            HTTPException: 415 when the body is of another media type.
        """
        media_type = self.content_type[0]
        if media_type and media_type != "multipart/form-data":
            raise HTTPException(
                status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail=f"send the files as multipart/form-data, not {media_type}",
            )
        return await super().form()
