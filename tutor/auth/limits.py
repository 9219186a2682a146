"""Sliding-window limits in this process.

The building block of the account limits (:mod:`tutor.auth.throttle`) and of the actions
a learner may take a minute.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

_FIRST_SWEEP = 1024
"""Keys kept before expired ones are swept out; then twice what a sweep leaves."""


class AttemptLimiter:
    """At most ``attempts`` failures per key within ``window_s`` seconds (in this process)."""

    def __init__(
        self, attempts: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._attempts = attempts
        self._window = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._sweep_at = _FIRST_SWEEP

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
        if len(self._failures) >= self._sweep_at:
            self._sweep()

    def __len__(self) -> int:
        """Keys with failures kept (some may have expired since)."""
        return len(self._failures)

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

    def _sweep(self) -> None:
        # Keys that never come back (one name tried once) would otherwise pile up.
        cutoff = self._clock() - self._window
        for key in [k for k, times in self._failures.items() if times[-1] <= cutoff]:
            del self._failures[key]
        self._sweep_at = max(_FIRST_SWEEP, 2 * len(self._failures))
