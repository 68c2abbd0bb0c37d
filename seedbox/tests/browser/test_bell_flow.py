"""The bell in a real browser: the count in the header changes without a reload when an event
is dispatched for the logged-in user by the stack's own Celery worker, and its link opens the
notifications page, where marking all read empties it; all under the CSP."""

import re

import pytest
from playwright.sync_api import expect

from seedbox.tests.browser.conftest import log_in, make_user, screenshot
from seedbox.tests.browser.test_csp import assert_no_violation, watched_page

pytestmark = pytest.mark.browser


def record_completed(stack, email: str, name: str) -> None:
    """What the sync does when a download finishes: an event in its transaction, dispatched by
    the worker after the commit."""
    stack.python(
        "from django.db import transaction\n"
        "from accounts.models import User\n"
        "from events.kinds import EventKind\n"
        "from events.services import event_record\n"
        f"user = User.objects.get(email={email!r})\n"
        "with transaction.atomic():\n"
        "    event_record(EventKind.TORRENT_COMPLETED, users=[user.pk],\n"
        f"                 payload={{'name': {name!r}, 'torrent_id': 4242}})\n"
    )


def test_the_bell_count_changes_without_a_reload(stack, new_page):
    email = make_user(stack, "bell@example.com")
    other = make_user(stack, "bell.other@example.com")
    page, console = watched_page(new_page)
    log_in(page, email)
    bell = page.locator("#bell")
    count = page.locator("#bell-count")
    expect(count).to_be_hidden()
    expect(bell).to_have_attribute("aria-label", "Notifications, 0 unread")
    page.evaluate("window.__notReloaded = true")

    record_completed(stack, other, "Not.Mine")
    record_completed(stack, email, "Big.Buck.Bunny")
    expect(count).to_have_text("1")  # within a few polls, by the worker's dispatch
    expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread")
    record_completed(stack, email, "Sintel")
    expect(count).to_have_text("2")
    assert page.evaluate("window.__notReloaded") is True
    screenshot(page, "bell-unread")

    page.locator("#bell").click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    items = page.locator("#notification-list .notification")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Downloaded: Sintel")
    expect(page.locator("#notification-list")).not_to_contain_text("Not.Mine")
    screenshot(page, "notifications-page")
    page.get_by_role("button", name=re.compile("^Mark all 2 read$")).click()
    expect(page.locator("#bell-count")).to_be_hidden()
    expect(page.locator(".notification.unread")).to_have_count(0)
    assert_no_violation(page, console, "bell and notifications page")
