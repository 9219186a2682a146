"""Fit the short-answer grader on SemEval-2013 train and evaluate it on the test splits.

Usage: .venv/bin/python bench/grading_calibrate.py [DATA_FOLDER]

Writes tutor/grading/calibration.json; the last line printed is the per-split JSON.
"""

import json
import sys
import time
from pathlib import Path

from tutor.embeddings import SentenceTransformerEmbeddings
from tutor.grading import CALIBRATION_PATH, FEATURE_NAMES, ShortAnswerGrader, calibrate
from tutor.grading.dataset import TRAIN_SPLIT, evaluate, load

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "asag"


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER
    started = time.perf_counter()
    train = load(folder)[TRAIN_SPLIT]
    embeddings = SentenceTransformerEmbeddings(max_tokens=128, batch_threads=2)
    calibration = calibrate(
        [(a.item, a.correct) for a in train],
        embeddings,
        CALIBRATION_PATH,
        groups=[f"{a.corpus}/{a.question_id}" for a in train],
    )
    print(f"fitted on {len(train)} train answers in {time.perf_counter() - started:.0f} s")
    print(f"wrote {CALIBRATION_PATH}")
    for name, weight in zip(FEATURE_NAMES, calibration.coef, strict=True):
        print(f"  {name:22s} {weight:+.3f}")
    print(f"  {'intercept':22s} {calibration.intercept:+.3f}")
    print(
        f"thresholds: correct >= {calibration.correct_threshold}, "
        f"partial >= {calibration.partial_threshold}"
    )
    info = calibration.info
    print(
        f"train question-grouped {info['cv_folds']}-fold CV: "
        f"accuracy {info['cv_accuracy']:.3f}, macro-F1 {info['cv_macro_f1']:.3f} "
        f"(with examples {info['cv_macro_f1_with_examples']:.3f}, "
        f"without {info['cv_macro_f1_without_examples']:.3f})"
    )
    grader = ShortAnswerGrader(embeddings, calibration)
    results = evaluate(grader, folder)
    for split, figures in results.items():
        print(
            f"{split}: accuracy {figures['accuracy']:.3f}, "
            f"macro-F1 {figures['macro_f1']:.3f}, n {figures['n']}"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
