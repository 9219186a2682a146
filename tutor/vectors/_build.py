"""The builder that picks the vector store adapter from the settings."""

from __future__ import annotations

from pathlib import Path

from langchain_core.embeddings import Embeddings

from tutor.config import ChromaSettings
from tutor.vectors._port import VectorStore


def build_vector_store(
    settings: ChromaSettings, data_dir: Path, embeddings: Embeddings
) -> VectorStore:
    """The Chroma store the settings name: a server, or files in ``data_dir/chroma``.

    Nothing connects yet: the first call (or :meth:`VectorStore.ping`) does.

    Raises:
        ConfigurationError: ``TUTOR_CHROMA_URL`` is malformed.
    """
    # Imported here: chromadb and langchain-chroma take seconds to import.
    from tutor.vectors.chroma import ChromaVectorStore

    return ChromaVectorStore.from_settings(settings, data_dir, embeddings)
