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
EdgeOrigin = Literal["heading", "order", "summary", "link", "term", "model"]
"""Why an edge exists: heading nesting, the author's order, an mdBook SUMMARY.md, a link
between sections, a term introduced in one concept and used in another, or the language
model's suggestion."""
HARD_ORIGINS: frozenset[EdgeOrigin] = frozenset({"link", "term", "model"})
"""Prerequisite origins the notes show: a learner must meet the source first. Edges of the
author's order (``order``, ``summary``) only say what comes first by default."""
ConceptRole = Literal["teachable", "chapter", "front_matter", "back_matter", "navigation"]
"""What a concept is for: ``teachable`` material is planned, tested and mastered; a
``chapter`` groups teachable parts but is too thin to teach alone; front and back matter
(title page, foreword, licence, index, ...) and ``navigation`` (mostly links) are kept for
the outline and for search, never taught."""


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
    role: ConceptRole = "teachable"
    terms: tuple[str, ...] = ()
    """Terms this concept introduces (defines), case-folded: a concept that uses one of
    them later in the notes needs this one first."""


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
    role: ConceptRole = "teachable"
    terms: tuple[str, ...] = ()
    """Terms this concept introduces, case-folded."""


@dataclass(frozen=True)
class Edge:
    """A stored edge between two concepts."""

    source: UUID
    target: UUID
    kind: EdgeKind
    weight: float
    origin: EdgeOrigin
