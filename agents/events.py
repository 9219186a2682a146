"""Events a node sends to the learner while it runs, through LangGraph's custom stream.

A client reads them with ``stream_mode="custom"``: each is a dict with an ``event`` key
(``plan``, ``token``, ``reset``, ``lesson``, ``exercise``, ``grade``, ``explain_result``,
``mastery``, ``citation``) and that event's fields. Sending is a no-op outside a stream
(``invoke``), so nodes emit unconditionally.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from langgraph.config import get_stream_writer

from tutor.teaching.extractive import lesson_pieces


def emit(event: str, **fields: Any) -> None:
    """Send one event to the learner."""
    get_stream_writer()({"event": event, **fields})


async def stream_text(
    text: str, words_per_second: float = 0.0, *, on_first: Callable[[], None] | None = None
) -> None:
    """Stream ready text word by word, as a model's tokens would arrive.

    Yields to the event loop between pieces so every token is its own frame and an
    interrupt stops the stream at once.

    Args:
        text: The text to send.
        words_per_second: The pace; 0 sends as fast as the loop allows. Text that no model
            wrote as it went (an extractive lesson, a grade's feedback) is paced like a
            model's tokens, so a learner sees it arrive and read the same way.
        on_first: Called once the first piece is out (work that may wait until the
            learner is reading starts then).
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    for index, piece in enumerate(lesson_pieces(text)):
        # Against the start, not the last piece, so slow sends do not add up.
        due = started + index / words_per_second if words_per_second > 0 else 0.0
        await asyncio.sleep(max(due - loop.time(), 0.0))
        emit("token", text=piece)
        if index == 0 and on_first is not None:
            on_first()
