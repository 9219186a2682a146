"""A lesson is its concept's own section in reading order, with what its prose points at.

The notes here go through the real parser and chunker, as ingestion cuts them.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tutor.ingest.chunking import chunk_document
from tutor.ingest.markdown import parse_markdown
from tutor.teaching.citations import citations_valid
from tutor.teaching.extractive import extractive_lesson
from tutor.teaching.material import ConceptInfo, Passage
from tutor.teaching.reading_order import lesson_budget, section_lesson
from tutor.teaching.references import Label, captions, pointers

RUST = """# Understanding Ownership

## What Is Ownership?

Ownership is a set of rules that govern how a Rust program manages memory. Some
languages have garbage collection; Rust uses a system of ownership with a set of
rules that the compiler checks.

### Variable Scope

A scope is the range within a program for which an item is valid. Take the
following variable, shown in Listing 4-1 with comments that mark where it is
valid.

<Listing number="4-1" file-name="src/main.rs" caption="A variable and the scope where it is valid">

```rust
fn main() {
    {                      // s is not valid here, since it's not yet declared
        let s = "hello";   // s is valid from this point forward
    }                      // this scope is now over, and s is no longer valid
}
```

</Listing>

In other words, there are two important points in time here: when `s` comes
into scope, it is valid, and it remains valid until it goes out of scope.

### Return Values and Scope

Returning values can also transfer ownership. Listing 4-4 shows an example of a
function that returns some value, with annotations similar to those in Listing
4-1. The pattern is the same every time: assigning a value to another variable
moves it.

<Listing number="4-4" file-name="src/main.rs" caption="Transferring ownership of return values">

```rust
fn main() {
    let s1 = gives_ownership();
}

fn gives_ownership() -> String {
    let some_string = String::from("yours");
    some_string
}
```

</Listing>

Taking ownership and then returning ownership with every function is a bit
tedious. What if we want to let a function use a value but not take ownership?
Rust has a feature for using a value without transferring ownership, called
references, which Listing 9-9 in a later chapter uses as well.

Watch what happens when we use a moved value, as in the code below.

```rust,ignore,does_not_compile
let s1 = String::from("hello");
let s2 = s1;
println!("{s1}, world!");
```

You'll get an error like this because Rust prevents you from using the
invalidated reference:

```console
error[E0382]: borrow of moved value: `s1`
```

The error message says that the value was moved, so `s1` can no longer be used
after the assignment to `s2`.
"""

ECONOMICS = """# The budget constraint

## Sam's options

Consider the typical consumer's budget problem. Sam has a weekly income of
\\$100, and he spends it all on burritos, at \\$5 each, and pizza, at \\$10 each.
This gives Sam the options that are shown in table 1.

| Burritos | Pizzas |
| --- | --- |
| 20 | 0 |
| 18 | 1 |
| 0 | 10 |

**Table 1** Sam's weekly options.

And we can graph these different opportunities as is shown in figure 1. The line
is the set of everything Sam can afford.

**Figure 1: Sam's budget constraint** Burritos are on the horizontal axis and
pizzas on the vertical axis.

## Opportunity cost

When Sam buys a pizza, he gives up the chance to have some burritos. Each choice
has an opportunity cost, which is easy to find by looking at the graph in figure 2.
The slope of the budget constraint is the opportunity cost.

Opportunity costs are relative prices: one pizza costs as much as two burritos,
whichever point of the line Sam starts from. The line in figure 1 has a slope
of -2.

## Shifts

An increase in income shifts the budget constraint outward, as figure 3 shows.
Every combination that was affordable before is still affordable.

**Figure 2** The opportunity cost of a pizza is two burritos.
"""


def document(text: str, name: str, section: str) -> list[Passage]:
    """The document's chunks as the retriever reads them for a lesson on ``section``."""
    chunks = chunk_document(parse_markdown(text, name=name))
    return [
        Passage(
            chunk_id=f"{name}#{chunk.position}",
            text=chunk.text,
            heading_path=" > ".join(chunk.heading_path),
            document_path=name,
            concept_key=chunk.heading_path[-1],
            kind=chunk.kind,
            score=1.0,
            position=chunk.position,
            see_also=chunk.heading_path[-1] != section,
        )
        for chunk in chunks
    ]


def lesson_on(
    text: str, name: str, section: str, *, budget: int = 4, **options: object
) -> list[Passage]:
    whole = document(text, name, section)
    own = [p for p in whole if not p.see_also]
    return section_lesson(own, whole, budget=budget, **options)  # type: ignore[arg-type]


def places(passages: list[Passage]) -> list[tuple[int, bool]]:
    return [(p.position, p.see_also) for p in passages]


def concept(title: str, summary: str = "", points: tuple[str, ...] = ()) -> ConceptInfo:
    return ConceptInfo(key=title, title=title, summary=summary, key_points=points)


def test_a_lesson_reads_its_section_in_order_with_what_it_points_at() -> None:
    chosen = lesson_on(RUST, "ch04.md", "Return Values and Scope", difficulty="practice")
    # Listing 4-1 is named by the first paragraph and comes from another section: it is
    # shown before it (it came first in the notes) and marked as from elsewhere. "The
    # code below" brings the failing listing, which brings the error it gives.
    assert places(chosen) == [(2, True), (4, False), (5, False), (6, False), (7, False), (8, False)]


def test_what_passages_point_at_comes_along_within_a_bound() -> None:
    chosen = lesson_on(RUST, "ch04.md", "Return Values and Scope", budget=1, difficulty="practice")
    # The opening names Listing 4-1 and Listing 4-4; those bring nothing more here.
    assert places(chosen) == [(2, True), (4, False), (5, False)]
    listings = "\n\n".join(
        f"*Listing 1-{n}: Step {n}*\n\n```rust\nlet x{n} = {n};\n```" for n in range(1, 7)
    )
    notes = (
        "# Notes\n\n## Steps\n\nListings 1-1, 1-2, 1-3, 1-4, 1-5 and 1-6 show each step of "
        f"the program in turn, from the first to the last.\n\n## Listings\n\n{listings}\n"
    )
    bounded = lesson_on(notes, "steps.md", "Steps", budget=1)
    assert len(bounded) == 1 + 3 and all(p.see_also for p in bounded[1:])


def test_an_introduction_is_the_opening_and_its_first_example() -> None:
    intro = lesson_on(RUST, "ch04.md", "Variable Scope", difficulty="intro")
    assert places(intro) == [(1, False), (2, False), (3, False)]
    # At the practice level the same budget reads on through a longer section.
    practice = lesson_on(
        RUST, "ch04.md", "Return Values and Scope", budget=5, difficulty="practice"
    )
    assert [p.position for p in practice if not p.see_also] == [4, 5, 6, 7, 8]
    assert lesson_budget("intro", 4) < lesson_budget("practice", 4) < lesson_budget("challenge", 4)


def test_a_repeat_lesson_reads_what_earlier_lessons_left_out_first() -> None:
    used = {"ch04.md#4", "ch04.md#5"}
    again = lesson_on(
        RUST, "ch04.md", "Return Values and Scope", budget=2, used=used, difficulty="practice"
    )
    assert not used & {p.chunk_id for p in again}
    assert [p.position for p in again] == [6, 7, 8]
    # An introduction again: its opening and first example were quoted, the rest not.
    intro = lesson_on(RUST, "ch04.md", "Variable Scope", used={"ch04.md#1", "ch04.md#2"})
    assert [p.position for p in intro] == [3]
    # Everything quoted: only the opening is left, to anchor a lesson that goes elsewhere.
    quoted = {f"ch04.md#{n}" for n in range(1, 4)}
    assert [p.position for p in lesson_on(RUST, "ch04.md", "Variable Scope", used=quoted)] == [1, 2]


def test_figures_named_in_the_notes_come_from_their_captions_whatever_the_case() -> None:
    chosen = lesson_on(ECONOMICS, "budget.md", "Opportunity cost")
    # "figure 1" is captioned in the section before, "figure 2" in the one after.
    assert places(chosen) == [(0, True), (1, False), (2, True)]
    lesson = extractive_lesson(concept("Opportunity cost"), chosen, max_passages=4)
    assert "figure 2" in lesson.text and "The opportunity cost of a pizza is two burritos" in (
        lesson.text
    )
    assert [p.see_also for p in lesson.cited] == [True, False, True]
    assert "See also" not in lesson.text  # shown where they are named, not at the end


def test_a_sentence_naming_what_the_lesson_cannot_show_is_left_out() -> None:
    chosen = lesson_on(RUST, "ch04.md", "Return Values and Scope", difficulty="practice")
    lesson = extractive_lesson(concept("Return Values and Scope"), chosen, max_passages=len(chosen))
    assert "Listing 9-9" not in lesson.text  # in another chapter, not in these notes
    assert "What if we want to let a function use a value but not take ownership?" in (lesson.text)
    assert "called\nreferences" not in lesson.text
    assert "Listing 4-4 shows an example" in lesson.text  # Listing 4-4 is shown
    assert citations_valid(lesson.text, len(lesson.cited))
    # The failing listing is taught as failing, with its error right after it, and
    # straight after the prose announcing it: the words saying it fails come first.
    broken = lesson.text.index('println!("{s1}, world!");')
    says = lesson.text.rfind("This does not compile; here is why", 0, broken)
    announced = lesson.text.index("as in the code below.", says)
    assert 0 < says < announced < broken
    between = lesson.text[announced : lesson.text.rindex("```rust", 0, broken)]
    assert re.fullmatch(r"as in the code below\. \[\d+\]\s*", between), between
    assert broken < lesson.text.index("error[E0382]")

    economics = lesson_on(ECONOMICS, "budget.md", "Shifts")
    shifts = extractive_lesson(concept("Shifts"), economics, max_passages=4)
    assert "figure 3" not in shifts.text.lower()
    # The cut is marked, the rest quoted as written.
    assert "\u2026 Every combination that was affordable before is still affordable." in (
        shifts.text
    )


def test_a_listing_announced_by_the_prose_before_it_follows_that_prose() -> None:
    announced = RUST.replace(
        "Watch what happens when we use a moved value, as in the code below.\n\n",
        (
            "Watch what happens when we use a moved value, as in the code below.\n\n"
            '<Listing number="4-5" file-name="src/main.rs" caption="Using a moved value">\n\n'
        ),
    ).replace('println!("{s1}, world!");\n```\n', 'println!("{s1}, world!");\n```\n\n</Listing>\n')
    chosen = lesson_on(announced, "ch04.md", "Return Values and Scope", difficulty="practice")
    lesson = extractive_lesson(concept("Return Values and Scope"), chosen, max_passages=9)
    announcing = lesson.text.index("as in the code below.")
    code = lesson.text.index("```rust", announcing)
    assert re.fullmatch(r"as in the code below\. \[\d+\]\s*", lesson.text[announcing:code])
    # The caption goes under the code it names, with the code's citation.
    caption = lesson.text.index("*Listing 4-5: Using a moved value (src/main.rs)*")
    assert code < caption < lesson.text.index("error[E0382]")
    assert citations_valid(lesson.text, len(lesson.cited))


def test_what_the_lesson_shows_keeps_the_sentences_that_name_it() -> None:
    own = [p for p in document(RUST, "ch04.md", "Variable Scope") if not p.see_also]
    lesson = extractive_lesson(concept("Variable Scope"), own, max_passages=4)
    assert "following variable, shown in Listing 4-1" in lesson.text
    # Without the listing, the sentence naming it goes and the rest stays.
    alone = extractive_lesson(concept("Variable Scope"), own[:1], max_passages=4)
    assert "Listing 4-1" not in alone.text
    assert "A scope is the range within a program for which an item is valid." in alone.text


def test_passages_from_elsewhere_that_nothing_names_close_the_lesson_as_see_also() -> None:
    whole = document(RUST, "ch04.md", "What Is Ownership?")
    own = [p for p in whole if not p.see_also]
    elsewhere = whole[3]  # "In other words..." of Variable Scope: nothing names it
    lesson = extractive_lesson(concept("What Is Ownership?"), [*own, elsewhere])
    see_also = lesson.text.index("See also")
    assert lesson.text.index("Ownership is a set of rules") < see_also
    assert lesson.text.index("two important points in time") > see_also
    assert [p.see_also for p in lesson.cited] == [False, True]


def test_the_summary_line_is_dropped_when_quoted_or_pointing_away() -> None:
    own = [p for p in document(RUST, "ch04.md", "Variable Scope") if not p.see_also]
    quoted = "A scope is the range within a program for which an item is valid."
    fresh = "Scopes nest, and an inner one ends before the outer one does."
    dangling = "Listing 9-9 shows a scope inside a loop."
    for summary, shown in ((quoted, False), (fresh, True), (dangling, False), ("", False)):
        lesson = extractive_lesson(concept("Variable Scope", summary, (quoted, fresh)), own)
        assert ("In short:" in lesson.text) is shown, summary
        assert lesson.text.count(quoted) == 1  # quoted once, never repeated as a key point
    assert f"- {fresh}" in lesson.text
    # A key point quoted inside a note (a block quote in the passage) is not repeated.
    note = "Note: A scope can sit inside another scope."
    noted = [
        replace(own[-1], text=f"{own[-1].text}\n\n> Note: A scope can sit inside\n> another scope.")
    ]
    lesson = extractive_lesson(concept("Variable Scope", "", (note,)), [*own[:-1], *noted])
    assert "another scope" in lesson.text and f"- {note}" not in lesson.text


def test_a_lead_in_teaches_its_own_prose_then_points_to_its_parts() -> None:
    own = [p for p in document(RUST, "ch04.md", "What Is Ownership?") if not p.see_also]
    parts = ("Variable Scope", "Return Values and Scope")
    lesson = extractive_lesson(concept("What Is Ownership?"), own, parts=parts)
    assert "Ownership is a set of rules" in lesson.text
    assert "*Variable Scope* and *Return Values and Scope*" in lesson.text
    assert [p.position for p in lesson.cited] == [0]


def test_example_first_starts_from_the_sections_first_working_example() -> None:
    chosen = lesson_on(RUST, "ch04.md", "Return Values and Scope", difficulty="practice")
    lesson = extractive_lesson(
        concept("Return Values and Scope"), chosen, order="example_first", max_passages=9
    )
    assert lesson.cited[0].position == 5  # Listing 4-4, the first code that works
    assert "Start with an example" in lesson.text


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("*Listing 4-5: Returning ownership of parameters (src/main.rs)*", {("listing", "4-5")}),
        ("**Figure 1: A healthcare and education frontier** This frontier...", {("figure", "1")}),
        ("**Table 2** The costs of having Kate and Sam do each job.", {("table", "2")}),
        ("Figure 4-6: A diagram of `&String` `s` pointing at `String` `s1`", {("figure", "4-6")}),
        ("<strong>Figures 2 & 3</strong> The two variables are related.", set()),
        (
            "**Figures 2 & 3** The two variables in the graph on the left...",
            {
                ("figure", "2"),
                ("figure", "3"),
            },
        ),
        ("Listing 4-5 shows how to return ownership.", set()),
        ("In figure 1, healthcare is on the vertical axis.", set()),
    ],
)
def test_captions(line: str, found: set[tuple[str, str]]) -> None:
    assert captions(line) == {Label(kind, number) for kind, number in found}


def test_pointers() -> None:
    said = pointers("As shown in Listings 4-1 and 4-2, and in fig. 3, the code above works.")
    assert said.labels == (Label("listing", "4-1"), Label("listing", "4-2"), Label("figure", "3"))
    assert said.backward and not said.forward
    assert pointers("Consider the following code:").forward
    assert pointers("The table below lists the prices").forward
    assert pointers("This error tells us what went wrong.").error
    assert not pointers("Rust often improves error messages and warnings.").any
    # A caption is no reference to itself; a wrapped line of prose is no caption.
    assert pointers("*Listing 4-1: A variable (src/main.rs)*").labels == ()
    wrapped = "Try the code in\nListing 4-6. Spoiler alert: It doesn't work!"
    assert pointers(wrapped).labels == (Label("listing", "4-6"),)
    assert captions(wrapped) == frozenset()


def test_a_section_passage_keeps_its_place_when_a_copy_is_marked_elsewhere() -> None:
    own = [p for p in document(RUST, "ch04.md", "Variable Scope") if not p.see_also]
    moved = [replace(own[0], position=10), *own[1:]]
    lesson = extractive_lesson(concept("Variable Scope"), moved)
    assert [p.position for p in lesson.cited] == [2, 3, 10]
