"""The chat answer node: a free question answered from the learner's notes, with citations.

When no passage is relevant enough the tutor says the notes do not cover the question
rather than inventing an answer. When the model's answer fails the quality guard, the
relevant passages are quoted instead.
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
from tutor.teaching.citations import cited_numbers
from tutor.teaching.lessons import Citation
from tutor.teaching.material import ConceptInfo, Passage

NOT_COVERED = (
    "Your notes don't seem to cover that, so I won't guess. Add notes on it, or ask about "
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
_QUOTED = 2
"""Passages quoted when the model's answer is not used."""


async def answer_chat(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """Answer the learner's question from the passages most relevant to it."""
    context = runtime.context
    question = request_text(state.request).strip()
    if state.intent == "chat":
        # "thanks!", "hello", "ok cool": nothing to look up, and "not covered" would be rude.
        reply = CHIT_CHAT_EXERCISE if state.open_exercises else CHIT_CHAT
        await stream_text(reply)
        return {"messages": [AIMessage(reply)], "passages": []}
    hits = await context.vectors.search(
        str(context.owner), question, k=context.settings.lesson_passages
    )
    passages = [
        as_passage(hit) for hit in hits if hit.score >= context.settings.min_answer_relevance
    ]
    if not question or not passages:
        await stream_text(NOT_COVERED)
        return {"messages": [AIMessage(NOT_COVERED)], "passages": []}
    system = load_prompt("chat_answer").render(passages=numbered(passages))
    text = await stream_guarded(
        context.chat_model,
        [SystemMessage(system), *state.messages[-_HISTORY:]],
        context.guard,
        ConceptInfo(key="", title=question),
        passages,
        max_tokens=context.settings.lesson_max_tokens,
    )
    cited: Sequence[Passage] = passages
    if text is None:
        cited = passages[:_QUOTED]
        text = quoted_answer(cited)
        await stream_text(text, context.settings.ready_text_words_per_second)
    for number in cited_numbers(text):
        emit("citation", **Citation.of(number, cited[number - 1]).__dict__)
    return {"messages": [AIMessage(text)], "passages": [record(p) for p in cited]}


def quoted_answer(passages: Sequence[Passage]) -> str:
    """The passages themselves as the answer, each quoted and cited."""
    parts = ["Here is what your notes say about that:"]
    for number, found in enumerate(passages, start=1):
        where = f" (from {found.heading_path})" if found.heading_path else ""
        shown = learner_markdown(found.text)
        if found.kind == "code":
            parts.append(f"{shown.strip()}\n\n[{number}]{where}")
        else:
            quoted = "\n".join(f"> {line}" if line else ">" for line in shown.splitlines())
            parts.append(f"{quoted} [{number}]{where}")
    return "\n\n".join(parts)
