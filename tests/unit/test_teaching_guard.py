"""QualityGuard: each kind of bad generation is rejected for its reason; good text passes."""

from __future__ import annotations

import pytest

from tutor.embeddings import FakeEmbeddings
from tutor.teaching.guard import (
    CUT_OFF,
    EMPTY,
    JUNK,
    LOW_RELEVANCE,
    PROMPT_ECHO,
    REPETITION,
    TEMPLATE_MARKERS,
    TOO_SHORT,
    WRONG_LANGUAGE,
    GuardResult,
    QualityGuard,
    is_cut_off,
)
from tutor.teaching.material import ConceptInfo, Passage

OWNERSHIP = ConceptInfo(
    key="ownership",
    title="Ownership",
    summary="Rules by which each Rust value has one owner and is dropped with it.",
)

ENGLISH_NOTES = (
    "Ownership is how Rust keeps track of memory without a garbage collector. The compiler "
    "checks a small set of rules at compile time, and a program that breaks them is rejected "
    "before it ever runs.",
    "The rules are short: every value has a single owner, which is the variable holding it; "
    "only one owner exists at any moment; and once the owner leaves its scope, Rust drops "
    "the value and frees its memory.",
    "Assigning a heap string to a second variable moves it, so the first one can no longer "
    'be used:\n\n```rust\nlet a = String::from("hi");\nlet b = a;\nprintln!("{b}");\n```',
)

FRENCH_NOTES = (
    "La possession est un ensemble de règles qui régissent la façon dont un programme Rust "
    "gère la mémoire. Chaque valeur a un propriétaire, et il ne peut y avoir qu'un seul "
    "propriétaire à la fois.",
    "Quand le propriétaire sort de la portée, la valeur est libérée. Le compilateur vérifie "
    "ces règles et refuse un programme qui ne les respecte pas. Ainsi la mémoire est gérée "
    "sans ramasse-miettes.",
)

GOOD_LESSON = """## Ownership

Ownership is the set of rules Rust uses to manage memory [1]. Every value has exactly one
owner, a variable, and when that owner goes out of scope the value is dropped and its
memory is freed [2]. Because the compiler checks these rules, a program that breaks
them does not compile, and the checks cost nothing while the program runs.

For example, assigning a `String` to another variable moves it:

```rust
let s1 = String::from("hello");
let s2 = s1;
```

After the move only `s2` is valid, so using `s1` again is a compile-time error [3].
"""

FRENCH_LESSON = (
    "La possession est l'ensemble des règles avec lesquelles Rust gère la mémoire [1]. "
    "Chaque valeur a un seul propriétaire, et quand ce propriétaire sort de la portée, la "
    "valeur est libérée [2]. Le compilateur vérifie ces règles, donc un programme qui ne les "
    "respecte pas ne compile pas."
)

GERMAN_LESSON = (
    "Ownership ist eine Reihe von Regeln, mit denen ein Rust-Programm den Speicher verwaltet. "
    "Jeder Wert hat einen Eigentümer, und es kann immer nur einen Eigentümer geben. Wenn der "
    "Eigentümer den Gültigkeitsbereich verlässt, wird der Wert freigegeben."
)

CHINESE_LESSON = (
    "所有权是 Rust 用来管理内存的一组规则。每个值都有一个所有者，同一时间只能有一个所有者。"  # noqa: RUF001
    "当所有者离开作用域时，这个值就会被丢弃，内存也随之释放。编译器会检查这些规则。"  # noqa: RUF001
)

COOKING = """## A simple tomato sauce

Start by warming olive oil in a heavy pan over medium heat. Add a chopped onion and a
pinch of salt, and cook until the onion is soft and golden, about ten minutes. Stir in
two cloves of garlic, then the crushed tomatoes, and let the sauce simmer gently for half
an hour. Season with basil and black pepper before serving it over fresh pasta.
"""

# Replies of the bundled Gemma 3 270M base model, asked for a lesson on ownership with the
# three English passages above and a system prompt starting "You are a patient tutor.".
BASE_MODEL_REPLIES = (
    "You are a patient tutor. Teach the concept using only the numbered passages from the "
    "learner's notes, and cite them as [2], [3]. Write Markdown, about 150 words.\n\nConcept: "
    "The Garbage Collector\n\nPassages:\n[2] The garbage collector is a system that monitors a "
    "small set of garbage files to avoid garbage in and garbage out. It is usually done with "
    "garbage files in the same directory.\n[3] The garbage collector can be a problem: it is "
    "not always a good idea to keep the garbage files separate.\n[4] When the garbage "
    "collector is trying to prevent garbage, it may fail to keep track of the files.\n[5] The "
    "garbage collector may not always be able to keep track of the files.\n[",
    "You are a student.\nYou are a student. You are a student.\nYou are a student. You are a "
    "student.\nYou are a student. You are a student.\nYou are a student. You are a student.\n"
    "You are a student.",
    "You are a patient tutor. Teach me Ownership.\n" * 6 + "You are a patient tutor.",
    "You are a student in a classroom. It is now day 16, and the class is in its last week of "
    'studying English. There is a student in the class named "Mike". He is a good student, '
    "and he is in the class with Mike. We are in the classroom to learn about English.\nYou "
    "are in the classroom. You are in the class. You are in the class. You are in class. You "
    "are in class. You are in class. You are in class. You are in class. You are in class.\n"
    "You are in class. You",
    '```rust\nlet s1 = String::from("hello");\nlet s2 = s1;\nprintln!("{s1}, world!");\n```\n' * 5,
    "You are a student in the class. Write a short lesson about:\n"
    + "\n".join(f"[{n}]" for n in range(1, 32)),
)


def passages(texts: tuple[str, ...]) -> list[Passage]:
    return [
        Passage(
            chunk_id=f"c{index}",
            text=text,
            heading_path="Notes > Ownership",
            document_path="notes/ownership.md",
            concept_key="ownership",
            kind="code" if "```" in text else "prose",
            score=0.7 - index / 10,
        )
        for index, text in enumerate(texts)
    ]


@pytest.fixture
def guard() -> QualityGuard:
    # Hashed-word vectors give unrelated English texts a cosine of about 0.35 (they share
    # function words), so plumbing tests raise the bar; the real model's calibration is
    # in test_teaching_guard_model.
    return QualityGuard(FakeEmbeddings(), min_relevance=0.5)


def test_good_english_lesson_passes(guard: QualityGuard) -> None:
    notes = passages(ENGLISH_NOTES)
    assert guard.check_prefix(GOOD_LESSON, notes) == GuardResult(True, "")
    assert guard.check(GOOD_LESSON, OWNERSHIP, notes) == GuardResult(True, "")


def test_good_french_lesson_passes_against_french_notes(guard: QualityGuard) -> None:
    notes = passages(FRENCH_NOTES)
    assert guard.check(FRENCH_LESSON, OWNERSHIP, notes).ok


@pytest.mark.parametrize(
    ("text", "notes"),
    [
        (FRENCH_LESSON, ENGLISH_NOTES),
        (GERMAN_LESSON, ENGLISH_NOTES),
        (CHINESE_LESSON, ENGLISH_NOTES),
        (GOOD_LESSON, FRENCH_NOTES),
    ],
    ids=["fr-for-en", "de-for-en", "zh-for-en", "en-for-fr"],
)
def test_text_in_another_language_than_the_notes(
    guard: QualityGuard, text: str, notes: tuple[str, ...]
) -> None:
    assert guard.check_prefix(text, passages(notes)) == GuardResult(False, WRONG_LANGUAGE)
    assert guard.check(text, OWNERSHIP, passages(notes)).reason == WRONG_LANGUAGE


def test_chinese_text_passes_against_chinese_notes(guard: QualityGuard) -> None:
    notes = passages((CHINESE_LESSON.replace("编译器会检查这些规则。", ""),) * 2)
    assert guard.check_prefix(CHINESE_LESSON, notes).ok


def test_language_check_waits_for_enough_text(guard: QualityGuard) -> None:
    # A few words cannot tell a language; streaming goes on until they can.
    assert guard.check_prefix("La possession", passages(ENGLISH_NOTES)).ok
    assert guard.check_prefix(FRENCH_LESSON, []).ok


@pytest.mark.parametrize(
    "text",
    [
        "the the the the",
        "Ownership ownership ownership ownership ownership ownership",
        "Each value has an owner. Each value has an owner. Each value has an owner.",
        "Ownership moves values.\nOwnership moves values.\nOk.\nOwnership moves values.\n",
        "A value is dropped when its owner goes out of scope and then a value is dropped when "
        "its owner goes out of scope and so a value is dropped when its owner goes away",
        "ownershipownershipownershipownershipownership",
        "Noooooooooo, the owner is gone.",
        "Rust frees memory!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
    ],
)
def test_repetition_loops(guard: QualityGuard, text: str) -> None:
    notes = passages(ENGLISH_NOTES)
    assert guard.check_prefix(text, notes) == GuardResult(False, REPETITION)
    assert guard.check(text, OWNERSHIP, notes).reason == REPETITION


def test_code_may_repeat_a_line_a_few_times(guard: QualityGuard) -> None:
    text = (
        "Shadowing makes a new variable each time, and each print shows the newest one:\n\n"
        '```rust\nlet x = 5;\nprintln!("x is {x}");\nlet x = x + 1;\nprintln!("x is {x}");\n'
        'let x = x * 2;\nprintln!("x is {x}");\n```\n'
    )
    assert guard.check_prefix(text, passages(ENGLISH_NOTES)).ok


def test_a_repeated_code_block_is_a_loop(guard: QualityGuard) -> None:
    block = '```rust\nlet a = String::from("hi");\nlet b = a;\nprintln!("{b}");\n```\n'
    assert guard.check_prefix(block * 4, passages(ENGLISH_NOTES)).reason == REPETITION


@pytest.mark.parametrize(
    "text",
    [
        "<start_of_turn>user\nExplain ownership<end_of_turn>\n<start_of_turn>model\n",
        "Ownership means one owner. <|im_end|>",
        "Ownership means one owner.\nuser\nWhat about borrowing?",
        "### Instruction:\nExplain ownership.\n### Response:\nOwnership is a set of rules.",
        "[INST] Explain ownership [/INST] Ownership is a set of rules.",
    ],
)
def test_chat_template_leaks(guard: QualityGuard, text: str) -> None:
    assert guard.check_prefix(text, passages(ENGLISH_NOTES)) == GuardResult(False, TEMPLATE_MARKERS)


def test_template_words_inside_code_are_fine(guard: QualityGuard) -> None:
    text = (
        "A closure in a type looks odd:\n\n```rust\nlet f: Box<dyn Fn()> = Box::new(|| ());\n```\n"
    )
    assert guard.check_prefix(text, passages(ENGLISH_NOTES)).ok


def test_prompt_echo(guard: QualityGuard) -> None:
    text = "You are a patient tutor. Teach the concept using only the passages.\n\nOwnership is"
    assert guard.check_prefix(text, passages(ENGLISH_NOTES)) == GuardResult(False, PROMPT_ECHO)


@pytest.mark.parametrize(
    "text",
    [
        "###\n###\n### Ownership",
        "# Ownership\n## Rules\n### Owner\n#### Scope\nok",
        "[1] [2] (3) {4} -> 5 ... ## 6 // 7 :: 8 ; 9 => [10] 11 -- 12 ** 13",
    ],
)
def test_junk(guard: QualityGuard, text: str) -> None:
    assert guard.check_prefix(text, passages(ENGLISH_NOTES)) == GuardResult(False, JUNK)


def test_empty_and_too_short(guard: QualityGuard) -> None:
    notes = passages(ENGLISH_NOTES)
    assert guard.check("", OWNERSHIP, notes) == GuardResult(False, EMPTY)
    assert guard.check(" \n\t", OWNERSHIP, notes) == GuardResult(False, EMPTY)
    assert guard.check("Ownership is memory rules [1].", OWNERSHIP, notes).reason == TOO_SHORT
    # The prefix check has no length limit: a stream starts short.
    assert guard.check_prefix("Ownership is", notes).ok


@pytest.mark.parametrize(
    ("ending", "cut"),
    [
        ("When the owner goes out of scope, the value is", True),
        ("Here is an example:", True),
        ("The rules, in order,", True),
        ("```rust\nlet a = 1;\n", True),
        ("## Next steps", True),
        ("- Each value has one owner\n- Its owner drops it at the end of the", True),
        ("The value is dropped [2].", False),
        ("The value is dropped (see [1]).", False),
        ("Is it copied? No!", False),
        ("> It is dropped when its owner goes out of scope. [2]", False),
        ("```rust\nlet a = 1;\n```", False),
        ("- Each value has one owner\n- Its owner drops it", False),
        ("| Type | Moves |\n| --- | --- |\n| String | yes |", False),
    ],
)
def test_cut_off(ending: str, cut: bool) -> None:
    text = f"Ownership is the set of rules Rust uses to manage memory.\n\n{ending}\n"
    assert is_cut_off(text) is cut


def test_check_reports_cut_off(guard: QualityGuard) -> None:
    text = GOOD_LESSON.rstrip().removesuffix("compile-time error [3].") + "a compile-time"
    assert guard.check(text, OWNERSHIP, passages(ENGLISH_NOTES)) == GuardResult(False, CUT_OFF)


def test_off_topic_text_has_low_relevance(guard: QualityGuard) -> None:
    notes = passages(ENGLISH_NOTES)
    assert guard.check_prefix(COOKING, notes).ok  # relevance needs embeddings: end only
    assert guard.check(COOKING, OWNERSHIP, notes) == GuardResult(False, LOW_RELEVANCE)


def test_relevance_sees_a_text_drifting_off_topic(guard: QualityGuard) -> None:
    notes = passages(ENGLISH_NOTES)
    on_topic = guard.relevance(GOOD_LESSON, OWNERSHIP, notes)
    drifting = guard.relevance(GOOD_LESSON + "\n" + COOKING * 3, OWNERSHIP, notes)
    assert on_topic.off_topic_share == 0.0
    assert drifting.off_topic_share > 0.5
    assert drifting.score < on_topic.score


def test_relevance_without_passages_uses_the_concept(guard: QualityGuard) -> None:
    embeddings = FakeEmbeddings()
    QualityGuard(embeddings).relevance(GOOD_LESSON, OWNERSHIP, [])
    assert any(text.startswith("Ownership: Rules by which") for text in embeddings.history)


@pytest.mark.parametrize("reply", BASE_MODEL_REPLIES)
def test_base_model_replies_are_rejected(guard: QualityGuard, reply: str) -> None:
    notes = passages(ENGLISH_NOTES)
    assert not guard.check(reply, OWNERSHIP, notes).ok
    # Without the echoed system prompt, other checks still catch them.
    rest = "\n".join(line for line in reply.splitlines() if not line.startswith("You are a"))
    assert not guard.check(rest, OWNERSHIP, notes).ok


def test_base_model_replies_are_caught_while_streaming(guard: QualityGuard) -> None:
    notes = passages(ENGLISH_NOTES)
    for reply in BASE_MODEL_REPLIES:
        # The stream is checked every few tokens; each reply is stopped within ~80 tokens.
        prefixes = [reply[:end] for end in range(40, min(len(reply), 320) + 1, 40)]
        assert any(not guard.check_prefix(prefix, notes).ok for prefix in prefixes)


@pytest.mark.parametrize(
    "text",
    [
        "Push three numbers:\n\n```rust\nlet mut v = Vec::new();\nv.push(1);\nv.push(2);\n"
        "v.push(3);\nlet zeros = [0, 0, 0, 0];\n```\n",
        "In F# the pipe `|>` and in prose <| without a name are operators, not markers.",
        "Model\n-----\n\nThe model holds the data; the view shows it.",
        "The colour #ffffff is white and 0xffffffff is the largest 32-bit value.",
        "When the owner goes out of scope the value is dropped. Remember: when the owner "
        "goes out of scope, memory is freed. So when the owner goes out of scope, think drop.",
    ],
)
def test_legitimate_text_is_not_mistaken_for_junk(guard: QualityGuard, text: str) -> None:
    assert guard.check_prefix(text, passages(ENGLISH_NOTES)) == GuardResult(True, "")


def test_a_short_code_line_looping_is_caught(guard: QualityGuard) -> None:
    text = "Here is the code:\n\n```rust\n" + "let s = t;\n" * 8
    assert guard.check_prefix(text, passages(ENGLISH_NOTES)).reason == REPETITION


def test_separate_code_blocks_may_share_lines(guard: QualityGuard) -> None:
    run = "```console\n$ cargo run\n   Compiling guessing_game v0.1.0\n     Running `app`\n"
    text = "".join(
        f"Then it prints {word}:\n\n{run}{word}\n```\n\n" for word in ("one", "two", "three")
    )
    assert guard.check_prefix(text, passages(ENGLISH_NOTES)).ok


def test_passages_are_embedded_once_across_checks() -> None:
    from tutor.embeddings import FakeEmbeddings
    from tutor.teaching.guard import QualityGuard
    from tutor.teaching.material import ConceptInfo, Passage

    embeddings = FakeEmbeddings()
    guard = QualityGuard(embeddings, min_relevance=0.5)
    passage = Passage(
        "c1", "Each value in Rust has an owner.", "Ownership", "o.md", "o", "prose", 1
    )
    concept = ConceptInfo("o", "Ownership", "Who owns a value.")
    text = "Each value in Rust has an owner, and the owner drops it when it leaves scope."
    first = guard.relevance(text, concept, [passage])
    embedded = len(embeddings.history)
    assert guard.relevance(text, concept, [passage]) == first
    # Only the text's own segments were embedded again.
    assert passage.text not in embeddings.history[embedded:]
    assert len(embeddings.history) > embedded


def test_remembered_passages_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.embeddings import FakeEmbeddings
    from tutor.teaching import guard as guard_module
    from tutor.teaching.material import ConceptInfo, Passage

    monkeypatch.setattr(guard_module, "_REFERENCES_KEPT", 8)
    embeddings = FakeEmbeddings()
    guard = guard_module.QualityGuard(embeddings, min_relevance=0.5)
    concept = ConceptInfo("o", "Ownership", "Who owns a value.")
    notes = [
        Passage(f"c{n}", f"Passage {n} says each value has an owner.", "O", "o.md", "o", "prose", 1)
        for n in range(20)
    ]
    text = "Each value in Rust has an owner, and the owner drops it when it leaves scope."
    for passage in notes:
        guard.relevance(text, concept, [passage])

    embedded = len(embeddings.history)
    guard.relevance(text, concept, [notes[-1]])
    assert notes[-1].text not in embeddings.history[embedded:], "the latest one is kept"
    guard.relevance(text, concept, [notes[0]])
    assert notes[0].text in embeddings.history[embedded:], "the oldest one was let go"
