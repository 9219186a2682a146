"""Fit the short-answer grader on SemEval-2013 train and evaluate it on the test splits.

Usage: .venv/bin/python bench/grading_calibrate.py [DATA_FOLDER] [--smoke]

Writes tutor/grading/calibration.json; the last line printed is the per-split JSON.
``--smoke`` fits on a few answers to a few questions of each split, copied to a temporary
folder, and writes the calibration there instead: it checks the bench still runs.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from tutor.embeddings import SentenceTransformerEmbeddings
from tutor.grading import CALIBRATION_PATH, FEATURE_NAMES, ShortAnswerGrader, calibrate
from tutor.grading.dataset import ANSWERS_FILE, QUESTIONS_FILE, TRAIN_SPLIT, evaluate, load

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "asag"
SMOKE_QUESTIONS = {TRAIN_SPLIT: 10}
"""Questions kept per split in a smoke run: train needs one per fold of its 5-fold CV."""
SMOKE_OTHER_QUESTIONS = 2
SMOKE_ANSWERS = 8
"""Answers kept per question in a smoke run."""


def smoke_subset(folder: Path, into: Path) -> Path:
    """Copy the first questions of each split, and a few answers to each, into ``into``."""
    kept: dict[str, list[str]] = {}
    answers_kept: dict[str, int] = {}
    lines = (folder / ANSWERS_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    chosen = []
    for row in rows:
        corpus, split, question_id = row.split("\t", 3)[:3]
        key = f"{corpus}\t{split}\t{question_id}"
        questions = kept.setdefault(split, [])
        if key not in questions:
            if len(questions) >= SMOKE_QUESTIONS.get(split, SMOKE_OTHER_QUESTIONS):
                continue
            questions.append(key)
        if answers_kept.get(key, 0) < SMOKE_ANSWERS:
            answers_kept[key] = answers_kept.get(key, 0) + 1
            chosen.append(row)
    (into / ANSWERS_FILE).write_text(header + "".join(chosen), encoding="utf-8")
    with (folder / QUESTIONS_FILE).open(encoding="utf-8") as source:
        questions_kept = [
            line
            for line in source
            if line.strip()
            and "\t".join(json.loads(line)[k] for k in ("corpus", "split", "question_id"))
            in answers_kept
        ]
    (into / QUESTIONS_FILE).write_text("".join(questions_kept), encoding="utf-8")
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument(
        "--smoke", action="store_true", help="a few answers, calibration written to a temp dir"
    )
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"no SemEval-2013 folder at {args.folder}: pass it as DATA_FOLDER")
    with tempfile.TemporaryDirectory(prefix="tutor-grading-bench-") as scratch:
        folder, output = args.folder, CALIBRATION_PATH
        if args.smoke:
            folder = smoke_subset(args.folder, Path(scratch))
            output = Path(scratch) / "calibration.json"
        run(folder, output)


def run(folder: Path, output: Path) -> None:
    """Fit on ``folder``'s train split, write the calibration to ``output``, evaluate."""
    started = time.perf_counter()
    train = load(folder)[TRAIN_SPLIT]
    embeddings = SentenceTransformerEmbeddings(max_tokens=128, batch_threads=2)
    calibration = calibrate(
        [(a.item, a.correct) for a in train],
        embeddings,
        output,
        groups=[f"{a.corpus}/{a.question_id}" for a in train],
    )
    print(f"fitted on {len(train)} train answers in {time.perf_counter() - started:.0f} s")
    print(f"wrote {output}")
    for name, weight in zip(FEATURE_NAMES, calibration.coef, strict=True):
        print(f"  {name:22s} {weight:+.3f}")
    print(f"  {'intercept':22s} {calibration.intercept:+.3f}")
    print(
        f"thresholds: correct >= {calibration.correct_threshold}, "
        f"partial >= {calibration.partial_threshold} (the fitted thresholds "
        f"{calibration.info['fitted_threshold_with_examples']} with graded examples, "
        f"{calibration.info['fitted_threshold_without_examples']} without, are moved to 0.5)"
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
