"""Routing: structured requests go straight to their node; free text is classified first."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel

from agents.context import TutorContext
from agents.prompts import load_prompt
from agents.state import Intent, TutorState, request_text
from tutor.llm.errors import StructuredOutputError
from tutor.llm.structured import generate_structured
from tutor.teaching.intents import Intent as TextIntent

Entry = Literal["classify", "planner", "grader", "explain_back", "answer_chat", "set_path"]
Handler = Literal["planner", "grader", "explain_back", "answer_chat"]

_BY_KIND: dict[str, Entry] = {
    "start_lesson": "planner",
    "next": "planner",
    "answer": "grader",
    "explain": "explain_back",
    "set_path": "set_path",
    "chat": "classify",
}


def route_request(state: TutorState) -> Entry:
    """Where this turn's request goes first."""
    kind = state.request["kind"] if state.request else "chat"
    return _BY_KIND[kind]


def route_intent(state: TutorState) -> Handler:
    """Where classified free text goes; what cannot be acted on becomes a question.

    Questions and chit-chat go to the chat answer; only a request for a lesson or for the
    next step reaches the planner.
    """
    if state.intent in ("lesson", "next"):
        return "planner"
    if state.intent == "answer" and state.open_exercises:
        return "grader"
    if state.intent == "explain" and state.concept_id:
        return "explain_back"
    return "answer_chat"


class _IntentChoice(BaseModel):
    intent: Literal["lesson", "next", "answer", "explain", "ask", "chat"]


async def classify(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """Name the intent of free text; the model is asked only when two intents tie."""
    context = runtime.context
    text = request_text(state.request)
    guess = await asyncio.to_thread(
        context.intents.classify, text, open_exercise=bool(state.open_exercises)
    )
    chosen: TextIntent = guess.intent
    if context.intents.ambiguous(guess):
        prompt = load_prompt("intent").render(first=guess.intent, second=guess.runner_up)
        try:
            choice = await generate_structured(
                context.chat_model, [SystemMessage(prompt), HumanMessage(text)], _IntentChoice
            )
        except StructuredOutputError:
            choice = None
        # The model breaks the tie; it cannot pick an intent the examples ruled out.
        if choice is not None and choice.intent in (guess.intent, guess.runner_up):
            chosen = choice.intent
    # Chit-chat goes where questions go, the chat answer, which replies in kind.
    intent: Intent = chosen
    return {"intent": intent}
