"""The playlist made from ffmpeg's segment list (media/ffmpeg.py): only whole lines count, the
target duration covers every segment, ENDLIST only once ffmpeg ended well. No ffmpeg here: the
list is written the way ffmpeg's segment muxer writes it (test_hls.py runs the real one)."""

from media import ffmpeg


def _listed(directory, text: str) -> None:
    (directory / ffmpeg.SEGMENT_LIST).write_text(text)


def test_nothing_before_the_first_segment_is_complete(tmp_path):
    assert ffmpeg.hls_playlist(tmp_path) is None
    _listed(tmp_path, "seg00000.ts,0.000000,4.0")  # being written: no newline yet
    assert ffmpeg.hls_playlist(tmp_path) is None


def test_a_growing_list_is_an_event_playlist_of_its_whole_lines(tmp_path):
    _listed(tmp_path, "seg00000.ts,0.000000,4.080000\nseg00001.ts,4.080000,8.080000\nseg0")
    text = ffmpeg.hls_playlist(tmp_path)
    assert text.splitlines() == [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:4",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        "#EXTINF:4.080000,",
        "seg00000.ts",
        "#EXTINF:4.000000,",
        "seg00001.ts",
    ]
    (tmp_path / ffmpeg.EXIT).write_text("")  # the launcher is writing the status: not ended
    assert "#EXT-X-ENDLIST" not in ffmpeg.hls_playlist(tmp_path)
    assert ffmpeg.exit_status(tmp_path) is None


def test_endlist_once_ffmpeg_ended_well_and_a_long_segment_raises_the_target(tmp_path):
    _listed(tmp_path, "seg00000.ts,0.000000,4.000000\nseg00001.ts,4.000000,13.600000\n")
    (tmp_path / ffmpeg.EXIT).write_text("1\n")
    failed = ffmpeg.hls_playlist(tmp_path)
    assert "#EXT-X-ENDLIST" not in failed  # a failed encode is not a whole film
    assert "#EXT-X-TARGETDURATION:10" in failed  # 9.6 s rounds to 10
    (tmp_path / ffmpeg.EXIT).write_text("0\n")
    assert ffmpeg.hls_playlist(tmp_path).endswith("seg00001.ts\n#EXT-X-ENDLIST\n")
