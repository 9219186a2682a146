"""What lessons and exercises are made from: passages of the notes and the concepts they teach."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Passage:
    """One retrieved chunk of the learner's notes."""

    chunk_id: str
    """The chunk's id in the document store (and in the vector store)."""
    text: str
    """The chunk's Markdown (cleaned of page markup when it was cut), without its heading
    path; :func:`~tutor.ingest.learner_text.learner_markdown` gives what a learner sees."""
    heading_path: str
    """Headings from the document's title down to the chunk's section, joined by " > "."""
    document_path: str
    """The document's path within the learner's notes."""
    concept_key: str
    """Key of the concept whose section the chunk comes from ("" when none)."""
    kind: str
    """``prose`` or ``code`` (a code chunk may start with a short lead-in sentence)."""
    score: float
    """Relevance to the query that found it, as cosine similarity (higher is closer)."""
    position: int = 0
    """The chunk's place in its document, for reading order."""
    see_also: bool = False
    """The passage comes from outside the concept's own section."""


@dataclass(frozen=True, slots=True)
class ConceptInfo:
    """What a lesson or an exercise needs to know about a concept."""

    key: str
    title: str
    summary: str = ""
    key_points: tuple[str, ...] = field(default_factory=tuple)
    """Short statements a learner should be able to make about the concept."""
    terms: tuple[str, ...] = field(default_factory=tuple)
    """Terms the concept introduces, case-folded (a neighbour's make wrong options)."""
