"""The real Gemma 3 270M in llama.cpp: streaming, concurrency, JSON output, cancellation."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import platform
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.graph import START, MessagesState, StateGraph
from pydantic import BaseModel, Field

from tests.unit.test_native_heap import mapped_after_a_larger_block_is_freed
from tutor.config import LLMSettings
from tutor.llm import (
    GenerationError,
    LlamaCppChatModel,
    closed_schema,
    generate_structured,
    load_llamacpp,
)
from tutor.llm.gguf import BUNDLED_MODEL_NAME, prepare_model

pytestmark = [pytest.mark.integration, pytest.mark.real_model]

# The base model may end a reply at once; the plumbing tests need replies of known length.
LONG: dict[str, Any] = {"max_tokens": 48, "ignore_eos": True}


class Question(BaseModel):
    question: str = Field(description="A quiz question", max_length=80)
    answer: str = Field(description="Its short answer", max_length=40)
    difficulty: int = Field(ge=1, le=5)


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def llama(models_dir: Path) -> Iterator[LlamaCppChatModel]:
    settings = LLMSettings(
        provider="llamacpp",
        model_path=None,
        context_size=4096,
        parallel=4,
        # One thread keeps its pace when other test processes share the cores; two
        # threads wait on each other whenever one of them is descheduled.
        threads=1,
        max_tokens=256,
        temperature=0.7,
    )
    model = load_llamacpp(settings, models_dir)
    yield model
    model.close()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mmap threshold")
@pytest.mark.skipif("MALLOC_MMAP_THRESHOLD_" in os.environ, reason="set by the operator")
def test_a_loaded_model_leaves_large_blocks_mapped(llama: LlamaCppChatModel) -> None:
    # A large block freed after loading must not move glibc's threshold, or the
    # process's later large buffers would stay in the heap for good.
    assert mapped_after_a_larger_block_is_freed() >= 4 << 20


def test_the_bundled_model_is_assembled_once(llama: LlamaCppChatModel, models_dir: Path) -> None:
    target = models_dir / BUNDLED_MODEL_NAME
    before = target.stat()

    assert prepare_model(models_dir) == target
    assert target.stat().st_mtime_ns == before.st_mtime_ns
    assert [path.name for path in models_dir.iterdir()] == [BUNDLED_MODEL_NAME]


def test_a_truncated_model_and_abandoned_parts_are_replaced(
    llama: LlamaCppChatModel, models_dir: Path, tmp_path: Path
) -> None:
    complete_size = (models_dir / BUNDLED_MODEL_NAME).stat().st_size
    (tmp_path / BUNDLED_MODEL_NAME).write_bytes(b"GGUF half a file")
    dead_pid = 2**22 + 1  # above Linux's largest pid, so no process has it
    abandoned = tmp_path / f".{BUNDLED_MODEL_NAME}.{dead_pid}.0000.part"
    abandoned.write_bytes(b"partial")
    alive = tmp_path / f".{BUNDLED_MODEL_NAME}.{os.getpid()}.0000.part"
    alive.write_bytes(b"another process is still writing this")

    path = prepare_model(tmp_path)

    assert path.stat().st_size == complete_size
    assert not abandoned.exists()
    assert alive.exists()


async def test_tokens_arrive_one_by_one_while_generation_runs(llama: LlamaCppChatModel) -> None:
    texts: list[str] = []
    running_at_first_token = False

    async for chunk in llama.astream("The water cycle is", **LONG):
        if chunk.content and not texts:
            running_at_first_token = llama.active_requests > 0
        if chunk.content:
            texts.append(str(chunk.content))

    assert running_at_first_token
    assert len(texts) > 10
    assert chunk.usage_metadata is not None
    assert chunk.usage_metadata["output_tokens"] == 48


async def test_three_streams_progress_together_and_the_loop_stays_free(
    llama: LlamaCppChatModel,
) -> None:
    ticks = 0
    arrivals: list[tuple[int, int]] = []

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    async def stream(stream_id: int) -> int:
        count = 0
        async for chunk in llama.astream(f"Story number {stream_id}:", **LONG):
            if chunk.content:
                arrivals.append((stream_id, ticks))
                count += 1
        return count

    ticking = asyncio.create_task(ticker())
    try:
        counts = await asyncio.gather(*(stream(n) for n in range(3)))
    finally:
        ticking.cancel()

    assert all(count > 10 for count in counts)
    order = [stream_id for stream_id, _ in arrivals]
    switches = sum(1 for a, b in itertools.pairwise(order) if a != b)
    assert switches > 10, "the streams ran one after another instead of together"
    for stream_id in range(3):
        seen = [tick for sid, tick in arrivals if sid == stream_id]
        assert seen[-1] > seen[0], f"the event loop stalled during stream {stream_id}"


async def test_json_output_follows_the_schema(llama: LlamaCppChatModel) -> None:
    messages = [
        SystemMessage("Reply with a JSON quiz question."),
        HumanMessage("Ask about photosynthesis."),
    ]

    raw = await llama.agenerate_json(messages, closed_schema(Question.model_json_schema()))
    question = await generate_structured(llama, messages, Question)

    assert set(json.loads(raw)) <= {"question", "answer", "difficulty"}
    Question.model_validate_json(raw)
    assert 1 <= question.difficulty <= 5


async def test_cancelling_a_stream_stops_generation(llama: LlamaCppChatModel) -> None:
    received = 0
    three_chunks = asyncio.Event()

    async def consume() -> None:
        nonlocal received
        async for chunk in llama.astream("Once upon a time", max_tokens=3000, ignore_eos=True):
            received += bool(chunk.content)
            if received == 3:
                three_chunks.set()

    task = asyncio.create_task(consume())
    await three_chunks.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    # 3000 tokens take well over a minute here: going idle within seconds means the
    # request was cancelled inside llama.cpp, not merely abandoned.
    async with asyncio.timeout(10):
        while llama.active_requests:
            await asyncio.sleep(0.01)


async def test_each_request_gets_the_whole_context_window(llama: LlamaCppChatModel) -> None:
    too_long = " ".join(f"word{n}" for n in range(3000))

    with pytest.raises(GenerationError, match=r"exceeds the available context size \(4096"):
        await llama.ainvoke(too_long)


async def test_ping_generates_a_token(llama: LlamaCppChatModel) -> None:
    assert (await llama.ping()).startswith("llama.cpp gemma-3-270m")


async def test_langgraph_streams_the_model_tokens(llama: LlamaCppChatModel) -> None:
    async def answer(state: MessagesState) -> MessagesState:
        return {"messages": [await llama.ainvoke(state["messages"], **LONG)]}

    graph = StateGraph(MessagesState).add_node(answer).add_edge(START, "answer").compile()
    texts = [
        message.content
        async for message, _ in graph.astream(
            {"messages": [HumanMessage("Tell me about cells.")]}, stream_mode="messages"
        )
        if message.content
    ]

    assert len(texts) > 10


def _anonymous_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon in /proc/self/status")


async def test_finished_prompts_are_not_kept_in_memory(llama: LlamaCppChatModel) -> None:
    # llama.cpp's own default keeps every finished prompt's state in RAM (up to 8 GiB):
    # about 5 MiB a request here, never given back.
    async def ask(number: int) -> None:
        # Prompts of one length, so the slots' own KV pages are all touched by the warm-up.
        prompt = [SystemMessage(f"Lesson {number:03d}. " + "You teach Rust. " * 60)]
        async for _ in llama.astream([*prompt, HumanMessage("Go on.")], max_tokens=16):
            pass

    for number in range(8):
        await ask(number)
    before = _anonymous_rss_mib()
    for number in range(8, 28):
        await ask(number)
    assert _anonymous_rss_mib() - before < 30, "twenty prompts' states stayed in memory"
