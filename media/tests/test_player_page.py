"""The player page, /media/<torrent>/<file>/: the four personas, the file's name and what
ffprobe said, the URLs its script plays from (data-* attributes: no inline script or style for
the CSP), resume from this user's position, the next episode, and an album as a playlist."""

import re

import pytest
from django.urls import reverse

from media.models import PlaybackPosition
from media.tests.player_support import probed, torrent_with_files
from torrents.tests.pages_support import client_for

pytestmark = pytest.mark.django_db
SHOW = ["Show S01/Show.S01E02.mkv", "Show S01/Show.S01E01.mkv", "Show S01/Show.S01E01.srt"]


@pytest.fixture
def show(user):
    torrent, files = torrent_with_files(user, SHOW, name="Show S01")
    probed(
        files[SHOW[1]],
        season=1,
        episode=1,
        duration_seconds=2723.4,
        width=1920,
        height=1080,
        video_codec="hevc",
        audio_codec="eac3",
        container="matroska,webm",
        audio_tracks=[{"index": 1, "language": "eng"}, {"index": 2, "language": "fra"}],
    )
    probed(files[SHOW[0]], season=1, episode=2)
    return torrent, files


def page(client, torrent, file):
    return client.get(f"/media/{torrent.pk}/{file.pk}/")


def attribute(html: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', html)
    return match.group(1) if match else None


def test_personas(show, user, other_user, admin_user, client):
    torrent, files = show
    first = files[SHOW[1]]
    assert (
        reverse("media-player", args=[torrent.pk, first.pk]) == f"/media/{torrent.pk}/{first.pk}/"
    )
    assert page(client_for(user), torrent, first).status_code == 200
    assert page(client_for(admin_user), torrent, first).status_code == 200
    assert page(client_for(other_user), torrent, first).status_code == 404
    anonymous = page(client, torrent, first)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_file_and_plays_from_the_api(show, user):
    torrent, files = show
    first = files[SHOW[1]]
    response = page(client_for(user), torrent, first)
    html = response.content.decode()
    assert '<h1 id="media-title" class="player-name">Show.S01E01.mkv</h1>' in html
    for fact in ("45:23", "1920 x 1080", "hevc", "eac3", "S01E01", "Audio tracks"):
        assert fact in html
    assert "<video" in html
    assert attribute(html, "data-position-url") == (
        f"/api/torrents/{torrent.pk}/files/{first.pk}/position"
    )
    assert attribute(html, "data-kind") == "video"
    assert "vendor/hls/hls.min.js" in html
    assert "js/media-player.js" in html
    # No inline script or style (the CSP forbids them): every script has a src.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html
    assert "'self'" in response["Content-Security-Policy"]
    assert "media-src 'self' blob:" in response["Content-Security-Policy"]


def test_next_episode_by_episode_number(show, user):
    torrent, files = show
    client = client_for(user)
    html = page(client, torrent, files[SHOW[1]]).content.decode()
    second = f"/media/{torrent.pk}/{files[SHOW[0]].pk}/"
    assert attribute(html, "data-next-url") == second
    assert re.search(rf'<a class="button small" id="next-link" href="{second}">', html)
    assert 'id="auto-advance"' in html
    last = page(client, torrent, files[SHOW[0]]).content.decode()
    assert "next-link" not in last
    assert attribute(last, "data-next-url") is None


def test_resume_from_this_users_position(show, user, admin_user):
    torrent, files = show
    first = files[SHOW[1]]
    PlaybackPosition.objects.create(
        user=user, file=first, position_seconds=754.0, duration_seconds=2723.4
    )
    html = page(client_for(user), torrent, first).content.decode()
    assert attribute(html, "data-resume") == "754.0"
    assert "12:34" in html
    admin_html = page(client_for(admin_user), torrent, first).content.decode()
    assert attribute(admin_html, "data-resume") == ""  # positions are each user's own


def test_an_album_is_a_playlist_with_the_current_track_marked(user):
    paths = ["Album/03 c.flac", "Album/01 a.flac", "Album/02 b.mp3", "Album/cover.jpg"]
    torrent, files = torrent_with_files(user, paths)
    html = page(client_for(user), torrent, files["Album/02 b.mp3"]).content.decode()
    assert "<audio" in html
    assert "theatre-toggle" not in html
    playlist = html[html.index('<ol class="playlist"') :]
    assert re.findall(r">(\d\d [a-c]\.\w+)</a>", playlist) == ["01 a.flac", "02 b.mp3", "03 c.flac"]
    current = re.findall(r'<li data-file-id="(\d+)"[^>]*aria-current="true"', playlist)
    assert current == [str(files["Album/02 b.mp3"].pk)]
    assert "cover.jpg" not in playlist


def test_what_does_not_play_is_404(user):
    torrent, files = torrent_with_files(user, ["a/notes.txt", "a/x.mkv"])
    probed(files["a/x.mkv"], kind="other")
    client = client_for(user)
    assert page(client, torrent, files["a/notes.txt"]).status_code == 404
    assert page(client, torrent, files["a/x.mkv"]).status_code == 404
    assert client.get(f"/media/{torrent.pk}/999999/").status_code == 404
    assert client.post(f"/media/{torrent.pk}/{files['a/x.mkv'].pk}/").status_code == 405
