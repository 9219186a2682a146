"""LlamaCppChatModel: threads, streaming and cancellation, against a scripted server."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing
from typing import Any, cast

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)

from tutor.llm import GenerationError, LlamaCppChatModel, ModelUnavailableError
from tutor.llm.llamacpp import ChunkCallback


def token_chunk(text: str) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}


FINAL_CHUNKS: list[dict[str, Any]] = [
    {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    {
        "choices": [],
        "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
    },
]


class ScriptedServer:
    """Speaks like xllamacpp.Server.handle_chat_completions, from a script."""

    def __init__(
        self,
        tokens: list[str],
        *,
        endless: bool = False,
        pace: float = 0.0,
        barrier: threading.Barrier | None = None,
        gate: threading.Event | None = None,
    ) -> None:
        self.tokens = tokens
        self.endless = endless
        self.pace = pace
        self.barrier = barrier
        self.gate = gate
        self.requests: list[dict[str, Any]] = []
        self.cancelled = threading.Event()

    def handle_chat_completions(self, request: dict[str, Any], callback: ChunkCallback) -> None:
        self.requests.append(request)
        if self.barrier is not None:
            self.barrier.wait()
        if self.gate is not None:
            self.gate.wait(timeout=10)
        callback({"choices": [{"index": 0, "delta": {"role": "assistant", "content": None}}]})
        tokens: Iterator[str] = itertools.cycle(self.tokens) if self.endless else iter(self.tokens)
        for text in tokens:
            time.sleep(self.pace)
            if callback(token_chunk(text)):
                self.cancelled.set()
                return
        for chunk in FINAL_CHUNKS:
            callback(chunk)


class FailingServer:
    def __init__(self, reply: dict[str, Any] | None) -> None:
        self.reply = reply

    def handle_chat_completions(self, request: dict[str, Any], callback: ChunkCallback) -> None:
        if self.reply is None:
            raise RuntimeError("native failure")
        callback(self.reply)


@pytest.fixture
def server() -> ScriptedServer:
    return ScriptedServer(["Light ", "becomes ", "sugar."])


@pytest.fixture
def model(server: ScriptedServer) -> Iterator[LlamaCppChatModel]:
    chat = LlamaCppChatModel(server, model_name="scripted", max_tokens=32, temperature=0.5)
    yield chat
    chat.close()


async def test_astream_yields_each_token_then_the_final_metadata(model: LlamaCppChatModel) -> None:
    chunks = [chunk async for chunk in model.astream("What is photosynthesis?")]

    assert [chunk.content for chunk in chunks] == ["Light ", "becomes ", "sugar.", ""]
    last = chunks[-1]
    assert last.chunk_position == "last"
    assert last.response_metadata["finish_reason"] == "stop"
    assert last.response_metadata["model_name"] == "scripted"
    assert last.usage_metadata == {"input_tokens": 7, "output_tokens": 3, "total_tokens": 10}


async def test_the_request_carries_the_conversation_and_settings(
    model: LlamaCppChatModel, server: ScriptedServer
) -> None:
    conversation: list[BaseMessage | str] = [
        SystemMessage("Be brief."),
        HumanMessage("Hi"),
        AIMessage("Hello"),
        "More",
    ]

    await model.ainvoke(conversation, stop=["\n\n"], max_tokens=5)

    [request] = server.requests
    assert request["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": "More"},
    ]
    assert request["stop"] == ["\n\n"]
    assert (request["max_tokens"], request["temperature"]) == (5, 0.5)
    assert request["stream"] is True
    assert request["stream_options"] == {"include_usage": True}


async def test_ainvoke_returns_the_whole_reply(model: LlamaCppChatModel) -> None:
    reply = await model.ainvoke("x")

    assert reply.content == "Light becomes sugar."
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["output_tokens"] == 3
    assert reply.response_metadata["finish_reason"] == "stop"


def test_sync_invoke_and_stream(model: LlamaCppChatModel) -> None:
    assert model.invoke("x").content == "Light becomes sugar."
    assert [chunk.content for chunk in model.stream("x")] == ["Light ", "becomes ", "sugar.", ""]


async def test_json_requests_ask_for_compact_schema_constrained_output(
    model: LlamaCppChatModel, server: ScriptedServer
) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}

    reply = await model.agenerate_json([HumanMessage("JSON please")], schema)

    assert reply == "Light becomes sugar."
    response_format = server.requests[0]["response_format"]
    assert response_format["type"] == "json_schema"
    sent = response_format["json_schema"]["schema"]
    assert sent == {**schema, "x-guidance": {"whitespace_flexible": False}}


async def test_the_event_loop_runs_while_llama_cpp_blocks() -> None:
    gate = threading.Event()
    chat = LlamaCppChatModel(ScriptedServer(["a"], gate=gate))
    try:
        reply = asyncio.create_task(chat.ainvoke("x"))
        ticks = 0
        while ticks < 5:
            await asyncio.sleep(0.001)
            ticks += 1
        assert not reply.done()
        gate.set()
        assert (await reply).content == "a"
    finally:
        chat.close()


async def test_requests_run_at_once_up_to_the_slots() -> None:
    server = ScriptedServer(["x"], barrier=threading.Barrier(3, timeout=10))
    chat = LlamaCppChatModel(server, parallel=3)
    try:
        replies = await asyncio.gather(*(chat.ainvoke(str(n)) for n in range(3)))
    finally:
        chat.close()

    assert [reply.content for reply in replies] == ["x", "x", "x"]


async def test_closing_the_stream_cancels_the_request() -> None:
    server = ScriptedServer(["tick "], endless=True, pace=0.002)
    chat = LlamaCppChatModel(server)
    try:
        stream = cast(AsyncGenerator[AIMessageChunk, None], chat.astream("forever"))
        async with aclosing(stream):
            async for chunk in stream:
                if chunk.content:
                    break
        assert await asyncio.to_thread(server.cancelled.wait, 10)
        await wait_until_idle(chat)
    finally:
        chat.close()


async def test_cancelling_the_task_cancels_the_request() -> None:
    server = ScriptedServer(["tick "], endless=True, pace=0.002)
    chat = LlamaCppChatModel(server)
    received = asyncio.Event()

    async def consume() -> None:
        async for _ in chat.astream("forever"):
            received.set()

    try:
        task = asyncio.create_task(consume())
        await received.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(server.cancelled.wait, 10)
        await wait_until_idle(chat)
    finally:
        chat.close()


async def test_an_error_chunk_raises_generation_error() -> None:
    error = {"error": {"code": 400, "message": "request (1509 tokens) exceeds the context"}}
    chat = LlamaCppChatModel(FailingServer(error))
    try:
        with pytest.raises(GenerationError, match="exceeds the context"):
            await chat.ainvoke("x")
        with pytest.raises(GenerationError, match="exceeds the context"):
            [_ async for _ in chat.astream("x")]
        with pytest.raises(ModelUnavailableError, match="cannot answer"):
            await chat.ping()
    finally:
        chat.close()


async def test_a_native_failure_raises_generation_error() -> None:
    chat = LlamaCppChatModel(FailingServer(None))
    try:
        with pytest.raises(GenerationError, match="native failure"):
            await chat.ainvoke("x")
    finally:
        chat.close()


async def test_ping_describes_the_model(model: LlamaCppChatModel, server: ScriptedServer) -> None:
    description = await model.ping()

    assert description.startswith("llama.cpp scripted: answered in")
    assert server.requests[0]["max_tokens"] == 1


async def test_close_ends_running_streams_and_refuses_new_requests() -> None:
    server = ScriptedServer(["tick "], endless=True, pace=0.002)
    chat = LlamaCppChatModel(server)
    stream = chat.astream("forever")
    await anext(stream)

    await chat.aclose()

    with pytest.raises(ModelUnavailableError, match="closed"):
        async for _ in stream:
            pass
    with pytest.raises(ModelUnavailableError, match="closed"):
        await chat.ainvoke("x")
    chat.close()


async def wait_until_idle(chat: LlamaCppChatModel) -> None:
    async with asyncio.timeout(10):
        while chat.active_requests:
            await asyncio.sleep(0.005)
