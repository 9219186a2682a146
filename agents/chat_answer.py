"""The chat answer node: reply to a learner's free question."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import SystemMessage
from langgraph.runtime import Runtime

from agents.context import TutorContext
from agents.prompts import load_prompt
from agents.state import TutorState


async def answer_chat(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """Answer the last learner message; the model's tokens stream as it writes them."""
    system = SystemMessage(load_prompt("chat_answer").render())
    reply = await runtime.context.chat_model.ainvoke([system, *state.messages])
    return {"messages": [reply]}
