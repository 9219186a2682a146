"""The Chroma adapter on a real embedded Chroma (``PersistentClient`` in a temp dir)."""

import threading
from collections.abc import AsyncIterator
from pathlib import Path

import chromadb
import pytest
from chromadb.api.client import Client
from chromadb.api.types import DefaultEmbeddingFunction
from chromadb.config import Settings
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

from tests.unit.test_vectors_contract import BOBS, CALCULUS, VectorStoreContract
from tutor.config import ChromaSettings
from tutor.embeddings import FakeEmbeddings
from tutor.errors import ConfigurationError
from tutor.vectors import VectorRecord, VectorStore, build_vector_store
from tutor.vectors.chroma import EMBEDDING_FUNCTION_NAME

pytestmark = pytest.mark.integration


class ThreadRecordingEmbeddings(FakeEmbeddings):
    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()

    def _embed(self, text: str) -> list[float]:
        self.threads.add(threading.get_ident())
        return super()._embed(text)


def _open(data_dir: Path, embeddings: FakeEmbeddings) -> VectorStore:
    return build_vector_store(ChromaSettings(collection="chunks"), data_dir, embeddings)


@pytest.fixture
def no_chroma_default_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes any use of Chroma's own ONNX embedder (which downloads a model) fail loudly."""

    def refuse(self: object, input: object) -> None:
        raise AssertionError("Chroma's default embedding function was used")

    monkeypatch.setattr(DefaultEmbeddingFunction, "__call__", refuse)
    monkeypatch.setattr(ONNXMiniLM_L6_V2, "__call__", refuse)
    monkeypatch.setattr(ONNXMiniLM_L6_V2, "_download_model_if_not_exists", refuse)


class TestEmbeddedChroma(VectorStoreContract):
    @pytest.fixture
    async def store(
        self, tmp_path: Path, no_chroma_default_embedder: None
    ) -> AsyncIterator[VectorStore]:
        store = _open(tmp_path, FakeEmbeddings())
        yield store
        await store.close()


async def test_vectors_survive_reopening_the_client(tmp_path: Path) -> None:
    first = _open(tmp_path, FakeEmbeddings())
    await first.add(CALCULUS + BOBS)
    await first.close()
    assert (tmp_path / "chroma").is_dir()

    second = _open(tmp_path, FakeEmbeddings())
    try:
        assert await second.count() == 7
        hits = await second.search("alice", "the chain rule", k=1)
        assert hits[0].id == "a-d2-0"
        assert "7 vectors" in await second.ping()
    finally:
        await second.close()


async def test_the_collection_embeds_only_with_our_embeddings(
    tmp_path: Path, no_chroma_default_embedder: None
) -> None:
    embeddings = FakeEmbeddings()
    store = _open(tmp_path, embeddings)
    try:
        await store.add(CALCULUS)
        await store.search("alice", "what is a derivative", k=2)
        await store.search_mmr("alice", "chain rule", k=2)
    finally:
        await store.close()
    assert [record.text for record in CALCULUS] == embeddings.history[: len(CALCULUS)]
    assert "what is a derivative" in embeddings.history
    assert "chain rule" in embeddings.history

    # Any client that opens the collection finds our function on it, not Chroma's default,
    # and text it is asked to embed is refused instead of sent to a downloaded model.
    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=Settings(anonymized_telemetry=False)
    )
    try:
        collection = client.get_collection("chunks")
        configured = collection.configuration_json["embedding_function"]
        assert configured["name"] == EMBEDDING_FUNCTION_NAME
        assert configured["config"] == {"model_id": embeddings.model_id}
        assert collection.configuration_json["hnsw"]["space"] == "cosine"
        with pytest.raises(RuntimeError, match="the tutor passes vectors"):
            collection.query(query_texts=["derivative"], n_results=1)
    finally:
        client.close()


async def test_a_collection_of_another_models_vectors_is_refused(tmp_path: Path) -> None:
    first = _open(tmp_path, FakeEmbeddings(384))
    await first.add(CALCULUS[:1])
    await first.close()
    other = _open(tmp_path, FakeEmbeddings(64))
    with pytest.raises(ConfigurationError, match="fake-hashed-words-384"):
        await other.ping()
    await other.close()


async def test_chroma_work_runs_off_the_event_loop_thread(tmp_path: Path) -> None:
    embeddings = ThreadRecordingEmbeddings()
    store = _open(tmp_path, embeddings)
    try:
        await store.add(CALCULUS)
        await store.search("alice", "derivative")
        await store.search_mmr("alice", "derivative")
    finally:
        await store.close()
    assert embeddings.threads
    assert threading.get_ident() not in embeddings.threads


async def test_large_adds_are_split_into_batches_chroma_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Client, "get_max_batch_size", lambda self: 2)
    store = _open(tmp_path, FakeEmbeddings())
    try:
        await store.add(
            [VectorRecord(f"c{i}", "alice", f"chunk number {i}", {"position": i}) for i in range(5)]
        )
        assert await store.count("alice") == 5
    finally:
        await store.close()


async def test_a_closed_store_refuses_work(tmp_path: Path) -> None:
    store = _open(tmp_path, FakeEmbeddings())
    await store.ping()
    await store.close()
    await store.close()
    with pytest.raises(RuntimeError, match="closed"):
        await store.count()
