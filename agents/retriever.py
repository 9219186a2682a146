"""The retriever node: the passages of the learner's notes a lesson on the concept uses.

A lesson is the concept's own section, in the author's order (see
:mod:`tutor.teaching.reading_order`): its chunks come from the document store by
position, with the listings, figures and errors they point at. Passages from elsewhere,
marked ``see_also``, come in only when the section has too little to teach from: the
openings of its subsections for a lead-in to them, else what a search of the notes
finds. A repeat lesson reads the parts of the section no earlier lesson quoted; once
every part was quoted, it opens the subsections (or searches) the same way. Passages of
a lesson the learner rated poorly are not quoted again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from uuid import UUID

from langgraph.runtime import Runtime

from agents.concepts import concept_info, concept_parts, record
from agents.context import TutorContext
from agents.state import TutorState
from tutor.ingest.store import StoredChunk
from tutor.search import hybrid_search
from tutor.teaching.material import ConceptInfo, Passage
from tutor.teaching.reading_order import is_usable, lesson_budget, section_lesson
from tutor.vectors import VectorHit

_CANDIDATES = 3
"""Candidates fetched per passage kept, so that reranking has something to choose from."""
_SHORT_SECTION_WORDS = 60
"""A section with fewer words than this (code aside) is too short to teach from alone."""


async def retrieve(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """The concept's own section in reading order; passages from elsewhere when it is short."""
    context = runtime.context
    concept_id = state.concept_id
    assert concept_id is not None, "the planner routes here only with a concept"
    concept = await concept_info(context, UUID(concept_id))
    if concept is None:
        return {"passages": []}
    earlier = await context.lessons.earlier(
        context.owner, UUID(concept_id), context.settings.recent_lessons
    )
    used = {chunk for lesson in earlier for chunk in lesson.chunk_ids}
    # Passages of lessons the learner rated poorly are not quoted again.
    disliked = await context.lessons.disliked_chunks(context.owner, UUID(concept_id))
    used |= disliked
    difficulty = state.difficulty or "intro"
    budget = lesson_budget(difficulty, context.settings.lesson_passages)
    stored = await context.documents.section_chunks(context.owner, concept.key)
    section = [c for c in stored if str(c.id) not in disliked]
    document: list[StoredChunk] = []
    for document_id in dict.fromkeys(chunk.document_id for chunk in section):
        document += await context.documents.document_chunks(context.owner, document_id)
    chosen = section_lesson(
        [section_passage(c, concept.key) for c in section],
        [section_passage(c, concept.key) for c in document if str(c.id) not in disliked],
        budget=budget,
        used=used,
        difficulty=difficulty,
    )
    parts = await concept_parts(context, concept.key)
    seen = {p.chunk_id for p in chosen} | {str(c.id) for c in stored} | used
    if used and not any(p.chunk_id not in used for p in chosen if not p.see_also):
        # Every passage of the section was quoted before: another subsection, else what
        # the notes say elsewhere, is the other angle.
        more = await _subsections(context, parts, seen, budget)
        if not more:
            hits = await see_also(context, concept, seen, context.settings.lesson_passages)
            more = rank(hits, used, concept)[:budget]
        chosen += more
    elif _too_short(chosen):
        # A lead-in to subsections teaches its own prose, then opens its parts; a short
        # section with none draws on what the notes say elsewhere.
        room = max(1, budget - len(chosen))
        more = await _subsections(context, parts, seen, room)
        if not more:
            hits = await see_also(context, concept, seen, context.settings.lesson_passages)
            more = rank(hits, used, concept)[:room]
        chosen += more
    return {"passages": [record(p) for p in chosen]}


async def _subsections(
    context: TutorContext, parts: Sequence[ConceptInfo], seen: set[str], budget: int
) -> list[Passage]:
    """The opening passage of each subsection not yet quoted, in the author's order."""
    found: list[Passage] = []
    for part in parts:
        if len(found) >= budget:
            break
        chunks = await context.documents.section_chunks(context.owner, part.key)
        fresh = [section_passage(c, part.key) for c in chunks if str(c.id) not in seen]
        opening = next((p for p in fresh if is_usable(p)), None)
        if opening is not None:
            found.append(replace(opening, see_also=True))
    return found


async def see_also(
    context: TutorContext, concept: ConceptInfo, seen: set[str], wanted: int
) -> list[VectorHit]:
    """Passages elsewhere in the learner's notes about the concept, for a short section.

    The one place lessons search the notes: hits in ``seen`` are left out.
    """
    query = f"{concept.title}. {concept.summary}".strip()
    # By meaning and by words: a passage elsewhere that names the concept's own terms is
    # found even where the vector search ranks it low.
    hits = await hybrid_search(
        context.vectors, context.lexical, str(context.owner), query, k=wanted * _CANDIDATES
    )
    return [hit for hit in hits if hit.id not in seen]


def _too_short(passages: Sequence[Passage]) -> bool:
    own = [p for p in passages if not p.see_also and is_usable(p)]
    words = sum(len(p.text.split()) for p in own if p.kind == "prose")
    return not own or (words < _SHORT_SECTION_WORDS and len(own) < 2)


def section_passage(chunk: StoredChunk, concept_key: str) -> Passage:
    """A stored chunk as a passage of a lesson on ``concept_key``.

    A chunk from another concept's section is marked ``see_also``.
    """
    return Passage(
        chunk_id=str(chunk.id),
        text=chunk.text,
        heading_path=" > ".join(chunk.heading_path),
        document_path=chunk.document_path,
        concept_key=chunk.concept_key or "",
        kind=chunk.kind,
        score=1.0,
        position=chunk.position,
        see_also=chunk.concept_key != concept_key,
    )


def rank(hits: Sequence[VectorHit], used: set[str], concept: ConceptInfo) -> list[Passage]:
    """Passages in the order a lesson should draw on them.

    Passages no recent lesson on the concept used come first; among those, the concept's
    own before related ones elsewhere; then by relevance. Passages of other sections are
    marked ``see_also``.
    """

    def order(hit: VectorHit) -> tuple[bool, bool, float]:
        return (hit.id in used, hit.metadata.get("concept") != concept.key, -hit.score)

    ranked = [as_passage(hit) for hit in sorted(hits, key=order)]
    return [p if p.concept_key == concept.key else replace(p, see_also=True) for p in ranked]


def as_passage(hit: VectorHit) -> Passage:
    """A vector hit as a passage; the heading path the vector text starts with is removed."""
    heading = str(hit.metadata.get("heading_path", ""))
    text = hit.text.removeprefix(f"{heading}\n\n") if heading else hit.text
    return Passage(
        chunk_id=hit.id,
        text=text,
        heading_path=heading,
        document_path=str(hit.metadata.get("path", "")),
        concept_key=str(hit.metadata.get("concept", "")),
        kind=str(hit.metadata.get("kind", "prose")),
        score=hit.score,
    )
