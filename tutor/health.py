"""Readiness: each component checked, with its name, where it runs and its state."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Literal

from pydantic import BaseModel

from tutor.resources import Resources

ComponentState = Literal["ok", "starting", "down"]
_CHECK_TIMEOUT_S = 10.0


class ComponentStatus(BaseModel):
    """The state of one component."""

    name: str
    where: str
    state: ComponentState
    detail: str = ""


class Readiness(BaseModel):
    """Whether the service can serve learners, and why not."""

    ready: bool
    components: list[ComponentStatus]


async def _check(name: str, where: str, probe: Awaitable[str]) -> ComponentStatus:
    try:
        detail = await asyncio.wait_for(probe, _CHECK_TIMEOUT_S)
    except TimeoutError:
        return ComponentStatus(
            name=name, where=where, state="down", detail=f"no answer in {_CHECK_TIMEOUT_S:.0f} s"
        )
    except Exception as error:  # any failure at all means the component is down
        return ComponentStatus(
            name=name, where=where, state="down", detail=str(error) or repr(error)
        )
    return ComponentStatus(name=name, where=where, state="ok", detail=detail)


def _embeddings_status(resources: Resources, where: str) -> ComponentStatus | None:
    task = resources.embeddings_warmup
    if task is None or not task.done():
        if task is not None:
            return ComponentStatus(
                name="embeddings", where=where, state="starting", detail="loading the model"
            )
        return None
    if task.cancelled() or task.exception() is not None:
        error = "cancelled" if task.cancelled() else str(task.exception())
        return ComponentStatus(name="embeddings", where=where, state="down", detail=error)
    return None


async def _probe_embeddings(resources: Resources) -> str:
    vector = await resources.embeddings.aembed_query("ready?")
    return f"{len(vector)} dimensions"


async def check_readiness(resources: Resources) -> Readiness:
    """Check every component concurrently."""
    settings = resources.settings
    embeddings_where = f"{settings.embeddings.provider}: {settings.embeddings.model}"
    checks: list[Awaitable[ComponentStatus]] = [
        _check("database", resources.database.where, resources.database.ping()),
        _check("vectors", resources.vectors.where, resources.vectors.ping()),
        _check("graph", resources.graph_store.where, resources.graph_store.ping()),
        _check("chat_model", resources.chat_model.where, resources.chat_model.ping()),
    ]
    pending = _embeddings_status(resources, embeddings_where)
    if pending is None:
        checks.append(_check("embeddings", embeddings_where, _probe_embeddings(resources)))
    statuses = list(await asyncio.gather(*checks))
    if pending is not None:
        statuses.append(pending)
    record = resources.pass_rates.describe(resources.chat_model.where)
    if record:
        # How often the model's texts pass the quality guard, and which it is not asked for.
        statuses = [
            s.model_copy(update={"detail": f"{s.detail}; quality guard: {record}"})
            if s.name == "chat_model"
            else s
            for s in statuses
        ]
    statuses.sort(key=lambda s: s.name)
    return Readiness(ready=all(s.state == "ok" for s in statuses), components=statuses)
