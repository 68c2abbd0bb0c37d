"""Direct play and the playback JSON: inline with Range, the type ffprobe's codecs say, a view
counted once, the probe kept in MediaFile; owners and admins only, 404 for everyone else."""

import pytest

from media.models import MediaFile, MediaView
from media.tests.stream_support import SRT, file_of, media_torrent, url
from torrents.storage import torrent_directory
from torrents.tests.helpers_sync import api


@pytest.fixture
def movie(data_node, owner, media_samples, tmp_path, media_dirs):
    return media_torrent(
        data_node,
        [owner],
        tmp_path / "src",
        {
            "Film/Film.mp4": media_samples["h264.mp4"],
            "Film/Film.en.srt": SRT,
            "Film/old.avi": media_samples["mpeg4.avi"],
            "notes.txt": "not media",
        },
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_personas_on_every_playing_endpoint(movie, owner, other, admin):
    urls = [
        url(movie, "Film/Film.mp4", "playback"),
        url(movie, "Film/Film.mp4", "stream"),
        url(movie, "Film/Film.mp4", "hls/index.m3u8"),
        url(movie, "Film/Film.mp4", f"subtitles/f{file_of(movie, 'Film/Film.en.srt').pk}.vtt"),
    ]
    for address in urls:
        assert api(owner).get(address).status_code == 200, address
        assert api(admin).get(address).status_code == 200, address
        assert api(other).get(address).status_code == 404, address
        assert api(None).get(address).status_code == 401, address
    playlist = api(owner).get(urls[2]).content.decode()
    segment = next(line for line in playlist.splitlines() if line.endswith(".ts"))
    assert api(owner).get(segment).status_code == 200
    assert api(admin).get(segment).status_code == 200
    assert api(other).get(segment).status_code == 404
    assert api(None).get(segment).status_code == 401


def test_stream_is_inline_with_range_and_the_probed_type(movie, owner, media_samples):
    address = url(movie, "Film/Film.mp4", "stream")
    data = media_samples["h264.mp4"].read_bytes()
    part = api(owner).get(address, HTTP_RANGE="bytes=100-1099")
    assert part.status_code == 206
    assert part["Content-Type"] == "video/mp4"
    assert part["Content-Disposition"] == 'inline; filename="Film.mp4"'
    assert part["Content-Range"] == f"bytes 100-1099/{len(data)}"
    assert _body(part) == data[100:1100]
    # Not playable as it is: the bytes go as octet-stream (HLS is the way to play it).
    avi = api(owner).get(url(movie, "Film/old.avi", "stream"), HTTP_RANGE="bytes=0-9")
    assert avi.status_code == 206
    assert avi["Content-Type"] == "application/octet-stream"


def test_a_view_counts_once_from_the_first_byte(movie, owner, admin):
    address = url(movie, "Film/Film.mp4", "stream")
    api(owner).get(address, HTTP_RANGE="bytes=500-600")  # a later range: not a new viewing
    assert MediaView.objects.count() == 0
    for _ in range(3):
        assert api(owner).get(address, HTTP_RANGE="bytes=0-").status_code == 206
    api(admin).get(address)
    views = MediaView.objects.order_by("pk")
    assert [(v.user_id, v.file_id) for v in views] == [
        (owner.pk, file_of(movie, "Film/Film.mp4").pk),
        (admin.pk, file_of(movie, "Film/Film.mp4").pk),
    ]


def test_playback_json_and_the_probe_is_kept(movie, owner, settings):
    address = url(movie, "Film/Film.mp4", "playback")
    body = api(owner).get(address).json()
    file = file_of(movie, "Film/Film.mp4")
    srt = file_of(movie, "Film/Film.en.srt")
    base = f"/api/torrents/{movie.pk}/files/{file.pk}"
    assert body["kind"] == "video"
    assert body["direct"] is True
    assert body["type"] == "video/mp4"
    assert body["stream_url"] == f"{base}/stream"
    assert body["hls_url"] == f"{base}/hls/index.m3u8"
    assert body["duration_seconds"] == pytest.approx(10, abs=0.2)
    assert body["subtitles"] == [
        {
            "id": f"f{srt.pk}",
            "label": "en",
            "language": "en",
            "url": f"{base}/subtitles/f{srt.pk}.vtt",
        }
    ]
    assert [(t["codec"], t["channels"]) for t in body["audio_tracks"]] == [("aac", 1)]
    media = MediaFile.objects.get(file=file)
    assert (media.video_codec, media.hls_mode, media.browser_playable) == ("h264", "remux", True)
    # The second call reads the row: with no ffprobe at all it still answers the same.
    settings.SEEDBOX_FFPROBE_BIN = "/nonexistent/ffprobe"
    assert api(owner).get(address).json() == body
    assert api(owner).get(url(movie, "Film/Film.mp4", "stream")).status_code == 200


def test_playback_of_other_files(movie, owner):
    avi = api(owner).get(url(movie, "Film/old.avi", "playback")).json()
    assert (avi["kind"], avi["direct"], avi["type"]) == ("video", False, "")
    assert avi["hls_url"].endswith("/hls/index.m3u8")
    text = api(owner).get(url(movie, "notes.txt", "playback")).json()
    assert (text["kind"], text["direct"], text["hls_url"]) == ("other", False, None)
    assert api(owner).get(url(movie, "notes.txt", "hls/index.m3u8")).status_code == 404


def test_a_file_not_on_disk_is_not_found(movie, owner):
    file = file_of(movie, "Film/Film.mp4")
    (torrent_directory(movie) / "media" / file.path).unlink()
    assert api(owner).get(url(movie, "Film/Film.mp4", "stream")).status_code == 404
    assert api(owner).get(url(movie, "Film/Film.mp4", "playback")).status_code == 404
