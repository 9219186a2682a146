"""Run untrusted learner code against an exercise's tests in a jail of its own."""

from tutor.sandbox.errors import SandboxError
from tutor.sandbox.runner import Limits, RunResult, Status, arun_python, run_python
from tutor.sandbox.uids import SANDBOX_UIDS

__all__ = [
    "SANDBOX_UIDS",
    "Limits",
    "RunResult",
    "SandboxError",
    "Status",
    "arun_python",
    "run_python",
]
