"""Tokens and passwords are taken out of every log record, whichever handler writes it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from tutor.logs import redact_every_record, redact_secrets

TOKEN = "tt_" + "k3Y" * 14


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (f'127.0.0.1:5 - "GET /ws?token={TOKEN} HTTP/1.1" 101', '"GET /ws?token=[redacted] HTTP'),
        (f"/api?a=1&token={TOKEN}&b=2", "/api?a=1&token=[redacted]&b=2"),
        ("/signin?name=ada&password=hunter2", "name=ada&password=[redacted]"),
        (f"using {TOKEN} now", "using tt_[redacted] now"),
        ("postgresql://postgres:s3cret-Pw@/tutor?host=/run/x", "postgres:[redacted]@/tutor"),
        ("http://ada:pw@chroma:8000", "http://ada:[redacted]@chroma:8000"),
        ("Authorization: Bearer abc.def", "Authorization: Bearer [redacted]"),
        ("cookie: tutor_session=abcdef; theme=dark", "tutor_session=[redacted]; theme=dark"),
    ],
)
def test_secrets_are_redacted(line: str, kept: str) -> None:
    redacted = redact_secrets(line)
    assert kept in redacted
    for secret in (TOKEN, "hunter2", "s3cret-Pw", ":pw@", "abc.def", "abcdef"):
        assert secret not in redacted


def test_ordinary_text_is_left_alone() -> None:
    line = "monkey=banana keyword=ok /api/v1/documents?limit=20 postgresql://ada@/tutor"
    assert redact_secrets(line) == line


@pytest.fixture
def redacting() -> Iterator[None]:
    before = logging.getLogRecordFactory()
    redact_every_record()
    redact_every_record()  # twice is once
    yield
    logging.setLogRecordFactory(before)


def test_every_handler_sees_records_without_secrets(redacting: None) -> None:
    logger = logging.getLogger("tutor.test.redaction")
    stream = io.StringIO()
    # A handler installed after redaction was set up, as frameworks do at start.
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    try:
        # uvicorn's access log passes the path as an argument and reads the arguments back.
        logger.warning(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", f"/ws?token={TOKEN}", "1.1", 101
        )
        logger.warning("connecting to %(url)s", {"url": "postgresql://u:pw1@/db"})
        try:
            raise RuntimeError(f"cannot use {TOKEN}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    written = stream.getvalue()
    assert '"GET /ws?token=[redacted] HTTP/1.1" 101' in written
    assert "postgresql://u:[redacted]@/db" in written
    assert "RuntimeError: cannot use tt_[redacted]" in written
    assert TOKEN not in written and "pw1" not in written
