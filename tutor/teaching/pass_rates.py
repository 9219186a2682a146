"""How often a model's text passes the quality guard, per model and kind of text.

A small model's lessons may fail the guard nine times in ten; streaming them first and
replacing them afterwards only makes the learner wait for text they never keep. The
tracker counts, in process, how a model's texts of each kind (``lesson``, ``exercises``,
``chat``) fared, starting from a prior (a pass rate counted as a few texts already seen),
so a caller can go straight to the notes when the model is likely to fail. A text skipped
teaches the tracker nothing, so every so often one is tried anyway: a model that got
better (or a kind of text it handles well) is noticed again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

TextKind = Literal["lesson", "exercises", "chat"]
"""What a model was asked to write."""


@dataclass(frozen=True)
class PassRate:
    """What is known about one model's texts of one kind.

    Attributes:
        passed: Texts that passed the guard.
        tried: Texts judged.
        skipped: Texts not asked of the model since the last one tried.
        estimate: The pass rate with the prior: ``(passed + prior * weight) / (tried +
            weight)``.
    """

    passed: int
    tried: int
    skipped: int
    estimate: float


class PassRates:
    """Guard pass rates per (model, kind), kept in memory for the life of the process.

    Safe to share between turns on one event loop and between threads.
    """

    def __init__(
        self,
        *,
        prior: float = 0.5,
        prior_weight: float = 2.0,
        threshold: float = 0.35,
        explore_every: int = 20,
    ) -> None:
        """Set the prior and the decision rule.

        Args:
            prior: The pass rate assumed for a model before any of its texts is judged.
            prior_weight: How many texts the prior counts as: the larger, the more
                judged texts it takes to move the estimate.
            threshold: The estimate under which the model is not asked for that kind of
                text.
            explore_every: After this many texts of a kind were not asked of the model,
                the next one is (0: never), so the estimate can recover.

        Raises:
            ValueError: A rate outside [0, 1], or a negative weight or count.
        """
        if not 0.0 <= prior <= 1.0 or not 0.0 <= threshold <= 1.0:
            raise ValueError("prior and threshold are pass rates, between 0 and 1")
        if prior_weight < 0 or explore_every < 0:
            raise ValueError("prior_weight and explore_every cannot be negative")
        self.prior = prior
        self.prior_weight = prior_weight
        self.threshold = threshold
        self.explore_every = explore_every
        self._counts: dict[tuple[str, TextKind], list[int]] = {}
        self._lock = threading.Lock()

    def record(self, model: str, kind: TextKind, *, passed: bool) -> None:
        """Count one judged text.

        Args:
            model: Which model wrote it (e.g. its ``where``).
            kind: What kind of text it was.
            passed: Whether it passed the guard whole.
        """
        with self._lock:
            counts = self._counts.setdefault((model, kind), [0, 0, 0])
            counts[0] += int(passed)
            counts[1] += 1
            counts[2] = 0

    def rate(self, model: str, kind: TextKind) -> PassRate:
        """What is known about ``model``'s texts of ``kind``."""
        with self._lock:
            passed, tried, skipped = self._counts.get((model, kind), (0, 0, 0))
        weight = self.prior_weight
        denominator = tried + weight
        estimate = (passed + self.prior * weight) / denominator if denominator else self.prior
        return PassRate(passed, tried, skipped, estimate)

    def likely(self, model: str, kind: TextKind) -> bool:
        """Whether ``model``'s next text of ``kind`` is likely enough to pass."""
        return self.rate(model, kind).estimate >= self.threshold

    def should_try(self, model: str, kind: TextKind) -> bool:
        """Whether to ask ``model`` for its next text of ``kind``; counts a skip when not.

        Yes when it is likely to pass, and once every ``explore_every`` texts otherwise.
        """
        if self.likely(model, kind):
            return True
        with self._lock:
            counts = self._counts.setdefault((model, kind), [0, 0, 0])
            if self.explore_every and counts[2] >= self.explore_every:
                counts[2] = 0
                return True
            counts[2] += 1
            return False

    def describe(self, model: str) -> str:
        """One line on ``model``'s record, e.g. ``lesson 0/3 passed (est. 0.20, not asked)``.

        Empty when none of its texts was judged yet.
        """
        parts = []
        for kind, rate in sorted(self.snapshot().get(model, {}).items()):
            if not rate.tried:
                continue
            asked = "" if rate.estimate >= self.threshold else ", not asked"
            parts.append(
                f"{kind} {rate.passed}/{rate.tried} passed (est. {rate.estimate:.2f}{asked})"
            )
        return "; ".join(parts)

    def snapshot(self) -> dict[str, dict[str, PassRate]]:
        """Every rate known so far, by model then kind (for benches and status pages)."""
        with self._lock:
            keys = list(self._counts)
        found: dict[str, dict[str, PassRate]] = {}
        for model, kind in keys:
            found.setdefault(model, {})[kind] = self.rate(model, kind)
        return found
