import asyncio
import threading
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from langchain_ollama import OllamaEmbeddings

from tutor.config import EmbeddingSettings
from tutor.embeddings import (
    EMBEDDINGS_FACTORIES,
    SentenceTransformerEmbeddings,
    build_embeddings,
)
from tutor.errors import ConfigurationError


class RecordingEncoder:
    """Stands in for a SentenceTransformer: records calls and the threads they ran on."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict[str, Any]]] = []
        self.threads: list[int] = []

    def encode(self, sentences: list[str], **options: Any) -> npt.NDArray[np.float32]:
        self.calls.append((sentences, options))
        self.threads.append(threading.get_ident())
        rows = np.ones((len(sentences), 3), dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    def get_embedding_dimension(self) -> int | None:
        return 3


class Loader:
    def __init__(self) -> None:
        self.encoder = RecordingEncoder()
        self.devices: list[str] = []
        self.threads: list[int | None] = []

    def __call__(self, device: str, threads: int | None) -> RecordingEncoder:
        self.devices.append(device)
        self.threads.append(threads)
        return self.encoder


def test_building_does_not_load_the_model() -> None:
    loader = Loader()
    embeddings = SentenceTransformerEmbeddings(load=loader)
    assert not embeddings.loaded
    assert loader.devices == []


def test_first_use_loads_once_on_cpu_and_encodes_normalized_batches() -> None:
    loader = Loader()
    embeddings = SentenceTransformerEmbeddings(batch_size=7, load=loader)
    vectors = embeddings.embed_documents(["a", "b"])
    embeddings.embed_query("c")
    assert loader.devices == ["cpu"]
    assert loader.threads == [1]
    assert embeddings.loaded
    assert len(vectors) == 2 and len(vectors[0]) == 3
    sentences, options = loader.encoder.calls[0]
    assert sentences == ["a", "b"]
    assert options["batch_size"] == 7
    assert options["normalize_embeddings"] is True
    assert embeddings.dimension == 3


def test_no_texts_means_no_model() -> None:
    loader = Loader()
    assert SentenceTransformerEmbeddings(load=loader).embed_documents([]) == []
    assert loader.devices == []


async def test_async_methods_encode_off_the_event_loop_thread() -> None:
    loader = Loader()
    embeddings = SentenceTransformerEmbeddings(load=loader)
    loop_thread = threading.get_ident()
    await embeddings.aembed_query("q")
    await embeddings.aembed_documents(["d1", "d2"])
    assert loader.encoder.threads
    assert loop_thread not in loader.encoder.threads


async def test_concurrent_first_calls_load_the_model_once() -> None:
    loader = Loader()
    embeddings = SentenceTransformerEmbeddings(load=loader)
    await asyncio.gather(*(embeddings.aembed_query(str(i)) for i in range(8)))
    assert loader.devices == ["cpu"]


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        SentenceTransformerEmbeddings(batch_size=0)


def test_registry_names_every_provider_the_settings_allow() -> None:
    assert set(EMBEDDINGS_FACTORIES) == {"sentence-transformers", "ollama"}


def test_default_build_is_sentence_transformers_with_the_configured_batch() -> None:
    embeddings = build_embeddings(EmbeddingSettings(batch_size=16))
    assert isinstance(embeddings, SentenceTransformerEmbeddings)
    assert embeddings.batch_size == 16
    assert not embeddings.loaded


def test_ollama_build_points_at_the_ollama_server() -> None:
    settings = EmbeddingSettings(provider="ollama", model="all-minilm")
    embeddings = build_embeddings(settings, ollama_url="http://127.0.0.1:11434")
    assert isinstance(embeddings, OllamaEmbeddings)
    assert embeddings.base_url == "http://127.0.0.1:11434"
    assert embeddings.model == "all-minilm"


def test_ollama_without_a_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="TUTOR_OLLAMA_URL"):
        build_embeddings(EmbeddingSettings(provider="ollama"))


def test_torch_threads_can_be_left_to_torch() -> None:
    loader = Loader()
    SentenceTransformerEmbeddings(threads=None, load=loader).load()
    assert loader.threads == [None]
