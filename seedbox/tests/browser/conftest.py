"""Fixtures of the browser tests: the site running as subprocesses (one stack for the session),
Debian's chromium driven by Playwright (one per module), a fresh browser context per person,
users made in the stack's database, and screenshots at desktop and phone widths."""

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.testing import PASSWORD
from conftest import free_port, loopback_address
from seedbox.tests.browser.stack import REPO, Stack, wait_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# Waits on conditions, never sleeps: a step that takes longer than this is a failure.
STEP_TIMEOUT_MS = 20_000


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[Stack]:
    for binary in ("redis-server", "rtorrent"):
        if not shutil.which(binary):
            pytest.skip(f"{binary} is not installed (./scripts/system-packages.sh test)")
    address = loopback_address()
    site = Stack(
        tmp_path_factory.mktemp("stack"),
        web_port=free_port(),
        rtorrent_address=address,
        peer_port=free_port(address),
    )
    try:
        site.start()
        yield site
    finally:
        site.stop()


@pytest.fixture(scope="module")
def chromium():
    """One chromium per test module; closed (with Playwright's event loop) before the next
    module, whose tests may use the ORM."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (./scripts/system-packages.sh test)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_failed = report.failed
    return report


@pytest.fixture
def new_page(chromium, stack, request):
    """`new_page()` opens a page in a fresh context (its own cookies: one person). Pages of a
    failed test are saved as screenshots named `failed-…`."""
    contexts = []

    def make():
        context = chromium.new_context(base_url=stack.url, viewport=DESKTOP, accept_downloads=True)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "browser_failed", False)
    for i, context in enumerate(contexts):
        if failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            for j, page in enumerate(context.pages):
                name = f"failed-{request.node.name}-{i}-{j}.png"
                page.screenshot(path=SCREENSHOTS / name, full_page=True)
        context.close()
    stack.check_healthy()


def screenshot(page, name: str) -> None:
    """`test-artifacts/screenshots/<name>-1280.png` and `-375.png` (whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"{name}-{size['width']}.png", full_page=True)
        # Usable on a phone: nothing makes the page scroll sideways (wide tables scroll inside).
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} is {width}px wide at {size['width']}px"
    page.set_viewport_size(DESKTOP)


def make_user(stack: Stack, email: str, *, staff: bool = False, trusted: bool = False) -> str:
    """A confirmed user in the stack's database (password PASSWORD); returns the email."""
    stack.python(
        "from accounts.testing import make_user\n"
        f"make_user({email!r}, is_staff={staff}, is_superuser={staff}, trusted={trusted})"
    )
    return email


def field(page, label: str):
    """The control labelled exactly `label` (allauth's labels end with a colon)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(password)
    page.locator("main form").get_by_role("button", name=re.compile("^log in$", re.I)).click()
    page.wait_for_url(re.compile(r"/$"))


def classic_forms(page) -> None:
    """Unfold the add page's one-way-at-a-time forms (folded under the drop zone when its
    script runs)."""
    page.locator("#classic-forms").evaluate("details => { details.open = true; }")


def mail_to(stack: Stack, email: str, pattern: str) -> str:
    """The first link matching `pattern` in the mail files written to `email`."""

    def find() -> str | None:
        for text in stack.mails():
            if f"To: {email}" in text:
                match = re.search(r"https?://\S*" + pattern + r"\S*", text)
                if match:
                    return match.group(0)
        return None

    return wait_for(find, timeout=20, what=f"a mail to {email}", stack=stack)
