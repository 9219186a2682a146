"""bench/soak.py's smoke mode: a few learners for seconds on the embedded stack, fake model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def test_the_soak_smoke_run_loses_nothing(tmp_path: Path) -> None:
    ran = subprocess.run(
        [sys.executable, str(REPO / "bench" / "soak.py"), "--smoke", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=280,
        cwd=REPO,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    figures = json.loads(ran.stdout.strip().splitlines()[-1])
    fake = figures["fake"]

    assert figures["errors"] == 0, fake["error_examples"]
    assert figures["lost_events"] == 0
    assert figures["duplicated_events"] == 0
    # Every kind of turn ran, a dropped connection was resumed, and every event received
    # was checked against the thread's log.
    assert fake["lessons"] > 0 and fake["answers"] > 0 and fake["chats"] > 0
    assert fake["drops_resumed"] > 0
    assert fake["events_verified"] == fake["events_received"] > 0
    assert fake["server_tracebacks"] == 0
    # Memory was sampled during the soak and once idle; /healthz answered.
    assert len(fake["rss_series_s_main_tree_load"]) >= 2
    assert all(row[1] > 0 for row in fake["rss_series_s_main_tree_load"])
    assert fake["rss_idle_mib"] > 0
    assert fake["healthz_polls"] > 0
    assert "result" in fake["storm_upload"]
