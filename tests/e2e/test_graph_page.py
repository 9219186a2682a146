"""The Graph page at the size of a book, in Debian's Chromium against the real server.

A learner uploads twelve chapters of about twenty sections each (250 concepts) through
the Library page. At 1280 px the graph starts with its chapters closed and readable,
search finds a concept and brings it into view, a chapter opens, and a card reached with
the keyboard comes into view; at 375 px the outline is the first view, lists the concepts
with Learn buttons, and Learn starts a lesson on the concept chosen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from bench._serve import Tutor
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, check_page
from tests.e2e.conftest import serve_ui

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

PASSWORD = "correct horse battery"
INGEST_TIMEOUT_MS = 300_000
LESSON_TIMEOUT_MS = 120_000
# The least zoom at which a card's 14 px title stays legible (about 10.5 px on screen).
READABLE_ZOOM = 0.75
CARD_WIDTH = 200

SUBJECTS = [
    ("Soil", "loam, clay and sand"),
    ("Compost", "heaps of leaves and kitchen scraps"),
    ("Seeds", "saved and sown seeds"),
    ("Watering", "cans, hoses and drip lines"),
    ("Pruning", "cuts made on woody stems"),
    ("Orchards", "apple, pear and plum trees"),
    ("Herbs", "thyme, sage and mint"),
    ("Beekeeping", "hives, frames and queens"),
    ("Greenhouses", "glass houses and cold frames"),
    ("Pests", "slugs, aphids and moles"),
    ("Harvest", "picking, curing and storing crops"),
    ("Ponds", "liners, pumps and water plants"),
]
ASPECTS = [
    ("Tools", "the spade, the fork and the rake"),
    ("Seasons", "what changes from spring to winter"),
    ("Costs", "what it costs in money and hours"),
    ("Hazards", "what can go wrong and how to stay safe"),
    ("Records", "a notebook of dates, weather and yields"),
    ("Folklore", "old sayings and what is true in them"),
    ("Chemistry", "nitrogen, phosphorus and potassium"),
    ("Weather", "frost, drought and heavy rain"),
    ("Layouts", "beds, rows and paths"),
    ("Neighbours", "plants that help or hinder each other"),
    ("Mistakes", "errors that beginners make often"),
    ("Measurements", "depths, spacings and quantities"),
    ("History", "how gardeners did it two centuries ago"),
    ("Wildlife", "birds, frogs and hedgehogs"),
    ("Containers", "pots, tubs and window boxes"),
    ("Children", "tasks that young gardeners enjoy"),
    ("Shade", "corners that see little sun"),
    ("Slopes", "terraces and banks"),
    ("Small Plots", "balconies and courtyards"),
    ("Yearly Plans", "a calendar for the months ahead"),
]


def _chapter(number: int, subject: str, about: str) -> str:
    parts = [
        f"# {subject}\n\n{subject} is about {about}. "
        f"This chapter, the {number}th of the book, treats {subject.lower()} from every side.\n"
    ]
    for aspect, detail in ASPECTS:
        title = f"{subject} {aspect}"
        parts.append(
            f"## {title}\n\n{title} concerns {detail}, seen through {about}. "
            f"A gardener who masters {title.lower()} knows {detail} as it bears on "
            f"{subject.lower()}. Chapter {number} returns to {aspect.lower()} when it "
            f"matters for {about}.\n"
        )
    return "\n".join(parts)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("book")
    for number, (subject, about) in enumerate(SUBJECTS, start=1):
        (folder / f"ch{number:02d}-{subject.lower()}.md").write_text(
            _chapter(number, subject, about)
        )
    return sorted(folder.iterdir())


@pytest.fixture(scope="module")
def tutor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tutor]:
    yield from serve_ui(tmp_path_factory, TUTOR_LLM_PROVIDER="fake")


@pytest.fixture(scope="module")
def desktop(browser: Browser, tutor: Tutor, book: list[Path]) -> Iterator[BrowserContext]:
    """A learner who signed up and uploaded the book through the Library page."""
    context = browser.new_context(viewport=DESKTOP, base_url=tutor.base_url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/signup/")
    page.get_by_label("Name").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/library/?$"))
    page.locator("input[type=file]:not([webkitdirectory])").first.set_input_files(
        [str(path) for path in book]
    )
    files = page.get_by_test_id("upload-file")
    expect(files).to_have_count(len(book))
    for i in range(len(book)):
        expect(files.nth(i)).to_contain_text("Done", timeout=INGEST_TIMEOUT_MS)
    page.close()
    yield context
    context.close()


def _in_canvas(page: Page, element: Locator) -> None:
    """Wait until the element's top-left corner (a card's worth of it) shows inside the canvas."""
    handle = element.element_handle()
    page.wait_for_function(
        """(el) => {
            const canvas = el.closest('[data-testid=graph-canvas]').getBoundingClientRect();
            const box = el.getBoundingClientRect();
            const right = box.left + Math.min(box.width, 160);
            const bottom = box.top + Math.min(box.height, 40);
            return box.left >= canvas.left - 1 && box.top >= canvas.top - 1
                && right <= canvas.right + 1 && bottom <= canvas.bottom + 1;
        }""",
        arg=handle,
        timeout=5_000,
    )


def _zoom(card: Locator) -> float:
    box = card.bounding_box()
    assert box is not None
    return box["width"] / CARD_WIDTH


def _transform(page: Page) -> str:
    return str(page.locator(".react-flow__viewport").evaluate("(el) => el.style.transform"))


def test_the_graph_of_a_book_at_desktop_width(desktop: BrowserContext) -> None:
    page = desktop.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/graph/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Concept graph")

    # Wide screens start in the graph, every chapter closed, at a zoom the labels can be read at.
    expect(page.get_by_role("button", name="Graph", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    chapters = page.get_by_test_id("chapter-node")
    expect(chapters).to_have_count(len(SUBJECTS))
    expect(page.get_by_test_id("concept-node")).to_have_count(0)
    assert _zoom(chapters.first) >= READABLE_ZOOM, _zoom(chapters.first)
    for i in range(len(SUBJECTS)):
        expect(chapters.nth(i)).to_contain_text(SUBJECTS[i][0])
        _in_canvas(page, chapters.nth(i))
    expect(chapters.first).to_contain_text(re.compile(r"2\d concepts"))
    check_page(page, "graph-book", "desktop")

    # A closed chapter opens to show its concepts, still readable.
    orchards = chapters.filter(has_text="Orchards")
    orchards.click()
    expect(orchards).to_have_attribute("aria-expanded", "true")
    cards = page.get_by_test_id("concept-node")
    expect(cards.first).to_be_visible()
    assert cards.count() >= len(ASPECTS), cards.count()
    expect(cards.filter(has_text="Orchards Tools")).to_have_count(1)
    assert _zoom(cards.first) >= READABLE_ZOOM, _zoom(cards.first)
    check_page(page, "graph-book-open", "desktop")

    # Search, as you type, finds a concept in a closed chapter, opens it and centres the card.
    search = page.get_by_role("combobox", name="Find a concept")
    search.fill("ponds wild")
    expect(page.get_by_role("option").first).to_have_text(re.compile("^Ponds Wildlife"))
    search.press("Enter")
    found = page.locator("[data-testid=concept-node][data-found=true]")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Ponds Wildlife")
    expect(found).to_be_focused()
    _in_canvas(page, found)
    assert _zoom(found) >= READABLE_ZOOM, _zoom(found)
    expect(chapters.filter(has_text="Ponds")).to_have_attribute("aria-expanded", "true")
    check_page(page, "graph-book-search", "desktop")

    # Back through the cards with the keyboard: each one focused is brought into view,
    # up to the chapters at the top of the contents, far from the search's card.
    moved = False
    before = _transform(page)
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        focused = page.locator(":focus")
        test_id = focused.get_attribute("data-testid")
        if test_id not in ("concept-node", "chapter-node"):
            break
        _in_canvas(page, focused)
        moved = moved or _transform(page) != before
    assert moved, "no card reached with the keyboard needed the view to move"
    assert page.locator(":focus").get_attribute("data-testid") == "chapter-node"

    # The outline at desktop width; then the choice is forgotten, so the phone starts afresh.
    page.get_by_role("button", name="Outline", exact=True).click()
    expect(page.get_by_test_id("outline-chapter")).to_have_count(len(SUBJECTS))
    check_page(page, "graph-outline", "desktop")
    page.evaluate("() => window.localStorage.clear()")
    assert not errors, errors


def test_the_outline_on_a_phone_starts_a_lesson(
    browser: Browser, desktop: BrowserContext, tutor: Tutor
) -> None:
    phone = browser.new_context(
        viewport=PHONE,
        base_url=tutor.base_url,
        is_mobile=True,
        storage_state=desktop.storage_state(),
    )
    phone.set_default_timeout(30_000)
    try:
        page = phone.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto("/graph/")

        # A phone starts in the outline: the book's contents in reading order.
        expect(page.get_by_role("button", name="Outline", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        chapters = page.get_by_test_id("outline-chapter")
        expect(chapters).to_have_count(len(SUBJECTS))
        for i, (subject, _) in enumerate(SUBJECTS):
            expect(chapters.nth(i).get_by_role("heading", level=3)).to_contain_text(subject)
        rows = page.locator("[data-testid=outline-concept][data-teachable=true]")
        assert rows.count() >= len(SUBJECTS) * len(ASPECTS), rows.count()
        expect(page.get_by_role("button", name=re.compile(r"^Learn "))).to_have_count(rows.count())
        seeds = chapters.nth(2).get_by_test_id("outline-concept")
        titles = [seeds.nth(i).inner_text().splitlines()[0] for i in range(seeds.count())]
        expected = [f"Seeds {aspect}" for aspect, _ in ASPECTS]
        assert [t for t in titles if t in expected] == expected, titles
        check_page(page, "graph-outline", "phone")
        # The whole outline is a long page; this is what the phone shows first.
        page.screenshot(path=str(SCREENSHOTS / "graph-outline-top-phone.png"))

        # The graph at phone width: one column of chapters, at a readable zoom.
        page.get_by_role("button", name="Graph", exact=True).click()
        chapter_nodes = page.get_by_test_id("chapter-node")
        expect(chapter_nodes.first).to_be_visible()
        assert _zoom(chapter_nodes.first) >= READABLE_ZOOM, _zoom(chapter_nodes.first)
        search = page.get_by_role("combobox", name="Find a concept")
        search.fill("herbs chem")
        search.press("Enter")
        found = page.locator("[data-testid=concept-node][data-found=true]")
        expect(found).to_contain_text("Herbs Chemistry")
        _in_canvas(page, found)
        check_page(page, "graph-book", "phone")

        # The choice is remembered; search in the outline scrolls to the row.
        page.get_by_role("button", name="Outline", exact=True).click()
        page.reload()
        expect(page.get_by_role("button", name="Outline", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        search = page.get_by_role("combobox", name="Find a concept")
        search.fill("harvest hazards")
        search.press("Enter")
        row = page.locator("[data-testid=outline-concept]").filter(has_text="Harvest Hazards")
        expect(row).to_be_focused()
        expect(row).to_be_in_viewport()

        # Learn starts a lesson on that concept.
        row.get_by_role("button", name="Learn Harvest Hazards").click()
        expect(page).to_have_url(re.compile(r"/learn/"))
        expect(
            page.get_by_role("region", name="Lesson").get_by_role("heading", level=2).first
        ).to_have_text("Harvest Hazards", timeout=LESSON_TIMEOUT_MS)
        assert not errors, errors
    finally:
        phone.close()
