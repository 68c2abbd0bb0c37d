"""The add page's one drop zone in a real browser against the whole site: what needs no data is
refused before any upload starts (a name missing, the quota too small) and the selected files
stay selected; once fixed, the same selection uploads and seeds. A magnet reads "fetching
metadata" and leaves the text box once added."""

import re

import pytest
from playwright.sync_api import expect

from seedbox.tests.browser.conftest import log_in, make_user, screenshot
from torrents.tests.factories import make_torrent

pytestmark = [pytest.mark.browser]
TRACKER = "http://127.0.0.1:6969/announce"


def uploads_seen(page) -> list[str]:
    """Every POST to the add endpoint the page makes, recorded as it happens."""
    seen: list[str] = []
    page.on(
        "request",
        lambda r: (
            seen.append(r.url)
            if r.method == "POST" and re.search(r"/api/torrents/?$", r.url)
            else None
        ),
    )
    return seen


def test_a_refusal_before_the_upload_keeps_the_files(stack, new_page, tmp_path):
    owner = make_user(stack, "dropper@example.com", trusted=True)
    stack.python(
        "from accounts.models import User\n"
        "User.objects.filter(email='dropper@example.com').update(quota_bytes=1_000_000)"
    )
    (tmp_path / "a-side.flac").write_bytes(b"a" * 300_000)
    (tmp_path / "b-side.flac").write_bytes(b"b" * 200_000)
    (tmp_path / "huge.bin").write_bytes(b"h" * 1_200_000)
    page = new_page()
    log_in(page, owner)
    page.goto("/torrents/add/")
    uploads = uploads_seen(page)
    expect(page.locator("#drop")).to_be_visible()
    expect(page.locator("#classic-forms")).not_to_have_attribute("open", "")

    # Two loose files and no name: refused by the check, before a byte of data is sent.
    page.locator("#drop-files").set_input_files(
        [str(tmp_path / "a-side.flac"), str(tmp_path / "b-side.flac")]
    )
    expect(page.get_by_test_id("drop-way")).to_contain_text("Files only")
    page.locator("#drop-trackers").fill(TRACKER)
    with page.expect_response(re.compile(r"/api/torrents/check$")):
        page.locator("#drop-add").click()
    expect(page.get_by_test_id("drop-verdicts")).to_contain_text(
        "several files need a 'name' for the torrent's folder"
    )
    assert uploads == []
    expect(page.locator("#drop-items")).to_contain_text("2 files")  # still selected
    screenshot(page, "dropzone-refused")

    # Over the quota, from the sizes the browser knows: refused too, nothing sent.
    page.locator("#drop-files").set_input_files(str(tmp_path / "huge.bin"))
    page.locator("#drop-name").fill("Summer mix")
    with page.expect_response(re.compile(r"/api/torrents/check$")):
        page.locator("#drop-add").click()
    expect(page.get_by_test_id("drop-verdicts")).to_contain_text("free quota")
    assert uploads == []
    expect(page.locator("#drop-items")).to_contain_text("3 files")

    # The same selection, the big file taken out (Clear, then the two again): it goes in.
    page.locator("#drop-clear").click()
    page.locator("#drop-files").set_input_files(
        [str(tmp_path / "a-side.flac"), str(tmp_path / "b-side.flac")]
    )
    page.locator("#drop-name").fill("Summer mix")
    page.locator("#drop-trackers").fill(TRACKER)
    page.locator("#drop-add").click()
    expect(page.get_by_test_id("drop-results")).to_contain_text("Summer mix")
    assert len(uploads) == 1
    expect(page.get_by_test_id("drop-verdicts")).to_be_hidden()


def test_a_magnet_reads_fetching_metadata_and_leaves_the_box(stack, new_page):
    owner = make_user(stack, "magnetic@example.com", trusted=True)
    page = new_page()
    log_in(page, owner)
    page.goto("/torrents/add/")
    magnet = f"magnet:?xt=urn:btih:{'e1' * 20}&dn=someday&tr={TRACKER}"
    page.locator("#drop-text").fill(magnet)
    page.locator("#drop-add").click()
    result = page.get_by_test_id("drop-results")
    expect(result).to_contain_text("someday")
    expect(result).to_contain_text("fetching metadata")
    expect(page.locator("#drop-text")).to_have_value("")
    page.goto("/")
    row = page.locator("tr.torrent-row", has=page.get_by_role("link", name="someday"))
    expect(row.get_by_test_id("status")).to_have_text("fetching metadata")


def test_a_torrent_is_previewed_and_unticked_files_go_as_skip_files(stack, new_page, tmp_path):
    owner = make_user(stack, "previewer@example.com", trusted=True)
    metainfo, _, _ = make_torrent(
        tmp_path / "src", "album", files={"cd1/01.flac": 3000, "cd1/02.flac": 2000, "cover.jpg": 9},
        trackers=[TRACKER],
    )  # fmt: skip
    torrent_file = tmp_path / "album.torrent"
    torrent_file.write_bytes(metainfo)
    page = new_page()
    log_in(page, owner)
    page.goto("/torrents/add/")
    page.locator("#drop-files").set_input_files(str(torrent_file))
    files = page.locator("#drop-preview-files tr")
    expect(files).to_have_count(3)
    expect(page.locator("#drop-preview-summary")).to_contain_text("album")
    page.get_by_label("Download cd1/02.flac").uncheck()
    page.locator("#drop-paused").check()
    # What the upload sends (Playwright does not show a multipart body with files).
    page.evaluate(
        """() => {
          const send = XMLHttpRequest.prototype.send;
          XMLHttpRequest.prototype.send = function (body) {
            window.__sent = Array.from(body.entries())
              .map(([k, v]) => [k, typeof v === "string" ? v : v.name]);
            return send.call(this, body);
          };
        }"""
    )  # fmt: skip
    page.locator("#drop-add").click()
    expect(page.get_by_test_id("drop-results")).to_contain_text("album")
    sent = page.evaluate("window.__sent")
    assert ["skip_files", "1"] in sent
    assert ["paused", "true"] in sent
    assert ["torrents", "album.torrent"] in sent
    expect(page.get_by_test_id("drop-results")).to_contain_text("album")
    expect(page.locator("#drop-preview")).to_be_hidden()  # added: the selection is cleared
