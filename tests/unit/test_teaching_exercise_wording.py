"""Blanks and wrong options that read as real sentences of the notes."""

from __future__ import annotations

import re

import pytest

from tutor.teaching._cloze import BLANK, Sentence, blank_out
from tutor.teaching._distractors import negated, swapped
from tutor.teaching.exercises import MultipleChoiceDraft, ShortAnswerDraft
from tutor.teaching.generators import generate_exercises
from tutor.teaching.keyness import TermStatistics
from tutor.teaching.material import ConceptInfo, Passage


def sentence(text: str) -> Sentence:
    return Sentence(text, (), (), 0.0)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        # Inside an address or a path.
        (
            "If you need more help with this step, see "
            "https://rust-lang.github.io/rustup/installation/windows-msvc.html.",
            "installation",
        ),
        (
            "The standard library keeps its manual at https://doc.rust-lang.org/std/index.html "
            "for every release.",
            "std",
        ),
        # A piece of a compound or an identifier.
        ("Programs read from and write to io input/output streams all the time.", "input"),
        ("The return type of File::open is a Result that the caller must handle.", "open"),
        ("A well-known crate for this job is the rand crate on crates.io.", "known"),
        # One item of a list of examples: any other item fits as well.
        (
            "For example, houses, books, clothes, clean drinking water, leisure time "
            "(non-tangible goods also count) are all goods.",
            "books",
        ),
        ("Land includes forests, minerals and water found in nature.", "water"),
        ("Rust has three kinds of loops: loop, while, and for.", "while"),
        (
            "Rust is for people who want to build the Rust programming language, compilers, "
            "developer tools, and libraries.",
            "compilers",
        ),
        ("Land includes forests, minerals, and water found in nature.", "minerals"),
    ],
)
def test_no_blank_on_a_piece_of_a_token_or_an_item_of_a_list(text: str, term: str) -> None:
    assert blank_out(sentence(text), term) is None


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("The installation of Rust takes a few minutes on most machines.", "installation"),
        ("Capital, in economics, is the machinery that helps produce goods.", "machinery"),
        ("Rust's package manager is called Cargo, and it builds your code.", "Cargo"),
        ("A slice is a reference to a contiguous sequence of elements.", "slice"),
    ],
)
def test_a_term_standing_as_a_word_of_its_own_is_still_blanked(text: str, term: str) -> None:
    blank = blank_out(sentence(text), term)
    assert blank is not None
    assert BLANK in blank.question and term not in blank.question


@pytest.mark.parametrize(
    ("claim", "wrongly_negated"),
    [
        # A comparative correlative: only its second half is the statement.
        (
            "The more productive the workers are, the higher the factor payments will be.",
            "will not be",
        ),
        # A verb inside a relative clause is not the claim's verb.
        ("Goods that are scarce must be rationed by price or by queue.", "are not scarce"),
        ("A program that uses threads can run several tasks at the same time.", "uses not"),
        # Nor is one inside a clause put before the main one.
        ("When a variable goes out of scope, Rust calls drop automatically.", "does not"),
        ("If the price is too high, buyers will purchase less of the good.", "is not"),
    ],
)
def test_a_negation_never_lands_inside_a_subordinate_clause(
    claim: str, wrongly_negated: str
) -> None:
    opposite = negated(claim)
    assert opposite is None or wrongly_negated not in opposite
    if opposite is not None:
        # What is left is the claim turned round by an antonym, as a statement.
        assert opposite != claim and " not " not in f" {opposite} "


def test_a_leading_phrase_before_the_main_verb_is_still_negated() -> None:
    assert negated("In Rust, variables are immutable by default.") == (
        "In Rust, variables are not immutable by default."
    )


def test_a_piece_of_an_identifier_is_never_swapped() -> None:
    claim = "The return type of File::open is a Result that callers must handle."
    assert swapped(claim, "open", "backtrace") is None
    assert swapped("Files open slowly on old disks.", "open", "close") == (
        "Files close slowly on old disks."
    )


def _passage(text: str, index: int, key: str) -> Passage:
    return Passage(
        chunk_id=f"w{index}",
        text=text,
        heading_path="Getting Started > Installation",
        document_path="ch01-01-installation.md",
        concept_key=key,
        kind="prose",
        score=0.9,
    )


INSTALL_NOTES = [
    _passage(text, i, "installing-rust")
    for i, text in enumerate(
        [
            "The first step is installing Rust. Rust versions are released every six weeks, "
            "and the newest stable versions keep compiling the code older versions accepted.",
            "If you get linker errors, you should install a C compiler, which will typically "
            "include a linker. For example, if you use Ubuntu, you can install the "
            "build-essential package.",
            "Rust versions ship with the toolchain installer, and stable versions are what "
            "most projects use. Nightly versions carry features that are not yet stable.",
            "Installing Rust also installs a local copy of the documentation, so you can read "
            "it offline.",
            "Removing Rust takes one command: you can uninstall the toolchain installer and "
            "every toolchain it manages at once. After that, you should uninstall any editor "
            "plugins that still expect a toolchain on the machine.",
        ]
    )
]
INSTALL = ConceptInfo(
    key="installing-rust",
    title="Installing Rust",
    summary="Rust versions are installed and updated with the toolchain installer.",
    key_points=(
        "Stable versions of Rust keep compiling the code that older versions accepted.",
        "Nightly versions carry features that are not yet stable.",
    ),
    terms=("versions", "toolchain installer"),
)
# Neighbours whose words, made plural or put in a noun's place, read as nonsense:
# a name ("Cargo"), an exclamation ("Hello"), an adjective ("local", "multiple").
NEIGHBOURS = (
    ConceptInfo(
        key="hello-cargo",
        title="Hello, Cargo!",
        summary="Cargo is the build system and package manager that Rustaceans use.",
        key_points=("Cargo builds the code and downloads the libraries it depends on.",),
        terms=("Cargo",),
    ),
    ConceptInfo(
        key="local-documentation",
        title="Local Documentation",
        summary="The installer brings a local copy of the docs to read offline.",
        key_points=("Multiple local copies of the docs can be kept side by side.",),
        terms=("local", "multiple"),
    ),
    ConceptInfo(
        key="editions",
        title="Rust Editions",
        summary="Editions are released every three years and bundle changes to the language.",
        key_points=("A crate states its edition in Cargo.toml.",),
        terms=("editions", "edition"),
    ),
)


def _statistics() -> TermStatistics:
    others = [["Rust programs are compiled and run."], ["Rust code is checked by the compiler."]]
    return TermStatistics.of(others * 10 + [[p.text for p in INSTALL_NOTES]])


def _corpus_words() -> set[str]:
    texts = [p.text for p in INSTALL_NOTES]
    for concept in (INSTALL, *NEIGHBOURS):
        texts += [concept.summary, *concept.key_points]
    return set(re.findall(r"[a-z][a-z-]*", " ".join(texts).casefold()))


@pytest.mark.parametrize("seed", range(6))
def test_wrong_options_use_only_words_the_notes_write_in_that_form(seed: int) -> None:
    written = _corpus_words()
    choices = []
    for difficulty in ("intro", "practice", "challenge"):
        drafts = generate_exercises(
            INSTALL, INSTALL_NOTES, NEIGHBOURS, difficulty, seed=seed, statistics=_statistics()
        )
        choices += [d for d in drafts if isinstance(d, MultipleChoiceDraft)]
    for choice in choices:
        right = choice.options[choice.answer]
        for option in choice.options:
            new = set(re.findall(r"[A-Za-z][a-z-]*", option)) - set(
                re.findall(r"[A-Za-z][a-z-]*", right)
            )
            # "cargos", "hellos", "locals" or "multiples" are never written by the notes.
            for word in new:
                assert word.casefold() in written | {"not", "cannot", "a", "an"}, (option, right)
            assert not {"cargos", "hellos", "locals", "multiples"} & set(option.casefold().split())
            # A neighbour's sentence keeps its adjective: "a local copy", never "a linker copy".
            if "copy of the docs" in option:
                assert "local copy" in option, option


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        (
            "Most terminals support the shortcut ctrl-C to interrupt a program that is stuck.",
            "interrupt",
        ),
        ("When we create a vector to hold a specific type, we can name the type.", "hold"),
        (
            "Slices let you reference a contiguous sequence of elements in a collection.",
            "reference",
        ),
    ],
)
def test_a_key_term_used_there_as_a_verb_is_not_blanked(text: str, verb: str) -> None:
    notes = [_passage(text + " " + text.replace(".", " again."), 40, "installing-rust")]
    statistics = TermStatistics.of([["Rust programs are compiled."]] * 20 + [[notes[0].text]])
    for seed in range(4):
        drafts = generate_exercises(
            INSTALL, notes, (), "practice", seed=seed, statistics=statistics
        )
        for draft in drafts:
            if isinstance(draft, ShortAnswerDraft) and BLANK in draft.question:
                assert draft.reference_answer != verb, draft.question


@pytest.mark.parametrize("seed", range(6))
def test_a_title_word_used_as_a_plain_verb_is_never_blanked(seed: int) -> None:
    for difficulty in ("intro", "practice", "challenge"):
        drafts = generate_exercises(
            INSTALL, INSTALL_NOTES, NEIGHBOURS, difficulty, seed=seed, statistics=_statistics()
        )
        for draft in drafts:
            shown = (
                draft.question if isinstance(draft, ShortAnswerDraft | MultipleChoiceDraft) else ""
            )
            assert not re.search(rf"\b(?:should|can|will|must|you|need to) {BLANK}", shown), shown
