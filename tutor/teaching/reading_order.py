"""Which passages of a concept's own section a lesson quotes, in the author's order.

A lesson is its concept's own section, read as the author wrote it: its chunks by
position, trimmed to the lesson's difficulty (an introduction is the opening and one
example; practice and challenge lessons read further). Whatever a kept passage points at
comes along from the same document: the listing, figure or table it names by number,
the code "following" or "above" it, the error it talks about (see
:mod:`tutor.teaching.references`). A repeat lesson reads the parts no earlier lesson
quoted first.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Literal

from tutor.ingest.code_marks import code_marks, output_failure
from tutor.ingest.learner_text import fence_failures, fenced_blocks, learner_markdown
from tutor.teaching.material import Passage
from tutor.teaching.references import Label, Pointers, captions, pointers

Difficulty = Literal["intro", "practice", "challenge"]

_BUDGET_SHARE: dict[Difficulty, float] = {"intro": 1.0, "practice": 1.5, "challenge": 2.0}
"""Passages of the section a lesson reads, as a share of the configured number."""
_OUTPUT_LANGUAGES = frozenset({"", "console", "text", "output", "shell", "sh", "bash", "terminal"})
_EXAMPLE_CUE = re.compile(r"\b(?:for example|for instance|e\.g\.)", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_NEAR = 3
_POINTED_AT_MOST = 3
"""Passages a lesson brings along because its own passages point at them, at most."""
"""How far (in chunks) "the code above" or an error may be from the prose naming it."""


def lesson_budget(difficulty: Difficulty, passages: int) -> int:
    """How many passages of its own section a lesson at ``difficulty`` reads."""
    return max(1, round(passages * _BUDGET_SHARE[difficulty]))


def is_usable(passage: Passage) -> bool:
    """Whether the passage has something to quote: code, or a few words past its headings."""
    if fenced_blocks(passage.text):
        return True
    lines = [line for line in passage.text.splitlines() if not _HEADING.match(line)]
    return len(_WORD.findall(learner_markdown("\n".join(lines)))) >= 4


def code_language(passage: Passage) -> str | None:
    """The language of the passage's first code block, or None when it holds no code."""
    blocks = fenced_blocks(passage.text)
    if not blocks:
        return None
    start = blocks[0][0]
    first = passage.text[start:].split("\n", 1)[0]
    return code_marks(first.lstrip(" \t>`~")).language


def is_output(passage: Passage) -> bool:
    """Whether the passage's code is a program's output or a terminal session."""
    language = code_language(passage)
    return language is not None and language in _OUTPUT_LANGUAGES


def fails(passage: Passage) -> bool:
    """Whether the notes mark the passage's code as failing, or it shows an error."""
    if is_output(passage):
        return output_failure(learner_markdown(passage.text)) is not None
    return bool(fence_failures(passage.text))


def is_example(passage: Passage) -> bool:
    """Whether the passage shows the concept at work: a working program, or "for example"."""
    if code_language(passage) is not None:
        return not is_output(passage) and not fails(passage)
    return bool(_EXAMPLE_CUE.search(passage.text))


def section_lesson(
    section: Sequence[Passage],
    document: Sequence[Passage],
    *,
    budget: int,
    used: Collection[str] = frozenset(),
    difficulty: Difficulty = "intro",
) -> list[Passage]:
    """The passages of a lesson on a section, in reading order, with what they point at.

    Args:
        section: The concept's own chunks, in reading order.
        document: Every chunk of the documents the section is in, in reading order; what a
            kept passage points at is looked up here.
        budget: Most passages of the section to read (what they point at comes on top).
        used: Chunks earlier lessons on the concept quoted: read last.
        difficulty: ``intro`` reads the opening and its first example; the other levels
            read on through the section.

    Returns:
        The section's chosen passages by position; a passage pointed at from outside the
        section follows the passage naming it (or comes before one naming "the code
        above") and is marked ``see_also``.
    """
    own = [p for p in section if is_usable(p)]
    chosen = _chosen(own, budget, used, difficulty)
    own_ids = {p.chunk_id for p in section}
    chosen_ids = {p.chunk_id for p in chosen}
    extra: list[Passage] = []
    pending = list(chosen)
    # What is brought along may point further (a failing listing, at its error); the
    # lesson's model prompt must still fit the model's window.
    most = budget + _POINTED_AT_MOST
    while pending:
        passage = pending.pop(0)
        for target, _ in pointed_at(passage, document):
            if target.chunk_id in chosen_ids or len(chosen) + len(extra) >= most:
                continue
            chosen_ids.add(target.chunk_id)
            pending.append(target)
            if target.chunk_id in own_ids:
                chosen.append(target)
            else:
                extra.append(replace(target, see_also=True))
    body, rest = arrange([*chosen, *extra])
    return body + rest


def arrange(passages: Sequence[Passage]) -> tuple[list[Passage], list[Passage]]:
    """Passages in reading order, and the ones from elsewhere that none of them points at.

    The section's own passages (not ``see_also``) go by document, in the order documents
    first appear, then by position; a passage from elsewhere that one of them points at
    follows it, or comes just before it when named as "above".
    """
    documents = {path: n for n, path in enumerate(dict.fromkeys(p.document_path for p in passages))}
    own = sorted(
        (p for p in passages if not p.see_also),
        key=lambda p: (documents[p.document_path], p.position),
    )
    others = [p for p in passages if p.see_also]
    before: dict[str, list[Passage]] = {}
    after: dict[str, list[Passage]] = {}
    placed: set[str] = set()
    for passage in own:
        for target, earlier in pointed_at(passage, others):
            if target.chunk_id in placed:
                continue
            placed.add(target.chunk_id)
            (before if earlier else after).setdefault(passage.chunk_id, []).append(target)
    body: list[Passage] = []
    for passage in own:
        body += before.get(passage.chunk_id, [])
        body.append(passage)
        body += after.get(passage.chunk_id, [])
    return body, [p for p in others if p.chunk_id not in placed]


def _chosen(
    own: list[Passage], budget: int, used: Collection[str], difficulty: Difficulty
) -> list[Passage]:
    # A repeat lesson reads only what the earlier ones left out; with nothing left, the
    # section's opening anchors a lesson that goes elsewhere (see agents.retriever).
    pool = [p for p in own if p.chunk_id not in used] if used else list(own)
    if not pool:
        return own[:1]
    taken = pool[:budget]
    if difficulty == "intro":
        first_example = next((n for n, p in enumerate(pool) if is_example(p)), None)
        if first_example is not None and first_example < budget:
            # The opening and its first example, and the explanation right after it.
            taken = pool[: min(budget, first_example + 2)]
    examples = [p for p in pool if is_example(p)]
    if budget >= 2 and examples and not any(is_example(p) for p in taken):
        taken = [*taken[: budget - 1], examples[0]]
    return sorted(taken, key=lambda p: own.index(p))


def pointed_at(passage: Passage, candidates: Sequence[Passage]) -> list[tuple[Passage, bool]]:
    """What ``passage`` points at among ``candidates`` of its document.

    Returns:
        Each passage pointed at, with whether it comes before ``passage``.
    """
    said = _pointers(passage)
    failing_code = fails(passage) and not is_output(passage)
    if not said.any and not failing_code:
        return []
    same = sorted(
        (p for p in candidates if p.document_path == passage.document_path),
        key=lambda p: p.position,
    )
    at = passage.position
    found: list[tuple[Passage, bool]] = []
    for label in said.labels:
        target = next((p for p in same if label in captions(p.text)), None)
        if target is not None and target.chunk_id != passage.chunk_id:
            found.append((target, target.position < at))
    if said.forward:
        found += [(p, False) for p in same if p.position == at + 1 and _shows(p)]
    if said.backward:
        earlier = [p for p in same if at - _NEAR <= p.position < at and code_language(p)]
        found += [(earlier[-1], True)] if earlier else []
    if said.error or failing_code:
        # Failing code is taught with the error it gives, which the notes show right after.
        near = [p for p in same if 0 < p.position - at <= _NEAR and _is_error(p)]
        if not near and said.error:
            near = [p for p in same if p.position == at - 1 and _is_error(p)]
        found += [(near[0], near[0].position < at)] if near else []
    return found


def _pointers(passage: Passage) -> Pointers:
    """What the passage's prose points at; a lead-in's colon introduces its own code."""
    text = passage.text
    blocks = fenced_blocks(text)
    if not blocks:
        return pointers(text)
    lead_in, trailing = text[: blocks[0][0]], text[blocks[-1][1] :]
    said = pointers(f"{lead_in}\n\n{trailing}")
    return replace(said, forward=pointers(trailing).forward if trailing.strip() else False)


def _captioned(label: Label, document: Sequence[Passage], near: Passage) -> Passage | None:
    same = [p for p in document if p.document_path == near.document_path]
    return next((p for p in same if label in captions(p.text)), None)


def _shows(passage: Passage) -> bool:
    """Whether a passage is something prose can point at: code, output, a table or a figure."""
    return code_language(passage) is not None or bool(captions(passage.text)) or "|" in passage.text


def _is_error(passage: Passage) -> bool:
    return is_output(passage) and fails(passage)
