"""Embedding adapters registered by provider name, and the builder that picks one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from langchain_core.embeddings import Embeddings

from tutor.config import EmbeddingSettings
from tutor.embeddings._sentence_transformers import SentenceTransformerEmbeddings
from tutor.errors import ConfigurationError

EmbeddingsFactory = Callable[[EmbeddingSettings, str | None], Embeddings]
"""Builds an adapter from the embedding settings and the Ollama server URL (if any)."""


def _sentence_transformers(settings: EmbeddingSettings, ollama_url: str | None) -> Embeddings:
    return SentenceTransformerEmbeddings(
        batch_size=settings.batch_size,
        threads=settings.threads,
        batch_threads=settings.batch_threads,
        max_tokens=settings.max_tokens,
    )


def _ollama(settings: EmbeddingSettings, ollama_url: str | None) -> Embeddings:
    if not ollama_url:
        raise ConfigurationError(
            "TUTOR_EMBEDDINGS_PROVIDER=ollama needs the server's URL in TUTOR_OLLAMA_URL"
        )
    # Imported here: the Ollama client is only needed when this provider is chosen.
    from langchain_ollama import OllamaEmbeddings

    return OllamaEmbeddings(model=settings.model, base_url=ollama_url)


EMBEDDINGS_FACTORIES: Mapping[str, EmbeddingsFactory] = MappingProxyType(
    {
        "sentence-transformers": _sentence_transformers,
        "ollama": _ollama,
    }
)
"""Every embedding provider, by the name ``TUTOR_EMBEDDINGS_PROVIDER`` uses."""


def build_embeddings(settings: EmbeddingSettings, *, ollama_url: str | None = None) -> Embeddings:
    """Build the embeddings adapter the settings name; no model is loaded yet.

    Args:
        settings: The embedding section of the settings.
        ollama_url: The Ollama server (``TUTOR_OLLAMA_URL``), needed by ``ollama``.

    Raises:
        ConfigurationError: The provider is unknown or lacks a setting it needs.
    """
    factory = EMBEDDINGS_FACTORIES.get(settings.provider)
    if factory is None:
        known = ", ".join(sorted(EMBEDDINGS_FACTORIES))
        raise ConfigurationError(
            f"unknown embeddings provider {settings.provider!r}; known: {known}"
        )
    return factory(settings, ollama_url)
