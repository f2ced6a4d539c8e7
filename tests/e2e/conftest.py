"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium, installed by
scripts/test) against pytest-django's live server. No browser is downloaded."""

import os
import shutil

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e import axe

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are plain
# synchronous code, so Django's async-safety guard is a false alarm here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DESKSIDE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server):
    """Open a fresh browser context (its own cookies) for each persona."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core's script (tests/e2e/axe.py); fails, saying how to install it, when missing."""
    try:
        return axe.source()
    except FileNotFoundError as missing:
        pytest.fail(str(missing))


@pytest.fixture
def axe_check(axe_script):
    """`axe_check(page)` -> the serious and critical accessibility violations on the page."""

    def check(page: Page) -> list[axe.Violation]:
        return axe.violations(page, axe_script)

    return check
