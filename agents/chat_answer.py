"""The chat answer node: a free question answered from the learner's notes, with citations.

When the notes do not cover the question the tutor says so rather than inventing an
answer (:mod:`tutor.teaching.coverage`): no passage is close enough to it, or a subject it
names (a language, a tool, a person, a topic) is nowhere in what the notes say about it.
Otherwise the model answers from the passages, best first, and the best passage itself is
quoted under its heading and cited: after the model's text when that passed the quality
guard, as the whole answer when it did not.

A "not covered" reply always opens with :data:`NOT_COVERED_OPENING` and cites nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, SystemMessage
from langgraph.runtime import Runtime

from agents.concepts import record
from agents.context import TutorContext
from agents.events import emit, stream_text
from agents.lesson_writer import numbered
from agents.prompts import load_prompt
from agents.retriever import as_passage
from agents.state import TutorState, request_text
from agents.writing import stream_guarded
from tutor.ingest.learner_text import learner_markdown
from tutor.search import hybrid_search
from tutor.teaching.citations import cited_numbers
from tutor.teaching.coverage import Coverage, assess_coverage
from tutor.teaching.lessons import Citation
from tutor.teaching.material import ConceptInfo, Passage
from tutor.teaching.subjects import Subject

NOT_COVERED_OPENING = "Your notes don't seem to cover"
"""How every "not covered" reply starts, for clients and benches that look for it."""
NOT_COVERED = (
    f"{NOT_COVERED_OPENING} that, so I won't guess. Add notes on it, or ask about "
    "something they do cover."
)
CHIT_CHAT = (
    'Happy to help. Say "next" when you are ready to go on, or ask me anything about your notes.'
)
CHIT_CHAT_EXERCISE = (
    "Happy to help. An exercise is waiting for your answer; ask me anything about your notes "
    "if you are stuck."
)
_HISTORY = 6
"""Earlier messages the model sees, for follow-up questions."""


async def answer_chat(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """Answer the learner's question from the passages most relevant to it."""
    context = runtime.context
    question = request_text(state.request).strip()
    if state.intent == "chat":
        # "thanks!", "hello", "ok cool": nothing to look up, and "not covered" would be rude.
        reply = CHIT_CHAT_EXERCISE if state.open_exercises else CHIT_CHAT
        await stream_text(reply)
        return {"messages": [AIMessage(reply)], "passages": []}
    if not question:
        return await _not_covered(())
    settings = context.settings
    coverage = await coverage_of(context, question)
    if not coverage.covered:
        return await _not_covered(coverage.missing)
    passages = list(coverage.passages[: settings.lesson_passages])
    system = load_prompt("chat_answer").render(passages=numbered(passages))
    text = await stream_guarded(
        context.chat_model,
        [SystemMessage(system), *state.messages[-_HISTORY:]],
        context.guard,
        ConceptInfo(key="", title=question),
        passages,
        max_tokens=settings.lesson_max_tokens,
        pass_rates=context.pass_rates,
        kind="chat",
    )
    if text is None:
        text = quoted_answer(passages[:1])
        await stream_text(text, settings.ready_text_words_per_second)
    else:
        # The model's answer is checked against the passages, not proven by them: the
        # passage that answers best goes under it, for the learner to see the source.
        grounding = "\n\n" + best_quote(passages[0], 1, opening="From your notes")
        await stream_text(grounding, settings.ready_text_words_per_second)
        text += grounding
    numbers = list(dict.fromkeys(cited_numbers(text)))
    for number in numbers:
        emit("citation", **Citation.of(number, passages[number - 1]).__dict__)
    return {"messages": [AIMessage(text)], "passages": [record(passages[n - 1]) for n in numbers]}


async def coverage_of(context: TutorContext, question: str) -> Coverage:
    """Whether the learner's notes cover ``question``, and the passages that answer it.

    What the chat decides before it answers; a bench can call it on its own.
    """
    settings = context.settings
    hits = await hybrid_search(
        context.vectors, context.lexical, str(context.owner), question, k=settings.lesson_passages
    )
    relevant = [as_passage(hit) for hit in hits if hit.score >= settings.min_answer_relevance]
    return await assess_coverage(
        question,
        relevant,
        owner=context.owner,
        mentions=context.mentions,
        vectors=context.vectors,
        min_relevance=settings.min_answer_relevance,
    )


def not_covered(missing: Sequence[Subject]) -> str:
    """The reply to a question the notes do not cover, naming what they lack."""
    if not missing:
        return NOT_COVERED
    names = [s.text for s in missing]
    said = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return (
        f"{NOT_COVERED_OPENING} that: nothing in them about {said} answers it, so I won't "
        "guess. Add notes on it, or ask about something they do cover."
    )


async def _not_covered(missing: Sequence[Subject]) -> dict[str, Any]:
    reply = not_covered(missing)
    await stream_text(reply)
    return {"messages": [AIMessage(reply)], "passages": []}


def quoted_answer(passages: Sequence[Passage]) -> str:
    """The passages themselves as the answer, best first, each under its heading and cited."""
    return "\n\n".join(
        best_quote(found, number, opening="Here is what your notes say about that")
        for number, found in enumerate(passages, start=1)
    )


def best_quote(passage: Passage, number: int, *, opening: str) -> str:
    """``passage`` quoted as the learner sees it, under its heading, cited as ``number``."""
    where = f", under **{passage.heading_path}**" if passage.heading_path else ""
    shown = learner_markdown(passage.text).strip()
    if passage.kind == "code":
        return f"{opening}{where}:\n\n{shown}\n\n[{number}]"
    quoted = "\n".join(f"> {line}" if line else ">" for line in shown.splitlines())
    return f"{opening}{where}:\n\n{quoted} [{number}]"
