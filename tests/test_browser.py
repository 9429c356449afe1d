"""End to end: the demo under uvicorn, driven in headless Chromium (Debian's) by Playwright."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from examples.chat.app import app
from tests.frontend import CHROMIUM_FLAGS, chromium
from tests.server import run_server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with run_server(app) as url:
        yield url.replace("ws://", "http://")


def open_chat(browser: Browser, base: str, name: str) -> Page:
    """A new tab on the page, joined under *name*."""
    page = browser.new_page()
    page.goto(base + "/")
    expect(page.locator("#status")).to_contain_text("connected to ws://")
    page.fill("#name", name)
    page.click("#join button")
    expect(page.locator("#log")).to_contain_text(f"welcome, {name}")
    return page


def test_two_tabs_chat(browser: Browser, base: str) -> None:
    """Two tabs join, see each other, and each sees what the other says."""
    ada = open_chat(browser, base, "ada")
    bob = open_chat(browser, base, "bob")
    expect(ada.locator("#log")).to_contain_text("bob joined")
    bob.fill("#text", "hello ada ✓")
    bob.click("#say button")
    ada.fill("#text", "hi bob")
    ada.click("#say button")
    for page in (ada, bob):
        expect(page.locator("#log")).to_contain_text("bob: hello ada ✓")
        expect(page.locator("#log")).to_contain_text("ada: hi bob")
    bob.click("#leave")
    expect(bob.locator("#status")).to_have_text("closed: 1000 bye")
    expect(ada.locator("#log")).to_contain_text("bob left")
    ada.close()
    bob.close()


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ('{"type": "say"}', "closed: 1008 invalid message: say.text: Field required"),
        ("not json", "closed: 1007 invalid message: not JSON: expected ident at line 1 column 2"),
    ],
)
def test_invalid_message_shows_the_close_code(
    browser: Browser, base: str, raw: str, status: str
) -> None:
    """A deliberately invalid message from the page closes with the documented code, and the
    page shows the code and reason."""
    page = open_chat(browser, base, f"tester-{len(raw)}")
    page.click("details summary")
    page.fill("#raw-text", raw)
    page.click("#raw button")
    expect(page.locator("#status")).to_have_text(status)
    page.close()
