"""The guard's record of a model's texts: a prior, a threshold, and a try now and then."""

from __future__ import annotations

import pytest

from tutor.teaching.pass_rates import PassRates

MODEL = "llama.cpp in process: gemma-3-270m"
OTHER = "Ollama at http://127.0.0.1:11434: llama3"


def test_an_unseen_model_is_tried_on_its_prior() -> None:
    rates = PassRates(prior=0.5, prior_weight=2, threshold=0.35)
    rate = rates.rate(MODEL, "lesson")
    assert (rate.passed, rate.tried, rate.estimate) == (0, 0, 0.5)
    assert rates.should_try(MODEL, "lesson")
    # A prior under the threshold keeps even an unseen model from being asked.
    assert not PassRates(prior=0.2, threshold=0.35).likely(MODEL, "lesson")


def test_failures_bring_the_estimate_under_the_threshold_and_passes_back() -> None:
    rates = PassRates(prior=0.5, prior_weight=2, threshold=0.35, explore_every=0)
    rates.record(MODEL, "lesson", passed=False)
    assert rates.rate(MODEL, "lesson").estimate == pytest.approx(1 / 3)
    assert not rates.should_try(MODEL, "lesson")
    for _ in range(3):
        rates.record(MODEL, "lesson", passed=True)
    assert rates.rate(MODEL, "lesson").estimate == pytest.approx(4 / 6)
    assert rates.should_try(MODEL, "lesson")


def test_each_model_and_kind_has_its_own_record() -> None:
    rates = PassRates(explore_every=0)
    for _ in range(5):
        rates.record(MODEL, "lesson", passed=False)
    rates.record(MODEL, "exercises", passed=True)
    assert not rates.likely(MODEL, "lesson")
    assert rates.likely(MODEL, "exercises") and rates.likely(MODEL, "chat")
    assert rates.likely(OTHER, "lesson")
    snapshot = rates.snapshot()
    assert snapshot[MODEL]["lesson"].tried == 5 and snapshot[MODEL]["exercises"].passed == 1
    assert OTHER not in snapshot


def test_a_model_under_the_threshold_is_tried_once_every_so_often() -> None:
    rates = PassRates(explore_every=3)
    for _ in range(10):
        rates.record(MODEL, "chat", passed=False)
    asked = [rates.should_try(MODEL, "chat") for _ in range(8)]
    assert asked == [False, False, False, True, False, False, False, True]
    assert not rates.should_try(MODEL, "chat")
    assert rates.rate(MODEL, "chat").skipped == 1
    # Judging a text that was tried starts the count again.
    rates.record(MODEL, "chat", passed=False)
    assert rates.rate(MODEL, "chat").skipped == 0


def test_never_exploring_never_asks_a_failing_model() -> None:
    rates = PassRates(explore_every=0)
    rates.record(MODEL, "lesson", passed=False)
    rates.record(MODEL, "lesson", passed=False)
    assert not any(rates.should_try(MODEL, "lesson") for _ in range(100))


@pytest.mark.parametrize(
    "arguments",
    [{"prior": 1.5}, {"threshold": -0.1}, {"prior_weight": -1.0}, {"explore_every": -2}],
)
def test_nonsense_settings_are_refused(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"between 0 and 1|cannot be negative"):
        PassRates(**arguments)  # type: ignore[arg-type]


def test_the_record_reads_as_one_line_per_model() -> None:
    rates = PassRates(prior=0.5, prior_weight=2, threshold=0.35)
    assert rates.describe(MODEL) == ""
    rates.record(MODEL, "lesson", passed=False)
    rates.record(MODEL, "lesson", passed=False)
    rates.record(MODEL, "exercises", passed=True)
    assert rates.describe(MODEL) == (
        "exercises 1/1 passed (est. 0.67); lesson 0/2 passed (est. 0.25, not asked)"
    )
    assert rates.describe(OTHER) == ""
