"""Field types shared by the HTTP API's request bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator


def _storable(value: str) -> str:
    # JSON may carry NUL and unpaired surrogates; PostgreSQL text holds neither, and a
    # request that brings them must fail as a bad request, not in the database.
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no unpaired surrogates)") from None
    return value


Text = Annotated[str, AfterValidator(_storable)]
"""A string that can be stored as PostgreSQL text."""


def _not_bool(value: object) -> object:
    # Litestar validates bodies in lax mode, where true counts as 1; JSON says it is not
    # a number, and so does the OpenAPI document.
    if isinstance(value, bool):
        raise ValueError("a number is required, not true or false")
    return value


Integer = Annotated[int, BeforeValidator(_not_bool)]
"""An integer that a JSON boolean is not taken for."""
Real = Annotated[float, BeforeValidator(_not_bool)]
"""A number that a JSON boolean is not taken for."""


def _not_number(value: object) -> object:
    # Lax mode reads a number as seconds since 1970; the OpenAPI document promises an
    # ISO 8601 string, and a number here is far likelier a mistake than a date in 1970.
    if isinstance(value, int | float):
        raise ValueError("a date-time string such as 2030-01-01T00:00:00Z is required")
    return value


Timestamp = Annotated[datetime, BeforeValidator(_not_number)]
"""A date-time given as an ISO 8601 string, never as a number."""
