"""Staff pages in a real browser: the server page shows the site's own rTorrent up, with its
version and a disk gauge; other users get the 404 page; a rejection needs a reason, which the
owner then reads in their list."""

import re

import pytest
from playwright.sync_api import expect

from seedbox.tests.browser.conftest import classic_forms, log_in, make_user, screenshot
from torrents.tests.factories import make_torrent

pytestmark = pytest.mark.browser


def test_server_page_and_queue_for_staff_404_for_others(stack, new_page):
    admin = make_user(stack, "root@example.com", staff=True)
    user = make_user(stack, "plain@example.com")

    page = new_page()
    log_in(page, admin)
    page.get_by_role("link", name="Server", exact=True).click()
    node = page.locator("[data-node='local']")
    expect(node.locator(".state")).to_have_text("up")
    expect(node.locator(".version")).to_have_text(re.compile(r"^0\.\d+\.\d+"))
    expect(node.locator(".gauge figcaption")).to_contain_text("free")
    screenshot(page, "server")
    page.get_by_role("link", name="Moderation", exact=True).click()
    expect(page.get_by_role("heading", name="Moderation queue")).to_be_visible()
    screenshot(page, "moderation-empty")

    other = new_page()
    log_in(other, user)
    expect(other.get_by_role("link", name="Server", exact=True)).to_have_count(0)
    for path in ("/staff/server/", "/staff/moderation/"):
        response = other.goto(path)
        assert response.status == 404
        expect(other.get_by_role("heading", name="Nothing here")).to_be_visible()


def test_reject_needs_a_reason_and_the_owner_reads_it(stack, new_page, tmp_path):
    owner = make_user(stack, "hopeful@example.com")
    admin = make_user(stack, "judge@example.com", staff=True)
    metainfo, _, _ = make_torrent(tmp_path / "src", "dubious.bin", 64 * 1024)
    torrent_file = tmp_path / "dubious.torrent"
    torrent_file.write_bytes(metainfo)

    page = new_page()
    log_in(page, owner)
    page.goto("/torrents/add/")
    classic_forms(page)
    page.locator("#id_torrents").set_input_files(str(torrent_file))
    page.locator("#submit-torrents").click()
    expect(page.locator("#add-results [data-outcome='pending']")).to_contain_text("dubious.bin")

    staff = new_page()
    log_in(staff, admin)
    staff.goto("/staff/moderation/")
    staff.get_by_label("dubious.bin").check()
    staff.get_by_role("button", name="Reject selected").click()
    expect(staff.locator("#reason-error")).to_have_text("Give a reason: the owners read it.")
    expect(staff.get_by_label("dubious.bin")).to_be_checked()  # the tick survived the error
    screenshot(staff, "moderation-error")
    staff.get_by_label(re.compile("^Reason")).fill("not something we host")
    staff.get_by_role("button", name="Reject selected").click()
    expect(staff.locator(".messages")).to_contain_text("Rejected 1: dubious.bin.")

    page.goto("/")
    owner_row = page.locator("tr.torrent-row", has_text="dubious.bin")
    expect(owner_row).to_have_attribute("data-status", "rejected")
    expect(owner_row).to_contain_text("rejected: not something we host")
