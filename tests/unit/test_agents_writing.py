"""Model text reaches the learner only sentence by sentence, once checked, and is never
taken back: the real guard (all-MiniLM-L6-v2) and the fake model's scripted replies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from agents import writing
from tests.unit.test_teaching_guard import ENGLISH_NOTES, GOOD_LESSON, OWNERSHIP, passages
from tests.unit.test_teaching_guard_model import DRIFT
from tutor.embeddings import SentenceTransformerEmbeddings
from tutor.llm.fake import FakeChatModel
from tutor.teaching.guard import QualityGuard
from tutor.teaching.pass_rates import PassRates

pytestmark = pytest.mark.integration

NOTES = passages(ENGLISH_NOTES)
OPENING = GOOD_LESSON.split("For example")[0]
BAD_ENDINGS = {
    "a loop": OPENING + "the value " * 60,
    "drift": DRIFT,
    "a citation to nothing": OPENING + "Moves are covered in the next chapter [9]. " * 2,
    "a language switch": OPENING
    + "La possession est un ensemble de règles qui régissent la façon dont un programme "
    "gère la mémoire, et chaque valeur a un propriétaire unique à la fois. " * 2,
}


@pytest.fixture(scope="module")
def guard() -> Iterator[QualityGuard]:
    embeddings = SentenceTransformerEmbeddings(max_tokens=128, batch_threads=2)
    embeddings.load()
    yield QualityGuard(embeddings)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    monkeypatch.setattr(
        writing, "emit", lambda event, **fields: events.append(fields | {"event": event})
    )
    return events


def tokens(events: list[dict[str, Any]]) -> str:
    assert {e["event"] for e in events} <= {"token"}, "nothing but tokens, never a reset"
    return "".join(e["text"] for e in events)


async def stream(
    model: FakeChatModel, guard: QualityGuard, *, max_tokens: int = 400
) -> writing.Streamed:
    return await writing.stream_checked(
        model, [HumanMessage("Teach me Ownership.")], guard, OWNERSHIP, NOTES, max_tokens=max_tokens
    )


async def test_a_good_lesson_is_sent_whole_one_checked_sentence_at_a_time(
    guard: QualityGuard, sent: list[dict[str, Any]]
) -> None:
    model = FakeChatModel()
    model.enqueue(GOOD_LESSON)
    result = await stream(model, guard)
    assert result.complete and result.shown == GOOD_LESSON == tokens(sent)
    assert 3 <= len(sent) < len(GOOD_LESSON.split()) / 3
    # The code block goes out whole, never split at a full stop inside it.
    assert any("let s1 = String::from" in e["text"] and "let s2 = s1;" in e["text"] for e in sent)


@pytest.mark.parametrize("ending", sorted(BAD_ENDINGS))
async def test_text_that_goes_bad_stops_where_it_fails_and_nothing_is_withdrawn(
    ending: str, guard: QualityGuard, sent: list[dict[str, Any]]
) -> None:
    text = BAD_ENDINGS[ending]
    model = FakeChatModel()
    model.enqueue(text)
    result = await stream(model, guard)
    shown = tokens(sent)
    assert not result.complete and result.reason
    assert shown == result.shown and text.startswith(shown)
    # The good opening was read; none of what failed was.
    assert shown.strip() and OPENING.startswith(shown.rstrip())
    assert guard.check(shown, OWNERSHIP, NOTES).ok


@pytest.mark.parametrize(
    "junk",
    [
        "the the the the the the the the the the the the the the the the the the the the",
        "Ownership is a set of rules that every Rust program follows, and every value in it "
        "has one owner at a time, which the compiler checks for you before it runs. " * 4,
        "My grandmother always made bread on Sundays, kneading the dough by hand for twenty "
        "minutes before she left it to rise near the warm stove [1]. " * 2,
    ],
    ids=["loop", "never cites", "off topic"],
)
async def test_text_that_is_bad_from_the_start_is_never_shown(
    junk: str, guard: QualityGuard, sent: list[dict[str, Any]]
) -> None:
    model = FakeChatModel()
    model.enqueue(junk)
    assert (
        await writing.stream_guarded(
            model, [HumanMessage("Teach me Ownership.")], guard, OWNERSHIP, NOTES, max_tokens=400
        )
        is None
    )
    assert sent == []


async def test_a_text_cut_by_the_token_budget_never_shows_its_unfinished_sentence(
    guard: QualityGuard, sent: list[dict[str, Any]]
) -> None:
    model = FakeChatModel()
    model.enqueue(GOOD_LESSON)
    result = await stream(model, guard, max_tokens=60)
    shown = tokens(sent)
    assert shown == result.shown and GOOD_LESSON.startswith(shown)
    assert shown.rstrip().endswith((".", "]", "```"))


async def test_an_opening_refused_by_the_caller_is_never_shown(
    guard: QualityGuard, sent: list[dict[str, Any]]
) -> None:
    model = FakeChatModel()
    model.enqueue(GOOD_LESSON)
    seen: list[str] = []

    async def refuse(opening: str) -> bool:
        seen.append(opening)
        return False

    result = await writing.stream_checked(
        model,
        [HumanMessage("Teach me Ownership.")],
        guard,
        OWNERSHIP,
        NOTES,
        max_tokens=400,
        opening=refuse,
    )
    assert seen and GOOD_LESSON.startswith(seen[0])
    assert result.shown == "" and sent == []


async def test_a_model_whose_texts_fail_is_not_asked_and_its_record_is_kept(
    guard: QualityGuard, sent: list[dict[str, Any]]
) -> None:
    rates = PassRates(prior=0.5, prior_weight=1, threshold=0.4, explore_every=0)
    model = FakeChatModel()
    model.enqueue("the the the the the the the the the the the the the the the the the the")
    ask = [HumanMessage("What is ownership?")]
    kwargs: dict[str, Any] = {"max_tokens": 400, "pass_rates": rates, "kind": "chat"}
    assert await writing.stream_guarded(model, ask, guard, OWNERSHIP, NOTES, **kwargs) is None
    assert rates.rate(model.where, "chat").tried == 1
    model.history.clear()
    model.enqueue(GOOD_LESSON)
    assert await writing.stream_guarded(model, ask, guard, OWNERSHIP, NOTES, **kwargs) is None
    assert not model.history and sent == []
    # Lessons are another kind of text: the model is still asked for them.
    kwargs["kind"] = "lesson"
    shown = await writing.stream_guarded(model, ask, guard, OWNERSHIP, NOTES, **kwargs)
    assert shown == GOOD_LESSON and rates.rate(model.where, "lesson").passed == 1
