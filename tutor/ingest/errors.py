"""Errors raised when a Markdown file cannot be ingested.

The whole tree, drawn once::

    IngestError (TutorError, ValueError)   a file is refused; the message names it
    ├── EmptyDocumentError     the text is empty or only whitespace
    ├── BinaryContentError     the text holds NUL bytes: a binary file, not Markdown
    ├── NestingTooDeepError    lists or block quotes nest deeper than the parser allows
    ├── FrontMatterError       the YAML front matter is malformed or not a mapping
    ├── LimitExceededError     the text passes a structural limit (headings, brackets...)
    └── ParseBudgetError       reading the file took longer than its time budget

Each is also a ``ValueError``: the input, not the service, is at fault.
"""

from __future__ import annotations

from tutor.errors import TutorError


class IngestError(TutorError, ValueError):
    """A file that cannot be ingested, with its name and the problem."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        """The file, as the caller named it."""
        self.problem = problem
        """What is wrong with it, for a person to read."""

    def __reduce__(self) -> tuple[type[IngestError], tuple[str, str]]:
        # Files are read in worker processes: the refusal crosses back pickled.
        return (type(self), (self.name, self.problem))


class EmptyDocumentError(IngestError):
    """The text is empty or holds only whitespace."""


class BinaryContentError(IngestError):
    """The text holds NUL bytes, so it is a binary file rather than Markdown."""


class NestingTooDeepError(IngestError):
    """Lists or block quotes nest deeper than the parser's limit."""


class FrontMatterError(IngestError):
    """The YAML front matter cannot be read, or is not a mapping of keys to values."""


class LimitExceededError(IngestError):
    """The text passes one of the structural limits that keep reading it cheap."""


class ParseBudgetError(IngestError):
    """Reading the file took more time or memory than one file may take."""
