"""The extractive lesson: reading order, quoting, citations, angles and the fallback."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

import pytest

from tutor.ingest.learner_text import markup_leaks
from tutor.teaching.citations import citations_valid, cited_numbers, fenced_blocks
from tutor.teaching.extractive import ExtractiveLesson, extractive_lesson, lesson_pieces
from tutor.teaching.material import ConceptInfo, Passage

OWNERSHIP = ConceptInfo(
    key="ownership",
    title="Ownership",
    summary="Each Rust value has one owner and is dropped when the owner goes out of scope.",
    key_points=("Every value has exactly one owner.", "Moving a value makes the old name invalid."),
)

DEFINITION = (
    "Ownership is how Rust keeps track of memory without a garbage collector. The compiler\n"
    "checks a small set of rules at compile time, and a program that breaks them is\n"
    "rejected before it ever runs."
)
MOTIVATION = (
    "Because memory bugs are hard to find, many programmers welcome ownership once they\n"
    "get used to it. It takes practice, and the compiler's messages help along the way."
)
RULES = (
    "The rules are short:\n\n- every value has a single owner;\n- only one owner exists at any\n"
    "  moment;\n- once the owner leaves its scope, Rust drops the value."
)
CODE = (
    "Assigning a heap string to a second variable moves it:\n\n"
    "```rust,ignore\n"
    'let a = String::from("hi");\n'
    "let b = a;\n"
    'println!("{b}, {}", v[1]);\n'
    "```"
)
COPY = (
    "Simple values such as integers are copied instead of moved, because their size is\n"
    "known and copying them is cheap. Types like these implement the Copy trait."
)
FUNCTIONS = (
    "Passing a value to a function works like assignment: the string moves into the\n"
    "parameter, and the caller cannot use it afterwards unless it is returned."
)
RETURN = (
    "Returning a value from a function moves ownership out to the caller, which then\n"
    "becomes responsible for dropping it when its own variable goes out of scope."
)


def passage(
    chunk_id: str,
    text: str,
    score: float,
    *,
    heading: str = "Ownership",
    kind: str = "",
    at: int = 0,
    see_also: bool = False,
) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        text=text,
        heading_path=f"Rust notes > {heading}",
        document_path="notes/ownership.md",
        concept_key="elsewhere" if see_also else "ownership",
        kind=kind or ("code" if "```" in text else "prose"),
        score=score,
        position=at,
        see_also=see_also,
    )


def notes() -> list[Passage]:
    # Given out of the author's order on purpose: the lesson reads them by position.
    return [
        passage("code", CODE, 0.80, heading="Moves", at=2),
        passage("motivation", MOTIVATION, 0.75, at=1),
        passage("rules", RULES, 0.70, heading="Rules", at=3),
        passage("definition", DEFINITION, 0.65, at=0),
    ]


def many_notes() -> list[Passage]:
    return [
        *notes(),
        passage("copy", COPY, 0.60, heading="Copy types", at=4),
        passage("functions", FUNCTIONS, 0.55, heading="Functions", at=5),
        passage("return", RETURN, 0.50, heading="Functions", at=6),
    ]


def position(lesson: ExtractiveLesson, snippet: str) -> int:
    index = lesson.text.find(snippet)
    assert index >= 0, f"{snippet!r} not in lesson"
    return index


def citation_of(lesson: ExtractiveLesson, chunk_id: str) -> int:
    ids = [p.chunk_id for p in lesson.cited]
    return ids.index(chunk_id) + 1


def test_passages_are_quoted_in_the_authors_order() -> None:
    lesson = extractive_lesson(OWNERSHIP, notes())
    # The title is shown above the lesson, not repeated in it.
    assert lesson.text.startswith("Here is what your notes say about Ownership:\n")
    found = [
        position(lesson, snippet)
        for snippet in (
            "Rust keeps track of memory",
            "many programmers",
            'let a = String::from("hi");',
            "single owner",
        )
    ]
    assert found == sorted(found)
    assert [p.chunk_id for p in lesson.cited] == ["definition", "motivation", "code", "rules"]


def test_example_first_moves_the_first_example_ahead_of_the_rest() -> None:
    lesson = extractive_lesson(OWNERSHIP, notes(), order="example_first")
    assert [p.chunk_id for p in lesson.cited] == ["code", "definition", "motivation", "rules"]
    assert "Start with an example, from *Moves*" in lesson.text
    assert "Here is what your notes say is going on:" in lesson.text


def test_citations_number_passages_in_order_of_appearance() -> None:
    lesson = extractive_lesson(OWNERSHIP, notes())
    assert citations_valid(lesson.text, len(lesson.cited))
    assert cited_numbers(lesson.text) == list(range(1, len(lesson.cited) + 1))
    # Each citation sits right after the words of its own passage.
    for number, cited in enumerate(lesson.cited, start=1):
        last_words = re.findall(r"\w+", cited.text.split("```")[0])[-2:]
        marker = lesson.text.index(f"[{number}]")
        nearby = lesson.text[max(0, marker - 160) : marker]
        assert all(word in nearby for word in last_words), (number, cited.chunk_id)


def test_prose_is_quoted_and_code_stays_fenced() -> None:
    lesson = extractive_lesson(OWNERSHIP, notes())
    quoted = [line for line in lesson.text.splitlines() if line.startswith(">")]
    assert any("Rust keeps track of memory" in line for line in quoted)
    assert any("- every value has a single owner;" in line for line in quoted)
    blocks = fenced_blocks(lesson.text)
    assert len(blocks) == 1 and blocks[0][2]
    code = lesson.text[blocks[0][0] : blocks[0][1]]
    assert code.startswith("```rust\n")  # the info string keeps only the language
    assert "let b = a;" in code and not any(line.startswith(">") for line in code.splitlines())
    # The lead-in stays, with the citation before its colon; `v[1]` in code is no citation.
    number = citation_of(lesson, "code")
    assert f"Assigning a heap string to a second variable moves it [{number}]:" in lesson.text
    assert "In *Moves*:" in lesson.text
    assert "Start with an example" not in lesson.text  # the explanation came first


def test_closing_gives_summary_and_key_points() -> None:
    lesson = extractive_lesson(OWNERSHIP, notes())
    tail = lesson.text[position(lesson, "let b = a;") :]
    assert OWNERSHIP.summary in tail
    for point in OWNERSHIP.key_points:
        assert f"- {point}" in tail


def test_at_most_max_passages() -> None:
    lesson = extractive_lesson(OWNERSHIP, many_notes(), max_passages=3)
    assert len(lesson.cited) == 3
    assert len(set(p.chunk_id for p in lesson.cited)) == 3
    assert citations_valid(lesson.text, 3)


def template_lines(lesson: ExtractiveLesson) -> set[str]:
    quoted = (">", "-", "`")
    return {line for line in lesson.text.splitlines() if line and not line.startswith(quoted)}


def test_angles_differ_in_wording() -> None:
    first = extractive_lesson(OWNERSHIP, notes(), angle=0)
    second = extractive_lesson(OWNERSHIP, notes(), angle=1)
    assert first.text != second.text
    # Few passages: the same ones, worded differently.
    assert {p.chunk_id for p in first.cited} == {p.chunk_id for p in second.cited}
    assert template_lines(first) != template_lines(second)


def test_an_odd_angle_starts_the_other_way_in() -> None:
    again = extractive_lesson(OWNERSHIP, notes(), angle=1)
    assert again.cited[0].chunk_id == "code"
    back = extractive_lesson(OWNERSHIP, notes(), order="example_first", angle=1)
    assert back.cited[0].chunk_id == "definition"


def test_heading_only_and_near_duplicate_passages_are_skipped() -> None:
    near_copy = DEFINITION.replace("small set", "short set")
    lesson = extractive_lesson(
        OWNERSHIP,
        [
            *notes(),
            passage("heading", "### Ownership rules", 0.99),
            passage("copy", near_copy, 0.64),  # the better-scored twin stays
            passage("definition", DEFINITION, 0.65),  # the same chunk again
        ],
        max_passages=6,
    )
    ids = [p.chunk_id for p in lesson.cited]
    assert "heading" not in ids and "copy" not in ids
    assert ids.count("definition") == 1
    assert lesson.text.count("Rust keeps track of memory") == 1


def test_for_example_prose_keeps_its_place() -> None:
    example = (
        "For example, calling a function with a String moves the string into the\n"
        "parameter, so the caller cannot use it afterwards."
    )
    lesson = extractive_lesson(
        OWNERSHIP,
        [passage("example", example, 0.9, at=1), passage("definition", DEFINITION, 0.6, at=0)],
        order="example_first",
    )
    assert [p.chunk_id for p in lesson.cited] == ["definition", "example"]
    assert position(lesson, "> For example") > position(lesson, "Rust keeps track")


def test_only_code_passages() -> None:
    lesson = extractive_lesson(OWNERSHIP, [passage("code", CODE, 0.8)])
    assert [p.chunk_id for p in lesson.cited] == ["code"]
    assert citations_valid(lesson.text, 1)
    assert "let b = a;" in lesson.text
    # Explanation first: a section that opens with code says nothing of starting there.
    assert "Start with an example" not in lesson.text
    first = extractive_lesson(OWNERSHIP, [passage("code", CODE, 0.8)], order="example_first")
    assert "Start with an example" in first.text


def test_quoted_text_cannot_add_citations() -> None:
    tricky = (
        "Ownership is a rule set [3] that the note cites, see the [Rust book][book]\n"
        "<!-- ignore --> and the <span>index</span> of an array, arr[0]."
    )
    lesson = extractive_lesson(OWNERSHIP, [passage("tricky", tricky, 0.9)])
    assert citations_valid(lesson.text, len(lesson.cited))
    assert cited_numbers(lesson.text) == [1]
    assert "the Rust book" in lesson.text and "[book]" not in lesson.text
    assert "<!--" not in lesson.text and "<span>" not in lesson.text


def test_code_passage_without_lead_in_is_cited_in_its_introduction() -> None:
    code = "```rust\nlet s = String::new();\n```"
    lesson = extractive_lesson(
        OWNERSHIP, [passage("definition", DEFINITION, 0.7), passage("bare", code, 0.6)]
    )
    # The concept's own section is not named: the whole lesson comes from it.
    assert "For example [2]:" in lesson.text and "*Ownership*" not in lesson.text


def test_no_passages_gives_an_outline_without_citations() -> None:
    lesson = extractive_lesson(OWNERSHIP, [])
    assert lesson.cited == ()
    assert cited_numbers(lesson.text) == []
    assert "## Ownership" not in lesson.text
    assert "little on Ownership" in lesson.text
    assert OWNERSHIP.summary in lesson.text
    assert all(f"- {point}" in lesson.text for point in OWNERSHIP.key_points)


def test_no_passages_and_nothing_known() -> None:
    lesson = extractive_lesson(ConceptInfo(key="lifetimes", title="Lifetimes"), [])
    assert lesson.cited == () and "little on Lifetimes" in lesson.text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "one",
        "## Ownership\n\n> Quoted [1]\n\n```rust\nlet a = 1;\n```\n\n",
        "a_very_long_identifier_that_is_split_into_pieces and more   \n\n",
        "  leading spaces\ttabs\r\nand unicode — “quotes” 所有权",
    ],
)
def test_lesson_pieces_roundtrip(text: str) -> None:
    pieces = list(lesson_pieces(text))
    assert "".join(pieces) == text
    assert all(piece for piece in pieces)
    assert all(len(piece.strip()) <= 12 for piece in pieces)


def test_lesson_pieces_are_word_sized() -> None:
    text = extractive_lesson(OWNERSHIP, notes()).text
    pieces = list(lesson_pieces(text))
    assert "".join(pieces) == text
    assert len(pieces) >= len(text.split())


def test_a_quoted_passage_does_not_end_on_a_colon_leading_nowhere() -> None:
    lead = DEFINITION + "\nThe code below shows it:"
    lesson = extractive_lesson(OWNERSHIP, [passage("definition", lead, 0.9)])
    assert "rejected before it ever runs. [1]" in lesson.text
    assert "The code below shows it" not in lesson.text
    # With nothing left to quote, the lesson is the concept's outline.
    only = extractive_lesson(OWNERSHIP, [passage("only", "Ownership is shown here:", 0.9)])
    assert only.cited == () and "Ownership is shown here" not in only.text
    assert "little on Ownership" in only.text


BROKEN = (
    "What if we change a borrowed value? Spoiler alert: it doesn't work!\n\n"
    "```rust,ignore,does_not_compile\n"
    "fn change(some_string: &String) {\n"
    '    some_string.push_str(", world");\n'
    "}\n"
    "```"
)
BROKEN_ERROR = (
    "Here's the error:\n\n"
    "```console\n"
    "error[E0596]: cannot borrow `*some_string` as mutable, as it is behind a `&` reference\n"
    "```"
)
WORKING = (
    "With a mutable reference the change is allowed:\n\n"
    "```rust\n"
    "fn change(some_string: &mut String) {\n"
    '    some_string.push_str(", world");\n'
    "}\n"
    "```"
)
EXAMPLE_WORDS = ("For example", "Here it is in action", "in practice", "Start with an example")


def borrowing(*extra: Passage) -> list[Passage]:
    return [
        passage("broken", BROKEN, 0.9, heading="References"),
        passage("error", BROKEN_ERROR, 0.5, heading="References"),
        passage("definition", DEFINITION, 0.7),
        *extra,
    ]


def intro_of(lesson: ExtractiveLesson, snippet: str) -> str:
    """The paragraph that introduces the code holding ``snippet``."""
    before = lesson.text[: position(lesson, snippet)].rstrip().split("\n\n")
    return "\n\n".join(before[-3:])  # the wording, the lead-in, the opening fence


@pytest.mark.parametrize("angle", range(3))
@pytest.mark.parametrize("order", ["explanation_first", "example_first"])
def test_failing_code_is_never_the_example_and_says_why(angle: int, order: str) -> None:
    working = passage("working", WORKING, 0.6, heading="Mutable References")
    lesson = extractive_lesson(
        OWNERSHIP,
        borrowing(working),
        order=order,
        angle=angle,
        max_passages=4,  # type: ignore[arg-type]
    )
    broken_intro = intro_of(lesson, "fn change(some_string: &String)")
    assert "This does not compile; here is why, from *References*:" in broken_intro
    assert not any(words in broken_intro for words in EXAMPLE_WORDS)
    # The prose that explains comes along, and the error follows the listing.
    assert "Spoiler alert: it doesn't work!" in broken_intro
    assert position(lesson, "fn change(some_string: &String)") < position(lesson, "E0596")
    # The notes' "Here's the error:" says what the output is; no label repeats it.
    assert "Here's the error [" in lesson.text and "The error it gives" not in lesson.text
    working_intro = intro_of(lesson, "fn change(some_string: &mut String)")
    assert "does not compile" not in working_intro
    assert citations_valid(lesson.text, len(lesson.cited))


def test_panicking_code_says_it_panics() -> None:
    panics = BROKEN.replace("ignore,does_not_compile", "should_panic")
    lesson = extractive_lesson(
        OWNERSHIP, [passage("p", panics, 0.9), passage("d", DEFINITION, 0.5)]
    )
    assert "This compiles but panics when it runs; here is why" in lesson.text
    assert "```rust\n" in lesson.text and "should_panic" not in lesson.text


def test_a_python_exception_is_no_panic() -> None:
    raises = "Adding a number to a string fails:\n\n```python,should_panic\ntotal = 1 + '2'\n```"
    lesson = extractive_lesson(
        OWNERSHIP, [passage("p", raises, 0.9), passage("d", DEFINITION, 0.5)]
    )
    assert "This stops with an error when it runs; here is why" in lesson.text
    assert "panic" not in lesson.text


def test_failing_code_alone_is_still_no_example() -> None:
    lesson = extractive_lesson(OWNERSHIP, [passage("broken", BROKEN, 0.9)])
    assert "This does not compile; here is why" in lesson.text
    assert not any(words in lesson.text for words in EXAMPLE_WORDS)


def test_passages_stored_with_page_markup_are_quoted_clean() -> None:
    raw = passage(
        "raw",
        "Ownership is covered in [“What Is Ownership?”][ownership]<!-- ignore -->, see\n"
        '<a id="here"></a>[the book](https://doc.rust-lang.org/book/) for more on it.\n\n'
        '```rust,ignore\n# fn main() {\nlet s = String::from("hi");\n# }\n```',
        0.9,
    )
    lesson = extractive_lesson(OWNERSHIP, [raw, passage("d", DEFINITION, 0.8)])
    assert markup_leaks(lesson.text) == []
    assert "Ownership is covered in “What Is Ownership?”, see" in lesson.text
    assert "# fn main" not in lesson.text and 'let s = String::from("hi");' in lesson.text


NEW_PROJECT = ConceptInfo(key="setting-up", title="Setting Up a New Project")
NEW_PROJECT_NOTES = (
    "To set up a new project, go to the _projects_ directory that you created in\n"
    "Chapter 1 and make a new project using Cargo, like so:\n\n"
    "```console\n$ cargo new guessing_game\n$ cd guessing_game\n```",
    "The first command, `cargo new`, takes the name of the project (`guessing_game`)\n"
    "as the first argument. The second command changes to the new project\u2019s\n"
    "directory.\n\nLook at the generated _Cargo.toml_ file:",
    "Filename: Cargo.toml\n\n"
    '```toml\n[package]\nname = "guessing_game"\nversion = "0.1.0"\nedition = "2024"\n```',
    "As you saw in Chapter 1, `cargo new` generates a “Hello, world!” program for\n"
    "you. Check out the _src/main.rs_ file:",
    'Filename: src/main.rs\n\n```rust\nfn main() {\n    println!("Hello, world!");\n}\n```',
)
INSTALLING = ConceptInfo(key="rustup-unix", title="Installing rustup on Linux or macOS")
INSTALLING_NOTES = (
    "If you\u2019re using Linux or macOS, open a terminal and enter the following command:\n\n"
    "```console\n$ curl --proto '=https' --tlsv1.2 https://sh.rustup.rs -sSf | sh\n```",
    "The command downloads a script and starts the installation of the `rustup`\n"
    "tool, which installs the latest stable version of Rust. If the install is\n"
    "successful, the following line will appear:\n\n"
    "```text\nRust is installed now. Great!\n```",
    "You will also need a _linker_, which is a program that Rust uses to join its\n"
    "compiled outputs into one file. It is likely you already have one.",
)


def section(concept: ConceptInfo, texts: tuple[str, ...], parent: str) -> list[Passage]:
    """Consecutive chunks of the concept's own section."""
    return [
        Passage(
            chunk_id=f"c{n}",
            text=text,
            heading_path=f"{parent} > {concept.title}",
            document_path="ch02.md",
            concept_key=concept.key,
            kind="code" if "```" in text else "prose",
            score=0.5,
            position=n,
        )
        for n, text in enumerate(texts)
    ]


def joining_words(lesson: ExtractiveLesson) -> list[str]:
    """The lesson's own paragraphs, in order: none of the notes' words, quoted or not."""
    quoted = " ".join(_flat(p.text) for p in lesson.cited)
    paragraphs = [p for p in lesson.text.split("\n\n") if p.strip()]
    own: list[str] = []
    for paragraph in paragraphs:
        plain = re.sub(r"\s*\[\d+(?:, \d+)*\]", "", paragraph)
        if paragraph.startswith((">", "```", "- ")) or _flat(plain).rstrip(":") in quoted:
            continue
        own.append(plain)
    return own


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`]", "", text)).strip()


def the_words_before(lesson: ExtractiveLesson, paragraph_start: str) -> str:
    paragraphs = lesson.text.split("\n\n")
    index = next(n for n, p in enumerate(paragraphs) if p.startswith(paragraph_start))
    return paragraphs[index - 1] if index else ""


@pytest.mark.parametrize("angle", range(3))
def test_prose_announcing_code_is_not_introduced_as_an_example(angle: int) -> None:
    passages = section(NEW_PROJECT, NEW_PROJECT_NOTES, "Programming a Guessing Game")
    # An odd angle swaps the order: asked for example first, it reads the author's order.
    order = "example_first" if angle % 2 else "explanation_first"
    lesson = extractive_lesson(
        NEW_PROJECT,
        passages,
        angle=angle,
        order=order,  # type: ignore[arg-type]
        max_passages=5,
    )
    assert [p.chunk_id for p in lesson.cited] == ["c0", "c1", "c2", "c3", "c4"]
    assert citations_valid(lesson.text, 5)
    assert cited_numbers(lesson.text) == [1, 2, 3, 4, 5]
    # The prose is what it is: an explanation, under no words calling it an example.
    for start in ("> The first command", "> As you saw in Chapter 1"):
        before = the_words_before(lesson, start)
        assert "example" not in before.lower() and "in action" not in before, before
    # The file name under each listing carries the listing's citation.
    assert "Filename: Cargo.toml [3]" in lesson.text
    assert "Filename: src/main.rs [5]" in lesson.text
    assert position(lesson, "Look at the generated") < position(lesson, 'name = "guessing_game"')


@pytest.mark.parametrize("angle", range(3))
def test_the_lesson_neither_repeats_its_title_nor_names_its_own_section(angle: int) -> None:
    for concept, texts in ((NEW_PROJECT, NEW_PROJECT_NOTES), (INSTALLING, INSTALLING_NOTES)):
        lesson = extractive_lesson(
            concept, section(concept, texts, "Chapter"), angle=angle, max_passages=5
        )
        assert not lesson.text.lstrip().startswith("#")
        assert f"*{concept.title}*" not in lesson.text


@pytest.mark.parametrize("angle", range(3))
def test_consecutive_passages_of_one_kind_do_not_repeat_their_lead_in(angle: int) -> None:
    lesson = extractive_lesson(
        INSTALLING, section(INSTALLING, INSTALLING_NOTES, "Installation"), angle=angle
    )
    assert len(lesson.cited) == 3
    words = joining_words(lesson)
    assert all(first != second for first, second in itertools.pairwise(words)), words
    # The notes' own lead-ins say what the command and its output are.
    assert "What it looks like" not in lesson.text
    assert "open a terminal and enter the following command [1]:" in lesson.text
    assert "the following line will appear [2]:" in lesson.text


def test_terminal_sessions_without_a_lead_in_are_told_apart() -> None:
    bare = (
        "```console\n$ cargo build\n   Compiling hello v0.1.0\n```",
        "```console\n$ cargo run\nHello, world!\n```",
        "```text\nHello, world!\n```",
        "```text\nGoodbye, world!\n```",
    )
    lesson = extractive_lesson(
        INSTALLING, section(INSTALLING, bare, "Installation"), max_passages=4
    )
    assert citations_valid(lesson.text, 4)
    opening, *words = joining_words(lesson)
    assert opening == "Here is what your notes say about Installing rustup on Linux or macOS:"
    assert len(words) == 4 and len(set(words)) == 4, words
    assert all("example" not in w.lower() and "What it looks like" not in w for w in words)
    assert words[0].startswith("At the command line") and words[2].startswith("What it prints")


def test_failing_listings_in_a_row_are_each_introduced_as_failing() -> None:
    second = (
        "Nor can a variable be borrowed mutably twice at once:\n\n"
        "```rust,ignore,does_not_compile\n"
        "let mut s = String::new();\nlet r1 = &mut s;\nlet r2 = &mut s;\n"
        'println!("{r1}{r2}");\n```'
    )
    lesson = extractive_lesson(
        OWNERSHIP,
        [passage("one", BROKEN, 0.9, at=0), passage("two", second, 0.8, at=1)],
    )
    assert [p.chunk_id for p in lesson.cited] == ["one", "two"]
    words = joining_words(lesson)
    assert words[:2] == [
        "This does not compile; here is why:",
        "This does not compile either; here is why:",
    ]


def test_a_subsection_or_another_section_is_named() -> None:
    own = passage("own", DEFINITION, 0.9, at=0)
    sub = passage("sub", CODE, 0.8, heading="Moves", at=1)
    lesson = extractive_lesson(OWNERSHIP, [own, sub])
    assert "In *Moves*:" in lesson.text
    assert "*Ownership*" not in lesson.text


@pytest.mark.parametrize("angle", range(3))
def test_a_question_for_a_title_does_not_end_the_sentence_naming_it(angle: int) -> None:
    economics = ConceptInfo(key="economics", title="What is economics?")
    scarcity = (
        "*Economics* is the study of how humans make choices under conditions of scarcity.\n"
        "*Scarcity* means that people want more of a good than is available."
    )
    lesson = extractive_lesson(
        economics,
        section(economics, (scarcity,), "A brief introduction to economics"),
        angle=angle,
        parts=("Resources",),
    )
    assert "?:" not in lesson.text and "? like" not in lesson.text and "? in" not in lesson.text
    assert "\u201cWhat is economics?\u201d" in lesson.text
    outline = extractive_lesson(economics, [])
    assert "little on \u201cWhat is economics?\u201d so far" in outline.text


COMPILING = ConceptInfo(key="compiling", title="Compilation and Execution")
COMPILING_NOTES = (
    "Before running a Rust program, you must compile it using the Rust compiler by\n"
    "entering the `rustc` command and passing it the name of your source file, like\n"
    "this:\n\n```console\n$ rustc main.rs\n```",
    "On Linux and macOS, you\u2019ll see two files. With CMD on Windows, you would enter\n"
    "the following:\n\n```cmd\n> dir /B\nmain.exe\nmain.pdb\nmain.rs\n```",
    "In PowerShell, use:\n\n```powershell\n> echo $env:Path\n```",
)


@pytest.mark.parametrize("angle", [0, 2])
def test_commands_in_any_shell_are_no_example_and_the_lesson_opens_on_the_notes(
    angle: int,
) -> None:
    lesson = extractive_lesson(
        COMPILING, section(COMPILING, COMPILING_NOTES, "Hello, World!"), angle=angle
    )
    assert len(lesson.cited) == 3
    words = joining_words(lesson)
    # A lesson that opens on a command says first that it quotes the notes.
    assert lesson.text.startswith(words[0]) and "your notes" in words[0]
    assert not any(w in lesson.text for w in EXAMPLE_WORDS), words
    assert "you would enter\nthe following [2]:" in lesson.text


def test_a_lesson_opening_on_code_says_what_the_notes_say_before_calling_it_an_example() -> None:
    lesson = extractive_lesson(OWNERSHIP, [passage("code", CODE, 0.8, at=0)])
    assert lesson.text.startswith("Here is what your notes say about Ownership:")
    assert "For example" not in lesson.text


def test_a_listing_named_by_the_prose_before_it_is_no_new_example() -> None:
    concept = ConceptInfo(key="basics", title="Rust Program Basics")
    texts = (
        "Next, make a new source file and call it _main.rs_. Rust files always end with\n"
        "the _.rs_ extension.\n\n"
        "Now open the _main.rs_ file you just created and enter the code in Listing 1-1.",
        '<Listing number="1-1" file-name="main.rs" caption="A program that prints '
        '`Hello, world!`">\n\n```rust\nfn main() {\n    println!("Hello, world!");\n}\n```\n\n'
        "</Listing>",
    )
    lesson = extractive_lesson(concept, section(concept, texts, "Hello, World!"))
    assert [p.chunk_id for p in lesson.cited] == ["c0", "c1"]
    assert citations_valid(lesson.text, 2)
    assert not any(w in lesson.text for w in EXAMPLE_WORDS), lesson.text
    # The caption goes under the listing, with its citation.
    assert position(lesson, "fn main()") < position(lesson, "Listing 1-1: A program")


def test_a_captioned_listing_is_introduced_by_its_caption() -> None:
    concept = ConceptInfo(key="new-project", title="Creating a Project with Cargo")
    texts = (
        "Go into the _hello_cargo_ directory and list the files. You\u2019ll see that Cargo\n"
        "has generated two files and one directory for us.",
        '<Listing number="1-2" file-name="Cargo.toml" caption="Contents of *Cargo.toml* '
        'generated by `cargo new`">\n\n```toml\n[package]\nname = "hello_cargo"\n```\n\n'
        "</Listing>",
    )
    lesson = extractive_lesson(concept, section(concept, texts, "Hello, Cargo!"))
    assert citations_valid(lesson.text, 2)
    assert the_words_before(lesson, "```toml").startswith("*Listing 1-2: Contents of")
    assert not any(w in lesson.text for w in EXAMPLE_WORDS), lesson.text


CLONE = ConceptInfo(key="clone", title="Variables and Data Interacting with Clone")
CLONE_NOTES = (
    "If we _do_ want to deeply copy the heap data of the `String`, not just the\n"
    "stack data, we can use a common method called `clone`.",
    "Here\u2019s an example of the `clone` method in action:\n\n"
    '```rust\n    let s1 = String::from("hello");\n    let s2 = s1.clone();\n```',
    "Rust takes a different path: The memory is automatically returned once the\n"
    "variable that owns it goes out of scope. Here\u2019s a version with a `String`:\n\n"
    '```rust\n{\n    let s = String::from("hello");\n}\n```',
)


@pytest.mark.parametrize("angle", [0, 2])
def test_code_its_own_lead_in_introduces_gets_no_label(angle: int) -> None:
    lesson = extractive_lesson(
        CLONE, section(CLONE, CLONE_NOTES, "Memory and Allocation"), angle=angle
    )
    assert [p.chunk_id for p in lesson.cited] == ["c0", "c1", "c2"]
    # Only the opening is the lesson's own: the notes' lead-ins introduce their code.
    assert len(joining_words(lesson)) == 1, joining_words(lesson)
    assert the_words_before(lesson, "Here\u2019s an example of the `clone`").startswith(">")


def test_an_error_with_no_words_of_its_own_is_said_to_be_the_error() -> None:
    bare_error = BROKEN_ERROR.split("\n\n", 1)[1]
    lesson = extractive_lesson(
        OWNERSHIP,
        [passage("broken", BROKEN, 0.9, at=0), passage("error", bare_error, 0.5, at=1)],
    )
    assert the_words_before(lesson, "```console").startswith("The error it gives [2]:")


def test_see_also_passages_of_one_section_are_not_each_headed_the_same() -> None:
    elsewhere = [
        passage("a", COPY, 0.6, heading="Copy types", at=10, see_also=True),
        passage("b", FUNCTIONS, 0.5, heading="Copy types", at=11, see_also=True),
        passage("c", RETURN, 0.4, heading="Functions", at=12, see_also=True),
    ]
    lesson = extractive_lesson(OWNERSHIP, [passage("d", DEFINITION, 0.9), *elsewhere])
    words = joining_words(lesson)
    assert "From *Copy types* [2]:" not in words  # the citation sits in the quote
    assert words[words.index("See also:") + 1 :][:3] == [
        "From *Copy types*:",
        "Also from *Copy types*:",
        "From *Functions*:",
    ]


def test_a_title_with_a_colon_is_quoted_where_a_sentence_names_it() -> None:
    demand = ConceptInfo(key="demand-example", title="Demand for goods and services: An example")
    prose = (
        "Suppose that the price of a cup of coffee rises from $2 to $3. Then fewer cups\n"
        "are bought each day, because some buyers switch to tea."
    )
    lesson = extractive_lesson(demand, section(demand, (prose,), "Demand"))
    assert lesson.text.startswith(
        "Here is what your notes say about \u201cDemand for goods and services: An example\u201d:"
    )


def test_a_title_carrying_its_parents_name_still_names_its_own_section() -> None:
    concept = ConceptInfo(key="dangling", title="References and Borrowing: Dangling References")
    texts = (
        "Let\u2019s try to create a dangling reference to see how Rust prevents them with a\n"
        "compile-time error:\n\n```rust,ignore,does_not_compile\nfn dangle() -> &String {\n"
        '    let s = String::from("hello");\n    &s\n}\n```',
        "The solution here is to return the `String` directly:\n\n"
        '```rust\nfn no_dangle() -> String {\n    let s = String::from("hello");\n    s\n}\n```',
    )
    parent = "References and Borrowing > Dangling References"
    chunks = [replace(p, heading_path=parent) for p in section(concept, texts, "x")]
    lesson = extractive_lesson(concept, chunks)
    assert "*Dangling References*" not in lesson.text
    assert lesson.text.startswith("This does not compile; here is why:")
