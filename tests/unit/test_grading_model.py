"""Features and grades with the real all-MiniLM-L6-v2 model (loaded once here)."""

import pytest

from tutor.embeddings import SentenceTransformerEmbeddings
from tutor.grading import FEATURE_NAMES, GradingItem, ShortAnswerGrader, compute_features

pytestmark = pytest.mark.integration

QUESTION = "Why does the bulb light up when the switch is closed?"
REFERENCE = "Closing the switch completes the circuit, so current flows through the bulb."
PARAPHRASE = "The circuit is complete, so electric current goes through the bulb."
UNRELATED = "Plants need sunlight and water to grow."
NEGATED = "Closing the switch does not complete the circuit, so no current flows through the bulb."
REPEAT = "The bulb lights up when the switch is closed."


@pytest.fixture(scope="module")
def embeddings() -> SentenceTransformerEmbeddings:
    model = SentenceTransformerEmbeddings(max_tokens=128, batch_threads=2)
    model.load()
    return model


@pytest.fixture(scope="module")
def grader(embeddings: SentenceTransformerEmbeddings) -> ShortAnswerGrader:
    return ShortAnswerGrader(embeddings)


def item(answer: str, key_points: tuple[str, ...] = ()) -> GradingItem:
    return GradingItem(answer, (REFERENCE,), QUESTION, key_points)


def feature(rows: object, row: int, name: str) -> float:
    return float(rows[row, FEATURE_NAMES.index(name)])  # type: ignore[index]


def test_paraphrase_is_closer_than_an_unrelated_answer(
    embeddings: SentenceTransformerEmbeddings,
) -> None:
    rows = compute_features([item(PARAPHRASE), item(UNRELATED)], embeddings)
    assert rows.shape == (2, len(FEATURE_NAMES))
    for name in ("sim_max", "word_recall", "align_recall", "demoted_sim", "in_context_sim"):
        assert feature(rows, 0, name) > feature(rows, 1, name), name


def test_negation_mismatch_is_flagged(embeddings: SentenceTransformerEmbeddings) -> None:
    rows = compute_features([item(PARAPHRASE), item(NEGATED)], embeddings)
    assert feature(rows, 0, "negation_mismatch") == 0.0
    assert feature(rows, 1, "negation_mismatch") == 1.0


def test_repeating_the_question_is_recognized(embeddings: SentenceTransformerEmbeddings) -> None:
    rows = compute_features([item(PARAPHRASE), item(REPEAT)], embeddings)
    assert feature(rows, 1, "question_sim") > 0.8
    assert feature(rows, 1, "question_sim") > feature(rows, 0, "question_sim")
    assert feature(rows, 1, "demoted_recall") < feature(rows, 0, "demoted_recall")


def test_grades_order_answers_sensibly(grader: ShortAnswerGrader) -> None:
    answers = [REFERENCE, PARAPHRASE, NEGATED, REPEAT, UNRELATED]
    grades = grader.grade_many([item(a) for a in answers])
    scores = [g.score for g in grades]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert grades[0].verdict == "correct"
    assert grades[4].verdict == "incorrect"
    # The negation cue lowers a negated copy of the reference below the reference itself.
    assert scores[0] > scores[2]
    assert scores[1] > scores[3]
    assert scores[1] > scores[4]
    assert grades[4].feedback


def test_key_points_covered_and_missed(grader: ShortAnswerGrader) -> None:
    points = ("The circuit is closed.", "Photosynthesis needs chlorophyll.")
    grade = grader.grade(item("Closing the switch closes the circuit. Then current flows.", points))
    assert grade.covered == ("The circuit is closed.",)
    assert grade.missed == ("Photosynthesis needs chlorophyll.",)
    assert "Photosynthesis" in grade.feedback


def test_graded_examples_move_the_grade_their_way(
    grader: ShortAnswerGrader, embeddings: SentenceTransformerEmbeddings
) -> None:
    # An answer the references alone leave unsure about, with a near twin graded earlier.
    answer = "The bulb is in a closed path with the battery."
    twin = "The bulb is in a closed path with the battery terminals."
    others = (("Plants need light.", False), (PARAPHRASE, True))
    liked = GradingItem(answer, (REFERENCE,), QUESTION, graded_examples=((twin, True), *others))
    disliked = GradingItem(answer, (REFERENCE,), QUESTION, graded_examples=((twin, False), *others))
    rows = compute_features([liked, disliked, item(answer)], embeddings)
    assert feature(rows, 0, "example_correct_sim") > 0.9
    assert feature(rows, 0, "example_vote") > feature(rows, 1, "example_vote")
    assert feature(rows, 2, "has_examples") == 0.0
    low, high, plain = (g.score for g in grader.grade_many([disliked, liked, item(answer)]))
    assert low < plain < high


def test_no_items_no_grades(grader: ShortAnswerGrader) -> None:
    assert grader.grade_many([]) == []
