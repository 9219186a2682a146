"""Events a node sends to the learner while it runs, through LangGraph's custom stream.

A client reads them with ``stream_mode="custom"``: each is a dict with an ``event`` key
(``plan``, ``token``, ``reset``, ``lesson``, ``exercise``, ``grade``, ``explain_result``,
``mastery``, ``citation``) and that event's fields. Sending is a no-op outside a stream
(``invoke``), so nodes emit unconditionally.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.config import get_stream_writer

from tutor.teaching.extractive import lesson_pieces


def emit(event: str, **fields: Any) -> None:
    """Send one event to the learner."""
    get_stream_writer()({"event": event, **fields})


async def stream_text(text: str) -> None:
    """Stream ready text word by word, as a model's tokens would arrive.

    Yields to the event loop between pieces so every token is its own frame and a
    client that leaves stops the stream at once.
    """
    for piece in lesson_pieces(text):
        emit("token", text=piece)
        await asyncio.sleep(0)
