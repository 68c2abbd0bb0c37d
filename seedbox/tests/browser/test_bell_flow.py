"""The bell in a real browser: the count in the header changes without a reload when an event
is dispatched for the logged-in user by the stack's own Celery worker, and its link opens the
notifications page, where marking all read empties it; all under the CSP."""

import re

import pytest
from playwright.sync_api import expect

from seedbox.tests.browser.conftest import classic_forms, log_in, make_user, screenshot
from seedbox.tests.browser.test_csp import assert_no_violation, watched_page
from torrents.tests.factories import make_torrent

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


def test_the_bell_rings_when_an_added_torrent_completes(stack, new_page, tmp_path):
    """The whole way on the stack: a torrent added with its data on the add page, checked
    complete by the stack's rTorrent, seen by its sync; the bell on the same page (never
    reloaded) counts "added" and then "downloaded"."""
    email = make_user(stack, "bell.finish@example.com", trusted=True)
    metainfo, _, data = make_torrent(tmp_path / "src", "bell-notes.txt", 200 * 1024)
    torrent_file = tmp_path / "bell-notes.torrent"
    torrent_file.write_bytes(metainfo)
    page, console = watched_page(new_page)
    log_in(page, email)
    page.goto("/torrents/add/")
    page.evaluate("window.__notReloaded = true")
    classic_forms(page)
    form = page.locator("#form-with-data")
    form.locator("#id_with_torrent").set_input_files(str(torrent_file))
    form.locator("#id_with_files").set_input_files(str(data))
    form.locator("#submit-with-data").click()
    expect(page.locator("#add-results [data-outcome='added']")).to_contain_text("bell-notes.txt")

    count = page.locator("#bell-count")
    expect(count).to_have_text("2", timeout=60_000)  # added, then downloaded (sync, dispatch)
    assert page.evaluate("window.__notReloaded") is True
    page.locator("#bell").click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    items = page.locator("#notification-list .notification")
    expect(items.first).to_contain_text("Downloaded: bell-notes.txt")
    expect(items.nth(1)).to_contain_text("Added: bell-notes.txt")
    assert_no_violation(page, console, "bell after a download")
