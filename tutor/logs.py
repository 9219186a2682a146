"""The service's logging, with secrets taken out of every line.

Log files outlive the requests that wrote them and are read by more people than the
service's data, so tokens and passwords never reach them: API tokens in a query string
(``/ws?token=tt_...``) or anywhere in a line, session cookies, ``Authorization`` headers,
and the password of any URL are replaced with ``[redacted]`` in every record the process
makes, the access log's included.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

REDACTED = "[redacted]"

_SECRET_PARAMETERS = (
    "token|access_token|api_key|apikey|key|password|passwd|pwd|secret|session|tutor_session"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A query or form parameter, or a cookie, named like a secret: /ws?token=..., a=1&password=
    (re.compile(rf"(?i)\b((?:{_SECRET_PARAMETERS})=)[^&;\s\"'#]+"), rf"\1{REDACTED}"),
    # A personal API token wherever it shows.
    (re.compile(r"\btt_[A-Za-z0-9_\-]+"), f"tt_{REDACTED}"),
    # The password of a URL: postgresql://user:secret@host, http://user:secret@host.
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]*:)[^@\s/]+@"), rf"\1{REDACTED}@"),
    # An Authorization header's credentials.
    (
        re.compile(r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?(?:bearer|basic)\s+)[^\s\"',]+"),
        rf"\1{REDACTED}",
    ),
)


def redact_secrets(text: str) -> str:
    """``text`` with every token and password in it replaced by ``[redacted]``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_every_record() -> None:
    """From now on, every log record this process makes carries no secret.

    Done where records are made rather than by a filter on each handler, so handlers that
    frameworks install later (Litestar's, uvicorn's access log) are covered too.
    """
    if not isinstance(logging.getLogRecordFactory(), _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(logging.getLogRecordFactory()))


class _RedactingFactory:
    """Makes records as ``make`` does, then redacts their message, arguments and traceback.

    Arguments are redacted one by one rather than the message formatted here, so
    formatters that read them (uvicorn's access log does) keep working.
    """

    def __init__(self, make: Callable[..., logging.LogRecord]) -> None:
        self._make = make

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._make(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = redact_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_argument(argument) for argument in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_argument(value) for key, value in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Formatters print a traceback already written out as it is.
            record.exc_text = redact_secrets(logging.Formatter().formatException(record.exc_info))
        return record


def _redact_argument(argument: Any) -> Any:
    if isinstance(argument, bool | int | float) or argument is None:
        return argument
    text = str(argument)
    redacted = redact_secrets(text)
    if redacted == text:
        return argument
    return redacted
