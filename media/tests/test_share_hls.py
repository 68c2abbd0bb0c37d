"""What a share link's visitor's browser cannot play as it is (an MPEG-4/MP3 AVI) is offered
through HLS under the key: the page marks it, the playlist and its segments are served under
/s/<key>/ (real ffmpeg), and nothing of it is reachable with a wrong key, for a file outside
the share, or before a password-protected share is unlocked."""

import re

import pytest
from django.test import Client

from media.services.share_links import share_link_create
from media.tests.stream_support import file_of, media_torrent


@pytest.fixture
def shared(data_node, owner, media_samples, tmp_path, media_dirs):
    torrent = media_torrent(
        data_node,
        [owner],
        tmp_path / "src",
        {"film/old.avi": media_samples["mpeg4.avi"], "film/new.mp4": media_samples["h264.mp4"],
         "other/x.avi": media_samples["mpeg4.avi"]},
    )  # fmt: skip
    _, key = share_link_create(user=owner, torrent_id=torrent.pk, folder="film")
    return torrent, key


def test_a_file_the_browser_cannot_play_is_shared_through_hls(shared):
    torrent, key = shared
    avi, mp4 = file_of(torrent, "film/old.avi"), file_of(torrent, "film/new.mp4")
    visitor = Client()
    page = visitor.get(f"/s/{key}/").content.decode()
    assert f'data-hls="/s/{key}/files/{avi.pk}/hls/index.m3u8"' in page
    assert f'src="/s/{key}/files/{mp4.pk}/stream"' in page  # played as it is
    assert "hls.min.js" in page

    playlist = visitor.get(f"/s/{key}/files/{avi.pk}/hls/index.m3u8")
    assert playlist.status_code == 200
    segments = [line for line in playlist.content.decode().splitlines() if line.endswith(".ts")]
    assert segments
    assert all(
        re.fullmatch(rf"/s/{key}/files/{avi.pk}/hls/\d+/seg\d{{5}}-\d+\.ts", s) for s in segments
    )
    segment = visitor.get(segments[0])
    assert segment.status_code == 200
    assert segment["Content-Type"] == "video/mp2t"
    assert b"".join(segment.streaming_content)[:1] == b"G"  # an MPEG-TS packet's sync byte

    # Not under another key, not for a file outside the share, not with a forged segment.
    outside = file_of(torrent, "other/x.avi")
    assert visitor.get(f"/s/{key}/files/{outside.pk}/hls/index.m3u8").status_code == 404
    assert visitor.get(f"/s/nope{key}/files/{avi.pk}/hls/index.m3u8").status_code == 404
    forged = segments[0].replace("/seg", "/../seg")
    assert visitor.get(forged).status_code == 404


def test_a_locked_share_gives_no_hls_before_the_password(
    data_node, owner, media_samples, tmp_path, media_dirs
):
    torrent = media_torrent(
        data_node, [owner], tmp_path / "src", {"a.avi": media_samples["mpeg4.avi"]}
    )
    _, key = share_link_create(user=owner, torrent_id=torrent.pk, password="open sesame")
    avi = file_of(torrent, "a.avi")
    visitor = Client()
    assert visitor.get(f"/s/{key}/files/{avi.pk}/hls/index.m3u8").status_code == 404
    visitor.post(f"/s/{key}/", {"password": "open sesame"})
    assert visitor.get(f"/s/{key}/files/{avi.pk}/hls/index.m3u8").status_code == 200
