"""The collector is tuned for a long-running server."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from tutor.resources import GIL_SWITCH_INTERVAL_S, YOUNG_COLLECTION_THRESHOLD, settle_heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("restored_collector")
def test_settling_freezes_what_lives_and_collects_the_young_less_often() -> None:
    long_lived = [{"model": i} for i in range(1000)]
    before = gc.get_freeze_count()
    settle_heap()
    assert gc.get_freeze_count() >= before + len(long_lived)
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD
    assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_INTERVAL_S)
    # Garbage made afterwards is still collected.
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1
