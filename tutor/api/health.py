"""Liveness and readiness probes."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from pydantic import BaseModel

from tutor.health import Readiness, check_readiness
from tutor.resources import Resources


class Alive(BaseModel):
    """The process answers."""

    status: str = "alive"


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
        responses={
            503: ResponseSpec(Readiness, description="A component is down or still starting")
        },
    )
    async def readyz(self, resources: NamedDependency[Resources]) -> Response[Readiness]:
        """Check each component; 200 when all are ready, 503 otherwise (same body)."""
        readiness = await check_readiness(resources)
        status = HTTP_200_OK if readiness.ready else HTTP_503_SERVICE_UNAVAILABLE
        return Response(readiness, status_code=status)
