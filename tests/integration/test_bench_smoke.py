"""Every bench in bench/ runs in its smoke mode and ends with its figures as JSON.

The soak and upload-storm benches have tests of their own (test_bench_soak.py,
test_upload_storm.py); the others run here, each as a subprocess the way `make bench`
runs it, with ``--smoke``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EVAL = REPO.parent / "shared" / "eval"
RUST_BOOK = EVAL / "rust-book"
ASAG = EVAL / "asag"
CALIBRATION = REPO / "tutor" / "grading" / "calibration.json"


@dataclass(frozen=True)
class Bench:
    """One bench script, the figures its JSON line must hold, and the data it reads."""

    script: str
    figures: tuple[str, ...]
    needs: Path | None = None
    real_model: bool = False
    timeout_s: float = 300.0


BENCHES = [
    Bench(
        "fit_bkt.py",
        ("n_sequences", "fitted", "max_param_error", "log_loss_after", "auc_after", "fit_s"),
    ),
    Bench(
        "planner.py",
        (
            "concepts",
            "edges",
            "build_ms",
            "next_concept_ms_p50",
            "next_concept_far_frontier_ms_p95",
            "learning_path_ms_p50",
            "learning_path_len",
        ),
    ),
    Bench(
        "ws_load.py",
        (
            "signup_s",
            "trial_tokens_per_s",
            "idle_connected",
            "bytes_per_idle_connection",
            "added_delay_ms_p99",
            "first_token_ms_p50",
            "turns_completed",
            "idle_alive_after",
            "errors",
        ),
    ),
    Bench(
        "ingest.py",
        (
            "ingest_seconds",
            "reingest_seconds",
            "chunks",
            "concepts",
            "edges",
            "part_of_precision",
            "part_of_recall",
            "prereq_order_agreement",
            "recall_at_5",
        ),
        needs=RUST_BOOK,
    ),
    Bench("grading_calibrate.py", ("test-unseen-answers", "test-unseen-questions"), ASAG),
    Bench("explain_calibrate.py", ("accuracy", "macro_f1", "false_contradicted_rate", "n")),
    Bench(
        "real_model_ws.py",
        (
            "ttft_ms_p50",
            "tokens_per_s_p50",
            "concurrent_ttft_ms_p50",
            "concurrent_tokens_per_s_total",
            "answers_quoted",
            "server_tracebacks",
        ),
        needs=RUST_BOOK,
        real_model=True,
    ),
    Bench(
        "lesson_ws.py",
        (
            "ttft_ms_p50",
            "lesson_ms_p50",
            "novelty",
            "citations_valid_share",
            "text_matches_stream_share",
            "sources",
            "server_tracebacks",
        ),
        needs=RUST_BOOK,
        real_model=True,
    ),
    Bench(
        "lessons.py",
        (
            "own_section_share",
            "dangling_refs",
            "broken_code_as_working",
            "markup_leaks",
            "repeated_exercises",
            "exercises_after_lesson_s_p50",
            "first_kept_token_s_p50",
            "resets_per_lesson",
            "not_covered_accuracy",
            "exercises_rejected",
        ),
    ),
    Bench("web_build.py", ("next_version", "build_command")),
    Bench(
        "learner_walk.py",
        (
            "learner",
            "turns",
            "corpus",
            "distinct_concepts",
            "non_teachable_lessons",
            "longest_run",
            "order_position",
            "against_verdict",
            "path_length",
            "moved_past_failed",
        ),
    ),
]


def test_every_bench_script_has_a_smoke_case_here() -> None:
    covered = {bench.script for bench in BENCHES}
    # Helpers start with "_"; ingest_metrics is a library of the ingest bench.
    tested_elsewhere = {"soak.py", "upload_storm.py", "ingest_metrics.py"}
    scripts = {p.name for p in (REPO / "bench").glob("*.py") if not p.name.startswith("_")}
    assert scripts - tested_elsewhere == covered


@pytest.mark.parametrize(
    "bench",
    [
        pytest.param(
            bench,
            id=bench.script.removesuffix(".py"),
            marks=[pytest.mark.real_model] if bench.real_model else [],
        )
        for bench in BENCHES
    ],
)
def test_the_bench_runs_in_smoke_mode_and_prints_its_figures(bench: Bench, tmp_path: Path) -> None:
    if bench.needs is not None and not bench.needs.is_dir():
        pytest.skip(f"{bench.script} reads {bench.needs}, which is not on this machine")
    calibration = CALIBRATION.read_bytes()
    ran = subprocess.run(
        [sys.executable, str(REPO / "bench" / bench.script), "--smoke"],
        capture_output=True,
        text=True,
        timeout=bench.timeout_s,
        cwd=REPO,
        # Scratch data directories go under the test's own folder.
        env={**os.environ, "TMPDIR": str(tmp_path), "HF_HUB_OFFLINE": "1"},
    )

    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    figures = json.loads(ran.stdout.strip().splitlines()[-1])
    assert isinstance(figures, dict)
    missing = [name for name in bench.figures if name not in figures]
    assert not missing, f"{bench.script} printed no {missing}: {figures}"
    # A smoke run writes nothing into the repository (the grader's calibration is kept).
    assert CALIBRATION.read_bytes() == calibration
