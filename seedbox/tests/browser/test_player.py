"""The torrent page's player in chromium: Play only for types the browser plays (none on .mkv),
one player above the file table that leaves the table as wide as it was, and a file whose name
lies (a `.flac` holding text) gets a message and its download instead of a dead player; the
player goes on playing when its card refreshes."""

import io
import re
import wave

import pytest
from playwright.sync_api import expect

from seedbox.tests.browser.conftest import classic_forms, log_in, make_user, screenshot
from seedbox.tests.browser.stack import wait_for

pytestmark = pytest.mark.browser
SEEDING_TIMEOUT = 60


def silence_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 4000)  # half a second
    return buffer.getvalue()


def test_play_only_what_plays_above_the_table(stack, new_page, tmp_path):
    owner = make_user(stack, "listener@example.com", trusted=True)
    files = {"real.wav": silence_wav(), "fake.flac": b"not a flac " * 500, "clip.mkv": b"m" * 4000}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    page = new_page()
    log_in(page, owner)
    page.goto("/torrents/add/")
    classic_forms(page)
    form = page.locator("#form-data")
    form.locator("#id_data_files").set_input_files([str(tmp_path / name) for name in files])
    form.locator("#id_data_name").fill("Player test")
    form.locator("#id_data_trackers").fill("http://127.0.0.1:6969/announce")
    form.locator("#submit-data").click()
    page.locator("#add-results").get_by_role("link", name="Player test").click()
    page.wait_for_url(re.compile(r"/torrents/\d+/$"))
    # The file table shows Play once the data is complete (it seeds at once, after its check).
    real = page.get_by_role("button", name="Play real.wav")

    def complete() -> bool:
        # Seeding too: a page rendered before the sync's "seeding" refreshes its Files card
        # (and the player in it) when the status changes, which would reset the player mid-test.
        page.reload()
        seeding = page.locator("#torrent-status.badge-seeding").count() == 1
        return seeding and page.locator("[data-testid='download-file']").count() == 3

    wait_for(complete, timeout=SEEDING_TIMEOUT, what="the files to be complete", stack=stack)
    expect(real).to_be_visible()
    expect(page.get_by_role("button", name="Play fake.flac")).to_be_visible()
    expect(page.get_by_role("button", name="Play clip.mkv")).to_have_count(0)

    table = page.locator("#file-tree")
    before = table.bounding_box()
    real.click()
    player = page.locator("#player")
    expect(player.locator("audio")).to_have_count(1)
    expect(player.locator("#player-title")).to_have_text("real.wav")
    after = table.bounding_box()
    assert after["width"] == pytest.approx(before["width"], abs=1)  # not squeezed
    box = player.bounding_box()
    assert box["y"] + box["height"] <= after["y"] + 1  # above the table
    assert box["width"] >= after["width"] - 2  # as wide as it
    expect(player.locator("[data-player-error]")).to_be_hidden()
    screenshot(page, "torrent-player")

    # The Files card fetches itself again when the torrent's status changes: the player in it
    # is kept, the same element still playing the same file, not a new empty one.
    page.evaluate(
        """() => {
            document.querySelector("#player audio").seedboxMark = "kept";
            document.getElementById("files").seedboxOld = true;
            htmx.trigger(document.body, "torrent-status-changed");
        }"""
    )
    page.wait_for_function("() => !document.getElementById('files').seedboxOld")
    mark = page.evaluate("() => document.querySelector('#player audio')?.seedboxMark")
    assert mark == "kept"
    expect(player).to_be_visible()
    expect(player.locator("#player-title")).to_have_text("real.wav")

    page.get_by_role("button", name="Play fake.flac").click()
    expect(player.locator("[data-player-error]")).to_be_visible()
    expect(player.locator("audio")).to_have_count(0)
    download = player.get_by_role("link", name="Download it")
    expect(download).to_have_attribute("href", re.compile(r"/api/torrents/\d+/files/\d+/download"))
    page.get_by_role("button", name="Close").click()
    expect(player).to_be_hidden()
