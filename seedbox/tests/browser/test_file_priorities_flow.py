"""File priorities in a real browser: an owner skips a file of a seeding torrent from its page
(htmx, no reload), its download link goes, "Skip all" and "Select all" work, and the file table
with its selects stays inside a 375 px phone screen."""

import re

import pytest
from playwright.sync_api import expect

from seedbox.tests.browser.conftest import classic_forms, log_in, make_user, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LONG = "a-very-long-file-name-without-a-single-space-that-a-phone-must-wrap-somehow.flac"


def test_an_owner_skips_and_selects_files_from_the_torrent_page(stack, new_page, tmp_path):
    owner = make_user(stack, "picker@example.com", trusted=True)
    folder = tmp_path / "pick"
    folder.mkdir()
    (folder / LONG).write_bytes(b"a" * 120_000)
    (folder / "b-side.flac").write_bytes(b"b" * 80_000)

    page = new_page()
    log_in(page, owner)
    page.goto("/torrents/add/")
    classic_forms(page)
    form = page.locator("#form-data")
    form.locator("#id_data_files").set_input_files(
        [str(folder / LONG), str(folder / "b-side.flac")]
    )
    form.locator("#id_data_name").fill("Pick mix")
    form.locator("#id_data_trackers").fill("http://127.0.0.1:6969/announce")
    form.locator("#submit-data").click()
    expect(page.locator("#add-results [data-outcome='added']")).to_contain_text("Pick mix")
    page.locator("#to-list").click()
    page.get_by_role("link", name="Pick mix", exact=True).click()
    page.wait_for_url(re.compile(r"/torrents/\d+/$"))
    expect(page.get_by_test_id("download-file")).to_have_count(2, timeout=60_000)
    page.evaluate("window.__notReloaded = true")

    page.get_by_label("Priority of b-side.flac").select_option("skip")
    expect(page.locator("#files-notice")).to_have_text("Priorities saved.")
    expect(page.get_by_test_id("download-file")).to_have_count(1)
    expect(page.locator("tr.skipped")).to_have_count(1)
    assert page.evaluate("window.__notReloaded === true")
    screenshot(page, "torrent-page-priorities")

    page.locator("#skip-all-files").click()
    expect(page.get_by_test_id("download-file")).to_have_count(0)
    page.locator("#select-all-files").click()
    expect(page.get_by_test_id("download-file")).to_have_count(2)
    expect(page.get_by_label("Priority of b-side.flac")).to_have_value("normal")
