"""Model text streamed to the learner through the quality guard, never withdrawn.

Text goes out sentence by sentence (a code block whole), each once the guard has passed
it together with everything before it: the cheap checks on the text so far, its
citations, and its relevance to the concept and the passages. The opening is held until
it is long enough to judge and, for text that must cite its sources, cites one. When the
text fails, the model is stopped and what the learner has read stays: nothing is ever
taken back, so the caller decides what follows (the notes themselves, quoted).

When the guard's record says the model's texts of this kind usually fail, the model is
not asked at all (:class:`tutor.teaching.pass_rates.PassRates`), and the caller's
fallback starts at once instead of after a wasted generation.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import cast

from langchain_core.messages import AIMessageChunk, BaseMessage

from agents.events import emit
from tutor.llm import ChatModel
from tutor.teaching.citations import citations_valid, cited_numbers, fenced_blocks
from tutor.teaching.guard import QualityGuard, Relevance
from tutor.teaching.material import ConceptInfo, Passage
from tutor.teaching.pass_rates import PassRates, TextKind

_log = logging.getLogger(__name__)

CHECK_EVERY = 16
"""Tokens between cheap checks of the unfinished sentence (a loop with no full stop)."""
CITE_WITHIN = 32
"""Tokens within which text that must cite its passages has to cite one."""
UNIT_WORDS = 10
"""Fewest words judged and sent at once: a shorter sentence waits for the next, since one
short sentence says too little for its relevance to be told."""
UNIT_FLOOR = 0.5
"""Share of the guard's ``min_relevance`` each part sent must reach on its own, so a text
cannot drift off topic while what came before keeps its average up."""
_UNIT_END = re.compile(
    r"(?:[.!?\u2026][\"')\]*_`\u2019\u201d]*(?:[ \t]*\[\s*\d{1,4}(?:\s*,\s*\d{1,4})*\s*\])*"
    r"[ \t]*(?:\n[ \t]*)*|[ \t]*\n[ \t]*\n\s*)(?=\S)"
)
"""The end of a sentence (with the citations right after it) or of a paragraph, and the
space after it, followed by what the model wrote next. A line break inside a paragraph
is no end: notes wrap their sentences."""
_LETTER_WORD = re.compile(r"[^\W\d_]+")

Opening = Callable[[str], Awaitable[bool]]
"""Asked once, with the opening the learner is about to see: False stops the model."""


@dataclass(frozen=True)
class Streamed:
    """What came of one guarded generation.

    Attributes:
        shown: Every character the learner was sent (all of it passed the guard).
        complete: Whether the model's whole text passed and was sent.
        reason: Why the text stopped short ("" when complete).
    """

    shown: str
    complete: bool
    reason: str = ""


async def stream_guarded(
    model: ChatModel,
    messages: Sequence[BaseMessage],
    guard: QualityGuard,
    concept: ConceptInfo,
    passages: Sequence[Passage],
    *,
    max_tokens: int,
    cite: bool = True,
    pass_rates: PassRates | None = None,
    kind: TextKind = "chat",
) -> str | None:
    """Stream the model's text; what the learner was shown of it, or None when nothing.

    Args:
        model: The chat model.
        messages: The prompt.
        guard: Judges the text as it grows and once it is complete.
        concept: What the text must be about.
        passages: What the text must be grounded in; with ``cite``, its citations must
            point at these (numbered from 1).
        max_tokens: Tokens after which generation stops (an unfinished last sentence is
            then not shown).
        cite: Whether the text must cite the passages.
        pass_rates: The guard's record; with it, a model whose texts of ``kind`` usually
            fail is not asked (None comes back at once), and this text's fate is counted.
        kind: What kind of text this is, for ``pass_rates``.
    """
    where = model.where
    if pass_rates is not None and not pass_rates.should_try(where, kind):
        return None
    result = await stream_checked(
        model, messages, guard, concept, passages, max_tokens=max_tokens, cite=cite
    )
    if pass_rates is not None:
        pass_rates.record(where, kind, passed=result.complete)
    return result.shown or None


async def stream_checked(
    model: ChatModel,
    messages: Sequence[BaseMessage],
    guard: QualityGuard,
    concept: ConceptInfo,
    passages: Sequence[Passage],
    *,
    max_tokens: int,
    cite: bool = True,
    opening: Opening | None = None,
) -> Streamed:
    """Stream the model's text sentence by sentence, each once it passed the guard.

    Args:
        model: The chat model.
        messages: The prompt.
        guard: Judges the text as it grows and once it is complete.
        concept: What the text must be about.
        passages: What the text must be grounded in (see :func:`stream_guarded`).
        max_tokens: Tokens after which generation stops.
        cite: Whether the text must cite the passages.
        opening: Asked before the first sentence goes out; False stops the model
            (e.g. the opening is too close to a lesson the learner already had).

    Returns:
        What was shown, and whether that is the model's whole text.
    """
    gate = _Gate(guard, concept, passages, cite=cite and bool(passages), opening=opening)
    count = 0
    cut = False
    # Closed on every way out, so a generation given up early stops at once.
    # Typed as an iterator, but it is an async generator: it can be closed.
    generation = cast("AsyncGenerator[AIMessageChunk, None]", model.astream(list(messages)))
    async with aclosing(generation) as stream:
        async for chunk in stream:
            # A model can write NUL, which no text column (nor jsonb) stores.
            piece = chunk.text.replace("\x00", "")
            if not piece:
                continue
            gate.text += piece
            count += 1
            if count >= max_tokens:
                cut = True
                break
            if count % CHECK_EVERY == 0 and not gate.prefix_ok():
                return gate.stopped()
            if not await gate.send_ready(tokens=count):
                return gate.stopped()
    return await gate.finish(cut=cut)


class _Gate:
    """The text so far, how much of it the learner has, and the checks between the two."""

    def __init__(
        self,
        guard: QualityGuard,
        concept: ConceptInfo,
        passages: Sequence[Passage],
        *,
        cite: bool,
        opening: Opening | None,
    ) -> None:
        self.guard = guard
        self.concept = concept
        self.passages = passages
        self.cite = cite
        self.opening = opening
        self.text = ""
        self.sent = 0
        self.reason = ""

    def prefix_ok(self) -> bool:
        verdict = self.guard.check_prefix(self.text, self.passages)
        self.reason = verdict.reason
        return verdict.ok

    def stopped(self) -> Streamed:
        _log.info("model text stopped after %d characters shown: %s", self.sent, self.reason)
        return Streamed(self.text[: self.sent], complete=False, reason=self.reason)

    async def send_ready(self, *, tokens: int) -> bool:
        """Send what is finished and passes; False when the text failed."""
        end = _last_unit_end(self.text, self.sent)
        if end <= self.sent:
            return True
        candidate = self.text[:end]
        pending = self.text[self.sent : end]
        if self.sent == 0 and _word_count(candidate) < self.guard.min_words:
            return True
        if _word_count(pending) < UNIT_WORDS and "```" not in pending:
            return True
        if self.cite and self.sent == 0 and not cited_numbers(candidate):
            # Nothing is shown before the first citation: text that never cites fails.
            if tokens < CITE_WITHIN:
                return True
            self.reason = "no citation"
            return False
        if not await self._passes(candidate, pending):
            return False
        self._send(end)
        return True

    async def finish(self, *, cut: bool) -> Streamed:
        """Judge the last sentence and the whole text once the model is done."""
        if cut:
            # Stopped mid-way by the token budget: an unfinished last sentence stays unsaid.
            end = _last_unit_end(self.text, self.sent)
            if end > self.sent and await self._passes(self.text[:end], self.text[self.sent : end]):
                self._send(end)
            whole = self.text[: self.sent]
        else:
            whole = self.text
        if not whole.strip():
            return Streamed("", complete=False, reason="empty")
        verdict = await asyncio.to_thread(self.guard.check, whole, self.concept, self.passages)
        if not verdict.ok:
            self.reason = verdict.reason
            return self.stopped()
        if self.cite and not citations_valid(whole, len(self.passages)):
            self.reason = "citations"
            return self.stopped()
        if not whole[self.sent :].strip():
            return Streamed(whole[: self.sent], complete=True)
        if not await self._passes(whole, whole[self.sent :]):
            return self.stopped()
        self._send(len(whole))
        return Streamed(whole, complete=True)

    async def _passes(self, candidate: str, pending: str) -> bool:
        if not self.prefix_ok():
            return False
        if self.cite and not all(1 <= n <= len(self.passages) for n in cited_numbers(pending)):
            self.reason = "citations"
            return False
        # A switch of language halfway is too little of the whole text to show in it.
        alone = self.guard.check_prefix(pending, self.passages)
        if not alone.ok:
            self.reason = alone.reason
            return False
        # The text so far as the final check will judge it, and the new part on its own.
        whole, part = await asyncio.to_thread(self._relevance, candidate, pending)
        if (
            whole.score < self.guard.min_relevance
            or whole.off_topic_share > self.guard.max_off_topic
            or (part is not None and part.score < self.guard.min_relevance * UNIT_FLOOR)
        ):
            self.reason = "low relevance"
            return False
        if self.sent == 0 and self.opening is not None and not await self.opening(candidate):
            self.reason = "opening refused"
            return False
        return True

    def _relevance(self, candidate: str, pending: str) -> tuple[Relevance, Relevance | None]:
        whole = self.guard.relevance(candidate, self.concept, self.passages)
        if _word_count(pending) < UNIT_WORDS or pending == candidate:
            return whole, None
        return whole, self.guard.relevance(pending, self.concept, self.passages)

    def _send(self, end: int) -> None:
        emit("token", text=self.text[self.sent : end])
        self.sent = end


def _last_unit_end(text: str, start: int) -> int:
    """Where the last finished sentence (or line, or code block) after ``start`` ends.

    ``start`` when none is finished. An end inside a code block does not count.
    """
    blocks = fenced_blocks(text)
    best = start
    for match in _UNIT_END.finditer(text, start):
        end = match.end()
        if any(begin < end and (not closed or end < stop) for begin, stop, closed in blocks):
            continue
        best = end
    for _begin, stop, closed in blocks:
        if closed and start < stop <= len(text) and stop > best and text[stop - 1] == "\n":
            best = stop
    return best


def _word_count(text: str) -> int:
    return len(_LETTER_WORD.findall(text))
