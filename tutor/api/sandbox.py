"""``/api/v1/sandbox``: run a learner's code before submitting it, as the grader would."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_429_TOO_MANY_REQUESTS
from pydantic import BaseModel, Field

from tutor.api.errors import error_responses
from tutor.api.fields import Text
from tutor.auth.store import User
from tutor.resources import Resources
from tutor.sandbox import Limits, arun_python

MAX_CODE_CHARS = 20_000
"""As long as a code answer may be."""


class CodeRun(BaseModel):
    """Code to run."""

    code: Text = Field(min_length=1, max_length=MAX_CODE_CHARS, examples=['print("hello, world")'])


class RunOutput(BaseModel):
    """What the code did, under the same limits as graded code."""

    status: str = Field(
        description="`passed` (it ran to the end), `error`, `timeout`, `memory` or `killed`"
    )
    stdout: str
    stderr: str
    duration_s: float
    feedback: str = Field(description="What went wrong, for the learner; empty when it ran")


class SandboxController(Controller):
    """Running code in the sandbox."""

    path = "/api/v1/sandbox"
    tags = ("sandbox",)

    @post(
        "/run",
        summary="Run Python code",
        status_code=HTTP_200_OK,
        responses=error_responses(400, 401, 429),
    )
    async def run(
        self,
        data: JSONBody[CodeRun],
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
    ) -> RunOutput:
        """Run Python in the sandbox and answer with what it printed.

        The sandbox is the grader's: its own process, no network, CPU, memory, file and
        process limits, a temporary directory. Nothing is graded or recorded: this is the
        editor's Run button. Runs count against the learner's actions a minute, as the
        tutor's own do, so no one can keep the machine busy with processes.
        """
        wait = resources.action_limiter.take(str(user.id))
        if wait > 0:
            raise HTTPException(
                status_code=HTTP_429_TOO_MANY_REQUESTS,
                detail=f"too many runs; try again in {wait:.0f} s",
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        result = await arun_python(data.code, "", limits=Limits())
        return RunOutput(
            status=result.status,
            stdout=result.stdout,
            stderr=result.stderr,
            duration_s=round(result.duration_s, 3),
            feedback=result.feedback,
        )
