"""Benchmark of BKT fitting: recover known parameters from a simulated population.

Simulates learners whose answers follow known BKT parameters, fits parameters by EM
starting from the defaults, and prints true against fitted values, the largest error, and
log-loss and AUC of one-step-ahead predictions before and after. Ends with one JSON line.

    .venv/bin/python bench/fit_bkt.py [--learners 500] [--concepts 20] [--attempts 10]
    .venv/bin/python bench/fit_bkt.py --smoke    # 20 learners, 3 concepts: under a second
"""

from __future__ import annotations

import argparse
import json
import random
import time

from tutor.learner import BKTParams, fit_bkt
from tutor.learner.simulate import simulate_population

FIELDS = ("prior", "learn", "slip", "guess")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--concepts", type=int, default=20)
    parser.add_argument("--attempts", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="20 learners, 3 concepts, 5 attempts")
    for name, default in zip(FIELDS, (0.3, 0.12, 0.08, 0.25), strict=True):
        parser.add_argument(f"--{name}", type=float, default=default)
    args = parser.parse_args()
    if args.smoke:
        args.learners, args.concepts, args.attempts = 20, 3, 5
    truth = BKTParams(**{name: getattr(args, name) for name in FIELDS})

    sequences = simulate_population(
        truth,
        learners=args.learners,
        concepts=args.concepts,
        attempts=args.attempts,
        rng=random.Random(args.seed),
    )
    start = time.perf_counter()
    report = fit_bkt(sequences)
    fit_s = time.perf_counter() - start

    errors = {name: abs(getattr(report.params, name) - getattr(truth, name)) for name in FIELDS}
    print(f"{report.n_sequences} sequences, {report.n_observations} scores, fit {fit_s:.2f} s")
    print(f"{'':>8} {'true':>8} {'fitted':>8} {'error':>8}")
    for name in FIELDS:
        fitted = getattr(report.params, name)
        print(f"{name:>8} {getattr(truth, name):8.3f} {fitted:8.3f} {errors[name]:8.3f}")
    print(f"log-loss {report.log_loss_before:.4f} -> {report.log_loss_after:.4f}")
    print(f"AUC      {_rounded(report.auc_before)} -> {_rounded(report.auc_after)}")
    print(
        json.dumps(
            {
                "n_sequences": report.n_sequences,
                "n_observations": report.n_observations,
                "true": {name: getattr(truth, name) for name in FIELDS},
                "fitted": {name: round(getattr(report.params, name), 4) for name in FIELDS},
                "max_param_error": round(max(errors.values()), 4),
                "log_loss_before": round(report.log_loss_before, 4),
                "log_loss_after": round(report.log_loss_after, 4),
                "auc_before": _rounded(report.auc_before),
                "auc_after": _rounded(report.auc_after),
                "em_iterations": report.iterations,
                "fit_s": round(fit_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
