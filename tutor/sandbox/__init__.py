"""Run untrusted learner code against an exercise's tests in a limited, isolated process."""

from tutor.sandbox.runner import (
    SANDBOX_USER,
    Limits,
    RunResult,
    SandboxError,
    Status,
    arun_python,
    run_python,
)

__all__ = [
    "SANDBOX_USER",
    "Limits",
    "RunResult",
    "SandboxError",
    "Status",
    "arun_python",
    "run_python",
]
