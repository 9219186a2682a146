"""Explain-back with the real all-MiniLM-L6-v2 model and the shipped calibration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import main
from tutor.embeddings import SentenceTransformerEmbeddings
from tutor.teaching.explain import compare_explanation
from tutor.teaching.material import ConceptInfo

pytestmark = pytest.mark.integration

OWNERSHIP = ConceptInfo(key="ownership", title="Ownership Rules")
RULES = (
    "Each value in Rust has an owner.",
    "There can only be one owner at a time.",
    "When the owner goes out of scope, the value will be dropped.",
)
REFERENCES = ConceptInfo(key="references", title="References and Borrowing")
BORROWING = (
    "A reference is like a pointer in that it's an address we can follow to access the data "
    "stored at that address; that data is owned by some other variable.",
    "Unlike a pointer, a reference is guaranteed to point to a valid value of a particular "
    "type for the life of that reference.",
    "These ampersands represent references, and they allow you to refer to some value "
    "without taking ownership of it.",
    "We call the action of creating a reference borrowing.",
    "Just as variables are immutable by default, so are references.",
)


@pytest.fixture(scope="module")
def embeddings() -> SentenceTransformerEmbeddings:
    model = SentenceTransformerEmbeddings(max_tokens=128, batch_threads=2)
    model.load()
    return model


def test_a_careful_explanation_of_borrowing_passes_with_nothing_contradicted(
    embeddings: SentenceTransformerEmbeddings,
) -> None:
    text = (
        "When I pass &name to a function, the function gets a reference: an address of data "
        "that another variable still owns, so it never takes ownership. Making such a "
        "reference is what Rust calls borrowing. A reference is always valid, it cannot "
        "outlive its value, and like variables it is immutable by default, so the function "
        "can read the data but cannot change it."
    )
    result = compare_explanation(text, REFERENCES, BORROWING, embeddings)
    assert result.contradicted == ()
    assert result.passed
    assert result.score >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "It's a book about Rust.",
        "References are pointers. Through them you may modify whatever they point to.",
        "Borrowing is a Rust thing.",
    ],
)
def test_a_one_liner_or_a_wrong_claim_fails(
    embeddings: SentenceTransformerEmbeddings, text: str
) -> None:
    result = compare_explanation(text, REFERENCES, BORROWING, embeddings)
    assert not result.passed
    assert result.score < 0.5
    assert BORROWING[4] not in result.covered


def test_immutable_by_default_does_not_contradict_itself(
    embeddings: SentenceTransformerEmbeddings,
) -> None:
    points = (
        "By default, variables are immutable.",
        "Although variables are immutable by default, you can make them mutable by adding "
        "mut in front of the variable name.",
    )
    text = (
        "A variable made with let is immutable by default, so a second assignment to it "
        "won't compile. Put mut before the name and it becomes mutable."
    )
    concept = ConceptInfo(key="variables", title="Variables and Mutability")
    result = compare_explanation(text, concept, points, embeddings)
    assert result.contradicted == ()
    assert result.passed


def test_a_rule_turned_around_is_contradicted(embeddings: SentenceTransformerEmbeddings) -> None:
    text = (
        "Every value belongs to one variable, its owner, and only one at any moment. When "
        "that variable goes out of scope, the value is not dropped and stays in memory."
    )
    result = compare_explanation(text, OWNERSHIP, RULES, embeddings)
    assert RULES[2] in result.contradicted
    assert not result.passed
    assert "goes out of scope" in result.follow_up


def test_a_partial_explanation_asks_about_a_missing_point(
    embeddings: SentenceTransformerEmbeddings,
) -> None:
    text = "In Rust each value has a variable that owns it."
    result = compare_explanation(text, OWNERSHIP, RULES, embeddings)
    assert not result.passed
    assert RULES[0] in result.covered
    assert result.follow_up.startswith("How would you explain that ")
    asked = result.follow_up.lower()
    assert any(point.rstrip(".").lower() in asked for point in RULES[1:])


def test_an_unrelated_text_fails(embeddings: SentenceTransformerEmbeddings) -> None:
    text = "Photosynthesis turns sunlight, water and carbon dioxide into sugar in plant leaves."
    result = compare_explanation(text, OWNERSHIP, RULES, embeddings)
    assert not result.passed
    assert result.covered == ()


def test_eval_explain_reports_every_figure_on_a_small_file(tmp_path: Path) -> None:
    rows = [
        {
            "concept": "Ownership Rules",
            "key_points": list(RULES),
            "explanation": text,
            "verdict": verdict,
            "covers": covers,
            "contradicts": [],
        }
        for text, verdict, covers in [
            (
                "Every value is owned by exactly one variable at a time, and the value is "
                "freed as soon as that owner leaves its scope.",
                "pass",
                [0, 1, 2],
            ),
            ("Cargo builds Rust projects.", "fail", []),
        ]
    ]
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "explain", str(path), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    for key in (
        "accuracy",
        "macro_f1",
        "key_point_precision",
        "key_point_recall",
        "false_contradicted_rate",
        "n",
    ):
        assert 0.0 <= figures[key] <= max(1.0, figures["n"])
    assert figures["n"] == 2
    text = CliRunner().invoke(main, ["eval", "explain", str(path)])
    assert text.exit_code == 0 and "macro-F1" in text.output
