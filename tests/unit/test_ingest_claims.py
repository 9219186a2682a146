"""Claims: the sentences of notes that state something, and each kind that does not."""

from __future__ import annotations

import pytest

from tutor.ingest.claims import CLAIM_MAX_CHARS, claim_sentences, judge_sentences

RULE = "Each value in Rust has an owner, and there can only be one owner at a time."


def verdicts(text: str) -> dict[str, str | None]:
    return {judged.text: judged.rejected for judged in judge_sentences(text)}


def test_definitions_rules_and_reasons_are_claims() -> None:
    text = (
        "A reference is like a pointer in that it is an address we can follow to access "
        "the data stored at that address. References are immutable by default. "
        "Because the allocator must find room, allocating on the heap is slower than "
        "pushing to the stack.\n\n"
        "- Two goods are substitutes when one can be used in place of the other.\n"
        "- When the price of a good rises, the quantity demanded falls.\n"
    )
    assert claim_sentences(text) == [
        "A reference is like a pointer in that it is an address we can follow to access "
        "the data stored at that address.",
        "References are immutable by default.",
        "Because the allocator must find room, allocating on the heap is slower than "
        "pushing to the stack.",
        "Two goods are substitutes when one can be used in place of the other.",
        "When the price of a good rises, the quantity demanded falls.",
    ]


def test_markup_reads_as_plain_text() -> None:
    text = (
        "The [`String`][string] type is *allocated* on the **heap**, unlike a string "
        "literal.<!-- ignore -->\n\n[string]: https://doc.rust-lang.org/std/string/\n"
    )
    assert claim_sentences(text) == [
        "The String type is allocated on the heap, unlike a string literal."
    ]


@pytest.mark.parametrize(
    "byline",
    [
        "by Steve Klabnik, Carol Nichols, and Chris Krycho, with contributions from the "
        "Rust Community",
        "Written by Jane Doe and the economics faculty of the university.",
        "Copyright 2024 the authors of these notes, all rights reserved.",
        "This version of the text assumes you are using Rust 1.85.0 or later.",
    ],
)
def test_bylines_are_no_claims(byline: str) -> None:
    assert verdicts(f"{byline}\n\n{RULE}\n") == {byline: "byline", RULE: None}


def test_by_in_a_rule_is_no_byline() -> None:
    sentence = "By default, variables in Rust are immutable once a value is bound."
    assert verdicts(sentence) == {sentence: None}


@pytest.mark.parametrize(
    "caption",
    [
        "Listing 4-2: A function that takes ownership of a String and prints it",
        "Figure 4-1. Representation in memory of a String holding the value hello.",
        "Table 3: Real GDP of the United States by year, in 2017 dollars.",
    ],
)
def test_captions_are_no_claims(caption: str) -> None:
    judged = judge_sentences(f"{caption}\n\n{RULE}\n")
    assert judged[0].rejected == "caption"
    assert claim_sentences(f"{caption}\n\n{RULE}\n") == [RULE]


def test_link_lists_are_no_claims() -> None:
    text = (
        "- [Supply and demand](supply.md) and [elasticity](elasticity.md)\n"
        "- [Unemployment](unemployment.md) and the [natural rate](natural-rate.md)\n\n"
        f"{RULE}\n"
    )
    judged = verdicts(text)
    assert judged["Supply and demand and elasticity"] == "link_list"
    assert judged["Unemployment and the natural rate"] == "link_list"
    assert claim_sentences(text) == [RULE]


def test_questions_are_no_claims() -> None:
    question = "What happens if we try to modify something we are borrowing?"
    assert verdicts(f"{question} {RULE}") == {question: "question", RULE: None}


@pytest.mark.parametrize(
    "meta",
    [
        "In this chapter, we'll discuss ownership as well as several related features.",
        "As just mentioned, the ownership rules are checked at compile time by the compiler.",
        "We'll discuss non-ownership aspects of String in Chapter 8 of the book.",
        "This section will continue our discussion of scarcity and the budget constraint.",
        "We've already seen string literals, where a string value is hardcoded.",
        "We now have a way to find the end of the first word, but there's a problem.",
        "You learned how to use lifetime annotations to avoid dangling references.",
    ],
)
def test_meta_text_is_no_claim(meta: str) -> None:
    assert verdicts(f"{meta} {RULE}") == {meta: "meta", RULE: None}


def test_lets_is_meta_text() -> None:
    sentence = "Let\u2019s take a look at the rules of ownership and what they mean for memory."
    assert verdicts(sentence) == {sentence: "meta"}


@pytest.mark.parametrize(
    "example",
    [
        "Beef, for example, is a normal good for most households in the United States.",
        "For instance, if you are paying back a loan, inflation makes it shrink in real terms.",
    ],
)
def test_examples_are_no_claims(example: str) -> None:
    assert verdicts(f"{RULE} {example}") == {RULE: None, example: "example"}


@pytest.mark.parametrize(
    "bound",
    [
        "Listing 4-5 shows what happens when the function takes ownership of the string.",
        "The code above creates a new String from a string literal using from.",
        "We get the following error message when we compile the program.",
        "With only `s2` valid, the memory is freed once when `s2` goes out of scope.",
        "Notice that the `println!` call in `main` now prints a borrowed `&String` value.",
        "Because we get a reference from `.iter().enumerate()`, we use a pattern to read it.",
        "The call to panic! causes the error message contained in the last two lines.",
    ],
)
def test_sentences_bound_to_their_code_are_no_claims(bound: str) -> None:
    judged = verdicts(f"{bound} {RULE}")
    assert judged[RULE] is None
    assert [reason for text, reason in judged.items() if text != RULE] in (
        ["code"],
        ["imperative"],
    )


def test_a_sentence_mostly_of_code_is_no_claim() -> None:
    sentence = "The signature is `fn first_word(s: &String) -> &str` in that case."
    assert verdicts(sentence) == {sentence.replace("`", ""): "code"}


@pytest.mark.parametrize(
    "instruction",
    [
        "Run the program again with cargo run and look at the output.",
        "Try adding code to main that uses the value after the move.",
        "Remember, the compiler checks every reference before the program runs.",
        "Use `clone` when you really need a deep copy of the heap data.",
    ],
)
def test_instructions_to_the_reader_are_no_claims(instruction: str) -> None:
    plain = instruction.replace("`", "")
    assert verdicts(f"{instruction} {RULE}") == {plain: "imperative", RULE: None}


def test_a_verb_used_as_a_noun_opens_a_claim() -> None:
    sentence = "Type annotations are required when many types are possible for a value."
    assert verdicts(sentence) == {sentence: None}


@pytest.mark.parametrize(
    "leaning",
    [
        "This means that the reference must never outlive the value it refers to.",
        "It remains valid until it goes out of scope at the end of the block.",
        "But having the owner clean up the data means you write no extra code.",
        "However, unemployment also has economic costs for the broader society.",
        "Having a part-time job counts as being employed, however, and the rate falls.",
        "Using this definition of unemployed, the labor force includes the unemployed.",
        "For this reason, the shape of the frontier between the two points is flat.",
        "Macroeconomics, meanwhile, focuses on the economic activities of all of them.",
        "Rust enforces a similar rule for combining mutable and immutable references.",
    ],
)
def test_sentences_that_lean_on_the_one_before_are_no_claims(leaning: str) -> None:
    assert verdicts(f"{RULE} {leaning}") == {RULE: None, leaning: "context"}


@pytest.mark.parametrize(
    "fragment",
    [
        "A data race happens when these three behaviors occur:",
        "Ownership rules",
        "Integer types and the sizes of the values of each one",
    ],
)
def test_fragments_are_no_claims(fragment: str) -> None:
    assert verdicts(f"{fragment}\n\n{RULE}\n") == {fragment: "fragment", RULE: None}


def test_a_run_on_sentence_is_too_long() -> None:
    run_on = "The market clears when " + "buyers and sellers agree on a price, " * 12 + "done."
    assert len(run_on) > CLAIM_MAX_CHARS
    assert verdicts(run_on) == {run_on: "too_long"}


def test_lead_ins_are_dropped_and_the_claim_kept() -> None:
    text = "Note that references are immutable by default, just as variables are."
    assert claim_sentences(text) == ["References are immutable by default, just as variables are."]


def test_images_and_code_blocks_hold_no_claims() -> None:
    text = (
        '<img alt="Three tables: the table for s contains only a pointer to s1." '
        'src="img/trpl04-05.svg" />\n\n'
        '```rust\nlet s1 = String::from("hello"); // a string is stored on the heap.\n```\n\n'
        f"{RULE}\n"
    )
    assert claim_sentences(text) == [RULE]


def test_other_languages_get_their_cues() -> None:
    text = (
        "Dans ce chapitre, nous allons voir la propriété. "
        "Une référence est toujours valide pendant sa durée de vie.\n\n"
        "In diesem Kapitel lernen wir Ownership. "
        "Eine Referenz ist standardmäßig unveränderlich und immer gültig.\n"
    )
    assert claim_sentences(text) == [
        "Une référence est toujours valide pendant sa durée de vie.",
        "Eine Referenz ist standardmäßig unveränderlich und immer gültig.",
    ]


def test_empty_and_repeated_text() -> None:
    assert claim_sentences("") == []
    assert claim_sentences("   \n") == []
    assert claim_sentences(f"{RULE}\n\n{RULE}\n") == [RULE]


def test_list_items_without_a_verb_are_fragments() -> None:
    text = (
        "- Installing Rust on Linux, macOS, and Windows\n"
        "- Using cargo, Rust\u2019s package manager and build system\n"
        "- Cargo downloads the crates a project depends on.\n"
    )
    assert claim_sentences(text) == ["Cargo downloads the crates a project depends on."]


def test_a_sentence_that_leans_on_another_midway_is_no_claim() -> None:
    sentence = "The secret number, on the other hand, is a number type in the program."
    assert verdicts(f"{RULE} {sentence}") == {RULE: None, sentence: "context"}


def test_an_example_named_inside_a_general_statement_is_kept() -> None:
    sentence = (
        "Index numbers are values that are relative to a base year and compare a feature "
        "(for instance, price) over time."
    )
    assert verdicts(sentence) == {sentence: None}


def test_claims_of_a_block_quote_are_asides() -> None:
    text = f"{RULE}\n\n> The heap is less organized than the stack in memory.\n"
    assert [(j.text, j.aside) for j in judge_sentences(text)] == [
        (RULE, False),
        ("The heap is less organized than the stack in memory.", True),
    ]


@pytest.mark.parametrize(
    "claim",
    [
        "When the price is below the equilibrium price, buyers want more than sellers offer.",
        "If you try to use a null value as a not-null value, you'll get an error of some kind.",
    ],
)
def test_positions_and_consequences_are_claims(claim: str) -> None:
    assert verdicts(claim) == {claim: None}


def test_code_described_as_above_is_bound_to_it() -> None:
    sentence = "The function shown above returns the length of the string it borrows."
    assert verdicts(sentence) == {sentence: "code"}
