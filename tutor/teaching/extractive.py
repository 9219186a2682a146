"""The extractive lesson: the notes' own passages, put in a teaching order and cited.

When the language model's lesson fails the quality guard (or there is no model), this is
what the learner reads. It quotes the most relevant passages, never rewording them, in
the order a teacher would use: what the concept is (the most definitional passage), an
example (a code passage, or prose "for example"), then further details, joined by short
template sentences and closed by the concept's summary and key points. Each quoted
passage carries a citation ``[n]``, numbered in order of first appearance.

Code the notes mark as failing (its fence says ``does_not_compile``, ``panics``... or the
prose around it said so when it was ingested, see :mod:`tutor.ingest.code_marks`) is
never the example "in action": it is shown as what it is ("This does not compile; here
is why"), with the prose that explains it and the error it gives when the passages hold
it. Everything quoted is the learner's view of the notes
(:func:`~tutor.ingest.learner_text.learner_markdown`): no page markup, no hidden lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from tutor.ingest.code_marks import Failure, code_marks, output_failure
from tutor.ingest.learner_text import clean_markdown, fenced_blocks, learner_markdown
from tutor.teaching.citations import escape_citations
from tutor.teaching.material import ConceptInfo, Passage

LessonOrder = Literal["explanation_first", "example_first"]


@dataclass(frozen=True)
class ExtractiveLesson:
    """A lesson made of quoted passages.

    Attributes:
        text: The lesson, in Markdown.
        cited: The passages the lesson cites; ``cited[i]`` is citation ``[i + 1]``.
    """

    text: str
    cited: tuple[Passage, ...]


@dataclass(frozen=True)
class _Wording:
    definition: str
    example: str
    example_first: str
    explanation_after: str
    details: str
    another_example: str
    summary: str
    key_points: str


# One wording per angle, so a repeat lesson on the same concept does not read the same.
_WORDINGS: tuple[_Wording, ...] = (
    _Wording(
        definition="Here is what your notes say about {title}:",
        example="An example from {heading}{cite}:",
        example_first="Start with an example from {heading}{cite}:",
        explanation_after="Here is what your notes say is going on:",
        details="A few more details:",
        another_example="Another example, from {heading}{cite}:",
        summary="In short: {summary}",
        key_points="Key points to remember:",
    ),
    _Wording(
        definition="Your notes describe {title} like this:",
        example="To see it in practice, here is an example from {heading}{cite}:",
        example_first="Here is {title} at work first, from {heading}{cite}:",
        explanation_after="Now, what your notes say about it:",
        details="There is more to it:",
        another_example="One more example, from {heading}{cite}:",
        summary="To sum up: {summary}",
        key_points="Check that you can say these in your own words:",
    ),
    _Wording(
        definition="Let's start from how your notes put it:",
        example="Here it is in action, from {heading}{cite}:",
        example_first="Look at this example from {heading}{cite} first:",
        explanation_after="And here is the idea behind it:",
        details="Your notes also point out:",
        another_example="And another example, from {heading}{cite}:",
        summary="The gist: {summary}",
        key_points="Worth remembering:",
    ),
)

_STOP_WORDS = frozenset(
    "a an the and or of to in on for with what is are how why when its it this that your "  # noqa: SIM905
    "using use about into from by at as".split()
)
_WORD = re.compile(r"[^\W_]+")
_DEFINITIONAL = re.compile(
    r"\b(?:is|are|means|refers? to|is called|are called|defined as|describes?|lets you)\b",
    re.IGNORECASE,
)
_DEFINING_VERBS = (
    r"is|are|means|refers? to|describes?|allows?|lets?|can be thought of as|stands? for"
)
_EXAMPLE_CUE = re.compile(r"\b(?:for example|for instance|e\.g\.)", re.IGNORECASE)
_HEADING_LINE = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*#{1,6}[ \t]+(.*?)[ \t#]*$")
_QUOTED_LINE = re.compile(r"^[ \t]*>[ \t]?")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_OUTPUT_FENCE = re.compile(r"\s*(?:`{3,}|~{3,})(?:console|text|output|shell|sh|bash)?\s*\n")
_OUTPUT_LANGUAGES = frozenset({"", "console", "text", "output", "shell", "sh", "bash"})
_FAILING_WORDS: dict[Failure, str] = {
    "compile": "This does not compile; here is why, from {heading}{cite}:",
    "panic": "This compiles but panics when it runs; here is why, from {heading}{cite}:",
    "misbehaves": "This runs but does not do what is wanted; here is why, from {heading}{cite}:",
}
_RUNTIME_ERROR_WORDS = "This stops with an error when it runs; here is why, from {heading}{cite}:"
"""A panic outside Rust: an exception the code runs into."""
_ERROR_WORDS = "The error it gives, from {heading}{cite}:"
_SENTENCE_END = re.compile(r"[.!?][)\"'\u2019\u201d*_]*(?=\s)")
_PIECE = re.compile(r"\s*\S{1,12}|\s+")


@dataclass(frozen=True)
class _Candidate:
    passage: Passage
    prose: str
    """Cleaned Markdown of the passage's prose part (all of a prose passage, the lead-in
    and trailing text of a code passage)."""
    code: str
    """The fenced code of a code passage, "" for prose."""
    lead_in: str
    """Cleaned text before a code passage's code."""
    trailing: str
    """Cleaned text after a code passage's code."""
    words: frozenset[str]
    failure: Failure | None = None
    """How the notes say the code fails (for program output: that it shows an error)."""
    output: bool = False
    """The code is a program's output (console, text), not a program."""
    language: str = ""
    """The code's language, as its fence names it."""


def extractive_lesson(
    concept: ConceptInfo,
    passages: Sequence[Passage],
    *,
    order: LessonOrder = "explanation_first",
    angle: int = 0,
    max_passages: int = 4,
) -> ExtractiveLesson:
    """Build a lesson from passages of the notes, quoted and cited.

    Args:
        concept: The concept to teach.
        passages: Retrieved passages, any order; their scores rank them.
        order: Explanation then example, or example first.
        angle: Which take on the concept: 0 uses the best passages; another angle words
            the lesson differently and, when there are more usable passages than
            ``max_passages``, rotates which details and examples are shown.
        max_passages: Most passages to quote.

    Returns:
        The lesson; when no passage is usable it is built from the concept's summary and
        key points alone, without citations.
    """
    wording = _WORDINGS[angle % len(_WORDINGS)]
    candidates = _usable(passages)
    if not candidates or max_passages < 1:
        return ExtractiveLesson(_outline(concept), ())
    terms = _terms(concept)
    chosen = _choose(candidates, terms, angle, max_passages)
    definition, example, details = chosen

    cited: list[Passage] = []

    def cite(candidate: _Candidate) -> str:
        cited.append(candidate.passage)
        return f"[{len(cited)}]"

    parts = [f"## {concept.title}"]

    def add_definition(after_example: bool) -> None:
        if definition is None:
            return
        intro = wording.explanation_after if after_example else wording.definition
        parts.append(intro.format(title=concept.title))
        parts.append(_quote(definition.prose, cite(definition)))

    def add_example(first: bool) -> None:
        if example is None:
            return
        template = wording.example_first if first else wording.example
        parts.extend(_render_example(example, template, concept.title, cite))

    if order == "example_first":
        add_example(first=True)
        add_definition(after_example=example is not None)
    else:
        add_definition(after_example=False)
        add_example(first=definition is None)
    if details:
        parts.append(wording.details)
        for detail in details:
            if detail.failure is not None:
                parts.extend(_render_example(detail, _failing_words(detail), "", cite))
            elif detail.code:
                parts.extend(_render_example(detail, wording.another_example, "", cite))
            else:
                parts.append(_quote(detail.prose, cite(detail)))
    parts.extend(_closing(concept, wording, with_points=angle == 0))
    return ExtractiveLesson("\n\n".join(parts) + "\n", tuple(cited))


def lesson_pieces(text: str) -> Iterator[str]:
    """Split a lesson into word-sized pieces to stream like a model's tokens.

    Each piece is a word (long words cut into a few pieces) with the whitespace before
    it; whitespace at the very end is a piece of its own.

    Args:
        text: The lesson.

    Yields:
        Pieces whose concatenation is ``text``.
    """
    for match in _PIECE.finditer(text):
        yield match.group(0)


def _outline(concept: ConceptInfo) -> str:
    parts = [f"## {concept.title}"]
    if not concept.summary and not concept.key_points:
        parts.append(
            f"Your notes have little on {concept.title} so far. Add a section about it "
            "to your notes, and the next lesson can teach from it."
        )
    else:
        parts.append(f"Your notes have little on {concept.title} so far, so here is an outline.")
        if concept.summary:
            parts.append(concept.summary.strip())
        if concept.key_points:
            parts.append("Key points:")
            parts.append("\n".join(f"- {point.strip()}" for point in concept.key_points))
    return "\n\n".join(parts) + "\n"


def _closing(concept: ConceptInfo, wording: _Wording, *, with_points: bool) -> list[str]:
    # The key points close the first lesson only: repeated word for word, they would make
    # every later lesson on the concept read like the first.
    parts: list[str] = []
    if concept.summary.strip():
        parts.append(wording.summary.format(summary=concept.summary.strip()))
    points = [point.strip() for point in concept.key_points if point.strip()]
    if points and with_points:
        parts.append(wording.key_points)
        parts.append("\n".join(f"- {point}" for point in points))
    return parts


def _usable(passages: Sequence[Passage]) -> list[_Candidate]:
    """Passages worth quoting, best first: no heading-only passages, no near-duplicates."""
    kept: list[_Candidate] = []
    seen_ids: set[str] = set()
    for passage in sorted(passages, key=lambda p: -p.score):
        if passage.chunk_id in seen_ids:
            continue
        seen_ids.add(passage.chunk_id)
        candidate = _candidate(passage)
        if candidate is None:
            continue
        if any(_near_duplicate(candidate.words, other.words) for other in kept):
            continue
        kept.append(candidate)
    return kept


def _candidate(passage: Passage) -> _Candidate | None:
    # Chunks are cleaned when ingested; cleaning again also serves notes stored before.
    text = clean_markdown(passage.text.strip("\n"))
    blocks = fenced_blocks(text)
    code = lead_in = trailing = ""
    failure: Failure | None = None
    output = False
    language = ""
    prose = _drop_dangling_lead_in(_clean_prose(text))
    if blocks:
        start, end, closed = blocks[0]
        fenced = text[start:end] if closed else text[start:].rstrip() + "\n```"
        marks = code_marks(fenced.split("\n", 1)[0].lstrip(" \t>`~"))
        shown = learner_markdown(fenced)
        if _code_body(shown):
            code = shown
            language = marks.language
            output = language in _OUTPUT_LANGUAGES
            failure = output_failure(_code_body(shown)) if output else marks.failure
            lead_in, trailing = _clean_prose(text[:start]), _clean_prose(text[end:])
            prose = f"{lead_in}\n\n{trailing}".strip()
    content = [line for line in prose.splitlines() if line.strip()]
    body_words = sum(len(_WORD.findall(line)) for line in content if not _HEADING_LINE.match(line))
    if not code and body_words < 4:
        return None  # only a heading, or next to nothing
    words = frozenset(word.lower() for word in _WORD.findall(prose + "\n" + code))
    return _Candidate(passage, prose, code, lead_in, trailing, words, failure, output, language)


def _code_body(fenced: str) -> str:
    lines = fenced.splitlines()
    return "\n".join(lines[1:-1]).strip()


def _clean_prose(text: str) -> str:
    """The learner's view of some prose, with headings as bold lines."""
    text = learner_markdown(text)
    lines = text.splitlines()
    # A passage that is one block quote reads better as plain quoted text.
    if lines and all(_QUOTED_LINE.match(line) for line in lines if line.strip()):
        lines = [_QUOTED_LINE.sub("", line) for line in lines]
    cleaned: list[str] = []
    for line in lines:
        heading = _HEADING_LINE.match(line)
        cleaned.append(f"**{heading.group(1)}**" if heading and heading.group(1) else line)
    return escape_citations("\n".join(cleaned).strip())


def _drop_dangling_lead_in(prose: str) -> str:
    """Drop a last sentence that introduces something the passage does not hold.

    A prose passage ending "... as shown here:" had its code cut into another chunk;
    quoted alone, the colon leads nowhere.
    """
    stripped = prose.rstrip()
    if not stripped.endswith(":"):
        return prose
    ends = list(_SENTENCE_END.finditer(stripped))
    if not ends:
        return prose
    return stripped[: ends[-1].end()]


def _near_duplicate(first: frozenset[str], second: frozenset[str]) -> bool:
    if not first or not second:
        return first == second
    shared = len(first & second)
    return shared / len(first | second) >= 0.8 or shared / min(len(first), len(second)) >= 0.9


def _terms(concept: ConceptInfo) -> frozenset[str]:
    words = _WORD.findall(f"{concept.title} {concept.key.replace('-', ' ').replace('_', ' ')}")
    return frozenset(w.lower() for w in words if len(w) > 2 and w.lower() not in _STOP_WORDS)


def _mentions(candidate: _Candidate, terms: frozenset[str]) -> float:
    if not terms:
        return 0.0
    return len(terms & candidate.words) / len(terms)


def _definition_score(candidate: _Candidate, terms: frozenset[str]) -> float:
    first = candidate.prose[:300]
    score = candidate.passage.score + 0.15 * _mentions(candidate, terms)
    where = _defines(candidate.prose, terms) if terms else None
    if where is not None:
        # Definitions open a passage; one further down is usually an aside.
        score += 0.3 if where < 200 else 0.15
    elif _DEFINITIONAL.search(first):
        score += 0.05
    if any(term in first.lower() for term in terms):
        score += 0.05
    if _EXAMPLE_CUE.search(candidate.prose):
        score -= 0.1
    return score


def _defines(prose: str, terms: frozenset[str]) -> int | None:
    """Where a sentence opens with one of the terms and goes on "is", "means"...

    Returns:
        The offset of the first such sentence, or None.
    """
    stems = "|".join(re.escape(term.rstrip("s")) for term in sorted(terms))
    opening = r"(?:^|[.!?:]\s+|\n[ \t]*(?:[-*+][ \t]+)?)[*_`]*(?:an?|the)?\s*[*_`]*"
    pattern = (
        rf"{opening}(?:{stems})\w*[*_`]*,?\s+(?:{_DEFINING_VERBS})\b"
        rf"|\b(?:also known as|is called|are called)\s+(?:an?\s+|the\s+)?[*_`]*(?:{stems})"
    )
    found = re.search(pattern, prose, re.IGNORECASE)
    return found.start() if found else None


def _example_score(candidate: _Candidate, terms: frozenset[str]) -> float:
    score = candidate.passage.score + 0.1 * _mentions(candidate, terms)
    if not candidate.code:
        score -= 0.15
    elif _OUTPUT_FENCE.match(candidate.code):
        score -= 0.05  # a program's output teaches less than the program
    return score


def _choose(
    candidates: list[_Candidate], terms: frozenset[str], angle: int, budget: int
) -> tuple[_Candidate | None, _Candidate | None, list[_Candidate]]:
    """Pick the definition, the example and the details, in that teaching role."""
    prose = [c for c in candidates if not c.code]
    definition = max(prose, key=lambda c: _definition_score(c, terms)) if prose else None
    rest = [c for c in candidates if c is not definition]
    spare = len(candidates) > budget
    # Code that fails, or output showing an error, is never the example "in action".
    examples = sorted(
        (c for c in rest if c.failure is None and (c.code or _EXAMPLE_CUE.search(c.prose))),
        key=lambda c: -_example_score(c, terms),
    )
    example = None
    if examples and (definition is None or budget >= 2):
        example = examples[angle % len(examples)] if spare else examples[0]
    if definition is None and example is None:
        working = [c for c in rest if c.failure is None]
        if working:
            example = working[0]
    slots = budget - (definition is not None) - (example is not None)
    if slots <= 0 and definition is None and example is None:
        slots = budget
    pool = [c for c in rest if c is not example and not c.code]
    pool += [c for c in rest if c is not example and c.code]
    if slots <= 0 or not pool:
        return definition, example, []
    if len(pool) > slots and angle:
        # A repeat lesson shows the details the earlier ones left out, best first.
        start = (angle * slots) % len(pool)
        pool = pool[start:] + pool[:start]
    return definition, example, _with_errors(pool[:slots], pool[slots:])


def _failing_words(candidate: _Candidate) -> str:
    if candidate.output:
        return _ERROR_WORDS
    if candidate.failure == "panic" and candidate.language not in ("rust", "rs"):
        return _RUNTIME_ERROR_WORDS
    return _FAILING_WORDS[candidate.failure or "compile"]


def _with_errors(details: list[_Candidate], spare: list[_Candidate]) -> list[_Candidate]:
    """Details with each failing listing followed by the error it gives, when one is at hand.

    The error comes from the same section; to make room it replaces the last detail that
    is neither failing code nor an error.
    """
    ordered = [c for c in details if not (c.output and c.failure)]
    errors = [c for c in [*details, *spare] if c.output and c.failure]
    for index in range(len(ordered) - 1, -1, -1):
        listing = ordered[index]
        if listing.failure is None or listing.output:
            continue
        same = [e for e in errors if _same_section(e.passage, listing.passage)]
        if not same:
            continue
        errors.remove(same[0])
        ordered.insert(index + 1, same[0])
    excess = len(ordered) - len(details)
    if excess > 0:
        plain = [c for c in ordered if c.failure is None]
        for candidate in plain[max(0, len(plain) - excess) :]:
            ordered.remove(candidate)
    return ordered


def _same_section(first: Passage, second: Passage) -> bool:
    return (first.document_path, first.heading_path) == (second.document_path, second.heading_path)


def _render_example(
    candidate: _Candidate, template: str, title: str, cite: Callable[[_Candidate], str]
) -> list[str]:
    heading = _section_name(candidate.passage)
    if not candidate.code:
        intro = template.format(title=title, heading=heading, cite="")
        return [intro, _quote(candidate.prose, cite(candidate))]
    lead_in, trailing = candidate.lead_in, candidate.trailing
    number = cite(candidate)
    if lead_in:
        parts = [template.format(title=title, heading=heading, cite=""), _attach(lead_in, number)]
    else:
        parts = [template.format(title=title, heading=heading, cite=f" {number}")]
    parts.append(candidate.code)
    if trailing:
        parts.append(trailing)
    return parts


def _attach(line: str, number: str) -> str:
    """Put a citation at the end of a lead-in, before a closing colon if any."""
    stripped = line.rstrip()
    if stripped.endswith(":"):
        return f"{stripped[:-1].rstrip()} {number}:"
    return f"{stripped} {number}"


def _section_name(passage: Passage) -> str:
    parts = [part.strip() for part in passage.heading_path.split(" > ") if part.strip()]
    if parts:
        return f"*{parts[-1]}*"
    name = passage.document_path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"*{name}*" if name else "your notes"


def _quote(prose: str, number: str) -> str:
    lines = prose.strip().splitlines()
    last = lines[-1] if lines else ""
    if not last.strip() or _TABLE_ROW.match(last) or last.lstrip().startswith(("```", "~~~")):
        lines += ["", number]
    else:
        lines[-1] = f"{last.rstrip()} {number}"
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)
