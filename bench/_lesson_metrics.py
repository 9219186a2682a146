"""What the lessons bench judges in a lesson and its exercises, apart from the server.

Everything here reads what a learner sees (the lesson's Markdown, the exercises) and the
notes as the author wrote them; none of it asks the tutor how it classified anything.

- Failing code: fenced code the notes mark as failing (``does_not_compile``,
  ``should_panic``, ``compile_fail``, ``panics``) is found in the notes themselves. A
  lesson shows it "as working" when it quotes such a listing with no word nearby saying
  that it fails; an exercise uses it as an answer when its solution holds a line that
  only failing listings have.
- Dangling references: "Listing 4-5" or "Figure 3-1" that the lesson never shows (no
  caption of that number in it), and "the following code" with no code right after it.
- Markup leaks: HTML comments and tags, mdBook directives, link-reference syntax,
  heading anchors, and mdBook's hidden Rust lines (``# ``) inside Rust code.
- First kept token: the first token after the last ``reset`` of a turn (the text the
  learner keeps reading), or the lesson itself when everything streamed was withdrawn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FAILING_ATTRIBUTES = frozenset({"does_not_compile", "should_panic", "compile_fail", "panics"})
"""Fence attributes by which notes (mdBook's, rustdoc's) mark code that fails."""

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<mark>`{3,}|~{3,})(?P<info>[^\n`]*)$")
_SAYS_FAILS = re.compile(
    r"\b(?:does ?n[o']t compile|won[\u2019']?t compile|will not compile|doesn[\u2019']t compile|"
    r"fails?(?: to compile)?|compil(?:e|er|ation) error|error\[E\d{4}\]|errors?\b|panics?|"
    r"panicked|not (?:compile|work)|broken|wrong)",
    re.IGNORECASE,
)
_NEAR_BEFORE, _NEAR_AFTER = 400, 300
"""Characters before and after a code block searched for words saying that it fails."""
_REFERENCE = re.compile(r"\b(Listing|Figure)\s+(\d+-\d+)\b")
# "Do the following:" before a list announces no code; these announce code.
_FOLLOWING = re.compile(
    r"\b(?:the following (?:code|listing|program)|the code below)", re.IGNORECASE
)
_LEAKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("html comment", re.compile(r"<!--|-->")),
    ("mdbook directive", re.compile(r"\{\{#\w+")),
    ("html tag", re.compile(r"</?(?:span|div|a|img|p|br|table|tr|td|th|sup|sub|code)\b[^>]*>")),
    ("link reference", re.compile(r"\]\[[^\]\n]*\]")),
    ("link definition", re.compile(r"^\s*\[[^\]\n]+\]:\s+\S", re.MULTILINE)),
    ("heading anchor", re.compile(r"\{#[\w-]+\}")),
)
_MIN_FAILING_LINE = 8
"""Shorter lines (``}``, ``let x = 5;``) are too common to tell failing code by."""


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block: its language, attributes, code, and where it sits in the text."""

    language: str
    attributes: frozenset[str]
    code: str
    start: int
    end: int


def code_blocks(markdown: str) -> list[CodeBlock]:
    """The fenced code blocks of ``markdown``, in order."""
    blocks: list[CodeBlock] = []
    lines = markdown.splitlines(keepends=True)
    offset = 0
    opened: tuple[str, str, int, list[str]] | None = None
    for line in lines:
        bare = line.rstrip("\n")
        match = _FENCE.match(bare)
        if opened is None and match:
            opened = (match["mark"], match["info"].strip(), offset, [])
        elif opened is not None and _closes(bare, opened[0]):
            _, info, start, body = opened
            words = [w for w in re.split(r"[,\s]+", info.strip("{} ")) if w]
            language = words[0].casefold() if words else ""
            blocks.append(
                CodeBlock(language, frozenset(words[1:]), "".join(body), start, offset + len(line))
            )
            opened = None
        elif opened is not None:
            opened[3].append(line)
        offset += len(line)
    return blocks


def _closes(line: str, mark: str) -> bool:
    """Whether ``line`` closes a fence opened by ``mark`` (the same character, as many)."""
    bare = line.strip()
    return len(bare) >= len(mark) and set(bare) == {mark[0]}


def normalised_lines(code: str, language: str = "") -> list[str]:
    """Non-empty lines with spacing collapsed; mdBook's hidden Rust lines dropped."""
    found = []
    for line in code.splitlines():
        bare = line.strip()
        if language == "rust" and (bare == "#" or bare.startswith("# ")):
            continue
        if bare:
            found.append(" ".join(bare.split()))
    return found


@dataclass(frozen=True)
class NotesCode:
    """The notes' code, split into what they mark as failing and the rest."""

    failing: tuple[str, ...]
    """Each failing listing, as its normalised lines joined by newlines."""
    failing_only_lines: frozenset[str]
    """Lines that occur in failing listings and in no other listing of the notes."""

    @classmethod
    def of(cls, notes: Iterable[str]) -> NotesCode:
        """Read every fenced block of every note."""
        failing: list[list[str]] = []
        working: set[str] = set()
        for text in notes:
            for block in code_blocks(text):
                lines = normalised_lines(block.code, block.language)
                if block.attributes & FAILING_ATTRIBUTES:
                    failing.append(lines)
                else:
                    working.update(lines)
        only = {
            line
            for lines in failing
            for line in lines
            if line not in working and len(line) >= _MIN_FAILING_LINE
        }
        return cls(tuple("\n".join(lines) for lines in failing if lines), frozenset(only))


def broken_code_shown(lesson: str, notes: NotesCode) -> list[str]:
    """Failing listings the lesson quotes with nothing near them saying that they fail."""
    found = []
    for block in code_blocks(lesson):
        shown = "\n".join(normalised_lines(block.code, block.language))
        if not shown or shown not in notes.failing:
            continue
        around = lesson[max(0, block.start - _NEAR_BEFORE) : block.start]
        around += lesson[block.end : block.end + _NEAR_AFTER]
        if not _SAYS_FAILS.search(around):
            found.append(shown.splitlines()[0])
    return found


def broken_code_answer(solution: str, notes: NotesCode) -> list[str]:
    """Lines of an exercise's model answer that only the notes' failing listings have."""
    return [line for line in normalised_lines(solution, "rust") if line in notes.failing_only_lines]


def dangling_references(lesson: str) -> list[str]:
    """Listings and figures the lesson names but never shows, and "following code" with none."""
    problems = []
    for kind, number in dict.fromkeys(_REFERENCE.findall(lesson)):
        if not re.search(rf"\b{kind}\s+{re.escape(number)}\s*:", lesson):
            problems.append(f"{kind} {number}")
    blocks = code_blocks(lesson)
    for match in _FOLLOWING.finditer(lesson):
        paragraph_end = lesson.find("\n\n", match.end())
        after = len(lesson) if paragraph_end < 0 else paragraph_end
        nearest = next((b for b in blocks if b.start >= match.start()), None)
        # The code must come straight after the paragraph that announces it.
        if nearest is None or lesson[after : nearest.start].strip():
            problems.append(match.group(0))
    return problems


def markup_leaks(text: str) -> list[str]:
    """Page markup a learner would see as literal text, by kind."""
    prose = text
    found = []
    for block in code_blocks(text):
        if block.language == "rust" and any(
            line.strip() == "#" or line.strip().startswith("# ") for line in block.code.splitlines()
        ):
            found.append("hidden rust line")
    for block in reversed(code_blocks(text)):
        # Code may hold any of these legitimately ("a <div>" in an HTML example).
        prose = prose[: block.start] + prose[block.end :]
    found += [name for name, pattern in _LEAKS if pattern.search(prose)]
    return found


def exercise_text(exercise: Mapping[str, Any]) -> str:
    """What the learner reads of an exercise (question or prompt, and options)."""
    parts = [str(exercise.get("question") or exercise.get("prompt") or "")]
    parts += [str(option) for option in exercise.get("options") or []]
    parts.append(str(exercise.get("starter_code") or ""))
    return "\n".join(parts)


def exercise_key(exercise: Mapping[str, Any]) -> str:
    """Two exercises a learner would call the same have the same key."""
    return " ".join(exercise_text(exercise).casefold().split())


def first_kept_token(timeline: Sequence[tuple[float, Mapping[str, Any]]]) -> float | None:
    """Seconds from the start to the first token the learner keeps, from ``(t, event)`` pairs.

    The first token after the turn's last ``reset``; when no token follows it (everything
    streamed was withdrawn), the ``lesson`` event, which carries the text kept.
    """
    last_reset = max(
        (index for index, (_, event) in enumerate(timeline) if event["type"] == "reset"),
        default=-1,
    )
    for at, event in timeline[last_reset + 1 :]:
        if event["type"] in {"token", "lesson"}:
            return at
    return None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` in 0..1), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]
