"""Deterministic fake embeddings for tests: hashed bag of words, no model."""

from __future__ import annotations

import hashlib
import math
import re

from langchain_core.embeddings import Embeddings

_WORD = re.compile(r"\w+")


class FakeEmbeddings(Embeddings):
    """Hashes each word of a text into a fixed-size, normalized vector.

    The same text always gives the same vector, in every process (no Python ``hash``
    salt), and texts that share words point the same way, so retrieval behaves
    plausibly in tests. Every text embedded is recorded in :attr:`history`.
    """

    def __init__(self, dimension: int = 384) -> None:
        if dimension < 2:
            raise ValueError(f"dimension must be at least 2, got {dimension}")
        self._dimension = dimension
        self.history: list[str] = []
        """Every text embedded so far, in order, documents and queries alike."""

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        return self._dimension

    @property
    def model_id(self) -> str:
        """Names the vector space, so stores can tell incompatible vectors apart."""
        return f"fake-hashed-words-{self._dimension}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed each text."""
        return [self._embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        """Embed one query text."""
        return self._embed(text)

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed each text; hashing is quick enough to stay on the event loop."""
        return self.embed_documents(texts)

    async def aembed_query(self, text: str) -> list[float]:
        """Embed one query text on the event loop."""
        return self.embed_query(text)

    def _embed(self, text: str) -> list[float]:
        self.history.append(text)
        vector = [0.0] * self._dimension
        # A text without words still needs a stable, non-zero direction of its own.
        for token in _WORD.findall(text.lower()) or [text]:
            digest = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest())
            sign = 1.0 if digest & 1 else -1.0
            vector[(digest >> 1) % self._dimension] += sign
        norm = math.sqrt(sum(value * value for value in vector))
        if norm == 0.0:  # words cancelled out: cosine distance is undefined on a zero vector
            vector[0], norm = 1.0, 1.0
        return [value / norm for value in vector]
