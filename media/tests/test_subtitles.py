"""Subtitles become WebVTT through the real ffmpeg: a `.srt` next to the video, and text streams
inside it (subrip in Matroska, mov_text in MP4), listed in the playback JSON and served as
text/vtt; converted once and kept."""

import pytest

from media.tests.stream_support import SRT, file_of, media_torrent, url
from torrents.tests.helpers_sync import api


@pytest.fixture
def show(data_node, owner, media_samples, tmp_path, media_dirs):
    return media_torrent(
        data_node,
        [owner],
        tmp_path / "src",
        {
            "S01/E01.mkv": media_samples["subs.mkv"],
            "S01/E01.en.srt": SRT,
            "S01/E01.fr.ass": "not a subtitle at all",
            "S01/E02.mp4": media_samples["subs.mp4"],
            "S01/E02-other.srt": SRT,  # another stem's
            "E01.srt": SRT,  # another folder
        },
    )


def _text(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_a_srt_next_to_the_video_becomes_webvtt(show, owner, settings):
    body = api(owner).get(url(show, "S01/E01.mkv", "playback")).json()
    srt = file_of(show, "S01/E01.en.srt")
    ass = file_of(show, "S01/E01.fr.ass")
    assert [(s["id"], s["label"], s["language"]) for s in body["subtitles"]] == [
        (f"f{srt.pk}", "en", "en"),
        (f"f{ass.pk}", "fr", "fr"),
        ("s2", "fra", "fra"),
    ]
    response = api(owner).get(body["subtitles"][0]["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    text = _text(response)
    assert text.startswith("WEBVTT")
    assert "00:01.000 --> 00:03.000" in text
    assert "Hello from the side file" in text
    # Converted once: with no ffmpeg it is still served.
    settings.SEEDBOX_FFMPEG_BIN = "/nonexistent/ffmpeg"
    assert api(owner).get(body["subtitles"][0]["url"]).status_code == 200


def test_embedded_subrip_and_mov_text_become_webvtt(show, owner):
    for video in ("S01/E01.mkv", "S01/E02.mp4"):
        body = api(owner).get(url(show, video, "playback")).json()
        inside = [s for s in body["subtitles"] if s["id"].startswith("s")]
        assert [s["language"] for s in inside] == ["fra"], video
        response = api(owner).get(inside[0]["url"])
        assert response.status_code == 200, video
        assert "Hello from the side file" in _text(response), video
    e02 = api(owner).get(url(show, "S01/E02.mp4", "playback")).json()
    assert [s["id"] for s in e02["subtitles"]] == ["s2"]  # E02-other.srt is not E02's


def test_bad_subtitles_are_refused_clearly(show, owner, other):
    ass = file_of(show, "S01/E01.fr.ass")
    broken = api(owner).get(url(show, "S01/E01.mkv", f"subtitles/f{ass.pk}.vtt"))
    assert broken.status_code == 422
    assert broken.json()["detail"]
    mp4 = file_of(show, "S01/E02.mp4")
    for sub_id in ("s0", "s9", f"f{mp4.pk}", "x1", "f", "..", f"f{file_of(show, 'E01.srt').pk}"):
        address = url(show, "S01/E01.mkv", f"subtitles/{sub_id}.vtt")
        assert api(owner).get(address).status_code == 404, sub_id
    srt = file_of(show, "S01/E01.en.srt")
    assert api(other).get(url(show, "S01/E01.mkv", f"subtitles/f{srt.pk}.vtt")).status_code == 404
