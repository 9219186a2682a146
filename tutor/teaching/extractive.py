"""The extractive lesson: the concept's own section, quoted in the author's order and cited.

When the language model's lesson fails the quality guard (or there is no model), this is
what the learner reads. It quotes the passages of the concept's own section as the
author ordered them (see :mod:`tutor.teaching.reading_order`), never rewording them, each
code listing next to the prose that introduces it; an example comes first when the
learner prefers it, or on every other repeat lesson. The lesson's own joining words say
what a passage is only where the notes' words do not: code with no lead-in is "For
example", commands "At the command line", failing code "This does not compile; here is
why"; prose needs none past the opening line. The same words never come twice in a
row, the title (shown above the lesson) is not repeated in it, and a section is named
only when it is not the concept's own (a subsection, or elsewhere in the notes). Each
quoted passage carries a citation ``[n]``, numbered in order of first appearance. A
sentence that points at a listing, figure or table the lesson does not show ("as
Listing 4-5 shows", "the following code") is left out of the quote, marked by an
ellipsis, so nothing dangles. Passages from elsewhere in the notes that no quoted
passage points at close the lesson under "See also". The closing line is the concept's
summary, and the key points follow on a first lesson, each unless the lesson already
quotes it or it points at something not shown.

Code the notes mark as failing (its fence says ``does_not_compile``, ``panics``... or the
prose around it said so when it was ingested, see :mod:`tutor.ingest.code_marks`) is
never the example: it is shown as what it is ("This does not compile; here
is why"), with the prose that explains it and the error it gives when the passages hold
it. Everything quoted is the learner's view of the notes
(:func:`~tutor.ingest.learner_text.learner_markdown`): no page markup, no hidden lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from tutor.ingest.code_marks import Failure, code_marks, output_failure
from tutor.ingest.learner_text import clean_markdown, fenced_blocks, learner_markdown
from tutor.teaching.citations import escape_citations
from tutor.teaching.material import ConceptInfo, Passage
from tutor.teaching.reading_order import arrange
from tutor.teaching.references import Label, captions, pointers

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
    another_example: str
    in_code: str
    summary: str
    key_points: str


# One wording per angle, so a repeat lesson on the same concept does not read the same.
# ``{source}`` is empty for the concept's own section and names any other section.
_WORDINGS: tuple[_Wording, ...] = (
    _Wording(
        definition="Here is what your notes say about {title}:",
        example="For example{source}{cite}:",
        example_first="Start with an example{source}{cite}:",
        explanation_after="Here is what your notes say is going on:",
        another_example="Another example{source}{cite}:",
        in_code="Here it is in code{source}{cite}:",
        summary="In short: {summary}",
        key_points="Key points to remember:",
    ),
    _Wording(
        definition="Your notes describe {title} like this:",
        example="To see it in practice{source}{cite}:",
        example_first="Here is {title} at work first{source}{cite}:",
        explanation_after="Now, what your notes say about it:",
        another_example="One more example{source}{cite}:",
        in_code="In code{source}{cite}:",
        summary="To sum up: {summary}",
        key_points="Check that you can say these in your own words:",
    ),
    _Wording(
        definition="Let's start from how your notes put it:",
        example="Here it is in action{source}{cite}:",
        example_first="Look at this example first{source}{cite}:",
        explanation_after="And here is the idea behind it:",
        another_example="And another example{source}{cite}:",
        in_code="Here is the code{source}{cite}:",
        summary="The gist: {summary}",
        key_points="Worth remembering:",
    ),
)

_WORD = re.compile(r"[^\W_]+")
_EXAMPLE_CUE = re.compile(r"\b(?:for example|for instance|e\.g\.)", re.IGNORECASE)
_HEADING_LINE = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*#{1,6}[ \t]+(.*?)[ \t#]*$")
_QUOTED_LINE = re.compile(r"^[ \t]*>[ \t]?")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_OUTPUT_LANGUAGES = frozenset({"", "console", "text", "output", "shell", "sh", "bash", "terminal"})
_SHELL_LANGUAGES = frozenset(
    {*_OUTPUT_LANGUAGES, "cmd", "bat", "batch", "powershell", "ps1", "pwsh", "zsh", "fish"}
)
"""Languages of a terminal session: a block in one that starts at a prompt is commands."""
_FAILING_WORDS: dict[Failure, tuple[str, str]] = {
    "compile": (
        "This does not compile; here is why{source}{cite}:",
        "This does not compile either; here is why{source}{cite}:",
    ),
    "panic": (
        "This compiles but panics when it runs; here is why{source}{cite}:",
        "This also compiles but panics when it runs; here is why{source}{cite}:",
    ),
    "misbehaves": (
        "This runs but does not do what is wanted; here is why{source}{cite}:",
        "This also runs but does not do what is wanted; here is why{source}{cite}:",
    ),
}
"""How failing code is introduced, and again right after other code failing the same way."""
_RUNTIME_ERROR_WORDS = (
    "This stops with an error when it runs; here is why{source}{cite}:",
    "This also stops with an error when it runs; here is why{source}{cite}:",
)
"""A panic outside Rust: an exception the code runs into."""
_ERROR_WORDS = ("The error it gives{source}{cite}:", "The error this one gives{source}{cite}:")
_OUTPUT_WORDS = ("What it prints{source}{cite}:", "And what it prints next{source}{cite}:")
"""A program's output that shows no error, when no words of the notes introduce it."""
_COMMAND_WORDS = ("At the command line{source}{cite}:", "Then{source}{cite}:")
"""Commands to type in a terminal, when no words of the notes introduce them."""
_ELSEWHERE_WORDS = (
    "From {heading}{cite}, elsewhere in your notes:",
    "Also from {heading}{cite}, elsewhere in your notes:",
)
_SUBSECTION_WORDS = ("In {heading}{cite}:", "Also in {heading}{cite}:")
"""Code that its own lead-in introduces, from a part of the section with its own heading."""
_PROMPT = re.compile(r"^[ \t]*(?:\$|>|PS>|PS [^>]*>)[ \t]")
_SEE_ALSO = "See also:"
_PARTS = "Your notes go on about {title} in {parts}."
_ELLIPSIS = "\u2026"
_SENTENCE_END = re.compile(r"[.!?][)\"'\u2019\u201d*_]*(?=\s)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_NOT_PLAIN = re.compile(r"^\s*(?:[-*+][ \t]|\d+[.)][ \t]|[|>#<]|`{3}|~{3})")
_MARKUP = re.compile(r"[*_`]+")
_QUOTE_MARKS = re.compile(r"^[ \t>]+", re.MULTILINE)
_SPACE = re.compile(r"\s+")
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

    @property
    def shows(self) -> bool:
        """Whether prose may point at it: code, a table or a numbered caption."""
        return bool(self.code) or bool(captions(self.prose)) or "|" in self.prose

    @property
    def is_command(self) -> bool:
        """Whether it is a terminal session that starts with a command to type."""
        if not self.code or self.language not in _SHELL_LANGUAGES:
            return False
        first = next((line for line in _code_body(self.code).splitlines() if line.strip()), "")
        return bool(_PROMPT.match(first))

    @property
    def is_error(self) -> bool:
        """Whether it is output showing an error."""
        return self.output and self.failure is not None

    @property
    def is_example(self) -> bool:
        """Whether it shows the concept at work: working code, or prose "for example"."""
        if self.code:
            return self.failure is None and not self.output and not self.is_command
        return bool(_EXAMPLE_CUE.search(self.prose))


@dataclass(frozen=True)
class _Shown:
    """What the whole lesson shows, against which a quoted sentence's pointers are read."""

    labels: frozenset[Label]
    errors: bool


def extractive_lesson(
    concept: ConceptInfo,
    passages: Sequence[Passage],
    *,
    order: LessonOrder = "explanation_first",
    angle: int = 0,
    max_passages: int = 4,
    parts: Sequence[str] = (),
) -> ExtractiveLesson:
    """Build a lesson from passages of the notes, quoted in reading order and cited.

    Args:
        concept: The concept to teach.
        passages: Passages of the concept's own section (by document and position), and
            ``see_also`` passages from elsewhere: the ones that an own passage points at
            are shown beside it, the rest close the lesson under "See also".
        order: Explanation then example, or example first.
        angle: Which take on the concept: another angle words the lesson differently, and
            an odd one swaps ``order``, so a repeat lesson starts the other way in.
        max_passages: Most passages of the concept's own section to quote (what they
            point at comes on top).
        parts: Titles of the concept's subsections, pointed to after its own prose.

    Returns:
        The lesson; when no passage is usable it is built from the concept's summary and
        key points alone, without citations.
    """
    wording = _WORDINGS[angle % len(_WORDINGS)]
    if angle % 2:
        order = "explanation_first" if order == "example_first" else "example_first"
    body, rest = arrange(passages)
    items = _usable(_within_budget(body, max_passages))
    also = [c for c in _usable(rest) if not any(_same(c, other) for other in items)]
    if not items and not also:
        return ExtractiveLesson(_outline(concept, parts), ())
    if order == "example_first":
        items = _example_first(items)
    shown = _Shown(
        labels=frozenset(label for c in [*items, *also] for label in captions(c.prose)),
        errors=any(c.is_error for c in [*items, *also]),
    )

    cited: list[Passage] = []
    quoted: list[str] = []

    def cite(candidate: _Candidate) -> str:
        cited.append(candidate.passage)
        quoted.append(f"{candidate.prose}\n{candidate.code}")
        return f"[{len(cited)}]"

    # The lesson's title is shown above it; the text starts with what the notes say.
    out: list[str] = []
    named = _named(concept.title)
    example_seen = explained = False
    last_words = ""

    def template(candidate: _Candidate, *, needed: bool, announced: bool = False) -> str:
        """The words saying what a code passage (or a passage from elsewhere) is.

        "" when its own lead-in introduces it well enough and no citation needs a place
        (``needed`` is false); never the same words twice in a row. Code that the prose
        before it announced is no longer news: it is only said to be code.
        """
        nonlocal example_seen, last_words
        pair: tuple[str, str] | None = None
        if candidate.is_error:
            # "Here's the error:" in the notes says it already.
            pair = _ERROR_WORDS if needed else None
        elif candidate.failure is not None:
            pair = _failing_words(candidate)
        elif candidate.passage.see_also:
            pair = _ELSEWHERE_WORDS
        elif candidate.output or candidate.is_command:
            pair = _COMMAND_WORDS if candidate.is_command else _OUTPUT_WORDS
            pair = pair if needed else None
        elif announced or (captions(candidate.lead_in) and (cited or order != "example_first")):
            # Announced code is no news, and a caption says itself what its listing is
            # (unless the learner asked to start with an example: it is said to be one).
            example_seen = True
            pair = (wording.in_code, wording.in_code) if needed else None
        elif not cited and order == "example_first":
            example_seen = True
            pair = (wording.example_first, wording.in_code)
        elif needed:
            # No words of the notes introduce the code: the lesson says what it is.
            words = wording.another_example if example_seen else wording.example
            example_seen = True
            pair = (words, wording.in_code)
        elif _source_words(candidate.passage, concept.title):
            # The notes' own lead-in says what the code is; only where it comes from is new.
            example_seen = True
            pair = _SUBSECTION_WORDS
        if pair is None:
            last_words = ""
            return ""
        # The words are formatted again with the heading and citation: braces in a
        # section's name stay text.
        source = _source_words(candidate.passage, concept.title)
        words = pair[1] if pair[0] == last_words else pair[0]
        last_words = words
        return words.replace("{source}", source.replace("{", "{{").replace("}", "}}"))

    def opening(candidate: _Candidate) -> None:
        """Says where the lesson's first words come from when no template did."""
        nonlocal explained
        if not cited and not explained and not candidate.passage.see_also:
            out.append(wording.definition.format(title=named))
            explained = True

    kept = [
        trimmed
        for index, raw in enumerate(items)
        if (
            trimmed := _trimmed(
                raw,
                shown,
                items[index - 1] if index else None,
                items[index + 1] if index + 1 < len(items) else None,
            )
        )
        is not None
    ]
    skip = -1
    for index, candidate in enumerate(kept):
        if index == skip:
            continue
        after = kept[index + 1] if index + 1 < len(kept) else None
        if candidate.passage.see_also or candidate.code:
            # A lesson read in the author's order opens on what the notes say, even when
            # they start with code: an example needs something it is an example of.
            opens = not cited and order == "explanation_first" and candidate.failure is None
            if opens and not candidate.passage.see_also:
                opening(candidate)
            words = template(candidate, needed=not candidate.lead_in, announced=explained and opens)
            if not words:
                opening(candidate)
            out.extend(_render_example(candidate, words, named, cite))
        elif after is not None and after.code and _introduces(candidate, after):
            # Prose announcing the code that follows it ("as in the code below") is quoted
            # right before that code.
            skip = index + 1
            if after.failure is None and not after.passage.see_also:
                if not explained:
                    intro = wording.explanation_after if cited else wording.definition
                    out.append(intro.format(title=named))
                explained = True
                out.append(_quote(candidate.prose, cite(candidate)))
                last_words = ""
                label = _is_label(after.lead_in)
                words = template(after, needed=not after.lead_in, announced=True)
                out.extend(_render_example(after, words, named, cite, label_below=label))
            else:
                # Failing code is announced as failing before the prose that says why.
                explained = True
                out.extend(_announced(candidate, after, template(after, needed=True), cite))
        else:
            last_words = ""
            if not explained:
                intro = wording.explanation_after if cited else wording.definition
                out.append(intro.format(title=named))
                explained = True
            out.append(_quote(candidate.prose, cite(candidate)))
    if parts:
        out.append(_parts_line(named, parts))
    seen_also = [c for c in (_trimmed(c, shown, None, None) for c in also) if c is not None]
    if seen_also:
        out.append(_SEE_ALSO)
        previous = ""
        for candidate in seen_also:
            heading = candidate.passage.heading_path
            words = "Also from {heading}{cite}:" if heading == previous else "From {heading}{cite}:"
            previous = heading
            out.extend(_render_example(candidate, words, "", cite))
    if not cited:
        return ExtractiveLesson(_outline(concept, parts), ())
    out.extend(_closing(concept, wording, "\n".join(quoted), shown, with_points=angle == 0))
    return ExtractiveLesson("\n\n".join(out) + "\n", tuple(cited))


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


def _within_budget(body: list[Passage], most: int) -> list[Passage]:
    """The first ``most`` own passages, with the passages from elsewhere beside them."""
    own = [p for p in body if not p.see_also][: max(most, 0)]
    kept = {p.chunk_id for p in own}
    result: list[Passage] = []
    for index, passage in enumerate(body):
        if not passage.see_also:
            if passage.chunk_id in kept:
                result.append(passage)
            continue
        # A passage from elsewhere sits right before or after the one that names it.
        neighbours = body[max(index - 1, 0) : index] + body[index + 1 : index + 2]
        if any(q.chunk_id in kept for q in neighbours):
            result.append(passage)
    return result


def _example_first(items: list[_Candidate]) -> list[_Candidate]:
    """The first working example of the section moved to the front."""
    first = next((c for c in items if c.is_example and c.code and not c.passage.see_also), None)
    if first is None or first is items[0]:
        return items
    return [first, *(c for c in items if c is not first)]


def _same(first: _Candidate, second: _Candidate) -> bool:
    return first.passage.chunk_id == second.passage.chunk_id or _near_duplicate(
        first.words, second.words
    )


def _trimmed(
    candidate: _Candidate, shown: _Shown, before: _Candidate | None, after: _Candidate | None
) -> _Candidate | None:
    """The candidate without the sentences that point at what the lesson does not show.

    None when nothing worth quoting is left.
    """
    forward = after is not None and after.shows
    backward = before is not None and before.shows
    errors = shown.errors or candidate.is_error
    if candidate.code:
        # A lead-in's colon introduces the passage's own code.
        lead_in = _without_dangling(candidate.lead_in, shown.labels, True, backward, errors)
        trailing = _without_dangling(candidate.trailing, shown.labels, forward, True, errors)
        prose = f"{lead_in}\n\n{trailing}".strip()
        return replace(candidate, lead_in=lead_in, trailing=trailing, prose=prose)
    prose = _without_dangling(candidate.prose, shown.labels, forward, backward, errors)
    if len(_WORD.findall(prose.replace(_ELLIPSIS, " "))) < 4:
        return None
    return replace(candidate, prose=prose)


def _without_dangling(
    prose: str, labels: frozenset[Label], forward: bool, backward: bool, errors: bool
) -> str:
    """``prose`` without the sentences pointing at what is not shown; an ellipsis marks a cut.

    Args:
        prose: Cleaned Markdown.
        labels: The numbered listings, figures and tables the lesson shows.
        forward: Something that can be pointed at follows ``prose`` in the lesson.
        backward: Something that can be pointed at comes right before it.
        errors: The lesson shows an error message.
    """
    if not prose.strip():
        return prose
    paragraphs = _PARAGRAPH_BREAK.split(prose.strip())
    kept: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        # Within the passage, what a paragraph points at may be the next paragraph.
        ahead = forward or number < len(paragraphs) - 1
        behind = backward or number > 0

        def dangles(text: str, ahead: bool = ahead, behind: bool = behind) -> bool:
            said = pointers(text)
            return (
                any(label not in labels for label in said.labels)
                or (said.forward and not ahead)
                or (said.backward and not behind)
                or (said.error and not errors)
            )

        if _NOT_PLAIN.match(paragraph):
            if not dangles(paragraph):
                kept.append(paragraph)
            continue
        sentences: list[str] = []
        for sentence in _sentences(paragraph):
            if not dangles(sentence):
                sentences.append(sentence)
            elif not sentences or sentences[-1] != _ELLIPSIS:
                sentences.append(_ELLIPSIS)
        while sentences and sentences[-1] == _ELLIPSIS:
            sentences.pop()
        if sentences:
            kept.append(" ".join(sentences))
    return "\n\n".join(kept)


def _sentences(paragraph: str) -> list[str]:
    spans: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(paragraph):
        spans.append(paragraph[start : end.end()].strip())
        start = end.end()
    spans.append(paragraph[start:].strip())
    return [span for span in spans if span]


def _parts_line(title: str, parts: Sequence[str]) -> str:
    named = [f"*{part}*" for part in parts]
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return _PARTS.format(title=title, parts=listed)


def _named(title: str) -> str:
    """The title as the lesson's sentences name it: a question, exclamation or colon quoted.

    "What is economics?" unquoted would end the sentence that names it, and "Demand: An
    example" would break it in two.
    """
    title = title.strip()
    quoted = title.endswith(("?", "!")) or ":" in title
    return f"\u201c{title}\u201d" if quoted else title


def _outline(concept: ConceptInfo, parts: Sequence[str] = ()) -> str:
    out: list[str] = []
    if not concept.summary and not concept.key_points and not parts:
        out.append(
            f"Your notes have little on {_named(concept.title)} so far. Add a section about it "
            "to your notes, and the next lesson can teach from it."
        )
    else:
        named = _named(concept.title)
        out.append(f"Your notes have little on {named} so far, so here is an outline.")
        if concept.summary:
            out.append(concept.summary.strip())
        if concept.key_points:
            out.append("Key points:")
            out.append("\n".join(f"- {point.strip()}" for point in concept.key_points))
        if parts:
            out.append(_parts_line(named, parts))
    return "\n\n".join(out) + "\n"


def _closing(
    concept: ConceptInfo, wording: _Wording, quoted: str, shown: _Shown, *, with_points: bool
) -> list[str]:
    """The summary line and the key points, each unless already quoted or pointing away.

    The key points close the first lesson only: repeated word for word, they would make
    every later lesson on the concept read like the first.
    """
    said = _normal(quoted)

    def fits(claim: str) -> bool:
        claim = claim.strip()
        if not claim or _normal(claim) in said:
            return False
        pointed = pointers(claim)
        # A claim stands alone: "the following code" or "this error" lead nowhere.
        return not (
            pointed.forward
            or pointed.backward
            or pointed.error
            or any(label not in shown.labels for label in pointed.labels)
        )

    out: list[str] = []
    if fits(concept.summary):
        out.append(wording.summary.format(summary=concept.summary.strip()))
    points = [point.strip() for point in concept.key_points if fits(point)]
    if points and with_points:
        out.append(wording.key_points)
        out.append("\n".join(f"- {point}" for point in points))
    return out


def _normal(text: str) -> str:
    """Text reduced for "is this already quoted": no markup, quotes or line breaks."""
    text = _QUOTE_MARKS.sub("", text.replace("\u2019", "'").replace("\\", ""))
    return _SPACE.sub(" ", _MARKUP.sub("", text)).strip().casefold()


def _usable(passages: Sequence[Passage]) -> list[_Candidate]:
    """Passages worth quoting, in the given order: no heading-only ones, no near-duplicates."""
    kept: list[_Candidate] = []
    seen_ids: set[str] = set()
    for passage in passages:
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
    prose = _clean_prose(text)
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


def _near_duplicate(first: frozenset[str], second: frozenset[str]) -> bool:
    if not first or not second:
        return first == second
    shared = len(first & second)
    return shared / len(first | second) >= 0.8 or shared / min(len(first), len(second)) >= 0.9


def _failing_words(candidate: _Candidate) -> tuple[str, str]:
    if candidate.output:
        return _ERROR_WORDS
    if candidate.failure == "panic" and candidate.language not in ("rust", "rs"):
        return _RUNTIME_ERROR_WORDS
    return _FAILING_WORDS[candidate.failure or "compile"]


def _introduces(prose: _Candidate, code: _Candidate) -> bool:
    """Whether the prose introduces the code after it: "the following", or its caption."""
    last = pointers(_PARAGRAPH_BREAK.split(prose.prose.strip())[-1])
    return last.forward or any(label in captions(code.lead_in) for label in last.labels)


def _announced(
    prose: _Candidate,
    code: _Candidate,
    template: str,
    cite: Callable[[_Candidate], str],
) -> list[str]:
    """Failing code announced by prose: what the code is, the prose saying why, the code.

    A lead-in that only names the code (its caption, its file) goes under it, so the
    code follows the prose that announces it.
    """
    heading = _section_name(code.passage)
    label = _is_label(code.lead_in)
    if code.lead_in and not label:
        parts = [template.format(heading=heading, cite="")]
        parts.append(_quote(prose.prose, cite(prose)))
        parts.append(_attach(code.lead_in, cite(code)))
        parts.append(code.code)
    else:
        # The code is cited first: citations are numbered in order of appearance.
        parts = [template.format(heading=heading, cite=f" {cite(code)}")]
        parts.append(_quote(prose.prose, cite(prose)))
        parts.append(code.code)
        if label:
            parts.append(code.lead_in)
    if code.trailing:
        parts.append(code.trailing)
    return parts


def _is_label(lead_in: str) -> bool:
    """Whether a lead-in only names its code: a caption, a file name, one emphasised line."""
    line = lead_in.strip()
    if not line or "\n" in line:
        return False
    return (
        bool(captions(line))
        or line.startswith(("Filename:", "*Filename:"))
        or (line.startswith("*") and line.endswith("*") and not line.endswith(":*"))
    )


def _render_example(
    candidate: _Candidate,
    template: str,
    title: str,
    cite: Callable[[_Candidate], str],
    *,
    label_below: bool = False,
) -> list[str]:
    """A code passage (or a passage from elsewhere) under ``template``, cited once.

    The citation goes at the end of the passage's own lead-in, or of the label under the
    code (``label_below``: its caption or file name), or else into ``template``.
    """
    heading = _section_name(candidate.passage)
    if not candidate.code:
        intro = template.format(title=title, heading=heading, cite="")
        return [intro, _quote(candidate.prose, cite(candidate))]
    lead_in, trailing = candidate.lead_in, candidate.trailing
    number = cite(candidate)
    parts: list[str] = []
    if lead_in and label_below:
        parts += [template.format(title=title, heading=heading, cite=""), candidate.code]
        parts.append(_attach(lead_in, number))
    elif lead_in:
        parts += [template.format(title=title, heading=heading, cite=""), _attach(lead_in, number)]
        parts.append(candidate.code)
    else:
        parts += [template.format(title=title, heading=heading, cite=f" {number}")]
        parts.append(candidate.code)
    if trailing:
        parts.append(trailing)
    return [part for part in parts if part]


def _attach(line: str, number: str) -> str:
    """Put a citation at the end of a lead-in, before a closing colon if any."""
    stripped = line.rstrip()
    if stripped.endswith(":"):
        return f"{stripped[:-1].rstrip()} {number}:"
    return f"{stripped} {number}"


def _source_words(passage: Passage, title: str) -> str:
    """Words naming the passage's section, when it is another than the concept's own.

    The lesson is about its concept's own section: naming it again says nothing.
    """
    parts = [part.strip() for part in passage.heading_path.split(" > ") if part.strip()]
    named, heading = _normal(title), _normal(parts[-1]) if parts else ""
    # A title may carry its parent's name ("References and Borrowing: Dangling
    # References") to tell apart sections that share a heading.
    own = not heading or named == heading or named.endswith(f": {heading}")
    if not passage.see_also and own:
        return ""
    return f", from {_section_name(passage)}"


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
