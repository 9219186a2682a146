"""Structural limits: cheap scans that refuse a file before the parser spends seconds on it.

Each limit bounds what a pathological file exploits. The link parser rescans the rest of
a paragraph for each ``[`` that does not close, so a few megabytes of brackets cost
minutes; every heading opens a section and a concept; one endless line is read whole by
each inline rule. Files under the limits may still be slow to read: the parse budget in
:mod:`tutor.ingest.parsing` stops those.
"""

from __future__ import annotations

import re

from tutor.config import IngestSettings
from tutor.ingest.errors import LimitExceededError

# ATX headings, and the underlines of setext headings (a thematic break counts too: a
# count that errs high is fine for a limit set far above what notes hold).
_HEADING_LINE = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|=+[ \t]*$|-+[ \t]*$)", re.MULTILINE)


def check_structure(text: str, *, name: str, settings: IngestSettings) -> None:
    """Refuse ``text`` when it passes one of the structural limits in ``settings``.

    Args:
        text: The file's decoded text.
        name: The file's name, for the error.
        settings: The limits.

    Raises:
        LimitExceededError: The text holds too many brackets or headings, or too long a
            line; the message names the limit and the setting that raises it.
    """
    brackets = text.count("[")
    if brackets > settings.max_brackets:
        raise LimitExceededError(
            name,
            f"{brackets:,} '[' characters (links and brackets) are over the limit of "
            f"{settings.max_brackets:,} (TUTOR_INGEST_MAX_BRACKETS)",
        )
    headings = sum(1 for _ in _HEADING_LINE.finditer(text))
    if headings > settings.max_headings:
        raise LimitExceededError(
            name,
            f"{headings:,} heading lines are over the limit of {settings.max_headings:,} "
            "(TUTOR_INGEST_MAX_HEADINGS)",
        )
    longest = max(map(len, text.splitlines()), default=0)
    if longest > settings.max_line_chars:
        raise LimitExceededError(
            name,
            f"a line of {longest:,} characters is over the limit of "
            f"{settings.max_line_chars:,} (TUTOR_INGEST_MAX_LINE_CHARS)",
        )
