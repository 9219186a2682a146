"""The Markdown parser: CommonMark through markdown-it-py, with tables and strikethrough.

Lists and block quotes may nest :data:`MAX_NESTING` levels deep; deeper input is refused,
because the parser recurses once per level and, at its own limit, silently drops the rest
of the file.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from tutor.ingest.errors import BinaryContentError, EmptyDocumentError, NestingTooDeepError

MAX_NESTING = 40
"""Deepest block nesting accepted. A list counts two levels (the list and its item), a
block quote one; notes rarely pass ten."""


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _refuse_deep_nesting(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    # Runs before every other block rule, so it sees each nested level as it is entered.
    if state.level >= MAX_NESTING:
        raise _TooDeep(start_line)
    return False


@cache
def _parser() -> MarkdownIt:
    # One above our limit, so that markdown-it's own guard never fires before ours. The
    # same option bounds inline nesting (links in links), whose excess stays plain text.
    parser = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING + 1})
    parser.enable(["table", "strikethrough"])
    parser.block.ruler.before("table", "refuse_deep_nesting", _refuse_deep_nesting)
    return parser


def check_text(text: str, *, name: str) -> None:
    """Refuse text that is no Markdown document at all.

    Args:
        text: The file's text.
        name: The file's name, for error messages.

    Raises:
        EmptyDocumentError: The text is empty or only whitespace.
        BinaryContentError: The text holds NUL bytes.
    """
    if not text.strip():
        raise EmptyDocumentError(name, "the file is empty")
    if "\x00" in text:
        raise BinaryContentError(name, "the file holds NUL bytes: it is binary, not Markdown")


def split_lines(text: str) -> list[str]:
    """The text's lines as the parser counts them: any line ending, no byte-order mark.

    Args:
        text: The file's text.

    Returns:
        The lines, without their endings.
    """
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def tokenize(lines: list[str], *, name: str, line_offset: int = 0) -> list[Token]:
    """Parse lines into markdown-it block tokens, whose line maps index ``lines``.

    Args:
        lines: The lines to parse.
        name: The file's name, for error messages.
        line_offset: Lines of the file before ``lines``, to report file line numbers.

    Returns:
        The tokens.

    Raises:
        NestingTooDeepError: Lists or block quotes nest deeper than :data:`MAX_NESTING`.
    """
    try:
        return _parser().parse("\n".join(lines))
    except _TooDeep as deep:
        line = deep.line + line_offset + 1
        raise NestingTooDeepError(
            name,
            f"lists or block quotes nest more than {MAX_NESTING} levels deep at line {line} "
            "(a list counts two levels: the list and its item)",
        ) from None
