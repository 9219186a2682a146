"""The Chroma adapter: a persistent client in the data dir, or a Chroma server.

Texts are always embedded by the tutor's own embeddings. Chroma's default embedding
function would download an ONNX model; the collection is therefore created with
:class:`TutorEmbeddingFunction`, which wraps our embeddings, and every write and
query through LangChain carries vectors we computed.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import chromadb
import httpx
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.client import Client
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Embeddable, EmbeddingFunction, Space
from chromadb.api.types import Embeddings as ChromaEmbeddings
from chromadb.config import Settings as ChromaClientSettings
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from tutor.config import ChromaSettings
from tutor.errors import ConfigurationError
from tutor.vectors._filters import owner_filter, record_metadata
from tutor.vectors._port import VectorHit, VectorRecord, Where

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

EMBEDDING_FUNCTION_NAME = "tutor"
"""The name our embedding function is registered and persisted under."""


def embeddings_model_id(embeddings: Embeddings) -> str:
    """Names the vector space ``embeddings`` writes, to detect a change of model."""
    model_id = getattr(embeddings, "model_id", None)
    if isinstance(model_id, str):
        return model_id
    model = getattr(embeddings, "model", None)
    name = type(embeddings).__name__
    return f"{name}:{model}" if isinstance(model, str) else name


@register_embedding_function
class TutorEmbeddingFunction(EmbeddingFunction[Embeddable]):
    """Chroma's view of the tutor's embeddings, so Chroma never falls back to its own.

    Chroma persists :meth:`get_config` with the collection and rebuilds the function
    from it when a collection is read; the rebuilt one has no model behind it and
    refuses to embed, because the tutor computes every vector itself.
    """

    def __init__(self, embeddings: Embeddings | None = None, *, model_id: str) -> None:
        self._embeddings = embeddings
        self.model_id = model_id

    @classmethod
    def wrapping(cls, embeddings: Embeddings) -> TutorEmbeddingFunction:
        """The function for ``embeddings``."""
        return cls(embeddings, model_id=embeddings_model_id(embeddings))

    def __call__(self, input: Embeddable) -> ChromaEmbeddings:
        """Embed documents with the tutor's embeddings."""
        return _as_arrays(self._bound().embed_documents(_texts(input)))

    def embed_query(self, input: Embeddable) -> ChromaEmbeddings:
        """Embed query texts with the tutor's embeddings."""
        embeddings = self._bound()
        return _as_arrays([embeddings.embed_query(text) for text in _texts(input)])

    @staticmethod
    def name() -> str:
        """The name Chroma persists and looks the class up by."""
        return EMBEDDING_FUNCTION_NAME

    def get_config(self) -> dict[str, Any]:
        """What Chroma persists with the collection: which model wrote its vectors."""
        return {"model_id": self.model_id}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> TutorEmbeddingFunction:
        """A function that remembers the model but cannot embed (see the class doc)."""
        return TutorEmbeddingFunction(None, model_id=str(config.get("model_id", "")))

    def default_space(self) -> Space:
        """Our vectors are normalized: cosine distance is the one that fits."""
        return "cosine"

    def _bound(self) -> Embeddings:
        if self._embeddings is None:
            raise RuntimeError(
                f"Chroma was asked to embed text for a collection of {self.model_id!r} "
                "vectors; the tutor passes vectors it computed itself"
            )
        return self._embeddings


def _texts(items: Embeddable) -> list[str]:
    texts = [item for item in items if isinstance(item, str)]
    if len(texts) != len(items):
        raise TypeError("the tutor's embeddings take text only")
    return texts


def _as_arrays(vectors: list[list[float]]) -> ChromaEmbeddings:
    return [np.asarray(vector, dtype=np.float32) for vector in vectors]


@dataclass(frozen=True, slots=True)
class ChromaServer:
    """Where a Chroma server listens, from ``TUTOR_CHROMA_URL``."""

    host: str
    port: int
    ssl: bool

    @classmethod
    def from_url(cls, url: str) -> ChromaServer:
        """Parse ``http[s]://host[:port]``; the port defaults to 8000, or 443 with https.

        Raises:
            ConfigurationError: The URL is not of that form.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"TUTOR_CHROMA_URL must be http(s)://host[:port], got {url!r}")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ConfigurationError(f"TUTOR_CHROMA_URL must not have a path, got {url!r}")
        ssl = parts.scheme == "https"
        try:
            port = parts.port or (443 if ssl else 8000)
        except ValueError as error:
            raise ConfigurationError(f"TUTOR_CHROMA_URL has a bad port: {url!r}") from error
        return cls(host=parts.hostname, port=port, ssl=ssl)

    @property
    def url(self) -> str:
        """The server's base URL."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.ssl else 'http'}://{host}:{self.port}"


def _client_settings() -> ChromaClientSettings:
    return ChromaClientSettings(anonymized_telemetry=False)


def persistent_client(path: Path) -> ClientAPI:
    """An embedded Chroma keeping its files in ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=_client_settings())


def http_client(server: ChromaServer) -> ClientAPI:
    """A client of the Chroma server at ``server``."""
    return chromadb.HttpClient(
        host=server.host, port=server.port, ssl=server.ssl, settings=_client_settings()
    )


@dataclass(frozen=True, slots=True)
class _Open:
    client: ClientAPI
    collection: Collection
    store: Chroma


class ChromaVectorStore:
    """The vector store port over Chroma, through ``langchain_chroma.Chroma``.

    The client connects on first use, so a server that is down at start shows in the
    readiness probe instead of stopping the service. Chroma's calls block; each runs
    in a worker thread.
    """

    def __init__(
        self,
        connect: Callable[[], ClientAPI],
        *,
        collection: str,
        embeddings: Embeddings,
        where: str,
    ) -> None:
        self._connect = connect
        self._collection_name = collection
        self._embeddings = embeddings
        self._where = where
        self._open: _Open | None = None
        self._closed = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls, settings: ChromaSettings, data_dir: Path, embeddings: Embeddings
    ) -> ChromaVectorStore:
        """A server client when ``TUTOR_CHROMA_URL`` is set, else files in ``data_dir/chroma``.

        Raises:
            ConfigurationError: ``TUTOR_CHROMA_URL`` is malformed.
        """
        if settings.url:
            server = ChromaServer.from_url(settings.url)
            return cls(
                lambda: http_client(server),
                collection=settings.collection,
                embeddings=embeddings,
                where=f"Chroma server at {server.url}",
            )
        path = data_dir / "chroma"
        return cls(
            lambda: persistent_client(path),
            collection=settings.collection,
            embeddings=embeddings,
            where=f"embedded Chroma in {path}",
        )

    @property
    def where(self) -> str:
        """Where the vectors live, in words."""
        return self._where

    async def add(self, records: Sequence[VectorRecord]) -> None:
        """Embed and store ``records``, replacing any with the same id."""
        if records:
            await self._run(lambda opened: self._add(opened, records))

    async def delete(
        self, owner: str, *, ids: Sequence[str] | None = None, where: Where | None = None
    ) -> None:
        """Delete the owner's records with these ids and/or matching ``where``."""
        if ids is None and where is None:
            raise ValueError("give ids or where (where={} deletes all the owner's records)")
        scope = owner_filter(owner, where)
        if ids is not None and not ids:
            return  # nothing named, nothing to delete: no need to reach Chroma
        id_list = list(ids) if ids is not None else None
        await self._run(lambda opened: opened.store.delete(ids=id_list, where=scope))

    async def search(
        self, owner: str, query: str, *, k: int = 4, where: Where | None = None
    ) -> list[VectorHit]:
        """The owner's ``k`` records nearest to ``query``."""
        scope = owner_filter(owner, where)

        def search(opened: _Open) -> list[VectorHit]:
            found = opened.store.similarity_search_with_score(query, k=k, filter=scope)
            # In cosine space Chroma's distance is 1 - cosine similarity.
            return [
                VectorHit(str(doc.id), doc.page_content, doc.metadata, 1.0 - distance)
                for doc, distance in found
            ]

        return await self._run(search)

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

        def search(opened: _Open) -> list[VectorHit]:
            query_vector = self._embeddings.embed_query(query)
            docs = opened.store.max_marginal_relevance_search_by_vector(
                query_vector, k=k, fetch_k=fetch_k, lambda_mult=lambda_mult, filter=scope
            )
            if not docs:
                return []
            # LangChain's MMR drops the distances; score the chosen few from their vectors.
            ids = [str(doc.id) for doc in docs]
            stored = opened.collection.get(ids=ids, include=["embeddings"])
            found = stored["embeddings"]  # an array: no truth value
            vectors = dict(zip(stored["ids"], [] if found is None else found, strict=True))
            query_array = np.asarray(query_vector, dtype=np.float32)
            hits = [
                VectorHit(
                    str(doc.id),
                    doc.page_content,
                    doc.metadata,
                    _cosine(query_array, vectors[str(doc.id)]),
                )
                for doc in docs
            ]
            hits.sort(key=lambda hit: hit.score, reverse=True)
            return hits

        return await self._run(search)

    async def similarities(self, owner: str, query: str, ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of ``query`` to each of the owner's records in ``ids``."""
        scope = owner_filter(owner)
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}

        def score(opened: _Open) -> dict[str, float]:
            # Filtered by owner as well as by id: another owner's ids give nothing.
            stored = opened.collection.get(ids=wanted, where=scope, include=["embeddings"])
            found = stored["embeddings"]  # an array: no truth value
            if found is None or not stored["ids"]:
                return {}
            query_array = np.asarray(self._embeddings.embed_query(query), dtype=np.float32)
            return {
                str(i): _cosine(query_array, vector)
                for i, vector in zip(stored["ids"], found, strict=True)
            }

        return await self._run(score)

    async def count(self, owner: str | None = None) -> int:
        """How many records the owner has, or the collection holds."""
        if owner is None:
            return await self._run(lambda opened: opened.collection.count())
        scope = owner_filter(owner)
        return await self._run(
            lambda opened: len(opened.collection.get(where=scope, include=[])["ids"])
        )

    async def ping(self) -> str:
        """Reach Chroma (connecting first if needed); say how many vectors it holds."""

        def ping(opened: _Open) -> str:
            opened.client.heartbeat()
            return f"{opened.collection.count()} vectors in {self._collection_name!r}"

        return await self._run(ping)

    async def close(self) -> None:
        """Release the client; the store refuses work afterwards."""
        with self._lock:
            opened, self._open, self._closed = self._open, None, True
        if opened is not None:
            await asyncio.to_thread(_close_client, opened.client)

    async def _run(self, work: Callable[[_Open], _T]) -> _T:
        return await asyncio.to_thread(lambda: work(self._opened()))

    def _add(self, opened: _Open, records: Sequence[VectorRecord]) -> None:
        metadatas = [record_metadata(record) for record in records]
        # Chroma caps one write; LangChain embeds and writes whatever it is given.
        batch = opened.client.get_max_batch_size()
        for start in range(0, len(records), batch):
            chunk = records[start : start + batch]
            opened.store.add_texts(
                [record.text for record in chunk],
                metadatas=[dict(m) for m in metadatas[start : start + batch]],
                ids=[record.id for record in chunk],
            )

    def _opened(self) -> _Open:
        with self._lock:
            if self._closed:
                raise RuntimeError("the vector store is closed")
            if self._open is None:
                self._open = self._open_collection()
            return self._open

    def _open_collection(self) -> _Open:
        client = self._connect()
        try:
            function = TutorEmbeddingFunction.wrapping(self._embeddings)
            collection = _our_collection(client, self._collection_name, function)
            store = Chroma(
                client=client,
                collection_name=self._collection_name,
                embedding_function=self._embeddings,
                create_collection_if_not_exists=False,
            )
        except BaseException:
            _close_client(client)
            raise
        _log.info("vectors: %s, collection %r", self._where, self._collection_name)
        return _Open(client, collection, store)


def _our_collection(client: ClientAPI, name: str, function: TutorEmbeddingFunction) -> Collection:
    """Get or create ``name`` with our embedding function; refuse another model's vectors."""
    try:
        collection = client.get_or_create_collection(
            name=name,
            embedding_function=function,
            configuration={"hnsw": {"space": function.default_space()}},
        )
    except ValueError as error:
        raise ConfigurationError(
            f"Chroma collection {name!r} was made with another embedding function ({error}); "
            "delete it (vectors are rebuilt from the database) or set TUTOR_CHROMA_COLLECTION"
        ) from error
    persisted = collection.configuration_json.get("embedding_function") or {}
    stored_model = (persisted.get("config") or {}).get("model_id")
    if persisted.get("name") != EMBEDDING_FUNCTION_NAME or stored_model != function.model_id:
        raise ConfigurationError(
            f"Chroma collection {name!r} holds vectors of {stored_model or persisted!r}, "
            f"not of {function.model_id!r}; delete it (vectors are rebuilt from the database) "
            "or set TUTOR_CHROMA_COLLECTION"
        )
    return collection


def _close_client(client: ClientAPI) -> None:
    if not isinstance(client, Client):
        return
    # The client and its inner admin client each hold a System with its own server API.
    servers = [getattr(client, "_server", None)]
    servers.append(getattr(getattr(client, "_admin_client", None), "_server", None))
    client.close()
    # chromadb stops a System on its last close but leaves the HTTP server API's
    # connection pool open (an unclosed socket); close the pools no System still runs.
    for server in servers:
        session = getattr(server, "_session", None)
        if isinstance(session, httpx.Client) and not getattr(server, "_running", True):
            session.close()


def _cosine(left: np.ndarray[Any, Any], right: Sequence[float] | np.ndarray[Any, Any]) -> float:
    other = np.asarray(right, dtype=np.float32)
    norms = float(np.linalg.norm(left) * np.linalg.norm(other))
    return float(np.dot(left, other)) / norms if norms else 0.0
