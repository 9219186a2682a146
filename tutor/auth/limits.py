"""Sliding-window limits in this process.

Sign-in failures per name and address (to slow down password guessing), and actions per
learner on the WebSocket.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class AttemptLimiter:
    """At most ``attempts`` failures per key within ``window_s`` seconds (in this process)."""

    def __init__(
        self, attempts: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._attempts = attempts
        self._window = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again; 0 when it may now."""
        failures = self._recent(key)
        if len(failures) < self._attempts:
            return 0.0
        return max(0.0, failures[0] + self._window - self._clock())

    def failed(self, key: str) -> None:
        """Count a failure for ``key``."""
        self._recent(key)
        self._failures.setdefault(key, deque()).append(self._clock())

    def take(self, key: str) -> float:
        """Count one use of ``key`` if it is under the limit; else the seconds to wait."""
        wait = self.retry_after(key)
        if wait == 0.0:
            self.failed(key)
        return wait

    def succeeded(self, key: str) -> None:
        """Forget ``key``'s failures."""
        self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        cutoff = self._clock() - self._window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            del self._failures[key]  # keys that stopped trying do not pile up
        return failures
