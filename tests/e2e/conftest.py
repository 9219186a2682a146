"""A real server on the embedded stack serving the built UI, and Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from bench._serve import Tutor, serve
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, WEB_OUT


def _built_ui() -> Path:
    assert (WEB_OUT / "index.html").is_file(), "the web UI is not built: run `make web`"
    return WEB_OUT


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Per module, never per session: while the sync driver is open its event loop runs in
    # this thread, and the asyncio tests that follow could not start their own.
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: `make browser` installs Debian's"
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


def serve_ui(tmp_path_factory: pytest.TempPathFactory, **env: str) -> Iterator[Tutor]:
    """`tutor serve` on a fresh data directory, serving the built UI at `/`."""
    data = tmp_path_factory.mktemp("data")
    settings = {"TUTOR_WEB_DIR": str(_built_ui()), **env}
    with serve(data, env=settings, log=data / "server.log") as running:
        yield running
