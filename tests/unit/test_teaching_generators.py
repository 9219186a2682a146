from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TypeVar

import pytest
from pydantic import TypeAdapter

from tutor.grading.features import STOP_WORDS
from tutor.ingest.chunking import chunk_document
from tutor.ingest.markdown import parse_markdown
from tutor.teaching.exercise_checks import check_exercise, fingerprint
from tutor.teaching.exercises import (
    CodeDraft,
    Difficulty,
    ExerciseDraft,
    ExplainBackDraft,
    MultipleChoiceDraft,
    ShortAnswerDraft,
)
from tutor.teaching.generators import generate_exercises
from tutor.teaching.keyness import TermStatistics
from tutor.teaching.material import ConceptInfo, Passage

T = TypeVar("T")
DIFFICULTIES: tuple[Difficulty, ...] = ("intro", "practice", "challenge")
BLANK = "_____"
DRAFT = TypeAdapter(ExerciseDraft)

OWNERSHIP_INTRO = """\
_Ownership_ is a set of rules that govern how a Rust program manages memory. Some
languages have garbage collection that regularly looks for no-longer-used memory as the
program runs. Rust uses a third approach: memory is managed through a system of ownership
with a set of rules that the compiler checks. If any of the rules are violated, the
program won't compile.
"""

OWNERSHIP_RULES = """\
First, let's take a look at the ownership rules. Keep these rules in mind as we work
through the examples that illustrate them:

- Each value in Rust has an *owner*.
- There can only be one owner at a time.
- When the owner goes out of scope, the value will be dropped.
"""

STRING_TYPE = """\
The [`String`](https://doc.rust-lang.org/std/string/struct.String.html) type manages data
allocated on the heap, so it is able to store an amount of text that is unknown to us at
compile time. You can create a `String` from a string literal using the `from` function.
Ownership moves the heap data when a `String` is assigned to another variable, because
copying the heap data would be expensive for large strings.
"""

RUST_CODE = """\
This code prints `hello and hello`:

```rust
fn main() {
    let s = String::from("hello"); // s is valid from here on
    let t = s.clone();
    println!("{s} and {t}");
}
```
"""

PYTHON_CODE = """\
```python
items = [3, 1, 2]
items.sort()
total = sum(items)
print(items, total)
```
"""

MARKUP = """\
## Ownership Rules

| Rule | Meaning |
| ---- | ------- |
| one owner | ownership is never shared |

<div class="warning">Ownership is enforced by the compiler.</div>

Each **owner** of a value is the variable that is responsible for dropping the value.
"""

CONCEPT = ConceptInfo(
    key="ownership",
    title="What Is Ownership?",
    summary="Ownership is how Rust manages memory without a garbage collector.",
    key_points=(
        "Each value has exactly one owner.",
        "A value is dropped when its owner goes out of scope.",
        "Assigning a heap value to another variable moves ownership.",
    ),
)

SIBLINGS = (
    ConceptInfo(
        key="borrowing",
        title="References and Borrowing",
        summary="A reference lets you refer to a value without taking it over.",
        key_points=(
            "You can have one mutable reference or any number of immutable references.",
            "References must always be valid.",
        ),
    ),
    ConceptInfo(
        key="slices",
        title="The Slice Type",
        summary="Slices let you refer to a contiguous sequence of elements in a collection.",
        key_points=("A string slice is a reference to part of a String.",),
    ),
    ConceptInfo(
        key="structs",
        title="Defining Structs",
        summary="A struct groups several related values into one meaningful type.",
        key_points=("Each field of a struct has a name and a type.",),
    ),
)


def passage(text: str, index: int, *, kind: str = "prose", key: str = "ownership") -> Passage:
    return Passage(
        chunk_id=f"c{index}",
        text=text,
        heading_path="Understanding Ownership > What Is Ownership?",
        document_path="ch04-01-what-is-ownership.md",
        concept_key=key,
        kind=kind,
        score=0.8,
    )


PROSE = [passage(t, i) for i, t in enumerate([OWNERSHIP_INTRO, OWNERSHIP_RULES, STRING_TYPE])]
RUST = passage(RUST_CODE, 10, kind="code")
PYTHON = passage(PYTHON_CODE, 11, kind="code")
ALL = [*PROSE, RUST]


def plain(markdown: str) -> str:
    """Markdown reduced the simple way a reader would: link targets and markup gone."""
    text = re.sub(r"\]\([^)]*\)", "", markdown)
    text = re.sub(r"[*_`\[\]]", "", text)
    text = re.sub(r"^\s*- ", "", text, flags=re.MULTILINE)
    return " ".join(text.split())


NOTES_TEXT = plain(" ".join(p.text for p in PROSE))


def generate(
    difficulty: Difficulty,
    passages: list[Passage] = ALL,
    *,
    seed: int = 0,
    concept: ConceptInfo = CONCEPT,
    siblings: tuple[ConceptInfo, ...] = SIBLINGS,
) -> list[ExerciseDraft]:
    drafts = generate_exercises(concept, passages, siblings, difficulty, seed=seed)
    for draft in drafts:
        # Every draft survives a round trip through the discriminated union's validation.
        assert DRAFT.validate_python(draft.model_dump()) == draft
    return drafts


def of_kind(drafts: list[ExerciseDraft], kind: type[T]) -> list[T]:
    return [d for d in drafts if isinstance(d, kind)]


def cloze_drafts(drafts: list[ExerciseDraft]) -> list[ShortAnswerDraft]:
    return [d for d in of_kind(drafts, ShortAnswerDraft) if BLANK in d.question]


def shown_text(draft: ExerciseDraft) -> str:
    if isinstance(draft, MultipleChoiceDraft):
        return " ".join([draft.question, *draft.options])
    if isinstance(draft, ShortAnswerDraft):
        return draft.question
    if isinstance(draft, CodeDraft):
        return draft.prompt
    return draft.prompt


@pytest.mark.parametrize("seed", range(4))
def test_intro_asks_for_recognition(seed: int) -> None:
    drafts = generate("intro", seed=seed)
    assert 2 <= len(drafts) <= 4
    assert {d.kind for d in drafts} <= {"multiple_choice", "short_answer"}
    assert of_kind(drafts, MultipleChoiceDraft)
    clozes = cloze_drafts(drafts)
    assert clozes
    for cloze in clozes:
        # The easy blank is the concept's own title word.
        assert cloze.reference_answer.casefold() == "ownership"


@pytest.mark.parametrize("seed", range(4))
def test_practice_asks_for_recall(seed: int) -> None:
    drafts = generate("practice", seed=seed)
    assert 2 <= len(drafts) <= 4
    assert "multiple_choice" not in {d.kind for d in drafts}
    assert cloze_drafts(drafts)
    assert len(of_kind(drafts, CodeDraft)) == 1
    for cloze in cloze_drafts(drafts):
        assert "ownership" not in cloze.reference_answer.casefold()


@pytest.mark.parametrize("seed", range(4))
def test_challenge_asks_for_production(seed: int) -> None:
    drafts = generate("challenge", seed=seed)
    assert 2 <= len(drafts) <= 4
    assert "multiple_choice" not in {d.kind for d in drafts}
    assert not cloze_drafts(drafts)
    (why,) = of_kind(drafts, ShortAnswerDraft)
    assert re.search(r"\b(?:why|what happens|how)\b", why.question, re.IGNORECASE)
    # The reference answer is a sentence of the notes, which the question does not give away.
    assert why.reference_answer in NOTES_TEXT
    assert why.reference_answer not in why.question
    assert of_kind(drafts, CodeDraft) or len(of_kind(drafts, ExplainBackDraft)) > 0


@pytest.mark.parametrize("difficulty", ["intro", "practice"])
@pytest.mark.parametrize("seed", range(6))
def test_blank_is_a_content_word_of_the_sentence(difficulty: Difficulty, seed: int) -> None:
    for cloze in cloze_drafts(generate(difficulty, seed=seed)):
        term = cloze.reference_answer
        term_text, sentence = cloze.key_points
        assert term_text == term
        assert term.casefold() not in STOP_WORDS
        assert re.search(r"\w", term)
        # From the notes, or from the concept's summary and key points (also the notes').
        assert sentence in NOTES_TEXT or sentence in (CONCEPT.summary, *CONCEPT.key_points)
        assert term in sentence
        assert term.casefold() not in cloze.question.casefold()
        # Putting the term back into the blank gives the sentence again.
        shown = cloze.question.split("\n\n", 1)[1]
        assert shown.replace(BLANK, term) == sentence


def claim_choices(drafts: list[ExerciseDraft]) -> list[MultipleChoiceDraft]:
    return [
        d
        for d in of_kind(drafts, MultipleChoiceDraft)
        if d.question.startswith("According to your notes on")
    ]


@pytest.mark.parametrize("seed", range(6))
def test_claim_choice_sets_a_claim_against_wrong_versions_of_it(seed: int) -> None:
    choices = claim_choices(generate("intro", seed=seed))
    assert choices
    claims = " ".join([NOTES_TEXT, CONCEPT.summary, *CONCEPT.key_points]).casefold()
    titles = {s.title.casefold() for s in SIBLINGS}
    for choice in choices:
        assert check_exercise(choice) is None
        right = choice.options[choice.answer]
        assert right.casefold() in claims
        wrong = [o for i, o in enumerate(choice.options) if i != choice.answer]
        assert len(wrong) >= 2
        for option in wrong:
            assert option.casefold() not in claims and option.casefold() not in titles
            assert option.endswith(".") and len(option.split()) >= 5
        # At least one wrong option is the claim itself turned wrong: a term swapped for a
        # neighbour's, or negated, word for word otherwise.
        near = [o for o in wrong if len(set(o.split()) ^ set(right.split())) <= 3]
        assert near, (right, wrong)


@pytest.mark.parametrize("seed", range(6))
def test_term_choice_options_are_neighbours_terms_never_their_titles(seed: int) -> None:
    terms = [
        d
        for d in of_kind(generate("intro", seed=seed), MultipleChoiceDraft)
        if d.question.startswith("Which term fills the blank?")
    ]
    titles = {s.title.casefold() for s in SIBLINGS}
    for choice in terms:
        assert check_exercise(choice) is None
        sentence = choice.question.split("\n\n", 1)[1]
        right = choice.options[choice.answer]
        material = " ".join([NOTES_TEXT, CONCEPT.summary, *CONCEPT.key_points]).casefold()
        assert sentence.replace(BLANK, right).casefold() in material
        for option in choice.options:
            assert option.casefold() not in titles and len(option.split()) <= 2


def test_same_seed_same_exercises_other_seeds_differ() -> None:
    for difficulty in DIFFICULTIES:
        first = generate(difficulty, seed=3)
        assert generate(difficulty, seed=3) == first
        seen = {tuple(d.model_dump_json() for d in generate(difficulty, seed=s)) for s in range(8)}
        assert len(seen) > 1, difficulty


def test_seeds_pick_different_blanks() -> None:
    answers = {
        (c.reference_answer, c.key_points[1])
        for seed in range(8)
        for c in cloze_drafts(generate("practice", seed=seed))
    }
    assert len(answers) >= 3


def test_python_block_asks_for_the_whole_program() -> None:
    original = PYTHON_CODE.split("\n", 1)[1].rsplit("```", 1)[0].rstrip("\n")
    found = []
    for difficulty in ("practice", "challenge"):
        for seed in range(4):
            drafts = generate(difficulty, [*PROSE, PYTHON], seed=seed)
            found += of_kind(drafts, CodeDraft)
    assert found
    for code in found:
        assert code.language == "python"
        assert code.solution == original
        assert code.tests == ""
        starter = code.starter_code.split("\n")
        lines = original.split("\n")
        assert len(starter) == len(lines)
        missing = [i for i, (a, b) in enumerate(zip(starter, lines, strict=True)) if a != b]
        assert len(missing) == 1
        assert starter[missing[0]].strip().startswith("# ???")
        assert lines[missing[0]].strip() not in code.starter_code
        # The data the program starts from cannot be guessed, so it is never the gap.
        assert lines[missing[0]] != "items = [3, 1, 2]"
        assert "# ???" in code.prompt
        # The learner is told how the answer is judged: by running it.
        assert "checked by running it" in code.prompt
        ast.parse(code.solution)


def test_other_languages_ask_for_the_missing_line() -> None:
    original = RUST_CODE.split("```rust\n", 1)[1].rsplit("```", 1)[0].rstrip("\n")
    lines = original.split("\n")
    found = []
    for difficulty in ("practice", "challenge"):
        for seed in range(6):
            found += of_kind(generate(difficulty, [*PROSE, RUST], seed=seed), CodeDraft)
    assert found
    removed = set()
    for code in found:
        assert code.language == "rust"
        assert code.tests == ""
        starter = code.starter_code.split("\n")
        assert len(starter) == len(lines)
        missing = [i for i, (a, b) in enumerate(zip(starter, lines, strict=True)) if a != b]
        assert len(missing) == 1
        line = lines[missing[0]]
        assert starter[missing[0]].strip().startswith("// ???")
        # The solution is the removed line (its trailing comment, a hint, stays in the starter).
        assert line.strip().startswith(code.solution)
        assert code.solution not in code.starter_code
        assert code.solution not in ("{", "}", "fn main() {")
        assert "// ???" in code.prompt
        # Nothing runs Rust here: the prompt says the line is compared token by token.
        assert "token by token" in code.prompt and "running" not in code.prompt
        removed.add(code.solution)
    assert len(removed) >= 2


def test_unrunnable_python_is_not_made_a_program_exercise() -> None:
    silent = passage("```python\nitems = [3, 1, 2]\nitems.sort()\n```", 12, kind="code")
    asks = passage("```python\nname = input()\nprint(name)\n```", 13, kind="code")
    for seed in range(4):
        assert not of_kind(generate("practice", [*PROSE, silent, asks], seed=seed), CodeDraft)


def test_markdown_is_reduced_to_text() -> None:
    for difficulty in DIFFICULTIES:
        for seed in range(6):
            for draft in generate(difficulty, [*PROSE, passage(MARKUP, 5)], seed=seed):
                if isinstance(draft, CodeDraft):
                    continue
                text = shown_text(draft)
                assert "](" not in text
                assert "http" not in text
                assert "**" not in text
                assert "|" not in text
                assert "<" not in text
                assert "#" not in text
                assert not re.search(r"(?<!\w)_\w", text.replace(BLANK, " "))


def test_emphasised_term_and_inline_code_keep_their_text() -> None:
    sentences = {
        c.key_points[1]
        for seed in range(12)
        for d in DIFFICULTIES
        for c in cloze_drafts(generate(d, seed=seed))
    }
    assert "Ownership is a set of rules that govern how a Rust program manages memory." in (
        sentences
    )
    assert any("String" in s and "[" not in s for s in sentences)


def test_summary_and_key_points_stand_in_for_missing_passages() -> None:
    material = " ".join([CONCEPT.summary, *CONCEPT.key_points])
    for difficulty in DIFFICULTIES:
        drafts = generate(difficulty, [])
        assert 1 <= len(drafts) <= 4
        for cloze in cloze_drafts(drafts):
            assert cloze.key_points[1] in material
        for choice in of_kind(drafts, MultipleChoiceDraft):
            assert choice.options[choice.answer].casefold() in material.casefold()
    assert cloze_drafts(generate("intro", []))


def test_nothing_at_all_still_gives_an_explain_back() -> None:
    for concept in (ConceptInfo(key="lifetimes", title="Lifetimes"), ConceptInfo(key="", title="")):
        for difficulty in DIFFICULTIES:
            drafts = generate(difficulty, [], concept=concept, siblings=())
            assert drafts
            backs = of_kind(drafts, ExplainBackDraft)
            assert backs == drafts
            assert backs[0].key_points


def test_a_very_long_title_still_gives_valid_exercises() -> None:
    long = ConceptInfo(key="long", title="Ownership " + "and more words " * 80)
    for difficulty in DIFFICULTIES:
        assert generate(difficulty, [], concept=long, siblings=())
        assert generate(difficulty, ALL, concept=long)


def test_explain_back_uses_key_points_or_key_sentences() -> None:
    explain = [
        d for s in range(4) for d in of_kind(generate("challenge", seed=s), ExplainBackDraft)
    ]
    assert explain
    assert all(list(CONCEPT.key_points) == e.key_points for e in explain)
    bare = ConceptInfo(key="ownership", title="What Is Ownership?")
    drafts = generate("challenge", PROSE, concept=bare, siblings=())
    (back,) = of_kind(drafts, ExplainBackDraft)
    assert all(point in NOTES_TEXT for point in back.key_points)


def test_no_siblings_means_no_sibling_options() -> None:
    for seed in range(4):
        for choice in of_kind(generate("intro", seed=seed, siblings=()), MultipleChoiceDraft):
            for option in choice.options:
                assert option.casefold() in NOTES_TEXT.casefold()


_EVAL_BOOK = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "rust-book"
BOOK = _EVAL_BOOK if _EVAL_BOOK.is_dir() else None
CHAPTERS = {
    "ch03-01-variables-and-mutability.md": "Variables and Mutability",
    "ch04-01-what-is-ownership.md": "What Is Ownership?",
    "ch04-02-references-and-borrowing.md": "References and Borrowing",
    "ch04-03-slices.md": "The Slice Type",
    "ch05-01-defining-structs.md": "Defining and Instantiating Structs",
}


def book_passages(path: Path) -> list[Passage]:
    pieces: list[str] = []
    for part in re.split(r"(^```.*?^```$)", path.read_text(), flags=re.DOTALL | re.MULTILINE):
        if part.startswith("```"):
            pieces.append(part)
        else:
            pieces += [p for p in re.split(r"\n\s*\n", part) if p.strip()]
    return [
        passage(text, i, kind="code" if text.startswith("```") else "prose", key=path.stem)
        for i, text in enumerate(pieces)
    ]


@pytest.mark.skipif(BOOK is None, reason="the Rust book is not available")
def test_real_chapters_give_valid_clean_exercises() -> None:
    assert BOOK is not None
    concepts = {
        name: ConceptInfo(key=Path(name).stem, title=title) for name, title in CHAPTERS.items()
    }
    for name, concept in concepts.items():
        path = BOOK / name
        if not path.exists():
            continue
        siblings = tuple(c for c in concepts.values() if c != concept)
        passages = book_passages(path)
        for difficulty in DIFFICULTIES:
            for seed in range(3):
                drafts = generate(
                    difficulty, passages, seed=seed, concept=concept, siblings=siblings
                )
                assert 2 <= len(drafts) <= 4, (name, difficulty, seed)
                for draft in drafts:
                    text = shown_text(draft)
                    assert not re.search(r"\[[^\]]*\]\([^)]*\)", text), text
                    assert "][" not in text, text
                    assert "{{#" not in text
                    assert "<span" not in text


@pytest.mark.parametrize("seed", range(4))
def test_talk_about_the_text_is_never_asked_about(seed: int) -> None:
    # The only sentences naming the concept talk about the text; they must not be used.
    rules = ConceptInfo(
        key="ownership rules",
        title="Ownership Rules",
        summary="Each value in Rust has an owner.",
        key_points=("There can only be one owner at a time.",),
    )
    notes = passage(
        "First, let's take a look at the ownership rules. We'll keep the ownership rules "
        "in mind as we work through the examples. Each value in Rust has a single owner "
        "variable. When the owner goes out of scope, the value will be dropped.",
        20,
        key="ownership rules",
    )
    for difficulty in ("intro", "practice"):
        drafts = generate(difficulty, [notes], seed=seed, concept=rules)
        shown = " ".join(shown_text(d) for d in drafts)
        assert "take a look" not in shown and "keep the" not in shown


@pytest.mark.parametrize(
    "info",
    [
        "rust,ignore,does_not_compile",
        "rust,compile_fail",
        "rust,should_panic",
        "rust,panics,noplayground",
        "rust,ignore",
        "rust,no_run",
        "rust,not_desired_behavior",
        "python,should_panic",
    ],
)
def test_code_marked_failing_or_unchecked_is_never_an_exercise(info: str) -> None:
    marked = RUST_CODE.replace("```rust\n", f"```{info}\n")
    if info.startswith("python"):
        marked = PYTHON_CODE.replace("```python\n", f"```{info}\n")
    for difficulty in DIFFICULTIES:
        for seed in range(4):
            drafts = generate(difficulty, [*PROSE, passage(marked, 30, kind="code")], seed=seed)
            assert of_kind(drafts, CodeDraft) == [], (info, difficulty, seed)


def test_code_the_prose_marked_failing_at_ingest_is_never_an_exercise() -> None:
    # Ingest adds the mark to the fence when the notes say so in prose.
    text = (
        "# Borrowing\n\nThis code does not compile:\n\n"
        '```rust\nfn main() {\n    let s = String::from("hello");\n    change(&s);\n}\n```\n'
    )
    chunks = chunk_document(parse_markdown(text, name="notes.md"))
    passages = [*PROSE, *(passage(c.text, 40 + c.position, kind=c.kind) for c in chunks)]
    for difficulty in ("practice", "challenge"):
        for seed in range(4):
            assert of_kind(generate(difficulty, passages, seed=seed), CodeDraft) == []


def test_hidden_lines_are_never_shown_nor_asked_for() -> None:
    hidden = (
        "```rust\n"
        "# struct Point { x: f64, y: f64 }\n"
        "# fn main() {\n"
        "let p = Point { x: 1.0, y: 2.0 };\n"
        "let sum = p.x + p.y;\n"
        'println!("{sum}");\n'
        "# }\n"
        "```"
    )
    found = []
    for difficulty in ("practice", "challenge"):
        for seed in range(6):
            drafts = generate(difficulty, [*PROSE, passage(hidden, 50, kind="code")], seed=seed)
            found += of_kind(drafts, CodeDraft)
    assert found
    for code in found:
        assert "struct Point" not in code.starter_code + code.solution
        assert "fn main" not in code.starter_code + code.solution
        assert "# " not in code.starter_code


@pytest.mark.skipif(BOOK is None, reason="the Rust book is not available")
def test_listing_4_6_is_never_the_answer_of_a_code_exercise() -> None:
    assert BOOK is not None
    path = BOOK / "ch04-02-references-and-borrowing.md"
    chunks = chunk_document(parse_markdown(path.read_text(encoding="utf-8"), name=path.name))
    passages = [passage(c.text, c.position, kind=c.kind, key="borrowing") for c in chunks]
    concept = ConceptInfo(key="borrowing", title="References and Borrowing")
    answers = [
        code.solution
        for difficulty in ("practice", "challenge")
        for seed in range(8)
        for code in of_kind(
            generate(difficulty, passages, seed=seed, concept=concept, siblings=()), CodeDraft
        )
    ]
    assert answers  # the section's working listings still make exercises
    broken = ('some_string.push_str(", world");', "change(&s);", "let r2 = &mut s;")
    for answer in answers:
        assert answer.strip() not in broken, answer


@pytest.mark.parametrize("seed", range(4))
def test_blanks_are_terms_not_verbs_or_words_the_whole_notes_use(seed: int) -> None:
    notes = passage(
        "The borrow checker compared the lifetimes and rejected the program. Rust rejected "
        "it because a reference outlived its owner, so Rust compared the scopes again. "
        "Rust reports where each reference is created and where the owner is dropped.",
        30,
    )
    statistics = TermStatistics.of([["Rust programs are checked."]] * 20 + [[notes.text]])
    drafts = generate_exercises(
        CONCEPT, [notes], SIBLINGS, "practice", seed=seed, statistics=statistics
    )
    answers = {d.reference_answer for d in cloze_drafts(drafts)}
    assert answers, drafts
    assert not answers & {"rejected", "compared", "Rust", "again"}, answers


def test_explain_back_asks_from_another_angle_each_time_then_stops() -> None:
    prompts = []
    had: set[str] = set()
    for _ in range(4):
        drafts = generate_exercises(
            CONCEPT, ALL, SIBLINGS, "challenge", seed=0, history=frozenset(had)
        )
        had |= {fingerprint(d) for d in drafts}
        prompts += [d.prompt for d in of_kind(drafts, ExplainBackDraft)]
    assert len(prompts) == len(set(prompts)) >= 2
    assert all("ownership" in p for p in prompts)
