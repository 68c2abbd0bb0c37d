"""What plays next: a folder's episodes by guessit's season and episode (not the names' order),
else names in natural order (2 before 10); only files of the same kind, in the same folder, not
skipped; what "resume" offers; and the torrent page's Watch/Listen links in one query."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from media.panels_player import player_links
from media.player_selectors import folder_of, natural_key
from media.services.positions import PositionError, position_save, resume_point
from media.tests.player_support import probed, torrent_with_files

pytestmark = pytest.mark.django_db


def names(folder) -> list[str]:
    return [item.file.path for item in folder.items]


def test_episodes_follow_season_and_episode_not_names(user):
    paths = [
        "Show/Show.S02E01.mkv",  # names sort this one first...
        "Show/show.s01e10.mkv",
        "Show/Show - 1x02 - Second.mkv",
        "Show/Show.S01E01.Pilot.mkv",
        "Show/Show.S01E01.en.srt",
    ]
    torrent, files = torrent_with_files(user, paths)
    numbers = {paths[0]: (2, 1), paths[1]: (1, 10), paths[2]: (1, 2), paths[3]: (1, 1)}
    for path, (season, episode) in numbers.items():
        probed(files[path], season=season, episode=episode, media_type="episode")
    probed(files[paths[4]], kind="subtitle")
    folder = folder_of(torrent=torrent, file=files[paths[2]])
    assert names(folder) == [paths[3], paths[2], paths[1], paths[0]]
    assert folder.next.file.path == paths[1]
    assert folder.previous.file.path == paths[3]
    last = folder_of(torrent=torrent, file=files[paths[0]])
    assert last.next is None


def test_without_episode_numbers_names_go_in_natural_order(user):
    paths = ["Album/10 Ten.flac", "Album/2 Two.flac", "Album/1 One.flac", "Album/cover.jpg"]
    paths += ["Album/CD2/1 Other.flac", "Album/booklet.pdf", "Album/9 nine.MP3"]
    torrent, files = torrent_with_files(user, paths)
    folder = folder_of(torrent=torrent, file=files["Album/2 Two.flac"])
    assert names(folder) == [
        "Album/1 One.flac",
        "Album/2 Two.flac",
        "Album/9 nine.MP3",
        "Album/10 Ten.flac",
    ]  # not CD2's track (another folder), not the cover or booklet
    assert folder.index == 1
    assert folder.next.file.path == "Album/9 nine.MP3"


def test_one_file_without_a_number_sorts_them_all_by_name(user):
    paths = ["S/b.S01E01.mkv", "S/a.S01E02.mkv", "S/extra.mkv"]
    torrent, files = torrent_with_files(user, paths)
    probed(files[paths[0]], season=1, episode=1)
    probed(files[paths[1]], season=1, episode=2)
    probed(files[paths[2]])
    assert names(folder_of(torrent=torrent, file=files[paths[0]])) == [
        "S/a.S01E02.mkv",
        "S/b.S01E01.mkv",
        "S/extra.mkv",
    ]


def test_ffprobe_overrules_the_name_and_skipped_files_are_left_out(user):
    paths = ["v/1.mkv", "v/2.mkv", "v/3.mkv", "v/4.mp4"]
    torrent, files = torrent_with_files(user, paths)
    probed(files["v/2.mkv"], kind="other", error="not media")  # looked like video, is not
    files["v/3.mkv"].priority = 0
    files["v/3.mkv"].save()
    probed(files["v/4.mp4"], kind="audio")  # an audio-only .mp4 is not the next episode
    assert names(folder_of(torrent=torrent, file=files["v/1.mkv"])) == ["v/1.mkv"]
    assert folder_of(torrent=torrent, file=files["v/2.mkv"]) is None
    assert names(folder_of(torrent=torrent, file=files["v/3.mkv"])) == ["v/1.mkv", "v/3.mkv"]


def test_files_at_the_top_level_are_one_folder(user):
    torrent, files = torrent_with_files(user, ["b.mp3", "a.mp3", "dir/c.mp3"])
    assert names(folder_of(torrent=torrent, file=files["b.mp3"])) == ["a.mp3", "b.mp3"]


def test_natural_key():
    ordered = sorted(["x10", "X9", "x1b", "x1a", "x01c"], key=natural_key)
    assert ordered == ["x1a", "x1b", "x01c", "X9", "x10"]


@pytest.mark.parametrize(
    ("position", "duration", "offered"),
    [
        (0, 100, None),
        (4.9, None, None),
        (60, None, 60),
        (60, 5400, 60),
        (5390, 5400, None),  # the credits: watched
        (98, 100, None),
        (50, 100, 50),
        (6, 20, 6),  # a short clip: its last tenth is the end
        (18.5, 20, None),
    ],
)
def test_resume_point(position, duration, offered):
    assert resume_point(position_seconds=position, duration_seconds=duration) == offered


def test_position_save_refuses_what_cannot_be(user):
    _torrent, files = torrent_with_files(user, ["a.mkv"])
    file = files["a.mkv"]
    for position, duration in ((-1, None), (float("nan"), None), (float("inf"), None), (5, 0)):
        with pytest.raises(PositionError):
            position_save(
                user=user, file=file, position_seconds=position, duration_seconds=duration
            )
    with pytest.raises(PositionError):
        position_save(user=user, file=file, position_seconds=True)
    assert position_save(user=user, file=file, position_seconds=10.0).position_seconds == 10.0


def test_torrent_page_links_to_the_player_in_one_query(user):
    paths = [f"Show/e{i:02d}.mkv" for i in range(30)] + ["Show/notes.nfo", "Show/theme.flac"]
    paths += ["odd.bin", "sample.mkv", "skipped.mp4"]
    torrent, files = torrent_with_files(user, paths)
    probed(files["odd.bin"], kind="video")  # ffprobe found video in a .bin
    probed(files["sample.mkv"], kind="other")  # and none in this .mkv
    files["skipped.mp4"].priority = 0
    files["skipped.mp4"].save()
    request = RequestFactory().get("/")
    request.user = user
    rows = list(torrent.files.all())
    with CaptureQueriesContext(connection) as queries:
        links = player_links(request, torrent, rows)
    assert len(queries) == 1
    by_path = {f.path: links.get(f.pk, "") for f in rows}
    assert f'href="/media/{torrent.pk}/{files["Show/e00.mkv"].pk}/"' in by_path["Show/e00.mkv"]
    assert ">Watch<" in by_path["Show/e29.mkv"]
    assert ">Listen<" in by_path["Show/theme.flac"]
    assert ">Watch<" in by_path["odd.bin"]
    assert by_path["Show/notes.nfo"] == by_path["sample.mkv"] == by_path["skipped.mp4"] == ""
