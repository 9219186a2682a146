"""The Chroma adapter's pieces that need no Chroma: URL parsing and our embedding function."""

from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from tutor.config import ChromaSettings
from tutor.embeddings import FakeEmbeddings
from tutor.errors import ConfigurationError
from tutor.vectors import build_vector_store
from tutor.vectors.chroma import (
    EMBEDDING_FUNCTION_NAME,
    ChromaServer,
    TutorEmbeddingFunction,
    embeddings_model_id,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://chroma:8000", ChromaServer("chroma", 8000, False)),
        ("http://10.0.0.5", ChromaServer("10.0.0.5", 8000, False)),
        ("https://vectors.example.org", ChromaServer("vectors.example.org", 443, True)),
        ("https://vectors.example.org:9443/", ChromaServer("vectors.example.org", 9443, True)),
        ("http://[::1]:8001", ChromaServer("::1", 8001, False)),
    ],
)
def test_server_urls(url: str, expected: ChromaServer) -> None:
    assert ChromaServer.from_url(url) == expected


@pytest.mark.parametrize(
    "url", ["chroma:8000", "ftp://chroma", "http://", "http://chroma/api", "http://chroma:port"]
)
def test_bad_server_urls(url: str) -> None:
    with pytest.raises(ConfigurationError, match="TUTOR_CHROMA_URL"):
        ChromaServer.from_url(url)


def test_server_url_round_trip() -> None:
    assert ChromaServer.from_url("http://[::1]:8001").url == "http://[::1]:8001"
    assert ChromaServer.from_url("https://h").url == "https://h:443"


def test_the_builder_connects_lazily_and_says_where(tmp_path: Path) -> None:
    embedded = build_vector_store(ChromaSettings(), tmp_path, FakeEmbeddings())
    assert embedded.where == f"embedded Chroma in {tmp_path / 'chroma'}"
    assert not (tmp_path / "chroma").exists()
    server = build_vector_store(ChromaSettings(url="http://h:1"), tmp_path, FakeEmbeddings())
    assert server.where == "Chroma server at http://h:1"


def test_our_embedding_function_embeds_with_our_embeddings() -> None:
    embeddings = FakeEmbeddings(8)
    function = TutorEmbeddingFunction.wrapping(embeddings)
    documents = function(["alpha beta", "gamma"])
    queries = function.embed_query(["alpha beta"])
    assert embeddings.history == ["alpha beta", "gamma", "alpha beta"]
    np.testing.assert_allclose(documents[0], queries[0])
    assert len(documents) == 2 and documents[0].shape == (8,)


def test_our_embedding_function_persists_the_model_and_rebuilds_unbound() -> None:
    function = TutorEmbeddingFunction.wrapping(FakeEmbeddings(8))
    assert function.name() == EMBEDDING_FUNCTION_NAME
    assert function.get_config() == {"model_id": "fake-hashed-words-8"}
    assert function.default_space() == "cosine"
    assert not function.is_legacy()
    rebuilt = TutorEmbeddingFunction.build_from_config(function.get_config())
    assert rebuilt.model_id == "fake-hashed-words-8"
    with pytest.raises(RuntimeError, match="the tutor passes vectors"):
        rebuilt(["text"])


def test_model_ids_for_embeddings_without_one() -> None:
    class Named(Embeddings):
        model = "nomic-embed-text"

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return []

        def embed_query(self, text: str) -> list[float]:
            return []

    assert embeddings_model_id(FakeEmbeddings(4)) == "fake-hashed-words-4"
    assert embeddings_model_id(Named()) == "Named:nomic-embed-text"
