"""The sandbox's error: it cannot run learner code safely here, so it runs none."""

from __future__ import annotations

from tutor.errors import TutorError


class SandboxError(TutorError):
    """The jail could not be set up (no bubblewrap, no namespaces, no usable interpreter)."""
