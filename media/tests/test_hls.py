"""HLS made by the real ffmpeg: an H.264/AAC MP4 is remuxed and an MPEG-4/MP3 AVI transcoded,
each into a playlist and segments that ffprobe reads with the whole duration; viewers share an
encode; ?start seeks; the cache evicts the least recently used; dead encoders are restarted;
segment names are matched strictly."""

import datetime as dt
import os
import re

import pytest
from django.http import Http404
from django.utils import timezone

from media import ffmpeg
from media.models import Encode, EncodeStatus
from media.services.hls import hls_segment_response
from media.services.hls_cache import encode_directory, hls_cache_evict
from media.tasks.hls import hls_encodes_watch
from media.tests.stream_support import (
    SECONDS,
    ffprobe_channels,
    ffprobe_duration,
    ffprobe_streams,
    file_of,
    media_torrent,
    url,
)
from seedbox.testing import wait_until
from torrents.tests.helpers_sync import api


@pytest.fixture
def films(data_node, owner, media_samples, tmp_path, media_dirs):
    return media_torrent(
        data_node,
        [owner],
        tmp_path / "src",
        {"new.mp4": media_samples["h264.mp4"], "old.avi": media_samples["mpeg4.avi"]},
    )


def _finished(client, address: str) -> str:
    """The playlist once ffmpeg wrote all of it."""
    found = {}

    def ended() -> bool:
        response = client.get(address)
        assert response.status_code == 200, response.content
        found["text"] = response.content.decode()
        return "#EXT-X-ENDLIST" in found["text"]

    wait_until(ended, timeout=60, what="the encode to end")
    return found["text"]


def _all_ended() -> None:
    """Wait until every encoder exited, then let the beat task note it."""
    directories = [encode_directory(e) for e in Encode.objects.all()]
    wait_until(lambda: all((d / ffmpeg.EXIT).exists() for d in directories), what="ffmpeg to exit")
    hls_encodes_watch()


def _segments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _joined(client, text: str, target) -> object:
    """All segments of the playlist, fetched through the API, in one .ts file."""
    with open(target, "wb") as out:
        for segment in _segments(text):
            response = client.get(segment)
            assert response.status_code == 200
            assert response["Content-Type"] == "video/mp2t"
            out.write(b"".join(response.streaming_content))
    return target


def _listed_seconds(text: str) -> float:
    return sum(float(m) for m in re.findall(r"#EXTINF:([0-9.]+),", text))


def test_h264_aac_is_remuxed_into_a_whole_playlist(films, owner, tmp_path):
    client = api(owner)
    address = url(films, "new.mp4", "hls/index.m3u8")
    first = client.get(address)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/vnd.apple.mpegurl"
    assert "#EXT-X-INDEPENDENT-SEGMENTS" in first.content.decode()
    text = _finished(client, address)
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in text
    encode = Encode.objects.get()
    assert (encode.mode, encode.start_seconds) == ("remux", 0)
    assert _listed_seconds(text) == pytest.approx(SECONDS, abs=0.3)
    joined = _joined(client, text, tmp_path / "all.ts")
    assert ffprobe_duration(joined) == pytest.approx(SECONDS, abs=0.3)
    assert ffprobe_streams(joined) == ["h264,video,240", "aac,audio"]
    # A remux cuts at the source's keyframes (every 2 s): ~4 s segments, all but the last.
    lengths = [float(m) for m in re.findall(r"#EXTINF:([0-9.]+),", text)]
    assert all(length == pytest.approx(4, abs=0.05) for length in lengths[:-1])


def test_mpeg4_mp3_is_transcoded_to_h264_aac_and_scaled_down(films, owner, tmp_path, settings):
    settings.SEEDBOX_HLS_MAX_HEIGHT = 144
    client = api(owner)
    text = _finished(client, url(films, "old.avi", "hls/index.m3u8"))
    assert Encode.objects.get().mode == "transcode"
    joined = _joined(client, text, tmp_path / "all.ts")
    assert ffprobe_duration(joined) == pytest.approx(SECONDS, abs=0.3)
    assert ffprobe_streams(joined) == ["h264,video,144", "aac,audio"]
    _all_ended()  # the beat notes that it ended
    encode = Encode.objects.get()
    assert encode.status == EncodeStatus.DONE
    assert encode.size_bytes > 0
    assert encode.finished_at is not None


def test_the_playlist_is_served_while_it_grows(
    data_node, owner, admin, media_samples, tmp_path, media_dirs
):
    torrent = media_torrent(
        data_node, [owner], tmp_path / "src", {"long.avi": media_samples["long.avi"]}
    )
    address = url(torrent, "long.avi", "hls/index.m3u8")
    first = api(owner).get(address).content.decode()
    assert "#EXTINF" in first
    assert "#EXT-X-ENDLIST" not in first  # 40 s to transcode: answered after the first segment
    assert Encode.objects.get().status == EncodeStatus.RUNNING
    meanwhile = api(admin).get(address).content.decode()  # joins the running encode
    assert Encode.objects.count() == 1
    assert _segments(meanwhile)[: len(_segments(first))] == _segments(first)
    text = _finished(api(owner), address)
    assert len(_segments(text)) > len(_segments(first))
    assert _listed_seconds(text) == pytest.approx(40, abs=0.3)


def test_a_second_viewer_shares_the_encode(films, owner, admin):
    address = url(films, "new.mp4", "hls/index.m3u8")
    mine = _finished(api(owner), address)
    theirs = _finished(api(admin), address)
    assert Encode.objects.count() == 1
    assert _segments(mine) == _segments(theirs)


def test_seeking_ahead_is_an_encode_from_there(films, owner, tmp_path):
    client = api(owner)
    address = url(films, "new.mp4", "hls/index.m3u8")
    text = _finished(client, f"{address}?start=6")
    encode = Encode.objects.get()
    assert encode.start_seconds == 6
    assert _listed_seconds(text) == pytest.approx(SECONDS - 6, abs=0.3)
    assert ffprobe_duration(_joined(client, text, tmp_path / "rest.ts")) == pytest.approx(
        SECONDS - 6, abs=0.3
    )
    _finished(client, address)
    assert sorted(Encode.objects.values_list("start_seconds", flat=True)) == [0, 6]
    for bad in ("start=10", "start=-1", "start=abc", "start=99999999"):
        assert client.get(f"{address}?{bad}").status_code == 400, bad


def test_segment_names_are_matched_strictly(films, owner, data_node, media_samples, tmp_path):
    client = api(owner)
    text = _finished(client, url(films, "new.mp4", "hls/index.m3u8"))
    segment = _segments(text)[0]
    first = segment.rsplit("/", 1)[1]  # seg00000-<its duration>.ts
    encode = Encode.objects.get()
    (encode_directory(encode) / "seg99999-4000000.ts").symlink_to("/etc/passwd")
    (encode_directory(encode) / "seg99998-0.ts").write_bytes(b"G")  # as one being written
    base = segment.rsplit("/", 1)[0]
    for trick in (
        f"{base}/seg0.ts",
        f"{base}/index.m3u8",
        f"{base}/progress",
        f"{base}/seg00000.ts",  # the names of the segment muxer we no longer use
        f"{base}/seg99998-0.ts",  # being written: never served
        f"{base}/..%2F..%2F{first}",
        f"{base}/seg99999-4000000.ts",  # a name that matches, resolving outside the directory
        f"{base}/%2e%2e/{first}",
    ):
        assert client.get(trick).status_code == 404, trick
    # The encode of another file, through this file's URL, is not found either.
    assert client.get(segment).status_code == 200
    other = url(films, "old.avi", f"hls/{encode.pk}/{first}")
    assert client.get(other).status_code == 404
    for name in ("../../x", f"{encode.pk}/../{first}", f"{encode.pk}/{first}/"):
        with pytest.raises(Http404):
            hls_segment_response(None, file=file_of(films, "new.mp4"), name=name)


def test_the_least_recently_used_encode_is_evicted_first(films, owner):
    client = api(owner)
    address = url(films, "new.mp4", "hls/index.m3u8")
    _finished(client, address)
    _finished(client, f"{address}?start=4")
    _all_ended()
    older, newer = Encode.objects.order_by("start_seconds")
    Encode.objects.filter(pk=newer.pk).update(last_used_at=timezone.now() - dt.timedelta(hours=2))
    Encode.objects.filter(pk=older.pk).update(last_used_at=timezone.now() - dt.timedelta(hours=1))
    # A running encode counts (its files as they are now) but is never evicted, however old.
    running = Encode.objects.create(
        file=file_of(films, "old.avi"), mode="transcode", directory="x/running"
    )
    encode_directory(running).mkdir(parents=True)
    (encode_directory(running) / "seg00000.ts").write_bytes(b"\0" * 200_000)
    Encode.objects.filter(pk=running.pk).update(last_used_at=timezone.now() - dt.timedelta(days=9))
    assert hls_cache_evict(max_bytes=older.size_bytes + 200_100) == [newer.pk]
    assert not encode_directory(newer).exists()
    assert encode_directory(older).exists()
    assert hls_cache_evict(max_bytes=100) == [older.pk]
    assert list(Encode.objects.values_list("pk", flat=True)) == [running.pk]
    # Asked again, the evicted one is made again.
    assert "#EXTINF" in client.get(address).content.decode()


def test_under_the_cap_nothing_is_evicted(films, owner):
    _finished(api(owner), url(films, "new.mp4", "hls/index.m3u8"))
    _all_ended()
    assert hls_cache_evict(max_bytes=10**9) == []
    assert Encode.objects.count() == 1


def test_a_dead_encoder_is_noticed_and_restarted(films, owner, settings):
    client = api(owner)
    address = url(films, "new.mp4", "hls/index.m3u8")
    _finished(client, address)
    _all_ended()
    encode = Encode.objects.get()
    directory = encode_directory(encode)
    # As if ffmpeg had been killed half way: no exit status, progress silent for a minute.
    (directory / ffmpeg.EXIT).unlink()
    old = timezone.now() - dt.timedelta(minutes=1)
    os.utime(directory / ffmpeg.PROGRESS, (old.timestamp(), old.timestamp()))
    Encode.objects.filter(pk=encode.pk).update(status=EncodeStatus.RUNNING, heartbeat_at=old)
    hls_encodes_watch()
    encode.refresh_from_db()
    assert encode.status == EncodeStatus.FAILED
    assert "stopped writing" in encode.error
    text = _finished(client, address)  # the next viewer restarts it
    assert _listed_seconds(text) == pytest.approx(SECONDS, abs=0.3)
    _all_ended()
    encode.refresh_from_db()
    assert (encode.status, encode.error) == (EncodeStatus.DONE, "")


def test_an_incomplete_file_gets_no_hls(data_node, owner, media_samples, tmp_path, media_dirs):
    torrent = media_torrent(
        data_node, [owner], tmp_path / "src", {"a.mp4": media_samples["h264.mp4"]}, complete=False
    )
    assert api(owner).get(url(torrent, "a.mp4", "hls/index.m3u8")).status_code == 409
    assert api(owner).get(url(torrent, "a.mp4", "stream")).status_code == 200
    assert Encode.objects.count() == 0


def test_another_audio_track_is_another_encode(
    data_node, owner, media_samples, tmp_path, media_dirs
):
    torrent = media_torrent(
        data_node, [owner], tmp_path / "src", {"two.mp4": media_samples["two-audio.mp4"]}
    )
    client = api(owner)
    tracks = client.get(url(torrent, "two.mp4", "playback")).json()["audio_tracks"]
    assert [(t["index"], t["language"], t["channels"]) for t in tracks] == [
        (1, "eng", 1),
        (2, "fra", 2),
    ]
    assert tracks[1]["hls_url"].endswith("/hls/index.m3u8?audio=2")
    french = _finished(client, tracks[1]["hls_url"])
    first = _finished(client, url(torrent, "two.mp4", "hls/index.m3u8"))
    assert ffprobe_channels(_joined(client, french, tmp_path / "fr.ts")) == [2]
    assert ffprobe_channels(_joined(client, first, tmp_path / "en.ts")) == [1]
    assert sorted(Encode.objects.values_list("audio_stream", flat=True)) == [-1, 2]
    assert _finished(client, tracks[0]["hls_url"])  # the first, asked by its index: a third
    for bad in ("audio=0", "audio=7", "audio=x"):  # 0 is the video stream
        address = url(torrent, "two.mp4", f"hls/index.m3u8?{bad}")
        assert client.get(address).status_code == 400, bad
