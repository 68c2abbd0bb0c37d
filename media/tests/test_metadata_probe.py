"""The metadata task's reading of files: ffprobe on media made by ffmpeg, poster frames,
guessit names, what is left alone (skipped, not on disk, not media-named), the bound on the
work, safe to run twice; the completed event queueing it through the real broker; the
backfill command."""

import io

import pytest
from django.core.management import call_command
from PIL import Image

from events.kinds import EventKind
from events.services import event_dispatch, event_record
from media.guess import Guess, name_guess
from media.models import MediaFile, MediaKind, MediaTitle
from media.services.metadata import METADATA_TASK, torrent_metadata_read
from media.services.posters import poster_absolute
from media.tasks.metadata import torrent_metadata
from media.tests.metadata_support import completed_torrent, data_node, media_dir, samples  # noqa: F401
from notifications.tests.support import broker  # noqa: F401
from seedbox.testing import committed
from torrents.models import Torrent
from torrents.tests.intake_support import _broker_messages

FILM = "Big.Buck.Bunny.2008.1080p.BluRay.x264"


@pytest.fixture
def film(data_node, owner, samples, media_dir):  # noqa: F811
    return completed_torrent(
        data_node,
        [owner],
        name=FILM,
        files={
            f"{FILM}.mp4": samples["mp4"],
            "Soundtrack/01 - Theme.mp3": samples["mp3"],
            "notes.mkv": samples["text"],  # named like a video; ffprobe refuses it
            "readme.txt": samples["text"],  # not media-named: never tried
            "missing.mkv": None,  # not on disk
            "extra.mkv": samples["mp4"],  # skipped by its owners
        },
        skipped=("extra.mkv",),
    )


def _rows(torrent) -> dict[str, MediaFile]:
    return {m.file.path: m for m in MediaFile.objects.filter(file__torrent=torrent)}


def test_ffprobe_reads_video_and_audio_and_records_what_it_refuses(film, settings):
    settings.SEEDBOX_POSTER_WIDTH = 160
    outcome = torrent_metadata_read(torrent_id=film.pk)
    assert outcome.startswith("2 probed, 1 unreadable, 1 not on disk")
    rows = _rows(film)
    assert set(rows) == {f"{FILM}.mp4", "Soundtrack/01 - Theme.mp3", "notes.mkv"}

    video = rows[f"{FILM}.mp4"]
    assert (video.kind, video.width, video.height) == (MediaKind.VIDEO, 320, 240)
    assert (video.video_codec, video.audio_codec) == ("h264", "aac")
    assert 2.9 <= video.duration_seconds <= 3.2
    assert video.bit_rate > 0
    assert "mp4" in video.container.split(",")
    assert video.browser_playable is True
    assert video.hls_mode == "remux"
    assert [t["codec"] for t in video.audio_tracks] == ["aac"]
    assert video.subtitle_tracks == []
    assert video.error == ""
    assert video.probed_at is not None
    # The poster frame: a JPEG under SEEDBOX_MEDIA_DIR/posters, scaled to the set width.
    poster = poster_absolute(video.poster)
    assert poster is not None
    assert poster.is_relative_to(settings.SEEDBOX_MEDIA_DIR / "posters")
    with Image.open(poster) as image:
        assert image.format == "JPEG"
        assert image.size == (160, 120)
    # guessit's reading of the file's own name.
    assert (video.title, video.year, video.media_type) == ("Big Buck Bunny", 2008, "movie")

    audio = rows["Soundtrack/01 - Theme.mp3"]
    assert (audio.kind, audio.audio_codec, audio.video_codec) == (MediaKind.AUDIO, "mp3", "")
    assert audio.width is None
    assert audio.browser_playable is True
    assert audio.poster == ""

    text = rows["notes.mkv"]
    assert text.error  # ffprobe's own words
    assert text.kind == MediaKind.OTHER
    assert text.probed_at is not None
    assert (text.duration_seconds, text.browser_playable, text.poster) == (None, False, "")


def test_the_torrents_title_is_its_parsed_name_without_tmdb(film):
    torrent_metadata_read(torrent_id=film.pk)
    title = MediaTitle.objects.get(torrent=film)
    assert (title.source, title.title, title.year, title.media_type) == (
        "parsed",
        "Big Buck Bunny",
        2008,
        "movie",
    )
    assert title.looked_up_at is None  # no key: TMDB is not asked
    video = MediaFile.objects.get(file__torrent=film, file__path=f"{FILM}.mp4")
    assert title.poster == video.poster  # the main video's frame serves
    film.refresh_from_db()
    assert film.search_terms == "Big Buck Bunny 2008"


def test_running_twice_keeps_one_row_per_file_and_makes_the_poster_once(film):
    torrent_metadata_read(torrent_id=film.pk)
    video = MediaFile.objects.get(file__torrent=film, file__path=f"{FILM}.mp4")
    made = poster_absolute(video.poster).stat().st_mtime_ns
    torrent_metadata_read(torrent_id=film.pk)
    assert MediaFile.objects.filter(file__torrent=film).count() == 3
    assert MediaTitle.objects.filter(torrent=film).count() == 1
    video.refresh_from_db()
    assert poster_absolute(video.poster).stat().st_mtime_ns == made


def test_the_work_is_bounded_to_the_largest_media_files(film, settings):
    settings.SEEDBOX_MEDIA_PROBE_MAX_FILES = 1
    torrent_metadata_read(torrent_id=film.pk)
    assert set(_rows(film)) == {f"{FILM}.mp4"}  # the largest media-named file


def test_an_incomplete_torrent_is_not_read(data_node, owner, samples, media_dir):  # noqa: F811
    torrent = completed_torrent(
        data_node, [owner], name="a.mp4", files={"a.mp4": samples["mp4"]}, completed=False
    )
    assert torrent_metadata_read(torrent_id=torrent.pk) == "not a completed torrent"
    assert not MediaFile.objects.exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (f"{FILM}.mkv", Guess("Big Buck Bunny", 2008, None, None, "movie")),
        ("Show.Name.S01E05.720p.HDTV.mkv", Guess("Show Name", None, 1, 5, "episode")),
        ("Show.Name.S02E01E02.720p.mkv", Guess("Show Name", None, 2, 1, "episode")),
        ("", Guess()),
    ],
)
def test_guessit_names(name, expected):
    assert name_guess(name) == expected


def test_a_season_folder_with_one_episode_takes_its_number(data_node, owner, samples, media_dir):  # noqa: F811
    torrent = completed_torrent(
        data_node,
        [owner],
        name="Show.Name.S01.720p.HDTV",
        files={"Show.Name.S01E05.720p.HDTV.mkv": samples["mp4"]},
    )
    torrent_metadata_read(torrent_id=torrent.pk)
    title = MediaTitle.objects.get(torrent=torrent)
    assert (title.title, title.season, title.episode, title.media_type) == (
        "Show Name",
        1,
        5,
        "episode",
    )
    media = MediaFile.objects.get(file__torrent=torrent)
    assert (media.season, media.episode, media.media_type) == (1, 5, "episode")


def test_the_completed_event_queues_the_task_which_fills_the_rows(film, owner, broker):  # noqa: F811
    event = committed(
        lambda: event_record(
            EventKind.TORRENT_COMPLETED,
            torrent=film,
            users=[owner.pk],
            payload={"name": film.name, "torrent_id": film.pk},
        )
    )
    assert committed(lambda: event_dispatch(event_id=event.pk)) == "dispatched"
    queued = [args for task, args, _ in _broker_messages() if task == METADATA_TASK]
    assert queued == [[film.pk]]
    assert not MediaFile.objects.exists()  # nothing is read in the event's handler
    torrent_metadata.run(*queued[0])
    torrent_metadata.run(*queued[0])  # delivered twice: the same rows
    assert set(_rows(film)) == {f"{FILM}.mp4", "Soundtrack/01 - Theme.mp3", "notes.mkv"}
    assert MediaTitle.objects.get(torrent=film).title == "Big Buck Bunny"


def test_backfill_reads_completed_torrents_without_rows(film, data_node, owner, samples):  # noqa: F811
    other = completed_torrent(data_node, [owner], name="b.mp3", files={"b.mp3": samples["mp3"]})
    pending = completed_torrent(
        data_node, [owner], name="c.mp4", files={"c.mp4": samples["mp4"]}, completed=False
    )
    call_command("media_backfill", stdout=(out := io.StringIO()))
    assert "2 torrent(s) read" in out.getvalue()
    assert MediaFile.objects.filter(file__torrent=other).count() == 1
    assert not MediaFile.objects.filter(file__torrent=pending).exists()
    call_command("media_backfill", stdout=(again := io.StringIO()))
    assert "0 torrent(s) read" in again.getvalue()
    assert Torrent.objects.get(pk=other.pk).search_terms
