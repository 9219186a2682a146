"""Vectors: the store of chunk and lesson embeddings, always scoped to one owner.

:class:`VectorStore` is the port; :func:`build_vector_store` gives the Chroma adapter
(:mod:`tutor.vectors.chroma`, imported on first build since chromadb is slow to
import); :class:`InMemoryVectorStore` stands in for it in tests.
"""

from tutor.vectors._build import build_vector_store
from tutor.vectors._filters import owner_filter, record_metadata
from tutor.vectors._memory import InMemoryVectorStore, matches
from tutor.vectors._port import (
    OWNER_KEY,
    MetadataValue,
    VectorHit,
    VectorRecord,
    VectorStore,
    VectorStorePort,
    Where,
)

__all__ = [
    "OWNER_KEY",
    "InMemoryVectorStore",
    "MetadataValue",
    "VectorHit",
    "VectorRecord",
    "VectorStore",
    "VectorStorePort",
    "Where",
    "build_vector_store",
    "matches",
    "owner_filter",
    "record_metadata",
]
