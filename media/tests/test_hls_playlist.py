"""The playlist made from the segments ffmpeg has completed (media/ffmpeg.py): named with their
duration once complete, the one being written left out, the target duration covers every
segment, ENDLIST only once ffmpeg ended well. Files named here the way ffmpeg's HLS muxer names
them; the last test runs the real ffmpeg and compares with its own playlist."""

import re
import subprocess

import pytest

from media import ffmpeg
from media.models import HlsMode
from media.tests.stream_support import SECONDS


def _written(directory, *names: str) -> None:
    for name in names:
        (directory / name).write_bytes(b"G")


def test_nothing_before_the_first_segment_is_complete(tmp_path):
    assert ffmpeg.hls_playlist(tmp_path / "not-made-yet") is None
    assert ffmpeg.hls_playlist(tmp_path) is None
    _written(tmp_path, "seg00000-0.ts", "progress")  # being written: its duration not known yet
    assert ffmpeg.hls_playlist(tmp_path) is None


def test_the_completed_segments_are_an_event_playlist_in_order(tmp_path):
    _written(tmp_path, "seg00001-4000000.ts", "seg00000-4080000.ts", "seg00002-0.ts")
    _written(tmp_path, "seg00004-4000000.ts")  # after a gap: not listed (never made by ffmpeg)
    text = ffmpeg.hls_playlist(tmp_path)
    assert text.splitlines() == [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:4",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        "#EXTINF:4.080000,",
        "seg00000-4080000.ts",
        "#EXTINF:4.000000,",
        "seg00001-4000000.ts",
    ]
    (tmp_path / ffmpeg.EXIT).write_text("")  # the launcher is writing the status: not ended
    assert "#EXT-X-ENDLIST" not in ffmpeg.hls_playlist(tmp_path)
    assert ffmpeg.exit_status(tmp_path) is None


def test_endlist_once_ffmpeg_ended_well_and_a_long_segment_raises_the_target(tmp_path):
    _written(tmp_path, "seg00000-4000000.ts", "seg00001-9600000.ts")
    (tmp_path / ffmpeg.EXIT).write_text("1\n")
    failed = ffmpeg.hls_playlist(tmp_path)
    assert "#EXT-X-ENDLIST" not in failed  # a failed encode is not a whole film
    assert "#EXT-X-TARGETDURATION:10" in failed  # 9.6 s rounds to 10
    (tmp_path / ffmpeg.EXIT).write_text("0\n")
    assert ffmpeg.hls_playlist(tmp_path).endswith("seg00001-9600000.ts\n#EXT-X-ENDLIST\n")


def test_a_directory_with_a_percent_sign_is_refused(tmp_path, media_samples):
    job = ffmpeg.HlsJob(media_samples["h264.mp4"], tmp_path / "50%d", HlsMode.REMUX)
    with pytest.raises(ValueError, match="%"):
        ffmpeg.hls_command(job)


@pytest.mark.parametrize("mode", [HlsMode.REMUX, HlsMode.TRANSCODE])
def test_the_playlist_lists_what_ffmpeg_itself_lists(tmp_path, media_samples, mode):
    """The real ffmpeg: the segments and durations of our playlist are those of the VOD
    playlist ffmpeg writes at its end, and the segment muxer (20% more CPU on a remux) is not
    what makes them."""
    source = media_samples["h264.mp4" if mode == HlsMode.REMUX else "mpeg4.avi"]
    command = ffmpeg.hls_command(ffmpeg.HlsJob(source, tmp_path, mode))
    assert command[command.index("-f", command.index("-i")) + 1] == "hls"
    subprocess.run(command, check=True, timeout=120)
    (tmp_path / ffmpeg.EXIT).write_text("0\n")
    ours = ffmpeg.hls_playlist(tmp_path)
    theirs = (tmp_path / ffmpeg.PLAYLIST).read_text()

    def listed(text: str) -> list[tuple[str, str]]:
        return re.findall(r"#EXTINF:([0-9.]+),\n(\S+)\n", text)

    assert listed(ours) == listed(theirs)
    assert sum(float(seconds) for seconds, _ in listed(ours)) == pytest.approx(SECONDS, abs=0.3)
    assert ours.endswith("#EXT-X-ENDLIST\n")
