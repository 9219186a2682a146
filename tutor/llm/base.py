"""The chat-model port: a LangChain chat model with structured output and a readiness check."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage


class ChatModel(BaseChatModel, ABC):
    """What the tutor needs from any chat model, on top of LangChain's streaming interface.

    Every adapter streams its reply token by token through ``astream`` (and so through
    LangGraph's ``stream_mode="messages"``), answers in JSON constrained to a schema, and
    can tell a readiness probe whether it is able to answer.
    """

    @abstractmethod
    async def agenerate_json(self, messages: Sequence[BaseMessage], schema: dict[str, Any]) -> str:
        """Reply with JSON text constrained to ``schema``.

        The request bypasses LangChain callbacks, so the JSON never shows up in a
        token stream meant for the learner.

        Args:
            messages: The conversation to answer.
            schema: A JSON schema the reply must follow.

        Returns:
            The reply text, which should parse as JSON valid against ``schema``.
        """

    @property
    @abstractmethod
    def where(self) -> str:
        """Where the model runs, in words, for status pages (no secrets)."""

    @abstractmethod
    async def ping(self) -> str:
        """Check that the model can answer.

        Returns:
            A short description of the model that answered.

        Raises:
            ModelUnavailableError: The model cannot answer.
        """

    @abstractmethod
    def close(self) -> None:
        """Free what the model holds; the model cannot answer afterwards.

        Closing twice is harmless.
        """

    async def aclose(self) -> None:
        """Like :meth:`close`, for async code: the event loop is not blocked meanwhile."""
        await asyncio.to_thread(self.close)
