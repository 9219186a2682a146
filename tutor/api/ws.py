"""The ``/ws`` route: chat turns streamed token by token through the tutor graph."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, cast

from langchain_core.messages import AIMessageChunk, HumanMessage
from litestar import WebSocket, websocket
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect

from agents import InputState, TutorContext
from tutor.api.protocol import (
    ChatAction,
    DoneEvent,
    ErrorEvent,
    ServerEvent,
    TokenEvent,
    parse_action,
)
from tutor.api.security import identify
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


async def _run_chat(
    socket: WebSocket[Any, Any, State], resources: Resources, action: ChatAction
) -> None:
    started = time.perf_counter()
    context = TutorContext(chat_model=resources.chat_model)
    tokens = 0
    # Typed as an iterator, but it is an async generator: it can be closed.
    stream = cast(
        "AsyncGenerator[tuple[Any, dict[str, Any]], None]",
        resources.graph.astream(
            InputState(messages=[HumanMessage(action.text)]),
            context=context,
            stream_mode="messages",
        ),
    )
    # Closed at once when the client leaves mid-reply, so generation stops now, not at GC.
    async with aclosing(stream):
        async for chunk, _metadata in stream:
            if isinstance(chunk, AIMessageChunk) and chunk.text:
                tokens += 1
                await _send(socket, TokenEvent(text=chunk.text))
    elapsed_ms = (time.perf_counter() - started) * 1000
    await _send(socket, DoneEvent(tokens=tokens, elapsed_ms=round(elapsed_ms, 1)))


@websocket("/ws")
async def chat_socket(
    socket: WebSocket[Any, Any, State], resources: NamedDependency[Resources]
) -> None:
    """Serve one connection: each valid ``chat`` frame is one streamed turn."""
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
                await _run_chat(socket, resources, action)
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
