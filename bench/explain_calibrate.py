"""Fit explain-back's calibration on the calibrate half of a labelled set; report the other.

Usage: .venv/bin/python bench/explain_calibrate.py [SET] [--output PATH] [--smoke]

Writes tutor/grading/explain_calibration.json (or PATH). Every threshold is chosen on
out-of-fold predictions, folds split by concept, so no threshold is chosen on a concept the
model was fitted on. The last line printed is the JSON of the report half. ``--smoke``
fits on five concepts and reports on two, into a temporary file: it checks the bench runs.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from tutor.embeddings import SentenceTransformerEmbeddings
from tutor.grading.features import VectorCache, words
from tutor.grading.short_answer import fit_logistic, macro_f1
from tutor.teaching.explain import COPY_MIN_WORDS, centrality
from tutor.teaching.explain_calibration import (
    CONTRADICT_MODEL_COLUMNS,
    EXPLAIN_CALIBRATION_PATH,
    ExplainCalibration,
    fit_point_model,
)
from tutor.teaching.explain_eval import (
    COPY_STYLE,
    LabelledExplanation,
    evaluate,
    load_explanations,
    pick_split,
    shipped_judge,
)
from tutor.teaching.explain_evidence import (
    COVER_COLUMNS,
    copied_share,
    point_evidence,
)

DEFAULT_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "explain_back.jsonl"
MAX_FALSE_CONTRADICTED = 0.01
"""Out-of-fold false "contradicted" rate the contradiction threshold keeps under: half the
2% a learner may meet, for a margin on unseen concepts."""
FOLDS = 5
SMOKE_CONCEPTS = FOLDS
"""Concepts a smoke run fits on: one per fold."""
GRID = [round(0.05 * i, 2) for i in range(4, 20)]


def _oof(rows, labels, groups):
    """Out-of-fold probabilities, folds split by concept."""
    names = sorted(set(groups))
    fold_of = {name: i % FOLDS for i, name in enumerate(names)}
    fold = np.array([fold_of[g] for g in groups])
    out = np.zeros(len(labels))
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        if not test.any():
            continue
        if len(set(labels[train].tolist())) < 2:
            out[test] = float(labels[train].mean()) if train.any() else 0.0
            continue
        mean, scale, coef, intercept = fit_logistic(rows[train], labels[train])
        z = (rows[test] - mean) / scale
        out[test] = 1.0 / (1.0 + np.exp(-(z @ coef + intercept)))
    return out


def _f1(truth, said):
    tp = int(np.sum(truth & said))
    wrong = int(np.sum(truth != said))
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def fit(rows: list[LabelledExplanation], embeddings) -> ExplainCalibration:
    """Fit every part of the calibration on ``rows``."""
    cache = VectorCache(embeddings)
    cover_rows, cover_labels, cover_groups = [], [], []
    cued_rows, cued_labels, cued_groups, cued_at = [], [], [], []
    per_row = []
    for r, row in enumerate(rows):
        evidence = point_evidence(row.explanation, row.key_points, row.concept, embeddings, cache)
        weights = centrality(row.key_points, cache)
        per_row.append(weights)
        for i, e in enumerate(evidence):
            cover_rows.append(e.cover)
            cover_labels.append(i in row.covers)
            cover_groups.append(row.concept)
            if e.cued:
                cued_rows.append((len(cover_rows) - 1, e.contradict))
                cued_labels.append(i in row.contradicts)
                cued_groups.append(row.concept)
                cued_at.append((r, i))
    x = np.array(cover_rows)
    y = np.array(cover_labels, dtype=bool)
    cover_oof = _oof(x, y, cover_groups)
    # The contradicted model reads how likely the point is stated at all (out of fold here).
    cx = np.array([(cover_oof[k], *values) for k, values in cued_rows])
    cy = np.array(cued_labels, dtype=bool)
    pairs = len(y)
    contra_oof = _oof(cx, cy, cued_groups) if len(cy) else np.zeros(0)
    safe = [
        t
        for t in [*GRID, 0.97, 0.99]
        if t >= 0.5 and np.sum((contra_oof >= t) & ~cy) / pairs <= MAX_FALSE_CONTRADICTED
    ]
    contra_t = max(safe or [0.99], key=lambda t: (_f1(cy, contra_oof >= t), t))
    wrong = [set() for _ in rows]
    for (r, i), p in zip(cued_at, contra_oof, strict=True):
        if p >= contra_t:
            wrong[r].add(i)

    def shares(cover_t):
        """Out-of-fold weighted share of covered key points of each row."""
        covered = [set() for _ in rows]
        k = 0
        for r, row in enumerate(rows):
            for i in range(len(row.key_points)):
                if cover_oof[k] >= cover_t and i not in wrong[r]:
                    covered[r].add(i)
                k += 1
        return np.array(
            [sum(per_row[r][i] for i in covered[r]) / per_row[r].sum() for r in range(len(rows))]
        )

    copy_truth = np.array([row.style == COPY_STYLE for row in rows], dtype=bool)
    long_enough = np.array([len(words(row.explanation)) >= COPY_MIN_WORDS for row in rows])
    copy_shares = np.array([copied_share(row.explanation, row.key_points) for row in rows])
    copy_grid = [round(0.05 * i, 2) for i in range(6, 20)]
    best_copy = max(_f1(copy_truth, long_enough & (copy_shares >= t)) for t in copy_grid)
    # The middle of the best range leaves a margin on both sides.
    tied = [t for t in copy_grid if _f1(copy_truth, long_enough & (copy_shares >= t)) == best_copy]
    copy_t = round(float(np.median(tied)), 2)
    copied = long_enough & (copy_shares >= copy_t)
    labels = np.array([row.passed for row in rows], dtype=bool)
    blocked = np.array([bool(wrong[r]) or copied[r] for r in range(len(rows))])
    pass_grid = [round(0.05 * i, 2) for i in range(4, 19)]
    # The covered threshold is chosen with the pass share, for the verdict: a point half
    # stated in a good explanation by example still speaks for it.
    scored = [
        (macro_f1(labels, (shares(ct) >= pt) & ~blocked), ct, pt) for ct in GRID for pt in pass_grid
    ]
    best_pass = max(f for f, _, _ in scored)
    tied = [(ct, pt) for f, ct, pt in scored if f == best_pass]
    cover_t, pass_t = max(tied, key=lambda pair: (pair[0], -pair[1]))
    return ExplainCalibration(
        cover=fit_point_model(x, y, COVER_COLUMNS, cover_t),
        contradict=fit_point_model(cx, cy, CONTRADICT_MODEL_COLUMNS, contra_t),
        pass_share=pass_t,
        copy_share=copy_t,
        info={
            "n_explanations": len(rows),
            "n_key_points": pairs,
            "n_cued": len(cy),
            "n_contradicted_cued": int(cy.sum()),
            "concepts": len(set(cover_groups)),
            "cv_cover_f1": _f1(y, cover_oof >= cover_t),
            "cv_cover_precision": float(
                np.sum(y & (cover_oof >= cover_t)) / max(1, np.sum(cover_oof >= cover_t))
            ),
            "cv_cover_recall": float(np.sum(y & (cover_oof >= cover_t)) / max(1, np.sum(y))),
            "cv_false_contradicted_rate": float(np.sum((contra_oof >= contra_t) & ~cy) / pairs),
            "cv_copy_f1": best_copy,
            "cv_pass_macro_f1": best_pass,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--output", type=Path, default=EXPLAIN_CALIBRATION_PATH)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few concepts of each half, written to a temporary file: checks it runs",
    )
    args = parser.parse_args()
    if not args.set.is_file():
        sys.exit(f"no labelled explain-back set at {args.set}")
    rows = load_explanations(args.set)
    calibrate, report = pick_split(rows, "calibrate"), pick_split(rows, "report")
    if args.smoke:
        calibrate, report = _concepts(calibrate, SMOKE_CONCEPTS), _concepts(report, 2)
        # The shipped calibration stays as it is.
        args.output = Path(tempfile.gettempdir()) / "explain_calibration-smoke.json"
    embeddings = SentenceTransformerEmbeddings(max_tokens=128, batch_threads=2)
    calibration = fit(calibrate, embeddings)
    calibration.save(args.output)
    print(f"wrote {args.output}")
    print(
        f"thresholds: covered >= {calibration.cover.threshold}, contradicted >= "
        f"{calibration.contradict.threshold}, pass share >= {calibration.pass_share}, "
        f"copy share >= {calibration.copy_share}"
    )
    for name, model in (("cover", calibration.cover), ("contradict", calibration.contradict)):
        weights = ", ".join(f"{c} {w:+.2f}" for c, w in zip(model.columns, model.coef, strict=True))
        print(f"  {name}: {weights}, intercept {model.intercept:+.2f}")
    print("calibrate half (out of fold):", json.dumps(calibration.info))
    judge = shipped_judge(embeddings, calibration)
    print(json.dumps(evaluate(report, judge) | {"smoke": args.smoke}))


def _concepts(rows: list[LabelledExplanation], count: int) -> list[LabelledExplanation]:
    """The rows of the first ``count`` concepts of ``rows``."""
    kept = list(dict.fromkeys(row.concept for row in rows))[:count]
    return [row for row in rows if row.concept in kept]


if __name__ == "__main__":
    main()
