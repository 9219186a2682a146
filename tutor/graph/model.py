"""The concept graph's data: concepts, and the edges between them.

Edge direction: ``part_of`` goes from the part to the whole (child -> parent);
``prerequisite`` goes from what must be learned first to what it enables
(before -> after).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

EdgeKind = Literal["part_of", "prerequisite"]
EdgeOrigin = Literal["heading", "order", "summary", "link", "model"]
"""Why an edge exists: heading nesting, the author's order, an mdBook SUMMARY.md, a link
between sections, or the language model's suggestion."""


@dataclass(frozen=True)
class ConceptDraft:
    """A concept as extracted from one document, before it is stored."""

    key: str
    """Normalised title: concepts with the same key (per owner) are one concept."""
    title: str
    summary: str
    level: int
    """Heading level of the section it came from (1 for a document's title)."""
    key_points: tuple[str, ...]
    """Short statements a learner should be able to make; used for grading."""
    position: int
    """Place in the author's order across the owner's whole corpus (smaller first)."""


@dataclass(frozen=True)
class EdgeDraft:
    """An edge between two concepts named by key."""

    source: str
    target: str
    kind: EdgeKind
    weight: float = 1.0
    """Confidence in 0..1; a prerequisite cycle is broken at its weakest edge."""
    origin: EdgeOrigin = "heading"


@dataclass(frozen=True)
class Concept:
    """A stored concept."""

    id: UUID
    owner: UUID
    key: str
    title: str
    summary: str
    level: int
    key_points: tuple[str, ...]
    position: int
    documents: frozenset[UUID] = field(default_factory=frozenset)
    """The documents that support it; it is deleted when the last one goes."""


@dataclass(frozen=True)
class Edge:
    """A stored edge between two concepts."""

    source: UUID
    target: UUID
    kind: EdgeKind
    weight: float
    origin: EdgeOrigin
