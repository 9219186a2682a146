"""The fake chat model streams word by word, records what it was asked, and answers JSON."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langgraph.graph import START, MessagesState, StateGraph
from pydantic import BaseModel, Field

from tutor.llm import FakeChatModel, FakeRequest, generate_structured
from tutor.llm.fake import HISTORY_KEPT, split_tokens


class Exercise(BaseModel):
    prompt: str = Field(min_length=3, max_length=40)
    choices: list[str] = Field(min_length=2, max_length=4)
    answer_index: int = Field(ge=0)
    difficulty: int = Field(ge=1, le=5)


def test_tokens_are_words_with_their_spaces() -> None:
    text = "  Photosynthesis turns light\ninto sugar.  "
    tokens = split_tokens(text)
    assert "".join(tokens) == text
    assert tokens == ["  Photosynthesis ", "turns ", "light\n", "into ", "sugar.  "]


async def test_astream_yields_the_queued_reply_token_by_token() -> None:
    model = FakeChatModel()
    model.enqueue("Light becomes chemical energy.")

    chunks = [chunk async for chunk in model.astream("What is photosynthesis?")]

    texts = [chunk.content for chunk in chunks if chunk.content]
    assert texts == ["Light ", "becomes ", "chemical ", "energy."]
    assert all(isinstance(chunk, AIMessageChunk) for chunk in chunks)


def test_sync_stream_matches_the_async_one() -> None:
    model = FakeChatModel()
    model.enqueue("one two three")

    texts = [chunk.content for chunk in model.stream("count") if chunk.content]

    assert texts == ["one ", "two ", "three"]


async def test_replies_come_out_in_queue_order_then_echo_the_learner() -> None:
    model = FakeChatModel()
    model.enqueue("first", "second")

    replies = [(await model.ainvoke(f"question {n}")).content for n in range(3)]

    assert replies == ["first", "second", "You said: question 2"]


async def test_default_reply_is_deterministic() -> None:
    messages = [SystemMessage("You are a tutor."), HumanMessage("Explain osmosis")]

    first = await FakeChatModel().ainvoke(messages)
    second = await FakeChatModel().ainvoke(messages)

    assert first.content == second.content == "You said: Explain osmosis"


async def test_history_records_every_request() -> None:
    model = FakeChatModel()
    conversation = [SystemMessage("You are a tutor."), HumanMessage("hello")]

    await model.ainvoke(conversation)
    [_ async for _ in model.astream("again")]
    await model.agenerate_json([HumanMessage("as JSON")], {"type": "object"})

    assert [request.messages[-1].content for request in model.history] == [
        "hello",
        "again",
        "as JSON",
    ]
    assert model.history[0] == FakeRequest(tuple(conversation))
    assert model.history[2].schema == {"type": "object"}


async def test_history_keeps_only_the_latest_requests() -> None:
    # A server on the fake model (load tests, soaks) asks it without end.
    model = FakeChatModel()
    for number in range(HISTORY_KEPT + 5):
        await model.ainvoke([HumanMessage(f"question {number}")])
    await model.agenerate_json([HumanMessage("as JSON")], {"type": "object"})

    assert len(model.history) == HISTORY_KEPT
    assert model.history[0].messages[-1].content == "question 6"
    assert model.history[-1].schema == {"type": "object"}


async def test_each_reply_is_a_new_message_with_its_own_id() -> None:
    model = FakeChatModel()
    model.enqueue("same", "same")

    first = await model.ainvoke("a")
    second = await model.ainvoke("b")

    assert isinstance(first, AIMessage)
    assert first.id and second.id
    assert first.id != second.id


async def test_paced_streams_interleave() -> None:
    model = FakeChatModel(tokens_per_second=500)
    model.enqueue("a b c d e f", "u v w x y z")
    arrivals: list[int] = []

    async def consume(stream_id: int) -> None:
        async for chunk in model.astream("go"):
            if chunk.content:
                arrivals.append(stream_id)

    await asyncio.gather(consume(0), consume(1))

    assert sorted(arrivals) == [0] * 6 + [1] * 6
    switches = sum(1 for a, b in itertools.pairwise(arrivals) if a != b)
    assert switches > 1


async def test_queued_json_comes_back_as_given() -> None:
    model = FakeChatModel()
    model.enqueue_json({"prompt": "Pick one", "choices": ["a", "b"], "answer_index": 1})
    model.enqueue_json('{"raw": true}')

    first = await model.agenerate_json([HumanMessage("quiz")], {"type": "object"})
    second = await model.agenerate_json([HumanMessage("quiz")], {"type": "object"})

    assert json.loads(first) == {"prompt": "Pick one", "choices": ["a", "b"], "answer_index": 1}
    assert second == '{"raw": true}'


async def test_structured_output_validates_a_queued_model() -> None:
    model = FakeChatModel()
    expected = Exercise(prompt="Which gas?", choices=["O2", "CO2"], answer_index=1, difficulty=2)
    model.enqueue_json(expected)

    exercise = await generate_structured(model, [HumanMessage("quiz")], Exercise)

    assert exercise == expected


async def test_without_queued_json_the_reply_still_fits_the_schema() -> None:
    exercise = await generate_structured(FakeChatModel(), [HumanMessage("quiz")], Exercise)

    assert exercise.difficulty == 1
    assert len(exercise.choices) == 2


async def test_json_is_not_streamed_to_langchain_callbacks() -> None:
    model = FakeChatModel()
    model.enqueue_json({"secret": 1})
    model.enqueue("visible reply")

    async def answer(state: MessagesState) -> MessagesState:
        await model.agenerate_json(state["messages"], {"type": "object"})
        return {"messages": [await model.ainvoke(state["messages"])]}

    graph = StateGraph(MessagesState).add_node(answer).add_edge(START, "answer").compile()
    streamed = [
        message.content
        async for message, _ in graph.astream(
            {"messages": [HumanMessage("hi")]}, stream_mode="messages"
        )
    ]

    assert "".join(str(text) for text in streamed) == "visible reply"
    assert len([text for text in streamed if text]) == 2


async def test_ping_and_close() -> None:
    model = FakeChatModel()

    assert await model.ping() == "fake chat model"
    await model.aclose()


@pytest.mark.parametrize("rate", [None, 1000.0])
def test_sync_invoke_returns_the_whole_reply(rate: float | None) -> None:
    model = FakeChatModel(tokens_per_second=rate)
    model.enqueue("whole reply here")

    assert model.invoke("x").content == "whole reply here"


async def test_given_numbered_passages_the_fake_cites_the_first() -> None:
    model = FakeChatModel()
    prompt = (
        "Use these passages.\n\n[1] (Ownership > Rules)\nEach value in Rust has an owner.\n"
        "There can only be one owner at a time.\n\n[2] (Other)\nSomething else."
    )
    reply = await model.ainvoke([SystemMessage(prompt), HumanMessage("Teach me.")])
    assert reply.text == (
        "Each value in Rust has an owner [1]. There can only be one owner at a time [1]."
    )
    echoed = await model.ainvoke([HumanMessage("hi")])
    assert echoed.text == "You said: hi"
