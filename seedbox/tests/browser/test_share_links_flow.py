"""Links in chromium: on a torrent page the owner makes a share link with a password and a
direct link of one file (htmx, shown in place), a visitor with no account opens the share,
is refused a wrong password, plays its MP3 in the page (currentTime advances) and sees no
account UI; the direct link answers with no cookie; revoking on /links/ ends the share. No
CSP violation, no sideways scrolling at 375 px."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from seedbox.tests.browser.conftest import classic_forms, log_in, make_user, screenshot
from seedbox.tests.browser.stack import wait_for
from seedbox.tests.browser.test_csp import WATCHER

pytestmark = pytest.mark.browser
SEEDING_TIMEOUT = 60


def path_of(url: str) -> str:
    """The URL's path: the stack's SEEDBOX_SITE_URL is not where the test reaches it."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_share_a_torrent_and_link_a_file(stack, new_page, tmp_path):
    mp3 = tmp_path / "song.mp3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
         "-c:a", "libmp3lame", str(mp3)],
        check=True,
    )  # fmt: skip
    (tmp_path / "notes.txt").write_text("liner notes\n" * 50)
    owner = make_user(stack, "sharer@example.com", trusted=True)
    page = new_page()
    page.add_init_script(WATCHER)
    log_in(page, owner)
    page.goto("/torrents/add/")
    classic_forms(page)
    form = page.locator("#form-data")
    form.locator("#id_data_files").set_input_files([str(mp3), str(tmp_path / "notes.txt")])
    form.locator("#id_data_name").fill("Share test")
    form.locator("#id_data_trackers").fill("http://127.0.0.1:6969/announce")
    form.locator("#submit-data").click()
    page.locator("#add-results").get_by_role("link", name="Share test").click()
    page.wait_for_url(re.compile(r"/torrents/\d+/$"))

    def complete() -> bool:
        page.reload()
        return page.locator("[data-testid='download-file']").count() == 2

    wait_for(complete, timeout=SEEDING_TIMEOUT, what="the files to be complete", stack=stack)

    panel = page.locator("#links-panel")
    expect(panel).to_be_visible()
    panel.locator("#share-password-new").fill("open sesame")
    panel.get_by_role("button", name="Make a share link").click()
    share_url = panel.locator("#share-link-out [data-link-url]")
    expect(share_url).to_have_value(re.compile(r"/s/[\w-]{43}/$"))
    share_path = path_of(share_url.input_value())

    page.get_by_role("button", name="Direct link to song.mp3").click()
    direct_url = page.locator("#file-tree [data-link-url]")
    expect(direct_url).to_have_value(re.compile(r"/d/[\w-]{43}/song\.mp3$"))
    direct_path = path_of(direct_url.input_value())
    screenshot(page, "torrent-links-panel")
    assert page.evaluate("window.__cspViolations") == []

    visitor = new_page()
    visitor.add_init_script(WATCHER)
    # No cookie at all: the direct link is the key.
    answer = visitor.request.get(direct_path)
    assert answer.status == 200
    assert answer.body() == mp3.read_bytes()

    visitor.goto(share_path)
    expect(visitor.locator("#share-password-form")).to_be_visible()
    visitor.locator("#share-password").fill("guess")
    visitor.get_by_role("button", name="Open").click()
    expect(visitor.locator("#share-wrong")).to_be_visible()
    visitor.locator("#share-password").fill("open sesame")
    visitor.get_by_role("button", name="Open").click()
    files = visitor.locator("#share-files")
    expect(files).to_contain_text("song.mp3")
    expect(files).to_contain_text("notes.txt")
    html = visitor.content()
    assert owner not in html
    assert "Log in" not in html
    assert "Log out" not in html
    audio = visitor.locator("audio.share-player")
    expect(audio).to_have_count(1)
    audio.evaluate("a => { a.muted = true; return a.play(); }")
    visitor.wait_for_function(
        "() => document.querySelector('audio.share-player').currentTime > 0.3"
    )
    screenshot(visitor, "share-page")
    assert visitor.evaluate("window.__cspViolations") == []

    page.goto("/links/")
    screenshot(page, "links-page")
    page.locator("#share-links").get_by_role("button", name="Revoke").click()
    expect(page.locator("#share-links .link-state")).to_have_text("revoked")
    assert visitor.request.get(share_path).status == 404
    assert visitor.request.get(direct_path).status == 200
