"""What the notes say about a code block: its language, its fence attributes, and whether it fails.

mdBook and rustdoc write attributes after the language in a fence's info string, comma- or
space-separated (```` ```rust,ignore,does_not_compile ````). Some name code that fails
(``does_not_compile``, ``compile_fail``, ``should_panic``, ``panics``,
``not_desired_behavior``); others name code that is not checked as a whole program
(``ignore``, ``no_run``, ``noplayground``, ``test_harness``). Notes without attributes say
so in prose instead ("This code does not compile!", "it will panic"): :func:`prose_failure`
reads the sentences next to a listing for that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CodeMarks",
    "Failure",
    "code_marks",
    "output_failure",
    "prose_changes_code",
    "prose_failure",
    "with_failure",
]

Failure = Literal["compile", "panic", "misbehaves"]
"""How code fails: it does not compile, it panics when run, or it runs but does the wrong
thing."""

_FAILING: dict[str, Failure] = {
    "does_not_compile": "compile",
    "compile_fail": "compile",
    "should_panic": "panic",
    "panics": "panic",
    "not_desired_behavior": "misbehaves",
}
_UNCHECKED = frozenset({"ignore", "no_run", "noplayground", "test_harness", "norun"})
_MARKED: dict[Failure, str] = {
    "compile": "does_not_compile",
    "panic": "panics",
    "misbehaves": "not_desired_behavior",
}
_INFO_SPLIT = re.compile(r"[\s,{}]+")
_FENCE_LINE = re.compile(r"^([ \t]*(?:>[ \t]?)*[ ]{0,3})(`{3,}|~{3,})([^\n]*)$")

# Sentences that say the code next to them fails. A sentence about fixing or avoiding the
# failure ("we can fix the error", "this compiles now") says the opposite.
_SAYS_COMPILE = re.compile(
    r"\b(?:(?:does|do|will|would|did|wo|ca)n[\u2019']?t|(?:does|do|will|would|did|can) not"
    r"|fails? to|won[\u2019']t|refuses? to)\s+(?:even\s+)?compile\b"
    r"|\bnot compile\b|\bcompil(?:er|ation) errors?\b|\bproduces? (?:an? |the )?errors?\b"
    r"|\b(?:get|gets|see|throws?|raises?|gives?|causes?) (?:an? |the |this )?"
    r"(?:compile(?:r|-time)? )?errors?\b|\bdoesn[\u2019']t work\b|\bwon[\u2019']t work\b"
    r"|\bdoes not work\b|\bwill not work\b|\bis (?:invalid|not valid|illegal)\b",
    re.IGNORECASE,
)
_SAYS_PANIC = re.compile(
    r"\b(?:will|would|it|code|program|this) (?:\w+ )?panics?\b|\bcauses? a panic\b"
    r"|\bwill crash\b|\bcrash(?:es)? (?:at|when)\b|\braises? an? \w*(?:error|exception)\b"
    r"|\bthrows? an? \w*(?:error|exception)\b",
    re.IGNORECASE,
)
# A named exception the code runs into ("you get a ZeroDivisionError"); a syntax error is
# the interpreter refusing the code, which is compiling's counterpart.
_SAYS_EXCEPTION = re.compile(
    r"\b(?:[Gg]ets?|[Ss]ees?|[Gg]ives?|[Cc]auses?|[Pp]roduces?|[Rr]esults? in|[Rr]aises?"
    r"|[Tt]hrows?|[Ff]ails? with) (?:an? |the |this )?(?P<name>[A-Z]\w*(?:Error|Exception))\b"
)
_SYNTAX_ERRORS = frozenset({"SyntaxError", "IndentationError", "TabError"})
_SAYS_FIXED = re.compile(
    r"\b(?:fix(?:es|ed|ing)?|solves?|avoids?|prevents?|instead|now compiles?|compiles? "
    r"(?:fine|successfully|without)|will compile|does compile|no (?:compile )?errors?"
    r"|without (?:an? )?errors?|won[\u2019']t (?:get|see|have) (?:an? )?errors?)\b",
    re.IGNORECASE,
)
_HYPOTHETICAL = re.compile(
    r"\b(?:if|unless|without|suppose|imagine)\b[^,.;:]*\b(?:tried|try to|were to|had|"
    r"didn[\u2019']t|don[\u2019']t|do not|did not|forg[eo]t|remov\w*|add\w*|chang\w*|omit\w*"
    r"|leav\w* out|delet\w*|comment\w* out|us(?:e|ed|ing) \S+ after)\b",
    re.IGNORECASE,
)
"""A failure of a changed program ("if we tried to use s after the call, Rust would throw
an error"), not of the one shown."""
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_ERROR_OUTPUT = re.compile(
    r"^(?:error(?:\[E\d+\])?:|thread '[^']*' panicked at|Traceback \(most recent call last\)"
    r"|\w*(?:Error|Exception): )",
    re.MULTILINE,
)
_SYNTAX_OUTPUT = re.compile(r"^(?:SyntaxError|IndentationError|TabError): ", re.MULTILINE)
_PANIC_OUTPUT = re.compile(r"panicked at|^Traceback \(most recent|^\w*(?:Error|Exception): ", re.M)


@dataclass(frozen=True)
class CodeMarks:
    """A fence's info string, read."""

    language: str
    """The first word, lower-cased ("" when there is none)."""
    attributes: tuple[str, ...]
    """The words after the language, lower-cased, in order."""

    @property
    def failure(self) -> Failure | None:
        """How the notes mark the code as failing, if they do."""
        for attribute in self.attributes:
            if attribute in _FAILING:
                return _FAILING[attribute]
        return None

    @property
    def checked(self) -> bool:
        """Whether the notes present the code as a whole program that works as shown."""
        return self.failure is None and not _UNCHECKED.intersection(self.attributes)


def code_marks(info: str) -> CodeMarks:
    """Read a fence's info string.

    Args:
        info: What follows the opening fence, such as ``rust,ignore,does_not_compile``.

    Returns:
        Its language and attributes.
    """
    # Pandoc writes classes with a dot: {.python .ignore}.
    words = [w.lower().lstrip(".") for w in _INFO_SPLIT.split(info.strip()) if w.strip(".")]
    if not words:
        return CodeMarks("", ())
    return CodeMarks(words[0], tuple(words[1:]))


def prose_failure(text: str, *, nearest: Literal["first", "last"]) -> Failure | None:
    """Whether prose next to a listing says the listing fails.

    Only the sentences nearest the listing count: the last two of the text before it, or
    the first two of the text after it.

    Args:
        text: Plain text of the paragraph before or after the listing.
        nearest: Which end of ``text`` touches the listing.

    Returns:
        The failure the prose names, or None.
    """
    found = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    near = found[-2:] if nearest == "last" else found[:2]
    for sentence in near:
        if _SAYS_FIXED.search(sentence) or _HYPOTHETICAL.search(sentence):
            continue
        exception = _SAYS_EXCEPTION.search(sentence)
        if exception is not None:
            return "compile" if exception["name"] in _SYNTAX_ERRORS else "panic"
        if _SAYS_PANIC.search(sentence):
            return "panic"
        if _SAYS_COMPILE.search(sentence):
            return "compile"
    return None


def prose_changes_code(text: str) -> bool:
    """Whether the first sentences of ``text`` speak of a changed program ("If we don't add...").

    Output shown after such a sentence is that changed program's, not the listing's.

    Args:
        text: Plain text of the paragraph after a listing.

    Returns:
        True when one of its first two sentences is such a hypothetical.
    """
    found = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    return any(_HYPOTHETICAL.search(sentence) for sentence in found[:2])


def output_failure(code: str) -> Failure | None:
    """Whether a block of program output shows the program before it failing.

    Args:
        code: The output block's text (a ``console`` or ``text`` block).

    Returns:
        ``panic`` for a panic or an uncaught exception, ``compile`` for a compiler
        error, None for output without an error.
    """
    if not _ERROR_OUTPUT.search(code):
        return None
    if _SYNTAX_OUTPUT.search(code):
        return "compile"
    return "panic" if _PANIC_OUTPUT.search(code) else "compile"


def with_failure(fenced: str, failure: Failure) -> str:
    """A fenced block's source with ``failure`` added to its info string.

    Args:
        fenced: Markdown source starting with an opening fence line.
        failure: The failure to mark.

    Returns:
        The source with the attribute added (unchanged when already marked failing).
    """
    first, newline, rest = fenced.partition("\n")
    match = _FENCE_LINE.match(first)
    if match is None:
        return fenced
    prefix, fence, info = match.groups()
    marks = code_marks(info)
    if marks.failure is not None:
        return fenced
    language = marks.language or "text"
    attributes = ",".join((language, *marks.attributes, _MARKED[failure]))
    return f"{prefix}{fence}{attributes}{newline}{rest}"
