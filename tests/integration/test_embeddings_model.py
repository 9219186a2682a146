"""The real all-MiniLM-L6-v2, loaded once for the module, with the network blocked."""

import math
import os
import platform
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.test_native_heap import mapped_after_a_larger_block_is_freed
from tutor.config import ChromaSettings, EmbeddingSettings
from tutor.embeddings import SentenceTransformerEmbeddings, build_embeddings
from tutor.vectors import VectorRecord, build_vector_store

pytestmark = pytest.mark.integration


def _no_network(*args: object, **kwargs: object) -> None:
    raise AssertionError("the embedding model tried to reach the network")


@pytest.fixture(scope="module")
def model() -> Iterator[SentenceTransformerEmbeddings]:
    embeddings = build_embeddings(EmbeddingSettings())
    assert isinstance(embeddings, SentenceTransformerEmbeddings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _no_network)
        patch.setattr(socket, "create_connection", _no_network)
        embeddings.load()
        embeddings.embed_query("warm up")
    yield embeddings


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mmap threshold")
@pytest.mark.skipif("MALLOC_MMAP_THRESHOLD_" in os.environ, reason="set by the operator")
def test_a_loaded_model_leaves_large_blocks_mapped(model: SentenceTransformerEmbeddings) -> None:
    # The model ran in this process; a large block it freed must not have moved glibc's
    # threshold, or torch's next buffers would stay in the heap for good.
    model.embed_documents(["ownership " * 200, "a short one"])
    assert mapped_after_a_larger_block_is_freed() >= 4 << 20


def test_the_model_loads_offline(model: SentenceTransformerEmbeddings) -> None:
    assert model.loaded
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_vectors_have_384_dimensions_and_unit_length(model: SentenceTransformerEmbeddings) -> None:
    assert model.dimension == 384
    vectors = model.embed_documents(["A short sentence.", "Another, somewhat longer, sentence."])
    vectors.append(model.embed_query("a query"))
    for vector in vectors:
        assert len(vector) == 384
        assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, rel_tol=1e-4)


def test_similar_sentences_score_higher_than_unrelated_ones(
    model: SentenceTransformerEmbeddings,
) -> None:
    anchor, paraphrase, unrelated = model.embed_documents(
        [
            "The derivative tells you how fast a function is changing.",
            "A derivative measures the rate of change of a function.",
            "The museum opens at nine on Sunday mornings.",
        ]
    )
    assert _cosine(anchor, paraphrase) > 0.6
    assert _cosine(anchor, paraphrase) > _cosine(anchor, unrelated) + 0.3


async def test_async_embedding_matches_sync(model: SentenceTransformerEmbeddings) -> None:
    texts = ["Photosynthesis turns light into chemical energy.", "Mitochondria make ATP."]
    sync = model.embed_documents(texts)
    together = await model.aembed_documents(texts)
    alone = await model.aembed_query(texts[0])
    for left, right in [(sync[0], together[0]), (sync[1], together[1]), (sync[0], alone)]:
        assert _cosine(left, right) > 0.9999


async def test_retrieval_through_chroma_finds_the_passage_a_question_is_about(
    model: SentenceTransformerEmbeddings, tmp_path: Path
) -> None:
    notes = [
        ("n1", "A derivative measures the instantaneous rate of change of a function."),
        ("n2", "An integral accumulates a quantity, such as the area under a curve."),
        ("n3", "A prime number has exactly two divisors: one and itself."),
    ]
    store = build_vector_store(ChromaSettings(), tmp_path, model)
    try:
        await store.add([VectorRecord(i, "alice", text) for i, text in notes])
        await store.add([VectorRecord("x1", "bob", "Speed is how fast position changes.")])
        hits = await store.search("alice", "How quickly is the function changing?", k=3)
        assert hits[0].id == "n1"
        assert hits[0].score > hits[-1].score
        diverse = await store.search_mmr("alice", "area under a curve", k=2)
        assert diverse[0].id == "n2"
        assert all(hit.metadata["owner"] == "alice" for hit in hits + diverse)
    finally:
        await store.close()
