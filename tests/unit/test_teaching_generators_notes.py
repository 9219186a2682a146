"""Exercises generated from real notes (economics class notes, the Rust book) pass the checks.

Twenty concepts spread over each corpus, every level: what the learner gets is never a
blank on a word the whole of the notes uses, never a bare title as an option, never an
exercise they had before.
"""

from __future__ import annotations

import pytest

from tests.unit.exercise_corpus import BOOK, MACRO, Notes, info, load
from tutor.graph.model import ConceptDraft
from tutor.teaching._cloze import BLANK, content_words, stem
from tutor.teaching.exercise_checks import check_exercise, fingerprint
from tutor.teaching.exercises import (
    Difficulty,
    ExerciseDraft,
    MultipleChoiceDraft,
    ShortAnswerDraft,
)
from tutor.teaching.generators import generate_exercises
from tutor.teaching.keyness import TermStatistics

LEVELS: tuple[Difficulty, ...] = ("intro", "practice", "challenge")
CONCEPTS = 20


def corpora() -> list[pytest.param]:  # type: ignore[valid-type]
    found = [pytest.param(MACRO, id="economics")]
    if BOOK is not None:
        found.append(pytest.param(BOOK, id="rust-book"))
    return found


@pytest.fixture(scope="module", params=corpora())
def notes(request: pytest.FixtureRequest) -> tuple[Notes, TermStatistics]:
    loaded = load(request.param)
    return loaded, loaded.statistics()


def stems(text: str) -> str:
    return " ".join(stem(word) for word in text.split())


def spread(notes: Notes) -> list[ConceptDraft]:
    teachable = notes.teachable()
    step = max(1, len(teachable) // CONCEPTS)
    return teachable[::step][:CONCEPTS]


def exercises(
    notes: Notes,
    statistics: TermStatistics,
    concept: ConceptDraft,
    level: Difficulty,
    *,
    seed: int = 1,
    history: frozenset[str] = frozenset(),
    review: bool = False,
) -> list[ExerciseDraft]:
    return generate_exercises(
        info(concept),
        notes.passages[concept.key],
        notes.siblings(concept),
        level,
        seed=seed,
        statistics=statistics,
        history=history,
        review=review,
    )


def test_every_exercise_passes_the_checks_and_blanks_a_key_term(
    notes: tuple[Notes, TermStatistics],
) -> None:
    corpus, statistics = notes
    kinds: set[str] = set()
    terms = {stems(term) for c in corpus.concepts for term in c.terms}
    for concept in spread(corpus):
        titles = {c.title.casefold() for c in corpus.concepts if c.key != concept.key}
        for level in LEVELS:
            drafts = exercises(corpus, statistics, concept, level)
            assert 1 <= len(drafts) <= 4, (concept.title, level)
            for draft in drafts:
                kinds.add(draft.kind)
                assert check_exercise(draft) is None, (concept.title, draft)
                if isinstance(draft, ShortAnswerDraft) and BLANK in draft.question:
                    words = content_words(draft.reference_answer)
                    assert words, draft.reference_answer
                    assert not any(statistics.common(w) for w in words), draft
                if isinstance(draft, MultipleChoiceDraft):
                    shown = {o.casefold() for o in draft.options}
                    wrong = shown - {draft.options[draft.answer].casefold()}
                    # A title is an option only when it is also a term the notes define
                    # ("Opportunity cost"), never a title alone ("Students", "Foreword").
                    assert {stems(t) for t in wrong & titles} <= terms, (concept.title, wrong)
    assert {"multiple_choice", "short_answer", "explain_back"} <= kinds


def test_a_learner_never_gets_an_exercise_they_had_before(
    notes: tuple[Notes, TermStatistics],
) -> None:
    corpus, statistics = notes
    for concept in spread(corpus)[:8]:
        for level in LEVELS:
            first = exercises(corpus, statistics, concept, level)
            had = frozenset(fingerprint(d) for d in first)
            # The next lesson on the concept, with another seed or the same one.
            for seed in (1, 2):
                again = exercises(corpus, statistics, concept, level, seed=seed, history=had)
                assert not had & {fingerprint(d) for d in again}, (concept.title, level)
            # A review may ask the same again: the same seed gives the same exercises.
            review = exercises(corpus, statistics, concept, level, history=had, review=True)
            assert review == first


def test_lessons_on_two_concepts_drawing_on_one_passage_do_not_repeat(
    notes: tuple[Notes, TermStatistics],
) -> None:
    corpus, statistics = notes
    concept, other = spread(corpus)[3:5]
    shared = corpus.passages[concept.key]
    first = generate_exercises(
        info(concept), shared, corpus.siblings(concept), "practice", statistics=statistics
    )
    had = frozenset(fingerprint(d) for d in first)
    # The other concept's lesson retrieved the same passages (as "see also").
    second = generate_exercises(
        info(other), shared, corpus.siblings(other), "practice", statistics=statistics, history=had
    )
    assert not had & {fingerprint(d) for d in second}


def test_names_and_identifiers_are_never_swapped_for_a_neighbours_term(
    notes: tuple[Notes, TermStatistics],
) -> None:
    corpus, statistics = notes
    swapped = 0
    for concept in corpus.teachable():
        for choice in exercises(corpus, statistics, concept, "intro"):
            if not isinstance(choice, MultipleChoiceDraft):
                continue
            right = [w.strip(".,;:!?()\"'") for w in choice.options[choice.answer].split()]
            # Names and identifiers stay; the concept's own name may be swapped.
            title = concept.title.casefold()
            kept = [
                w
                for w in right[1:]
                if ("_" in w or "::" in w or w[:1].isupper()) and w.casefold()[:4] not in title
            ]
            for option in choice.options:
                words = [w.strip(".,;:!?()\"'") for w in option.split()]
                # A wrong version of the claim: the same words but one or two.
                if words != right and len(set(words) ^ set(right)) <= 3:
                    swapped += 1
                    assert all(w in words for w in kept), (right, option)
    assert swapped
