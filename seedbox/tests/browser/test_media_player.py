"""The player page in chromium against the whole stack (real rTorrent, real ffmpeg started by the
playlist request): an H.264/AAC Matroska file (not played directly: Matroska) plays through HLS with
hls.js, its video's currentTime advances, the .srt next to it is a subtitle track with cues;
where the user stopped is saved and offered back; the next episode's second audio track is
chosen from the menu and plays on from the same time (another HLS encode); the theatre view
squeezes nothing and the page does not scroll sideways at 375 px; an album plays as a playlist,
the next track after the end. All with no CSP violation."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from seedbox.tests.browser.conftest import classic_forms, log_in, make_user, screenshot
from seedbox.tests.browser.stack import wait_for
from seedbox.tests.browser.test_csp import assert_no_violation, watched_page

pytestmark = pytest.mark.browser
SEEDING_TIMEOUT = 60
PLAY_TIMEOUT = 45  # the first request starts ffmpeg in the worker; segments follow in seconds
SRT = "1\n00:00:00,000 --> 00:00:09,000\nHello from the subtitles\n"


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=60)


def episode(path, seconds: int = 8) -> None:
    """H.264 + AAC in Matroska: codecs browsers decode, a container they do not play."""
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "25",
        "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip


def two_languages(path, seconds: int = 10) -> None:
    """H.264 and two AAC tracks (English, French) in Matroska."""
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=880:duration={seconds}",
        "-map", "0", "-map", "1", "-map", "2",
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "25",
        "-c:a", "aac", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra",
        "-shortest", str(path),
    )  # fmt: skip


def tone(path, seconds: float = 1.5) -> None:
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency=660:duration={seconds}", str(path))


def add_data(page, name: str, paths: list) -> None:
    """Add files as a new torrent through the add page and open its page once complete."""
    page.goto("/torrents/add/")
    classic_forms(page)
    form = page.locator("#form-data")
    form.locator("#id_data_files").set_input_files([str(p) for p in paths])
    form.locator("#id_data_name").fill(name)
    form.locator("#id_data_trackers").fill("http://127.0.0.1:6969/announce")
    form.locator("#submit-data").click()
    page.locator("#add-results").get_by_role("link", name=name).click()
    page.wait_for_url(re.compile(r"/torrents/\d+/$"))


def wait_until_complete(page, stack, count: int) -> None:
    def complete() -> bool:
        page.reload()
        # Every file's progress (read live from rTorrent) and the sync's own word: HLS encodes
        # only what the site's row says is complete.
        seeding = page.locator("#torrent-status.badge-seeding").count() == 1
        return seeding and page.locator("[data-testid='download-file']").count() == count

    wait_for(complete, timeout=SEEDING_TIMEOUT, what="the files to be complete", stack=stack)


def media_state(page) -> dict:
    return page.evaluate(
        """() => {
          const v = document.getElementById('media-element');
          const root = document.getElementById('media-player');
          return {
            time: v.currentTime, paused: v.paused, src: v.currentSrc,
            engine: root.dataset.engine || '', fragments: Number(root.dataset.fragments || 0),
            error: document.getElementById('media-error').hidden ? '' :
              document.getElementById('media-error').textContent,
            tracks: Array.from(v.textTracks).map(t => ({kind: t.kind, label: t.label,
              language: t.language, mode: t.mode, cues: t.cues ? t.cues.length : null})),
          };
        }"""
    )


def wait_playing(page, stack, *, past: float) -> dict:
    """Until the element's currentTime passes `past` seconds (muted: headless autoplay)."""

    def advanced():
        page.evaluate(
            "() => { const v = document.getElementById('media-element');"
            " v.muted = true; if (v.paused && !v.ended) v.play().catch(() => {}); }"
        )
        state = media_state(page)
        assert not state["error"], state
        return state if state["time"] > past else None

    return wait_for(advanced, timeout=PLAY_TIMEOUT, what=f"currentTime past {past}", stack=stack)


def test_a_video_plays_through_hls_with_its_subtitles_and_resumes(stack, new_page, tmp_path):
    owner = make_user(stack, "watcher@example.com", trusted=True)
    first, second = tmp_path / "Show.S01E01.mkv", tmp_path / "Show.S01E02.mkv"
    episode(first, seconds=20)
    two_languages(second)
    (tmp_path / "Show.S01E01.srt").write_text(SRT)
    page, console = watched_page(new_page)
    playlists: list[str] = []
    page.on("request", lambda r: playlists.append(r.url) if "/hls/" in r.url else None)
    log_in(page, owner)
    add_data(page, "Show S01", [first, second, tmp_path / "Show.S01E01.srt"])
    wait_until_complete(page, stack, 3)
    expect(page.get_by_role("link", name="Watch Show.S01E02.mkv")).to_be_visible()
    expect(page.get_by_role("link", name="Watch Show.S01E01.srt")).to_have_count(0)
    page.get_by_role("link", name="Watch Show.S01E01.mkv").click()
    page.wait_for_url(re.compile(r"/media/\d+/\d+/$"))
    expect(page.locator("#media-title")).to_have_text("Show.S01E01.mkv")
    # Read for the first time by the playback API: its duration joins the file's details.
    expect(page.locator("#media-facts [data-fact='duration']")).to_have_text("0:20")

    state = wait_playing(page, stack, past=1.5)
    # hls.js played it: the source is its MediaSource, fragments came from the HLS URLs.
    assert state["engine"] == "hls.js", state
    assert state["src"].startswith("blob:"), state
    assert state["fragments"] >= 1, state
    assert any(re.search(r"/api/torrents/\d+/files/\d+/hls/index\.m3u8", u) for u in playlists)
    assert any(not u.split("?")[0].endswith(".m3u8") for u in playlists), playlists  # segments
    # The .srt beside it is a WebVTT subtitle track; chosen in the menu, its cues load.
    assert [t["kind"] for t in state["tracks"]] == ["subtitles"], state
    page.locator("#subtitle-select").select_option(index=1)

    def cues() -> bool:
        track = media_state(page)["tracks"][0]
        return track["mode"] == "showing" and (track["cues"] or 0) >= 1

    wait_for(cues, timeout=20, what="the subtitle's cues", stack=stack)
    expect(page.locator("#next-link")).to_have_text("Next: Show.S01E02.mkv")

    # Theatre view: the player gets the row, the details go below it at their full width.
    details = page.locator(".player-info")
    video = page.locator("#media-element")
    narrow = video.bounding_box()["width"]
    page.locator("#theatre-toggle").click()
    expect(page.locator("#theatre-toggle")).to_have_attribute("aria-pressed", "true")
    assert video.bounding_box()["width"] > narrow * 1.3
    assert details.bounding_box()["width"] >= video.bounding_box()["width"] - 2
    assert details.bounding_box()["y"] >= video.bounding_box()["y"] + 100
    screenshot(page, "media-player-theatre")  # and no sideways scroll at 375 px
    page.locator("#theatre-toggle").click()

    # Pausing saves where they are; opening the file again offers it back.
    wait_playing(page, stack, past=6)
    page.evaluate("() => { const v = document.getElementById('media-element'); v.pause(); }")
    stopped = media_state(page)["time"]
    position_url = page.locator("#media-player").get_attribute("data-position-url")

    def saved():
        return page.evaluate(
            "url => fetch(url, {headers: {Accept: 'application/json'}}).then(r => r.json())",
            position_url,
        )

    body = wait_for(
        lambda: (b := saved())["position_seconds"] > 1 and b, timeout=10, what="a saved position"
    )
    assert body["position_seconds"] == pytest.approx(stopped, abs=0.6)
    page.reload()
    expect(page.locator("#resume-note")).to_be_visible()
    expect(page.locator("#resume-note")).to_contain_text(re.compile(r"Resumed from 0:(0[6-9]|1\d)"))
    screenshot(page, "media-player")
    assert_no_violation(page, console, "player page")

    # The next episode has two audio tracks: the menu offers both, and the other one plays on
    # (its own HLS encode, from where it was).
    page.locator("#next-link").click()
    expect(page.locator("#media-title")).to_have_text("Show.S01E02.mkv")
    wait_playing(page, stack, past=0.5)
    menu = page.locator("#audio-select")
    expect(menu.locator("option")).to_have_text(["Track 1 (eng)", "Track 2 (fra)"])
    playlists.clear()
    switched = media_state(page)["time"]
    menu.select_option(index=1)
    expect(menu).to_have_value("1")
    wait_playing(page, stack, past=switched + 1.5)
    assert any(re.search(r"/hls/index\.m3u8\?audio=\d", u) for u in playlists), playlists
    assert_no_violation(page, console, "the next episode")


def test_an_album_plays_as_a_playlist(stack, new_page, tmp_path):
    owner = make_user(stack, "listener2@example.com", trusted=True)
    names = ["01 First.mp3", "02 Second.mp3", "10 Last.mp3"]
    for name in names:
        tone(tmp_path / name)
    page, console = watched_page(new_page)
    log_in(page, owner)
    add_data(page, "An album", [tmp_path / name for name in reversed(names)])
    wait_until_complete(page, stack, 3)
    page.get_by_role("link", name="Listen 02 Second.mp3").click()
    page.wait_for_url(re.compile(r"/media/\d+/\d+/$"))
    playlist = page.locator("#playlist li")
    expect(playlist).to_have_text(names)
    expect(page.locator("#playlist li[aria-current='true']")).to_have_text("02 Second.mp3")
    state = wait_playing(page, stack, past=0.3)
    assert state["engine"] == "direct", state  # MP3: the browser plays the file itself
    # At the end the next track plays, marked as current, and the address follows it.
    expect(page.locator("#playlist li[aria-current='true']")).to_have_text(
        "10 Last.mp3", timeout=15_000
    )
    expect(page.locator("#media-title")).to_have_text("10 Last.mp3")
    last_page = playlist.nth(2).locator("a").get_attribute("href")
    wait_for(lambda: page.url.endswith(last_page), timeout=5, what="the address of the track")
    wait_playing(page, stack, past=0.3)
    assert_no_violation(page, console, "album page")
