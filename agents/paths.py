"""The set-path node: a learning path toward the concepts the learner picked."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.concepts import as_uuid, say
from agents.context import TutorContext
from agents.state import TutorState
from tutor.learner.next_step import path_steps

NO_TARGETS = "Name at least one concept of your notes to aim for."


async def set_path(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """Store the path; the planner steers toward it from the next lesson on."""
    context = runtime.context
    graph = await context.planning_graphs.get(context.owner)
    named = state.request.get("targets", []) if state.request else []
    wanted = [as_uuid(t) for t in named]
    targets = [t for t in wanted if t is not None and t in graph.index]
    if not targets or len(targets) != len(wanted):
        return await say(NO_TARGETS if not wanted else "Some of those are not in your notes.")
    names = [graph.titles[graph.index[t]] for t in targets]
    await context.learner.create_path(context.owner, ", ".join(names)[:200], targets)
    steps = await path_steps(context.learner, context.planning_graphs, context.owner, targets)
    if not steps:
        return await say(f"You have already mastered {', '.join(names)}.")
    first = graph.titles[graph.index[steps[0]]]
    count = len(steps)
    return await say(
        f"Path set toward {', '.join(names)}: {count} concept{'s' * (count != 1)} to go, "
        f"starting with {first}."
    )
