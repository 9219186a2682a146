"""End to end on the real local model: `tutor serve` on the embedded stack, a real client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from bench._serve import Tutor, serve, upload_notes
from tests.rust_notes import NOTES
from tutor.teaching.citations import cited_numbers

pytestmark = [pytest.mark.integration, pytest.mark.real_model]

TURN_TIMEOUT_S = 240.0

ANSWER_SENTENCE = "When the owner goes out of scope, the value will be dropped."


@pytest.fixture(scope="module")
def tutor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tutor]:
    """The real app, on its embedded Postgres and the real Gemma model, with the notes."""
    data = tmp_path_factory.mktemp("data")
    notes = tmp_path_factory.mktemp("notes")
    for name, text in NOTES.items():
        (notes / name).write_text(text)
    log = tmp_path_factory.mktemp("log") / "server.log"
    with serve(data, env={"TUTOR_LLM_MAX_TOKENS": "120"}, log=log) as running:
        upload_notes(running, sorted(notes.iterdir()), timeout_s=300)
        yield running
    # The server tuned its collector once the embedding model was in, and a clean shutdown
    # stopped the embedded PostgreSQL it started.
    assert "long-lived objects out of the collector's way" in log.read_text()
    assert "stopping embedded PostgreSQL" in log.read_text()


def _hello(ws: ClientConnection) -> dict[str, Any]:
    """Open the learner's thread; the ``ready`` event."""
    ws.send(json.dumps({"v": 1, "type": "hello"}))
    ready: dict[str, Any] = json.loads(ws.recv(timeout=TURN_TIMEOUT_S))
    assert ready["type"] == "ready", ready
    return ready


def _until_done(ws: ClientConnection) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while True:
        event = json.loads(ws.recv(timeout=TURN_TIMEOUT_S))
        events.append(event)
        if event["type"] == "done":
            return events


def _turn(ws: ClientConnection, action: dict[str, Any]) -> list[dict[str, Any]]:
    """Send one action; the events up to and including ``done`` (or ``error``)."""
    ws.send(json.dumps({"v": 1, **action}))
    events: list[dict[str, Any]] = []
    while True:
        event = json.loads(ws.recv(timeout=TURN_TIMEOUT_S))
        events.append(event)
        if event["type"] in {"done", "error"}:
            return events


def _streamed_since_reset(events: list[dict[str, Any]]) -> str:
    text = ""
    for event in events:
        if event["type"] == "reset":
            text = ""
        elif event["type"] == "token":
            text += event["text"]
    return text


def _answer_for(exercise: dict[str, Any]) -> str:
    if exercise["kind"] == "multiple_choice":
        return "0"
    if exercise["kind"] == "code":
        starter: str = exercise["starter_code"]
        return starter
    return ANSWER_SENTENCE


def test_client_leaving_mid_reply_is_handled_quietly(tutor: Tutor) -> None:
    # First in the module: with no exercise open yet, a question can only be a question.
    with connect(tutor.ws_url) as ws:
        _hello(ws)
        ws.send(json.dumps({"v": 1, "type": "chat", "text": "What is ownership in Rust?"}))
        request = json.loads(ws.recv(timeout=TURN_TIMEOUT_S))
        assert request["type"] == "request" and request["text"].startswith("What is"), request
        first = json.loads(ws.recv(timeout=TURN_TIMEOUT_S))
        # A question is answered (no plan, no lesson): the reply's first piece is here.
        assert first["type"] == "token", first
    # The turn went on without the client; the next connection sees it end, then is served.
    with connect(tutor.ws_url) as ws:
        if _hello(ws)["running"]:
            assert _until_done(ws)[-1]["status"] == "complete"
        events = _turn(ws, {"type": "chat", "text": "Why does using s1 after a move not compile?"})
    kinds = [e["type"] for e in events]
    assert kinds[-1] == "done", events[-1]
    assert "token" in kinds, events
    assert "plan" not in kinds, events
    assert "Traceback" not in tutor.log_text()


def test_lesson_then_answer_moves_mastery(tutor: Tutor) -> None:
    with connect(tutor.ws_url) as ws:
        _hello(ws)
        events = _turn(ws, {"type": "start_lesson"})
        kinds = [e["type"] for e in events]
        assert kinds[-1] == "done", events[-1]
        assert kinds[:2] == ["request", "plan"], events[:2]
        assert "lesson" in kinds, kinds
        at_lesson = kinds.index("lesson")
        lesson = events[at_lesson]
        before_lesson = events[:at_lesson]
        assert any(e["type"] == "token" for e in before_lesson), kinds
        assert lesson["text"] == _streamed_since_reset(before_lesson)
        assert lesson["concept_id"] == events[1]["concept_id"]
        assert events[-1]["tokens"] == kinds.count("token")

        # Every citation number in the text points at a passage cut verbatim from the notes.
        citations = {c["number"]: c for c in lesson["citations"]}
        assert citations, lesson
        assert cited_numbers(lesson["text"]), lesson["text"]
        for number in cited_numbers(lesson["text"]):
            assert number in citations, (number, lesson)
        for citation in citations.values():
            assert any(citation["text"] in text for text in NOTES.values()), citation

        exercises = [e for e in events[at_lesson + 1 :] if e["type"] == "exercise"]
        assert exercises, kinds
        assert all(e["lesson_id"] == lesson["id"] for e in exercises)
        chosen = exercises[0]
        answered = _turn(
            ws,
            {
                "type": "answer",
                "exercise_id": chosen["id"],
                "answer": _answer_for(chosen),
                "idempotency_key": "first-answer",
            },
        )
    answer_kinds = [e["type"] for e in answered]
    assert answer_kinds[-1] == "done", answered
    graded = "explain_result" if chosen["kind"] == "explain_back" else "grade"
    assert graded in answer_kinds, answered
    if graded == "grade":
        assert next(e for e in answered if e["type"] == "grade")["exercise_id"] == chosen["id"]
    mastery = next(e for e in answered if e["type"] == "mastery")
    assert mastery["concept_id"] == chosen["concept_id"]
    assert mastery["counted"] is True
    assert mastery["attempts"] == 1
    # Mastery follows the verdict: up when right; a first wrong answer may leave it at
    # the prior, never raise it.
    result = next(e for e in answered if e["type"] == graded)
    verdict = result.get("verdict") or ("correct" if result.get("passed") else "incorrect")
    if verdict == "correct":
        assert mastery["p_known"] > mastery["before"], mastery
    else:
        assert mastery["p_known"] <= mastery["before"], (verdict, mastery)

    with tutor.client() as client:
        progress = client.get("/api/v1/progress")
    assert progress.status_code == 200, progress.text
    body = progress.json()
    assert body["totals"]["attempts"] == 1, body["totals"]
    row = next(c for c in body["concepts"] if c["concept_id"] == chosen["concept_id"])
    assert row["attempts"] == 1
    assert row["p_known"] == pytest.approx(mastery["p_known"], abs=1e-4)
