"""The web UI on the real local model: a learner signs in, learns from notes and answers."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from bench._serve import Tutor, upload_notes
from tests.e2e.browser import DESKTOP, answer_exercise
from tests.e2e.conftest import serve_ui
from tests.rust_notes import NOTES

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.real_model]

TURN_TIMEOUT_MS = 240_000


@pytest.fixture(scope="module")
def tutor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tutor]:
    notes = tmp_path_factory.mktemp("notes")
    for name, text in NOTES.items():
        (notes / name).write_text(text)
    for running in serve_ui(tmp_path_factory, TUTOR_LLM_MAX_TOKENS="120"):
        upload_notes(running, sorted(notes.iterdir()), timeout_s=300)
        yield running


def test_a_lesson_streams_and_an_answer_is_graded(browser: Browser, tutor: Tutor) -> None:
    name, password = tutor.first_learner()
    context = browser.new_context(viewport=DESKTOP, base_url=tutor.base_url)
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        page.goto("/signin/")
        page.get_by_label("Name").fill(name)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/learn/?$"))
        expect(page.get_by_test_id("connection")).to_have_text(re.compile("Online"))

        page.get_by_role("button", name="Start a lesson").first.click()
        lesson = page.get_by_test_id("lesson-text")
        lengths: set[int] = set()
        deadline = time.monotonic() + TURN_TIMEOUT_MS / 1000
        exercise = page.get_by_role("region", name="Exercise 1")
        while not exercise.count() and time.monotonic() < deadline:
            if lesson.count():
                lengths.add(len(lesson.first.inner_text()))
            page.wait_for_timeout(50)
        assert exercise.count(), "no exercise came"
        # The text grew in pieces while the model (or the extractive fallback) wrote it.
        assert len(lengths - {0}) >= 2, lengths

        answer_exercise(exercise.first)
        expect(
            page.get_by_test_id("grade").or_(page.get_by_test_id("explain-result"))
        ).to_be_visible(timeout=TURN_TIMEOUT_MS)
        expect(page.get_by_test_id("mastery-change")).to_contain_text("%")
        assert "Traceback" not in tutor.log_text()
    finally:
        context.close()
