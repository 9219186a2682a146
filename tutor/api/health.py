"""Liveness and readiness probes."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from pydantic import BaseModel, Field

from tutor.health import ComponentStatus, check_readiness
from tutor.resources import Resources


class Alive(BaseModel):
    """The process answers."""

    status: str = "alive"


class Ready(BaseModel):
    """Whether the service can serve learners."""

    ready: bool
    components: list[ComponentStatus] | None = Field(
        default=None,
        description="Each component, where it runs and its state: only when the server is "
        "set to tell (TUTOR_READYZ_DETAILS), since they show paths and versions.",
    )


class HealthController(Controller):
    """``/healthz`` and ``/readyz``."""

    tags = ("health",)

    @get("/healthz", summary="The process is alive")
    async def healthz(self) -> Alive:
        """Answer at once, without touching any component."""
        return Alive()

    @get(
        "/readyz",
        summary="Every component answers",
        responses={503: ResponseSpec(Ready, description="A component is down or still starting")},
    )
    async def readyz(self, resources: NamedDependency[Resources]) -> Response[Ready]:
        """Check each component; 200 when all are ready, 503 otherwise (same body).

        The answer says only ready or not, unless the server is set to tell each
        component (``TUTOR_READYZ_DETAILS``): anyone may ask, and the details show where
        the data lives and what runs. ``tutor doctor`` prints them on the server.
        """
        readiness = await check_readiness(resources)
        status = HTTP_200_OK if readiness.ready else HTTP_503_SERVICE_UNAVAILABLE
        details = readiness.components if resources.settings.server.readyz_details else None
        return Response(Ready(ready=readiness.ready, components=details), status_code=status)
