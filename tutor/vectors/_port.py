"""The vector store port: what the tutor asks of any store of chunk vectors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

MetadataValue = str | int | float | bool
"""A metadata value every store can filter on."""

Where = Mapping[str, Any]
"""A metadata filter in Chroma's ``where`` language.

A field equals a value (``{"document_id": "d1"}``), meets an operator
(``{"position": {"$gte": 3}}``; ``$eq $ne $gt $gte $lt $lte $in $nin``), or clauses
are joined with ``{"$and": [...]}`` / ``{"$or": [...]}``.
"""

OWNER_KEY = "owner"
"""The metadata field that says whose a vector is; every search is filtered by it."""


@dataclass(frozen=True, slots=True)
class VectorRecord:
    """One text to embed and store: a chunk of a learner's notes, or a lesson."""

    id: str
    """Stable id (the chunk's id in the relational store); adding it again replaces it."""
    owner: str
    """The learner the text belongs to."""
    text: str
    """The text that is embedded and returned by searches."""
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    """Fields to filter on and to return with hits, such as ``document_id``."""


@dataclass(frozen=True, slots=True)
class VectorHit:
    """One search result."""

    id: str
    text: str
    metadata: Mapping[str, MetadataValue]
    """The record's metadata, ``owner`` included."""
    score: float
    """Cosine similarity to the query: 1 is the same direction, 0 unrelated."""


class VectorStore(Protocol):
    """Chunk vectors, each owned by one learner; every search is filtered by owner.

    Hits come best first. Texts are embedded by the store's embeddings, never by the
    backend's own default model.
    """

    @property
    def where(self) -> str:
        """Where the vectors live, in words, for status pages and logs."""
        ...

    async def add(self, records: Sequence[VectorRecord]) -> None:
        """Embed and store ``records``, replacing any with the same id."""
        ...

    async def delete(
        self, owner: str, *, ids: Sequence[str] | None = None, where: Where | None = None
    ) -> None:
        """Delete the owner's records with these ids and/or matching ``where``.

        ``where={}`` deletes everything the owner has; other owners' records are never
        touched, even when their ids are given.
        """
        ...

    async def search(
        self, owner: str, query: str, *, k: int = 4, where: Where | None = None
    ) -> list[VectorHit]:
        """The owner's ``k`` records nearest to ``query``."""
        ...

    async def search_mmr(
        self,
        owner: str,
        query: str,
        *,
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        where: Where | None = None,
    ) -> list[VectorHit]:
        """``k`` of the owner's ``fetch_k`` nearest records, chosen to differ from each other.

        ``lambda_mult`` runs from 0 (most diverse) to 1 (most similar to the query).
        """
        ...

    async def similarities(self, owner: str, query: str, ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of ``query`` to each of the owner's records named in ``ids``.

        For hits another search found (a word search), so that every hit's ``score``
        means the same. Ids the owner has no vector for are left out.
        """
        ...

    async def count(self, owner: str | None = None) -> int:
        """How many records the owner has, or the store holds when ``owner`` is None."""
        ...

    async def ping(self) -> str:
        """Reach the store; return a short description, or raise if it cannot answer."""
        ...

    async def close(self) -> None:
        """Release the client; the store is not used afterwards."""
        ...


VectorStorePort = VectorStore
"""Another name for :class:`VectorStore`, the port."""
