"""A deterministic fake chat model that streams, for tests and load tests."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from tutor.config import LLMSettings
from tutor.llm.base import ChatModel
from tutor.llm.schema_example import example_for_schema

_TOKEN = re.compile(r"\s*\S+\s*|\s+")
"""A word with the spaces around it, so the tokens join back into the exact reply."""


_FIRST_PASSAGE = re.compile(r"^\[1\] \([^\n]*\)\n(?P<text>(?:.+\n?)+)", re.MULTILINE)
"""The first passage a prompt lists: ``[1] (heading)`` then its text up to a blank line."""
_QUOTED_WORDS = 40
"""Words of the first passage the fake repeats."""
HISTORY_KEPT = 1000
"""Requests the fake remembers: a load test's server asks it without end."""


@dataclass(frozen=True)
class FakeRequest:
    """One thing the fake model was asked."""

    messages: tuple[BaseMessage, ...]
    """The conversation it was given."""
    schema: dict[str, Any] | None = None
    """The JSON schema asked for, for structured requests."""


def split_tokens(text: str) -> list[str]:
    """Split ``text`` into the tokens the fake streams: words with their spaces."""
    return _TOKEN.findall(text)


class FakeChatModel(ChatModel):
    """Replies from a queue, or by echoing the learner, streamed word by word.

    ``enqueue`` queues replies for chat calls and ``enqueue_json`` for structured
    calls; with an empty queue a chat reply echoes the last human message and a
    structured reply is the simplest value the schema allows. ``history`` records
    the latest requests.
    """

    replies: deque[str] = Field(default_factory=deque)
    """Queued chat replies, first out first."""
    json_replies: deque[str] = Field(default_factory=deque)
    """Queued structured replies (JSON text), first out first."""
    history: deque[FakeRequest] = Field(default_factory=lambda: deque(maxlen=HISTORY_KEPT))
    """The latest requests (up to :data:`HISTORY_KEPT`), oldest first."""
    tokens_per_second: float | None = None
    """Pace of the stream; ``None`` streams as fast as possible."""

    @property
    def _llm_type(self) -> str:
        return "fake"

    @property
    def where(self) -> str:
        """In this process, scripted."""
        return "fake chat model in process (deterministic)"

    def enqueue(self, *replies: str) -> None:
        """Queue chat replies, returned in order by the next calls."""
        self.replies.extend(replies)

    def enqueue_json(self, *replies: str | Mapping[str, Any] | pydantic.BaseModel) -> None:
        """Queue structured replies: JSON text, or a value serialised to JSON."""
        for reply in replies:
            if isinstance(reply, pydantic.BaseModel):
                reply = reply.model_dump_json()
            elif not isinstance(reply, str):
                reply = json.dumps(reply)
            self.json_replies.append(reply)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = self._next_reply(messages)
        time.sleep(self._delay * len(split_tokens(reply)))
        return _result(reply)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = self._next_reply(messages)
        await asyncio.sleep(self._delay * len(split_tokens(reply)))
        return _result(reply)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for token in split_tokens(self._next_reply(messages)):
            time.sleep(self._delay)
            yield ChatGenerationChunk(message=AIMessageChunk(content=token))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for token in split_tokens(self._next_reply(messages)):
            # Always yield to the loop, as a real model's stream does between tokens.
            await asyncio.sleep(self._delay)
            yield ChatGenerationChunk(message=AIMessageChunk(content=token))

    async def agenerate_json(self, messages: Sequence[BaseMessage], schema: dict[str, Any]) -> str:
        """Return the next queued JSON reply, or the simplest value ``schema`` allows."""
        self.history.append(FakeRequest(tuple(messages), schema))
        if self.json_replies:
            return self.json_replies.popleft()
        return json.dumps(example_for_schema(schema))

    async def ping(self) -> str:
        """Always ready."""
        return "fake chat model"

    def close(self) -> None:
        """Nothing to free."""

    @property
    def _delay(self) -> float:
        return 1 / self.tokens_per_second if self.tokens_per_second else 0.0

    def _next_reply(self, messages: Sequence[BaseMessage]) -> str:
        self.history.append(FakeRequest(tuple(messages)))
        if self.replies:
            return self.replies.popleft()
        return default_reply(messages)


def default_reply(messages: Sequence[BaseMessage]) -> str:
    """The fake's reply when nothing is queued.

    Given numbered passages (the tutor's lesson and answer prompts list them as ``[1]
    (heading)`` then the text), it repeats the first passage's opening, citing it, so
    that a conversation with the fake reads like one grounded in the notes. Otherwise it
    echoes the last human message.
    """
    for message in messages:
        if isinstance(message, SystemMessage) and (found := _FIRST_PASSAGE.search(message.text)):
            quoted = " ".join(found["text"].split()[:_QUOTED_WORDS])
            # Each sentence cited, as a grounded answer would be.
            return " ".join(
                sentence.rstrip(".,;:!?") + " [1]."
                for sentence in re.split(r"(?<=[.!?])\s+", quoted)
                if sentence.strip()
            )
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return f"You said: {message.text}"
    return "Hello from the fake chat model."


def _result(reply: str) -> ChatResult:
    # A new message every time: LangChain assigns its id, and a reused object would
    # carry the previous reply's id.
    return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])


def build_fake_chat_model(settings: LLMSettings, models_dir: Path) -> FakeChatModel:
    """Build the fake chat model, streaming at ``fake_tokens_per_second`` when set."""
    return FakeChatModel(tokens_per_second=settings.fake_tokens_per_second)
