"""The system's Chromium under Playwright, the accessibility check, and screenshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
WEB_OUT = ROOT / "web" / "out"
SCREENSHOTS = ROOT / "web" / "screenshots"
"""Every page at desktop and phone width, written by each run (named in the README)."""
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, headless, with nothing that reaches out to the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 375, "height": 812}
SERIOUS = {"serious", "critical"}


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical accessibility violations axe-core finds on the page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # A script tag would be refused by the page's Content-Security-Policy, as any
        # script the UI does not ship should be; the test's own evaluation is not a page
        # script, so it runs.
        page.evaluate(AXE.read_text())
    result: dict[str, Any] = page.evaluate(
        """() => window.axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            resultTypes: ["violations"],
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:5]],
        }
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def check_page(page: Page, name: str, width: str) -> None:
    """Screenshot the page; fail on serious accessibility problems or sideways scrolling.

    A page wider than its window is content a phone would have to scroll sideways to read.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    violations = serious_violations(page)
    assert not violations, f"{name} ({width}):\n{json.dumps(violations, indent=2)}"
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{name} ({width}) is {overflow} px wider than the window"


def answer_exercise(exercise: Locator) -> None:
    """Answer an exercise of any kind the way a learner would."""
    if exercise.get_by_role("radio").count():
        exercise.get_by_role("radio").first.click()
        exercise.get_by_role("button", name="Submit answer").click()
    elif exercise.get_by_label("Your explanation").count():
        exercise.get_by_label("Your explanation").fill(
            "Each value has one owner, and it is dropped when the owner goes out of scope."
        )
        exercise.get_by_role("button", name="Submit explanation").click()
    elif exercise.get_by_label("Your answer").count():
        exercise.get_by_label("Your answer").fill(
            "When the owner goes out of scope, the value will be dropped."
        )
        exercise.get_by_role("button", name="Submit answer").click()
    else:
        exercise.get_by_role("button", name="Submit answer").click()
