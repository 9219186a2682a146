"""The ``/ws`` route: tutoring turns run through the tutor graph, streamed as events."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, cast

from langchain_core.messages import AnyMessage, HumanMessage
from litestar import WebSocket, websocket
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect

from agents.state import InputState, Request
from tutor.api.protocol import (
    AnswerAction,
    ChatAction,
    ClientAction,
    DoneEvent,
    ErrorEvent,
    ExplainAction,
    NextAction,
    ServerEvent,
    StartLessonAction,
    TokenEvent,
    parse_action,
    turn_event,
)
from tutor.api.security import identify
from tutor.auth.store import User
from tutor.resources import Resources

_log = logging.getLogger(__name__)
UNAUTHORIZED_CLOSE = 4401
"""WebSocket close code for a connection without a valid session or token."""


async def _send(socket: WebSocket[Any, Any, State], event: ServerEvent) -> None:
    try:
        await socket.send_text(event.model_dump_json())
    except OSError as error:
        # The server reports a client gone mid-reply as an OSError on send; treat it as
        # the disconnect it is, which also closes the model's stream and frees its slot.
        raise WebSocketDisconnect(detail=f"client went away: {error}") from error


def _turn_input(action: ClientAction) -> InputState:
    """The graph input for one action: the request, and the learner's words as a message."""
    request: Request
    text = ""
    if isinstance(action, ChatAction):
        request = {"kind": "chat", "text": action.text}
        text = action.text
    elif isinstance(action, StartLessonAction):
        request = {"kind": "start_lesson"}
        if action.concept_id is not None:
            request["concept_id"] = str(action.concept_id)
    elif isinstance(action, NextAction):
        request = {"kind": "next"}
    elif isinstance(action, AnswerAction):
        request = {"kind": "answer", "exercise_id": str(action.exercise_id), "text": action.answer}
        if action.idempotency_key:
            request["idempotency_key"] = action.idempotency_key
        text = action.answer
    elif isinstance(action, ExplainAction):
        request = {"kind": "explain", "text": action.text}
        if action.concept_id is not None:
            request["concept_id"] = str(action.concept_id)
        if action.idempotency_key:
            request["idempotency_key"] = action.idempotency_key
        text = action.text
    else:
        request = {"kind": "set_path", "targets": [str(t) for t in action.targets]}
    messages: list[AnyMessage] = [HumanMessage(text)] if text.strip() else []
    return InputState(messages=messages, request=request)


def thread_of(user: User) -> str:
    """The learner's conversation thread (one per learner for now)."""
    return f"learner:{user.id}"


async def _run_turn(
    socket: WebSocket[Any, Any, State], resources: Resources, user: User, action: ClientAction
) -> None:
    started = time.perf_counter()
    thread_id = thread_of(user)
    tokens = 0
    # Typed as an iterator, but it is an async generator: it can be closed.
    stream = cast(
        "AsyncGenerator[dict[str, Any], None]",
        resources.graph.astream(
            _turn_input(action),
            config={"configurable": {"thread_id": thread_id}},
            context=resources.tutor_context(user.id, thread_id),
            stream_mode="custom",
        ),
    )
    # Closed at once when the client leaves mid-turn, so generation stops now, not at GC.
    async with aclosing(stream):
        async for payload in stream:
            event = turn_event(payload)
            tokens += isinstance(event, TokenEvent)
            await _send(socket, event)
    elapsed_ms = (time.perf_counter() - started) * 1000
    await _send(socket, DoneEvent(tokens=tokens, elapsed_ms=round(elapsed_ms, 1)))


@websocket("/ws")
async def chat_socket(
    socket: WebSocket[Any, Any, State], resources: NamedDependency[Resources]
) -> None:
    """Serve one connection: each valid action frame is one streamed turn."""
    user = await identify(socket, resources)
    await socket.accept()
    if user is None:
        # Accepted first so the client reads why, rather than a bare failed handshake.
        await _send(
            socket,
            ErrorEvent(
                code="unauthorized",
                message="sign in, or connect with ?token=<personal API token>",
            ),
        )
        await socket.close(code=UNAUTHORIZED_CLOSE)
        return
    try:
        while True:
            frame = await socket.receive_text()
            action = parse_action(frame)
            if isinstance(action, ErrorEvent):
                await _send(socket, action)
                continue
            try:
                await _run_turn(socket, resources, user, action)
            except WebSocketDisconnect:
                raise
            except Exception:
                _log.exception("chat turn failed")
                await _send(
                    socket,
                    ErrorEvent(
                        code="internal",
                        message="the reply failed; please try again",
                        retryable=True,
                    ),
                )
    except WebSocketDisconnect:
        return
