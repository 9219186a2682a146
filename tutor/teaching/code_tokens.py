"""Compare a code answer with the notes' code token by token, where nothing can run it.

Both sides go through the language's lexer (Pygments) and are normalised before they are
compared, so that what does not change the program does not change the grade:

- whitespace and comments are dropped;
- a string literal is its content: ``'x'`` and ``"x"`` are the same in languages where
  both quotes make a string (Python, JavaScript...), but not in Rust or C, where ``'x'``
  is a character;
- a semicolon that ends a line is dropped (``let a = 1`` against ``let a = 1;``);
- digit separators are dropped (``1_000`` is ``1000``);
- equivalent literal forms read the same: in Rust an owned ``String`` made from a literal,
  ``String::from("x")``, ``"x".to_string()``, ``"x".to_owned()`` or ``"x".into()``.

An answer is the notes' code when its tokens are the same, or when a run of its whole
lines holds exactly the notes' tokens (the learner wrote the line inside a program).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import (
    Comment,
    Number,
    String,
    Text,
    Whitespace,
    _TokenType,
    is_token_subtype,
)
from pygments.util import ClassNotFound

__all__ = ["CodeComparison", "compare_code"]

_EITHER_QUOTE = frozenset(
    {"python", "py", "python3", "javascript", "js", "typescript", "ts", "jsx", "tsx", "ruby"}
    | {"rb", "php", "bash", "sh", "shell", "zsh", "perl", "pl", "lua", "r", "yaml", "toml"}
)
"""Languages where ``'x'`` and ``"x"`` are the same string."""
_OWNED_STRING = frozenset({"to_string", "to_owned", "into"})
_FALLBACK = re.compile(r"\w+|[^\w\s]")
_QUOTES = ("'''", '"""', '"', "'", "`")
# Normalised literals carry a prefix no identifier or symbol can start with.
_STR = "\x00s"
_CHAR = "\x00c"
_OWNED = "\x00o"


@dataclass(frozen=True)
class CodeComparison:
    """How an answer compares with the notes' code.

    Attributes:
        same: Whether they are the same code once normalised.
        answer_token: The first token of the answer that differs ("" when none).
        expected_token: The notes' token at that place ("" when the answer runs past the end).
    """

    same: bool
    answer_token: str = ""
    expected_token: str = ""


def compare_code(answer: str, solution: str, language: str) -> CodeComparison:
    """Compare an answer with the notes' code by normalised tokens.

    Args:
        answer: The learner's code.
        solution: The notes' code.
        language: The language both are in (a Pygments lexer name or alias).

    Returns:
        Whether they match and, when not, the first difference.
    """
    expected = _lines(solution, language)
    given = _lines(answer, language)
    wanted = [token for line in expected for token in line]
    if not wanted:
        return CodeComparison(same=not any(given))
    for start in range(len(given)):
        run: list[str] = []
        for line in given[start:]:
            run.extend(line)
            if len(run) >= len(wanted):
                break
        if run == wanted:
            return CodeComparison(same=True)
    flat = [token for line in given for token in line]
    for index, token in enumerate(flat):
        if index >= len(wanted):
            return CodeComparison(False, _shown(token), "")
        if token != wanted[index]:
            return CodeComparison(False, _shown(token), _shown(wanted[index]))
    missing = wanted[len(flat)] if len(flat) < len(wanted) else ""
    return CodeComparison(False, "", _shown(missing))


@cache
def _lexer(language: str) -> Lexer | None:
    try:
        lexer = get_lexer_by_name(language.strip().casefold() or "text", stripnl=False)
    except ClassNotFound:
        return None
    # Plain text has no tokens of its own: words and symbols, line by line, do better.
    return None if lexer.aliases[:1] == ["text"] else lexer


def _lines(code: str, language: str) -> list[list[str]]:
    """The code's normalised tokens, line by line (lines with no token left out)."""
    lexer = _lexer(language)
    raw = (
        _raw_tokens(lexer, code)
        if lexer is not None
        else [
            (Text, match.group()) if not match.group().isspace() else (Whitespace, "\n")
            for match in re.finditer(r"\w+|[^\w\s]|\n", code)
        ]
    )
    either = language.strip().casefold() in _EITHER_QUOTE
    lines: list[list[str]] = [[]]
    pending: list[str] = []
    string: list[str] = []
    string_kind = ""

    def close_string() -> None:
        nonlocal string_kind
        if string:
            pending.append(_literal("".join(string), string_kind, either))
            string.clear()
            string_kind = ""

    for kind, value in raw:
        if is_token_subtype(kind, String) and not is_token_subtype(kind, String.Char):
            if not string:
                string_kind = _STR
            string.append(value)
            continue
        close_string()
        if is_token_subtype(kind, Comment):
            if value.endswith("\n"):
                _end_line(lines, pending)
            continue
        if is_token_subtype(kind, Whitespace) or (
            is_token_subtype(kind, Text) and not value.strip()
        ):
            if "\n" in value:
                _end_line(lines, pending)
            continue
        if is_token_subtype(kind, String.Char):
            pending.append(f"{_CHAR}{value}")
        elif is_token_subtype(kind, Number):
            pending.append(value.replace("_", "").casefold())
        else:
            pending.extend(_FALLBACK.findall(value) if is_token_subtype(kind, Text) else [value])
    close_string()
    _end_line(lines, pending)
    return [_owned_strings(line) for line in lines if line]


def _raw_tokens(lexer: Lexer, code: str) -> list[tuple[_TokenType, str]]:
    return list(lexer.get_tokens(code))


def _end_line(lines: list[list[str]], pending: list[str]) -> None:
    if pending and pending[-1] == ";":
        pending.pop()  # a trailing semicolon changes nothing a learner is asked about
    lines[-1].extend(pending)
    pending.clear()
    if lines[-1]:
        lines.append([])


def _literal(text: str, kind: str, either: bool) -> str:
    prefix = re.match(r"[A-Za-z]*", text)
    head = prefix.group() if prefix else ""
    body = text[len(head) :]
    for quote in _QUOTES:
        if len(body) >= 2 * len(quote) and body.startswith(quote) and body.endswith(quote):
            content = body[len(quote) : len(body) - len(quote)]
            mark = "q" if either or quote == '"' or quote == '"""' else quote
            return f"{kind}{head.casefold()}{mark}:{content}"
    return f"{kind}{head.casefold()}:{body}"


def _owned_strings(line: list[str]) -> list[str]:
    """Rust's ways of making an owned ``String`` from a literal, as one token."""
    out: list[str] = []
    index = 0
    while index < len(line):
        token = line[index]
        # String::from("x")
        if (
            line[index : index + 4] == ["String", "::", "from", "("]
            and index + 5 < len(line)
            and line[index + 4].startswith(_STR)
            and line[index + 5] == ")"
        ):
            out.append(_OWNED + line[index + 4])
            index += 6
            continue
        # "x".to_string(), "x".to_owned(), "x".into()
        if (
            token.startswith(_STR)
            and line[index + 1 : index + 2] == ["."]
            and index + 4 < len(line)
            and line[index + 2] in _OWNED_STRING
            and line[index + 3 : index + 5] == ["(", ")"]
        ):
            out.append(_OWNED + token)
            index += 5
            continue
        out.append(token)
        index += 1
    return out


def _shown(token: str) -> str:
    """A normalised token as the learner would write it."""
    if token.startswith(_OWNED):
        return f"String::from({_shown(token[len(_OWNED) :])})"
    if token.startswith(_STR):
        head, _, content = token[len(_STR) :].partition(":")
        quote = head[-1] if head.endswith(("'", "`")) else '"'
        return f"{head.rstrip(chr(39) + '`q')}{quote}{content}{quote}"
    if token.startswith(_CHAR):
        return token[len(_CHAR) :]
    return token
