"""An in-memory vector store for tests: the port's behaviour without a backend."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores.utils import maximal_marginal_relevance

from tutor.vectors._filters import owner_filter, record_metadata
from tutor.vectors._port import MetadataValue, VectorHit, VectorRecord, Where

_COMPARISONS: Mapping[str, Callable[[Any, Any], bool]] = {
    "$eq": operator.eq,
    "$ne": operator.ne,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
    "$in": lambda value, options: value in options,
    "$nin": lambda value, options: value not in options,
}


def matches(metadata: Mapping[str, MetadataValue], where: Where) -> bool:
    """Whether ``metadata`` satisfies a Chroma-style ``where`` filter.

    Raises:
        ValueError: The filter uses an operator this store does not know.
    """
    for key, condition in where.items():
        if key == "$and":
            if not all(matches(metadata, clause) for clause in condition):
                return False
        elif key == "$or":
            if not any(matches(metadata, clause) for clause in condition):
                return False
        elif key.startswith("$"):
            raise ValueError(f"unsupported filter operator {key!r}")
        elif key not in metadata:
            # As in Chroma: a record without the field matches no condition on it.
            return False
        elif isinstance(condition, Mapping):
            for name, expected in condition.items():
                compare = _COMPARISONS.get(name)
                if compare is None:
                    raise ValueError(f"unsupported filter operator {name!r}")
                if not compare(metadata[key], expected):
                    return False
        elif metadata[key] != condition:
            return False
    return True


@dataclass(frozen=True, slots=True)
class _Stored:
    text: str
    metadata: dict[str, MetadataValue]
    vector: list[float]


class InMemoryVectorStore:
    """Keeps records in a dict and searches them exhaustively; for tests and demos."""

    where = "in memory"

    def __init__(self, embeddings: Embeddings) -> None:
        self._embeddings = embeddings
        self._records: dict[str, _Stored] = {}

    async def add(self, records: Sequence[VectorRecord]) -> None:
        """Embed and store ``records``, replacing any with the same id."""
        metadatas = [record_metadata(record) for record in records]
        vectors = await self._embeddings.aembed_documents([record.text for record in records])
        for record, metadata, vector in zip(records, metadatas, vectors, strict=True):
            self._records[record.id] = _Stored(record.text, metadata, vector)

    async def delete(
        self, owner: str, *, ids: Sequence[str] | None = None, where: Where | None = None
    ) -> None:
        """Delete the owner's records with these ids and/or matching ``where``."""
        if ids is None and where is None:
            raise ValueError("give ids or where (where={} deletes all the owner's records)")
        scope = owner_filter(owner, where)
        candidates = list(self._records) if ids is None else [i for i in ids if i in self._records]
        for record_id in candidates:
            if matches(self._records[record_id].metadata, scope):
                del self._records[record_id]

    async def search(
        self, owner: str, query: str, *, k: int = 4, where: Where | None = None
    ) -> list[VectorHit]:
        """The owner's ``k`` records nearest to ``query``."""
        scope = owner_filter(owner, where)
        query_vector = await self._embeddings.aembed_query(query)
        return self._nearest(query_vector, scope, k)

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
        """``k`` of the owner's ``fetch_k`` nearest records, chosen to differ."""
        scope = owner_filter(owner, where)
        query_vector = await self._embeddings.aembed_query(query)
        candidates = self._nearest(query_vector, scope, fetch_k)
        chosen = maximal_marginal_relevance(
            np.array(query_vector, dtype=np.float32),
            [self._records[hit.id].vector for hit in candidates],
            lambda_mult=lambda_mult,
            k=k,
        )
        return [hit for index, hit in enumerate(candidates) if index in chosen]

    async def similarities(self, owner: str, query: str, ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of ``query`` to each of the owner's records in ``ids``."""
        scope = owner_filter(owner)
        wanted = [
            i
            for i in dict.fromkeys(ids)
            if i in self._records and matches(self._records[i].metadata, scope)
        ]
        if not wanted:
            return {}
        query_vector = await self._embeddings.aembed_query(query)
        return {i: _cosine(query_vector, self._records[i].vector) for i in wanted}

    async def count(self, owner: str | None = None) -> int:
        """How many records the owner has, or the store holds."""
        if owner is None:
            return len(self._records)
        scope = owner_filter(owner)
        return sum(1 for stored in self._records.values() if matches(stored.metadata, scope))

    async def ping(self) -> str:
        """Always answers."""
        return f"{len(self._records)} vectors in memory"

    async def close(self) -> None:
        """Nothing to release."""

    def _nearest(self, query_vector: list[float], scope: Where, k: int) -> list[VectorHit]:
        hits = [
            VectorHit(
                record_id, stored.text, dict(stored.metadata), _cosine(query_vector, stored.vector)
            )
            for record_id, stored in self._records.items()
            if matches(stored.metadata, scope)
        ]
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits[:k]


def _cosine(left: Sequence[float], right: Sequence[float]) -> float:
    dot = sum(a * b for a, b in zip(left, right, strict=True))
    norms = math.sqrt(sum(a * a for a in left)) * math.sqrt(sum(b * b for b in right))
    return dot / norms if norms else 0.0
