"""Explain-back logic with word-hashing embeddings: cues, copies, wording, the verdict."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutor.embeddings import FakeEmbeddings
from tutor.teaching.explain import (
    ExplainResult,
    _feedback,
    _follow_up,
    compare_explanation,
    plain,
)
from tutor.teaching.explain_calibration import (
    CONTRADICT_MODEL_COLUMNS,
    EXPLAIN_CALIBRATION_PATH,
    ExplainCalibration,
    PointModel,
)
from tutor.teaching.explain_evidence import (
    COVER_COLUMNS,
    antonym_mismatch,
    contradiction_cues,
    copied_share,
    polarity_mismatch,
    quantity_mismatch,
)
from tutor.teaching.material import ConceptInfo

CONCEPT = ConceptInfo(key="ownership", title="Ownership Rules")
POINTS = (
    "Each value in Rust has an owner.",
    "There can only be one owner at a time.",
    "When the owner goes out of scope, the value will be dropped.",
)


def _model(columns: tuple[str, ...], coef: float, threshold: float) -> PointModel:
    """A model that reads only the first column: probability rises with it."""
    n = len(columns)
    return PointModel(
        columns=columns,
        mean=(0.0,) * n,
        scale=(1.0,) * n,
        coef=(coef,) + (0.0,) * (n - 1),
        intercept=-coef * 0.5,
        threshold=threshold,
    )


def _calibration(contradict_threshold: float = 0.5) -> ExplainCalibration:
    """Covered when the whole explanation is close to the point; contradicted when the
    point is stated (cover probability high) and a cue fired."""
    return ExplainCalibration(
        cover=_model(COVER_COLUMNS, 40.0, 0.5),
        contradict=_model(CONTRADICT_MODEL_COLUMNS, 40.0, contradict_threshold),
        pass_share=0.6,
        copy_share=0.6,
    )


SENTENCE_END = re.compile(r"[.?!]$")


def _assert_grammatical(text: str) -> None:
    assert ".." not in text and " ." not in text and "?." not in text and ".?" not in text
    assert "  " not in text
    for sentence in re.split(r"(?<=[.?!])\s+", text.strip()):
        assert sentence[0].isupper(), sentence
        assert SENTENCE_END.search(sentence), sentence


def test_shipped_calibration_reads_and_names_its_columns() -> None:
    calibration = ExplainCalibration.read(EXPLAIN_CALIBRATION_PATH)
    assert calibration.cover.columns == COVER_COLUMNS
    assert calibration.contradict.columns == CONTRADICT_MODEL_COLUMNS
    assert 0.5 <= calibration.contradict.threshold < 1.0
    assert 0.0 < calibration.pass_share < 1.0


def test_a_calibration_fitted_on_other_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    old = _calibration()
    stale = PointModel(("sim",), (0.0,), (1.0,), (1.0,), 0.0, 0.5)
    ExplainCalibration(stale, old.contradict, 0.6, 0.6).save(path)
    with pytest.raises(ValueError, match=r"refit it with bench/explain_calibrate\.py"):
        ExplainCalibration.read(path)


def test_a_negation_word_alone_is_not_a_contradiction_cue() -> None:
    point = "Just as variables are immutable by default, so are references."
    # Both say "not changeable", one with a prefix, one with "not": no mismatch.
    assert not polarity_mismatch("Variables are immutable.", "Variables are not mutable.")
    assert polarity_mismatch("Variables are immutable.", "Variables are mutable.")
    # A "not" in a clause about something else does not count.
    text = "References are immutable by default, and they do not own the value they point to."
    assert contradiction_cues(point, text)[:3] == (0.0, 0.0, 0.0)
    # A clause that only sets a condition asserts nothing to contradict.
    rule = "When a variable is immutable, once a value is bound to a name, you can't change it."
    assert contradiction_cues(rule, "Assigning twice to an immutable variable is an error.")[0] == 0


def test_opposites_and_quantities_are_cues() -> None:
    assert antonym_mismatch(
        "A rise in price decreases demand.", "A rise in price increases demand."
    )
    assert antonym_mismatch("When the rate is negative, there is deflation.", "there is inflation")
    assert not antonym_mismatch("Prices rise.", "Prices rise and rise.")
    assert quantity_mismatch("There can only be one owner.", "There can be many owners.")
    assert not quantity_mismatch("There can only be one owner.", "Values have an owner.")


def test_a_cue_without_the_point_being_stated_is_not_a_contradiction() -> None:
    # "not" fires a cue, but the sentence is far from every point: the calibrated model,
    # which weighs how close the statement is, keeps it at "missing".
    text = "Python does not check types before a program runs."
    result = compare_explanation(
        text, CONCEPT, POINTS, FakeEmbeddings(), calibration=_calibration()
    )
    assert result.contradicted == ()
    assert result.missing == POINTS


def test_a_stated_point_turned_around_is_contradicted() -> None:
    text = (
        "Each value in Rust has an owner. There can only be one owner at a time. "
        "When the owner goes out of scope, the value will not be dropped."
    )
    result = compare_explanation(
        text, CONCEPT, POINTS, FakeEmbeddings(), calibration=_calibration()
    )
    assert result.contradicted == (POINTS[2],)
    assert not result.passed
    assert result.score < 0.5
    assert result.follow_up.count("?") == 1 and "goes out of scope" in result.follow_up
    # Under a threshold no evidence reaches, the cue alone contradicts nothing.
    lenient = compare_explanation(
        text, CONCEPT, POINTS, FakeEmbeddings(), calibration=_calibration(1.01)
    )
    assert lenient.contradicted == ()


def test_copied_notes_are_asked_again_in_own_words() -> None:
    passage = (
        "Rust uses a third approach: memory is managed through a system of ownership with a "
        "set of rules that the compiler checks. If any of the rules are violated, the program "
        "won't compile."
    )
    assert copied_share(passage, [passage]) == 1.0
    own = "The compiler checks ownership rules, and a program breaking one is rejected."
    assert copied_share(own, [passage]) < 0.2
    result = compare_explanation(
        passage,
        CONCEPT,
        POINTS,
        FakeEmbeddings(),
        sources=[f"Some context first. {passage} More text after."],
        calibration=_calibration(),
    )
    assert result.copied and not result.passed
    assert result.follow_up == (
        "Can you explain Ownership Rules again in your own words, as you would to a friend?"
    )
    assert "word for word" in result.feedback
    _assert_grammatical(result.feedback)
    # Repeating the key points themselves is a copy too, with no sources given.
    repeated = compare_explanation(
        " ".join(POINTS), CONCEPT, POINTS, FakeEmbeddings(), calibration=_calibration()
    )
    assert repeated.copied and not repeated.passed


def test_a_short_phrase_from_the_notes_is_not_a_copy() -> None:
    result = compare_explanation(
        "Each value in Rust has an owner.",
        CONCEPT,
        POINTS,
        FakeEmbeddings(),
        calibration=_calibration(),
    )
    assert not result.copied


def test_the_follow_up_asks_about_one_missing_point_in_plain_words() -> None:
    points = [
        "Internally, the slice data structure stores the starting position and the length of "
        "the slice, which corresponds to `ending_index` minus `starting_index`.",
        "They are useful when you have a list of items (such as lines of a file).",
    ]
    concept = ConceptInfo(key="slices", title="The Slice Type")
    question = _follow_up(concept, points, set(), set(), copied=False)
    assert question == (
        "How would you explain that the slice data structure stores the starting position "
        "and the length of the slice?"
    )
    # A point opening on a pronoun cannot stand alone: it is not asked about.
    only_pronoun = _follow_up(concept, points[1:], set(), set(), copied=False)
    assert only_pronoun == "What else can you tell me about The Slice Type?"
    assert plain("Second, note that we pass `&s1` (a reference).") == "note that we pass &s1"
    assert plain("In Rust, by contrast, the compiler checks it.") == "the compiler checks it"
    assert plain("Cargo has [the prelude](ch02.md) in scope.") == "cargo has the prelude in scope"
    # A sentence's capital goes; a name's stays when the notes use it inside a sentence.
    names = frozenset({"Rust"})
    assert plain("Unlike a pointer, a reference is valid.", names) == (
        "unlike a pointer, a reference is valid"
    )
    assert plain("A reference borrows.", names) == "a reference borrows"
    assert plain("Rust enforces a rule.", names) == "Rust enforces a rule"
    assert plain("GDP is a measure.", names) == "GDP is a measure"


def test_everything_covered_asks_for_an_example() -> None:
    question = _follow_up(CONCEPT, list(POINTS), set(POINTS), set(), copied=False)
    assert question == "Can you give an example of Ownership Rules of your own?"


@pytest.mark.parametrize(
    ("hit", "missing", "wrong", "passed"),
    [
        (POINTS, (), (), True),
        (POINTS[:2], POINTS[2:], (), True),
        (POINTS[:1], POINTS[1:], (), False),
        ((), POINTS, (), False),
        (POINTS[:1], POINTS[2:], POINTS[1:2], False),
        ((), POINTS[1:], POINTS[:1], False),
    ],
)
def test_feedback_is_grammatical_and_says_when_a_missing_point_is_extra(
    hit: tuple[str, ...], missing: tuple[str, ...], wrong: tuple[str, ...], passed: bool
) -> None:
    text = _feedback(POINTS, hit, missing, wrong, passed=passed, copied=False)
    _assert_grammatical(text)
    if passed and missing:
        assert "not needed to pass" in text
    if not passed:
        assert "not needed to pass" not in text and "Well explained" not in text
    if wrong:
        assert "the notes say that" in text


def test_the_score_sits_on_the_verdicts_side_of_one_half() -> None:
    calibration = _calibration()
    for text in (" ".join(POINTS[:2]) + " And more of my own words.", "Nothing here.", ""):
        result: ExplainResult = compare_explanation(
            text, CONCEPT, POINTS, FakeEmbeddings(), calibration=calibration
        )
        assert (result.score >= 0.5) == result.passed
        _assert_grammatical(result.feedback)
        assert result.follow_up.endswith("?") and result.follow_up.count("?") == 1


def test_empty_text_covers_nothing_and_embeds_nothing() -> None:
    embeddings = FakeEmbeddings()
    result = compare_explanation("  ", CONCEPT, POINTS, embeddings, calibration=_calibration())
    assert not result.passed and result.score == 0.0
    assert result.missing == POINTS
    assert embeddings.history == []


def test_the_concept_supplies_points_when_none_are_given() -> None:
    concept = ConceptInfo(key="k", title="borrowing", key_points=("A reference borrows a value.",))
    result = compare_explanation(
        "A reference borrows a value.", concept, (), FakeEmbeddings(), calibration=_calibration()
    )
    assert result.covered == ("A reference borrows a value.",)
    with pytest.raises(ValueError, match="no key points"):
        compare_explanation("text", ConceptInfo(key="k", title="t"), (), FakeEmbeddings())
