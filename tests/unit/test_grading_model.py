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
    assert "Photosynthesis" in grade.feedback
    if grade.verdict == "correct":  # an uncovered point is extra, never "missed"
        assert grade.missed == ()
        assert grade.extra == ("Photosynthesis needs chlorophyll.",)
        assert "could also mention" in grade.feedback
    else:
        assert grade.missed == ("Photosynthesis needs chlorophyll.",)


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


# Answers as learners write them, against sentences of the Rust book ("References and
# Borrowing") and of the economics notes ("Budget constraints", "Opportunity cost").
BORROW_Q = "What happens to the String when s goes out of scope at the end of calculate_length?"
BORROW_REF = (
    "Because s does not have ownership of what it refers to, the String is not dropped "
    "when s goes out of scope."
)
BUDGET_Q = "When will Sam's budget constraint shift to the right?"
BUDGET_REF = (
    "Sam's budget constraint will shift to the right if either Sam's income increases or "
    "the price of either or both goods decreases."
)
COST_Q = "What happens to the marginal opportunity cost as the production of a good increases?"
COST_REF = (
    "As the production of a good increases, the marginal opportunity cost of producing it "
    "increases as well."
)

WRONG_BUT_OVERLAPPING = [
    (
        BORROW_Q,
        BORROW_REF,
        "s takes ownership of the String, so when s goes out of scope the value is dropped.",
    ),
    (BORROW_Q, BORROW_REF, "The String is dropped when s goes out of scope because s owns it."),
    (
        BUDGET_Q,
        BUDGET_REF,
        "It shifts to the right when Sam's income decreases or the price of the goods increases.",
    ),
    (
        COST_Q,
        COST_REF,
        "As the production of a good increases, the marginal opportunity cost decreases.",
    ),
]
RIGHT_IN_OWN_WORDS = [
    (
        BORROW_Q,
        BORROW_REF,
        "Nothing: s only borrows the String and never owns it, so the String is not dropped.",
    ),
    (
        BUDGET_Q,
        BUDGET_REF,
        "When Sam's income rises, or when the goods get cheaper because their prices decrease.",
    ),
    pytest.param(
        COST_Q,
        COST_REF,
        "It rises too: each extra unit of the good costs more than the one before.",
        marks=pytest.mark.xfail(
            strict=True, reason="a paraphrase sharing few words with its reference is partial"
        ),
    ),
]


@pytest.mark.xfail(
    strict=True,
    reason="the shipped calibration gives the contradiction cues no weight (see CUE_FEATURES)",
)
@pytest.mark.parametrize(("question", "reference", "answer"), WRONG_BUT_OVERLAPPING)
def test_an_answer_that_reuses_the_words_but_says_the_opposite_is_not_correct(
    grader: ShortAnswerGrader, question: str, reference: str, answer: str
) -> None:
    grade = grader.grade(GradingItem(answer, (reference,), question))
    assert grade.verdict != "correct", grade
    assert grade.score < 0.5
    assert "Careful:" in grade.feedback


@pytest.mark.parametrize(("question", "reference", "answer"), RIGHT_IN_OWN_WORDS)
def test_a_right_answer_in_other_words_is_correct(
    grader: ShortAnswerGrader, question: str, reference: str, answer: str
) -> None:
    grade = grader.grade(GradingItem(answer, (reference,), question))
    assert grade.verdict == "correct", grade
    assert grade.score >= 0.5


def test_the_contradiction_cues_are_features(embeddings: SentenceTransformerEmbeddings) -> None:
    wrong, right = WRONG_BUT_OVERLAPPING[0][2], RIGHT_IN_OWN_WORDS[0][2]
    rows = compute_features(
        [GradingItem(a, (BORROW_REF,), BORROW_Q) for a in (wrong, right)], embeddings
    )
    assert feature(rows, 0, "polarity_conflict") == 1.0
    assert feature(rows, 1, "polarity_conflict") == 0.0
    # Both are close to the reference by embedding: only the cue tells them apart.
    assert feature(rows, 0, "sim_max") > 0.6
