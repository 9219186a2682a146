"""The web UI in Debian's Chromium against the real server on the embedded stack.

The story of a new learner, on the fake model (paced, so streaming can be watched and
interrupted by a reload): sign up, upload notes, see the graph, learn, answer, and see
mastery move on the graph and the progress page. Every page is checked for accessibility
and photographed at desktop and phone width.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bench._serve import Tutor
from tests.e2e.browser import DESKTOP, PHONE, answer_exercise, check_page
from tests.e2e.conftest import serve_ui
from tests.rust_notes import NOTES

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

PASSWORD = "correct horse battery"
TURN_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def tutor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tutor]:
    # Six tokens (or words of a lesson quoted from the notes) a second: a lesson streams
    # for several seconds, as on a slow machine, so a reload can land mid-stream.
    yield from serve_ui(
        tmp_path_factory,
        TUTOR_LLM_PROVIDER="fake",
        TUTOR_LLM_FAKE_TOKENS_PER_SECOND="6",
        TUTOR_TEACHING_READY_TEXT_WORDS_PER_SECOND="6",
    )


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("notes")
    for name, text in NOTES.items():
        (folder / name).write_text(text)
    return sorted(folder.iterdir())


@pytest.fixture(scope="module")
def desktop(browser: Browser, tutor: Tutor) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP, base_url=tutor.base_url)
    context.set_default_timeout(30_000)
    yield context
    context.close()


def _on_phone(
    browser: Browser, desktop: BrowserContext, tutor: Tutor, path: str, name: str
) -> None:
    """The same page, signed in as the same learner, at 375 px."""
    phone = browser.new_context(
        viewport=PHONE,
        base_url=tutor.base_url,
        is_mobile=True,
        storage_state=desktop.storage_state(),
    )
    try:
        page = phone.new_page()
        page.goto(path)
        page.wait_for_load_state("networkidle")
        check_page(page, name, "phone")
    finally:
        phone.close()


def _mastery_of(page: Page) -> dict[str, float]:
    nodes = page.get_by_test_id("concept-node")
    return {
        nodes.nth(i).get_attribute("data-concept-id") or "": float(
            nodes.nth(i).get_attribute("data-mastery") or "0"
        )
        for i in range(nodes.count())
    }


def test_a_new_learner_learns_from_their_notes(
    browser: Browser, desktop: BrowserContext, tutor: Tutor, notes: list[Path]
) -> None:
    page = desktop.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Signed out, the root leads to sign-in; sign-up explains what is wrong.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin/?$"))
    check_page(page, "signin", "desktop")
    _on_phone(browser, desktop, tutor, "/signin/", "signin")
    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/signup/?$"))
    page.get_by_label("Name").fill("grace")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#auth-error")).to_contain_text("at least 10 characters")
    check_page(page, "signup", "desktop")
    _on_phone(browser, desktop, tutor, "/signup/", "signup")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    # Library: upload two notes and watch each one through.
    expect(page).to_have_url(re.compile(r"/library/?$"))
    page.locator("input[type=file]:not([webkitdirectory])").first.set_input_files(
        [str(path) for path in notes]
    )
    files = page.get_by_test_id("upload-file")
    expect(files).to_have_count(len(notes))
    for i in range(len(notes)):
        expect(files.nth(i)).to_contain_text("Done", timeout=TURN_TIMEOUT_MS)
    expect(page.get_by_test_id("document")).to_have_count(len(notes))
    check_page(page, "library", "desktop")
    _on_phone(browser, desktop, tutor, "/library/", "library")

    # Keyboard users can skip the navigation: the first Tab lands on the skip link.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()

    # Graph: every concept, none known yet.
    page.get_by_role("link", name="Graph").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Concept graph")
    expect(page.get_by_test_id("concept-node").first).to_be_visible()
    before = _mastery_of(page)
    assert len(before) >= 2 and set(before.values()) == {0.0}, before
    check_page(page, "graph", "desktop")
    _on_phone(browser, desktop, tutor, "/graph/", "graph")

    # Learn: the lesson streams in, a checked sentence at a time ...
    page.get_by_role("link", name="Learn").click()
    expect(page.get_by_test_id("connection")).to_have_text(re.compile("Online"))
    check_page(page, "learn-empty", "desktop")
    page.get_by_role("button", name="Start a lesson").first.click()
    lesson = page.get_by_test_id("lesson-text")
    stop = page.get_by_role("button", name="Stop")
    expect(stop).to_be_visible()
    lengths: list[int] = []
    deadline = time.monotonic() + 60
    while len(set(lengths) - {0}) < 2 and time.monotonic() < deadline:
        if lesson.count():
            lengths.append(len(lesson.first.inner_text()))
        page.wait_for_timeout(100)
    seen = sorted(set(lengths) - {0})
    assert len(seen) >= 2, f"the lesson did not stream in pieces: {lengths}"
    # ... and a reload mid-stream picks the conversation up where it was.
    assert stop.is_visible(), "the lesson ended before the reload: nothing to resume"
    partial = lesson.first.inner_text()
    page.reload()
    expect(page.get_by_role("log", name="Conversation")).to_contain_text("Teach me")
    expect(page.get_by_role("region", name="Exercise 1")).to_be_visible(timeout=TURN_TIMEOUT_MS)
    expect(stop).to_have_count(0)
    whole = lesson.first.inner_text()
    # Streaming, a citation is the text "[1]"; in the finished lesson, a button "1".
    partial = re.sub(r"\[(\d+)\]", r"\1", partial)
    assert len(whole) > len(partial) and whole[:40] == partial[:40], (partial, whole)
    check_page(page, "learn-lesson", "desktop")

    # A citation shows its passage and where in the notes it comes from.
    page.get_by_role("region", name="Lesson").get_by_role("button", name="Source 1").first.click()
    source = page.get_by_role("dialog", name="Source 1")
    expect(source).to_be_visible()
    expect(source).to_contain_text(".md")
    check_page(page, "learn-source", "desktop")
    page.keyboard.press("Escape")
    expect(source).to_have_count(0)

    # The lesson is rated, with a comment, and the tutor says it was kept.
    page.get_by_role("button", name="Rate 4 of 5").click()
    page.get_by_label("Comment (optional)").fill("Clear, thanks.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thanks for the feedback")).to_be_visible()

    # Answer the first exercise: a grade, and mastery moves as it happens.
    answer_exercise(page.get_by_role("region", name="Exercise 1"))
    expect(page.get_by_test_id("grade").or_(page.get_by_test_id("explain-result"))).to_be_visible(
        timeout=TURN_TIMEOUT_MS
    )
    expect(page.get_by_test_id("mastery-change")).to_contain_text("%")
    check_page(page, "learn-graded", "desktop")
    _on_phone(browser, desktop, tutor, "/learn/", "learn")

    # The graph and the progress page show what moved.
    page.get_by_role("link", name="Graph").click()
    expect(page.get_by_test_id("concept-node").first).to_be_visible()
    after = _mastery_of(page)
    assert any(after[c] > before[c] for c in before), (before, after)
    check_page(page, "graph-learning", "desktop")

    # Targets make a learning path, shown on the graph in order.
    page.get_by_role("button", name="Choose targets").click()
    target = page.get_by_test_id("concept-node").last
    target.click()
    page.get_by_role("button", name="Set learning path").click()
    steps = page.get_by_test_id("path-steps").get_by_role("listitem")
    expect(steps.first).to_be_visible()
    expect(page.locator("[data-testid=concept-node][data-step]")).to_have_count(steps.count())
    check_page(page, "graph-path", "desktop")

    # A concept on the graph opens a lesson on it, from the keyboard as well as by pointer.
    chosen = page.get_by_test_id("concept-node").first
    title = chosen.inner_text().splitlines()[0]
    chosen.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/learn/?$"))
    expect(
        page.get_by_role("region", name="Lesson").get_by_role("heading", level=2).first
    ).to_have_text(title, timeout=TURN_TIMEOUT_MS)
    expect(page.get_by_role("button", name="Stop")).to_have_count(0, timeout=TURN_TIMEOUT_MS)

    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress")
    rows = page.get_by_test_id("concept-mastery")
    expect(rows.first).to_be_visible()
    shown = [_percent(rows.nth(i).inner_text()) for i in range(rows.count())]
    assert any(p > 0 for p in shown), shown
    check_page(page, "progress", "desktop")
    _on_phone(browser, desktop, tutor, "/progress/", "progress")
    assert not errors, errors


def _percent(text: str) -> int:
    found = re.search(r"(\d+)\s*%", text)
    assert found is not None, text
    return int(found[1])
