"""Field types shared by the HTTP API's request bodies."""

from __future__ import annotations

import re
from datetime import UTC, datetime
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


_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})?"
)


def _date_time(value: object) -> datetime:
    # Lax mode reads a number, or a string of digits, as seconds since 1970, and a bare date
    # as midnight; the OpenAPI document promises a date and a time, and anything else here
    # is far likelier a mistake than a date in 1970.
    if isinstance(value, str) and _DATE_TIME.fullmatch(value):
        value = datetime.fromisoformat(value.replace("z", "Z"))
    if not isinstance(value, datetime):
        raise ValueError("a date and time such as 2030-01-01T00:00:00Z is required")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # without an offset, a time is UTC
    try:
        # In UTC here, so that a time at the edge of the calendar fails now, not when stored.
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} is outside the years 1 to 9999 in UTC") from None


Timestamp = Annotated[datetime, BeforeValidator(_date_time)]
"""A date and time given as an ISO 8601 string (UTC unless it says otherwise), never as a
number or a bare date; validated as a time in UTC."""
