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


CONTROLS = ("#name", "#join button", "#text", "#say button", "#leave", "#raw-text", "#raw button")


def expect_controls_disabled(page: Page) -> None:
    """Nothing can be typed or sent on *page*, and it offers to reconnect."""
    for control in CONTROLS:
        expect(page.locator(control)).to_be_disabled()
    expect(page.locator("#reconnect")).to_be_visible()


def reconnect_and_join(page: Page, name: str) -> None:
    """Reconnect *page*, check that its controls work again, and join under *name*."""
    page.click("#reconnect")
    expect(page.locator("#status")).to_contain_text("connected to ws://")
    expect(page.locator("#reconnect")).to_be_hidden()
    for control in CONTROLS:
        expect(page.locator(control)).to_be_enabled()
    page.fill("#name", name)
    page.click("#join button")
    expect(page.locator("#log p", has_text=f"welcome, {name}")).to_have_count(2)


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
    expect(ada.locator("#log")).to_contain_text("bob left")
    ada.close()
    bob.close()


def test_leave_is_a_normal_end(browser: Browser, base: str) -> None:
    """Leaving (close code 1000) shows as a normal end, not an error; the controls are
    disabled until the page reconnects, and then it can join again."""
    page = open_chat(browser, base, "cy")
    page.click("#leave")
    expect(page.locator("#status")).to_have_text("you left")
    expect(page.locator("#log p").last).to_have_text("you left")
    expect(page.locator(".error")).to_have_count(0)
    expect_controls_disabled(page)
    reconnect_and_join(page, "cy")
    page.close()


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
    page shows the code and reason as an error, disables its controls and can reconnect."""
    name = f"tester-{len(raw)}"
    page = open_chat(browser, base, name)
    page.click("details summary")
    page.fill("#raw-text", raw)
    page.click("#raw button")
    expect(page.locator("#status")).to_have_text(status)
    expect(page.locator("#status")).to_have_class("error")
    expect(page.locator("#log p.error").last).to_have_text(status)
    expect_controls_disabled(page)
    reconnect_and_join(page, name)
    page.close()
