"""Ready text streams piece by piece, at the pace asked for."""

from __future__ import annotations

from typing import Any

import pytest

from agents import events

TEXT = "Each value in Rust has an owner, and there can only be one owner at a time."


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[float]]:
    pieces: list[str] = []
    waits: list[float] = []

    def emit(event: str, **fields: Any) -> None:
        assert event == "token"
        pieces.append(fields["text"])

    async def sleep(delay: float) -> None:
        waits.append(delay)

    monkeypatch.setattr(events, "emit", emit)
    monkeypatch.setattr(events.asyncio, "sleep", sleep)
    return pieces, waits


async def test_unpaced_text_still_yields_between_pieces(
    recorded: tuple[list[str], list[float]],
) -> None:
    pieces, waits = recorded
    await events.stream_text(TEXT)
    assert "".join(pieces) == TEXT and len(pieces) == len(TEXT.split())
    # One yield per piece, so each token is its own frame and an interrupt lands at once.
    assert waits == [0.0] * len(pieces)


async def test_paced_text_is_spread_at_the_rate(recorded: tuple[list[str], list[float]]) -> None:
    pieces, waits = recorded
    await events.stream_text(TEXT, words_per_second=10.0)
    assert "".join(pieces) == TEXT
    # The sleep before piece i ends i/10 s after the start (the fake sleep takes no time;
    # the slack is for a busy machine between pieces).
    assert waits[0] == 0.0
    assert all(wait <= index / 10.0 for index, wait in enumerate(waits)), waits
    assert waits[-1] > (len(waits) - 1) / 10.0 - 0.5, waits


async def test_work_waiting_for_the_first_piece_starts_right_after_it(
    recorded: tuple[list[str], list[float]],
) -> None:
    pieces, _ = recorded
    seen: list[int] = []
    await events.stream_text(TEXT, on_first=lambda: seen.append(len(pieces)))
    # Called once, when exactly one piece had gone out.
    assert seen == [1] and "".join(pieces) == TEXT
