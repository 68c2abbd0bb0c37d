"""Torrents in a real browser against the whole site: a user adds a .torrent, an admin approves
it, and the owner's open list follows it live (no reload) while the site's rTorrent downloads it
from a second rTorrent through a real tracker; a .torrent with its data seeds at once, pauses,
resumes, and its file downloads from the torrent page; files alone become a seeding torrent."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from seedbox.testing import Announcer, announce_seeder
from seedbox.tests.browser.conftest import classic_forms, log_in, make_user, screenshot
from seedbox.tests.browser.stack import wait_for
from torrents.rtorrent import RTorrentClient
from torrents.tests.factories import make_torrent

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MiB = 1 << 20
SEEDING_TIMEOUT = 60


def row(page, name: str):
    return page.locator("tr.torrent-row", has=page.get_by_role("link", name=name, exact=True))


def wait_status(page, name: str, status: str, timeout: float = SEEDING_TIMEOUT) -> None:
    expect(row(page, name)).to_have_attribute("data-status", status, timeout=timeout * 1000)


def mark_page(page) -> None:
    """Set a flag that a reload would wipe."""
    page.evaluate("window.__notReloaded = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def add_torrent_files(page, paths: list[Path]) -> None:
    page.goto("/torrents/add/")
    classic_forms(page)
    page.locator("#id_torrents").set_input_files([str(p) for p in paths])
    page.locator("#submit-torrents").click()


def test_pending_torrent_approved_then_downloaded_live(
    stack, new_page, tracker, rtorrent_factory, tmp_path
):
    owner = make_user(stack, "leecher@example.com")
    admin = make_user(stack, "boss@example.com", staff=True)
    source = tmp_path / "src"
    metainfo, info_hash, data = make_torrent(
        source, "holiday-video.bin", 24 * MiB, trackers=[tracker.announce_url],
        piece_size=256 * 1024,
    )  # fmt: skip
    tracker.allow(info_hash)
    (tmp_path / "holiday-video.torrent").write_bytes(metainfo)

    seeder = RTorrentClient(rtorrent_factory().config.url)
    seeder.load(metainfo, info_hash, start=True, commands=[f"d.directory.set={source}"])
    h = info_hash.upper()
    wait_for(lambda: seeder.call("d.complete", h) == 1, timeout=30, what="the seeder's check")
    announce_seeder(seeder, info_hash)

    page = new_page()
    log_in(page, owner)
    add_torrent_files(page, [tmp_path / "holiday-video.torrent"])
    expect(page.locator("#add-results [data-outcome='pending']")).to_contain_text("holiday-video")
    screenshot(page, "add-result-pending")
    page.locator("#to-list").click()
    wait_status(page, "holiday-video.bin", "pending_approval")
    expect(row(page, "holiday-video.bin").get_by_test_id("progress")).to_have_text("0%")
    mark_page(page)
    screenshot(page, "list-pending")

    staff = new_page()
    log_in(staff, admin)
    staff.goto("/staff/moderation/")
    staff.get_by_label("holiday-video.bin").check()
    screenshot(staff, "moderation")
    staff.get_by_role("button", name="Approve selected").click()
    expect(staff.locator(".messages")).to_contain_text("Approved 1: holiday-video.bin.")
    expect(staff.get_by_label("holiday-video.bin")).to_have_count(0)  # gone from the queue

    # The owner's page, never reloaded, follows the torrent: queued, downloading, seeding.
    site_rtorrent = RTorrentClient(f"scgi://{stack.var_dir / 'rtorrent' / 'rpc.sock'}")
    progress = row(page, "holiday-video.bin").get_by_test_id("progress")
    seen: list[str] = []
    announce = Announcer(info_hash, site_rtorrent, seeder=seeder)

    def seeding() -> bool:
        text = progress.text_content()
        if not seen or seen[-1] != text:
            seen.append(text)
        if row(page, "holiday-video.bin").get_attribute("data-status") == "seeding":
            return True
        announce()  # the site's rTorrent may not hold it yet: then the next round
        return False

    wait_for(
        seeding,
        timeout=SEEDING_TIMEOUT,
        what="the owner's row to show seeding",
        stack=stack,
        explain=lambda: f"the row's progress seen: {seen}\n{announce.report()}",
    )
    expect(progress).to_have_text("100%")
    assert seen[0] == "0%"
    assert not_reloaded(page)
    screenshot(page, "list-seeding")
    loaded = Path(stack.var_dir / "data").rglob("holiday-video.bin")
    assert [p.read_bytes() == data.read_bytes() for p in loaded] == [True]

    # The download counts in the owner's history: ratio 0.00 (nothing uploaded yet), a bar today.
    page.goto("/accounts/")

    def counted() -> bool:
        if page.locator("#ratio").text_content() == "0.00":
            return True
        page.reload()
        return False

    wait_for(counted, timeout=30, what="the download in the owner's history", stack=stack)
    expect(page.locator(".chart rect.down")).not_to_have_count(0)
    expect(page.locator("main")).to_contain_text("holiday-video.bin")
    screenshot(page, "account-traffic")


def test_torrent_with_data_seeds_pauses_resumes_and_downloads(stack, new_page, tmp_path):
    owner = make_user(stack, "uploader@example.com", trusted=True)
    metainfo, _, data = make_torrent(tmp_path / "src", "notes.txt", 300 * 1024)
    torrent_file = tmp_path / "notes.torrent"
    torrent_file.write_bytes(metainfo)

    page = new_page()
    log_in(page, owner)
    page.goto("/torrents/add/")
    classic_forms(page)
    screenshot(page, "add")
    form = page.locator("#form-with-data")
    form.locator("#id_with_torrent").set_input_files(str(torrent_file))
    form.locator("#id_with_files").set_input_files(str(data))
    form.locator("#submit-with-data").click()
    expect(page.locator("#add-results [data-outcome='added']")).to_contain_text("notes.txt")
    page.locator("#to-list").click()
    wait_status(page, "notes.txt", "seeding")

    row(page, "notes.txt").locator("input[name='ids']").check()
    page.locator("#bulk-pause").click()
    wait_status(page, "notes.txt", "paused")
    row(page, "notes.txt").locator("input[name='ids']").check()
    page.locator("#bulk-resume").click()
    wait_status(page, "notes.txt", "seeding")
    screenshot(page, "list")

    page.get_by_role("link", name="notes.txt", exact=True).click()
    page.wait_for_url(re.compile(r"/torrents/\d+/$"))
    expect(page.locator("#torrent-status")).to_have_text("seeding")
    page.locator("#action-pause").click()
    expect(page.locator("#torrent-status")).to_have_text("paused", timeout=SEEDING_TIMEOUT * 1000)
    page.locator("#action-resume").click()
    expect(page.locator("#torrent-status")).to_have_text("seeding", timeout=SEEDING_TIMEOUT * 1000)
    screenshot(page, "torrent-page")
    with page.expect_download() as download:
        page.get_by_test_id("download-file").first.click()
    assert download.value.suggested_filename == "notes.txt"
    assert Path(download.value.path()).read_bytes() == data.read_bytes()


def test_files_alone_become_a_seeding_torrent(stack, new_page, tmp_path):
    owner = make_user(stack, "maker@example.com", trusted=True)
    folder = tmp_path / "mix"
    folder.mkdir()
    (folder / "a-side.flac").write_bytes(b"a" * 200_000)
    (folder / "b-side.flac").write_bytes(b"b" * 150_000)

    page = new_page()
    log_in(page, owner)
    page.goto("/torrents/add/")
    classic_forms(page)
    form = page.locator("#form-data")
    form.locator("#id_data_files").set_input_files(
        [str(folder / "a-side.flac"), str(folder / "b-side.flac")]
    )
    form.locator("#id_data_name").fill("Summer mix")
    form.locator("#id_data_trackers").fill("http://127.0.0.1:6969/announce")
    form.locator("#submit-data").click()
    expect(page.locator("#add-results [data-outcome='added']")).to_contain_text("Summer mix")
    page.locator("#to-list").click()
    wait_status(page, "Summer mix", "seeding")
    expect(row(page, "Summer mix").get_by_test_id("progress")).to_have_text("100%")
    page.get_by_role("link", name="Summer mix", exact=True).click()
    expect(page.locator("#file-tree")).to_contain_text("a-side.flac")
    expect(page.locator("#file-tree")).to_contain_text("b-side.flac")
    screenshot(page, "torrent-page-made")
