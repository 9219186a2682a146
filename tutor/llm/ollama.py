"""Chat model served by an Ollama server, through langchain-ollama."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
from langchain_core.messages import BaseMessage
from langchain_ollama import ChatOllama
from ollama import ResponseError

from tutor.config import LLMSettings
from tutor.llm.base import ChatModel
from tutor.llm.errors import GenerationError, ModelUnavailableError

_UNREACHABLE = (ConnectionError, httpx.HTTPError)
"""What the ollama client raises when the server cannot be reached."""


class OllamaChatModel(ChatOllama, ChatModel):
    """``ChatOllama`` with the tutor's structured output, readiness check and closing."""

    async def agenerate_json(self, messages: Sequence[BaseMessage], schema: dict[str, Any]) -> str:
        """Reply with JSON constrained by Ollama's ``format`` to ``schema``."""
        try:
            # Straight to the generation hook: no callbacks, so the JSON never reaches
            # a token stream meant for the learner.
            result = await self._agenerate(list(messages), format=schema)
        except ResponseError as exc:
            raise GenerationError(f"Ollama refused the request: {exc.error}") from exc
        except _UNREACHABLE as exc:
            raise ModelUnavailableError(f"Ollama at {self.base_url} is unreachable") from exc
        return result.generations[0].message.text

    @property
    def where(self) -> str:
        """The server and the model on it."""
        return f"Ollama at {self.base_url}: {self.model}"

    async def ping(self) -> str:
        """List the server's models; the probe fails unless this model is among them."""
        try:
            listing = await self._async_client.list()
        except (ResponseError, *_UNREACHABLE) as exc:
            raise ModelUnavailableError(f"Ollama at {self.base_url} is unreachable") from exc
        names = {entry.model for entry in listing.models if entry.model}
        # Ollama lists "name:latest" for a model pulled as plain "name".
        if self.model not in names and f"{self.model}:latest" not in names:
            raise ModelUnavailableError(f"Ollama at {self.base_url} has no model {self.model!r}")
        return f"Ollama {self.model} at {self.base_url}"

    def close(self) -> None:
        """Close the synchronous client's connections (``aclose`` closes both)."""
        close_sync: Callable[[], None] = self._client.close  # the ollama client is untyped
        close_sync()

    async def aclose(self) -> None:
        """Close both HTTP clients' connections."""
        self.close()
        close_async: Callable[[], Awaitable[None]] = self._async_client.close
        await close_async()


def build_ollama_chat_model(settings: LLMSettings, models_dir: Path) -> OllamaChatModel:
    """Build the Ollama chat model from settings; no request is made yet.

    Args:
        settings: The chat-model settings; ``ollama_url`` must be set.
        models_dir: Unused: Ollama keeps its own models.

    Returns:
        The chat model.

    Raises:
        ModelUnavailableError: ``TUTOR_OLLAMA_URL`` is not set.
    """
    if not settings.ollama_url:
        raise ModelUnavailableError("the ollama provider needs TUTOR_OLLAMA_URL")
    return OllamaChatModel(
        base_url=settings.ollama_url,
        model=settings.model,
        temperature=settings.temperature,
        num_predict=settings.max_tokens,
        num_ctx=settings.context_size,
    )
