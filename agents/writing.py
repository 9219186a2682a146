"""Model text streamed to the learner through the quality guard.

The first words are held back until the guard has seen enough to judge them (and, for
text that must cite its sources, until the first citation), so text that is junk from
the start is never shown. After that every token goes out as it is
written and the guard looks again every few tokens; text that fails later (or at the
final check) is withdrawn with a ``reset`` event, and the caller sends its replacement.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from typing import cast

from langchain_core.messages import AIMessageChunk, BaseMessage

from agents.events import emit
from tutor.llm import ChatModel
from tutor.teaching.citations import citations_valid, cited_numbers
from tutor.teaching.guard import QualityGuard
from tutor.teaching.material import ConceptInfo, Passage

HELD_TOKENS = 12
"""Tokens held back before the first check."""
CHECK_EVERY = 16
"""Tokens between checks while streaming."""
CITE_WITHIN = 32
"""Tokens within which text that must cite its passages has to cite one."""


async def stream_guarded(
    model: ChatModel,
    messages: Sequence[BaseMessage],
    guard: QualityGuard,
    concept: ConceptInfo,
    passages: Sequence[Passage],
    *,
    max_tokens: int,
    cite: bool = True,
) -> str | None:
    """Stream the model's text; the text when it passed the guard, else None.

    Args:
        model: The chat model.
        messages: The prompt.
        guard: Judges the text as it grows and once it is complete.
        concept: What the text must be about.
        passages: What the text must be grounded in; with ``cite``, its citations must
            point at these (numbered from 1).
        max_tokens: Tokens after which generation stops (the text then counts as cut off
            only if it ends mid-sentence).
        cite: Whether the text must cite the passages.
    """
    text = ""
    shown = False
    count = 0
    # Closed on every way out, so a generation given up early stops at once.
    # Typed as an iterator, but it is an async generator: it can be closed.
    generation = cast("AsyncGenerator[AIMessageChunk, None]", model.astream(list(messages)))
    async with aclosing(generation) as stream:
        async for chunk in stream:
            # A model can write NUL, which no text column (nor jsonb) stores.
            piece = chunk.text.replace("\x00", "")
            if not piece:
                continue
            text += piece
            count += 1
            if count >= max_tokens:
                break
            if not shown:
                if count < HELD_TOKENS:
                    continue
                if not guard.check_prefix(text, passages).ok:
                    return None
                must_cite = cite and bool(passages)
                if must_cite and not cited_numbers(text):
                    # Nothing is shown before the first citation: text that cites nothing
                    # would be withdrawn at the end, after the learner had read it.
                    if count < CITE_WITHIN:
                        continue
                    return None
                if must_cite and not citations_valid(text, len(passages)):
                    return None
                relevance = await asyncio.to_thread(guard.relevance, text, concept, passages)
                if relevance.score < guard.min_relevance:
                    return None
                shown = True
                emit("token", text=text)
                continue
            emit("token", text=piece)
            if count % CHECK_EVERY == 0 and not guard.check_prefix(text, passages).ok:
                _withdraw(shown)
                return None
    verdict = await asyncio.to_thread(guard.check, text, concept, passages)
    if not verdict.ok or (cite and passages and not citations_valid(text, len(passages))):
        _withdraw(shown)
        return None
    if not shown:
        emit("token", text=text)
    return text


def _withdraw(shown: bool) -> None:
    if shown:
        emit("reset", reason="the text did not pass the quality check")
