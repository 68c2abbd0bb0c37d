"""Search (torrents/search), on whichever database the suite runs on (Postgres: full text;
SQLite: contains): what it finds (names, media titles, file paths, the user's own labels),
that it never finds what the user may not see (file names included), the files a result
names in the API and on the page, the index after intake and after the search terms are set,
and the counts beside the filters agreeing with the rows. Personas: alice, bob (users), boss
(admin), anonymous."""

import re

import pytest
from django.db import transaction

from seedbox.testing import api_client as api
from torrents.metainfo import parse_metainfo
from torrents.models import TorrentFile
from torrents.search.query import normalized, search_text
from torrents.services.intake import torrent_add_metainfo
from torrents.services.labels import torrent_labels_set
from torrents.services.search_terms import torrent_search_terms_set
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import alice, bob, boss  # noqa: F401 (fixtures)
from torrents.tests.pages_support import client_for, offline_node
from torrents.tests.search_support import api_names, page_names, with_files

pytestmark = pytest.mark.django_db


def test_the_search_text_splits_release_names_and_picks_the_prefix():
    assert normalized("Big.Buck.Bunny.2008.1080p_x264-GRP") == "Big Buck Bunny 2008 1080p x264 GRP"
    assert normalized("-cam  a/b") == "-cam a b"  # a leading dash is "not"
    assert search_text("buck bunn").prefix
    assert not search_text("bunny -cam").prefix  # negated
    assert not search_text('"big buck').prefix  # in an open quote
    assert not search_text("bunny or").prefix
    assert not search_text("bunny b").prefix  # too short: matched whole
    assert not search_text("!!!").has_words


def test_finds_names_files_terms_and_only_the_users_own_labels(alice, bob):  # noqa: F811
    movie = with_files([alice, bob], "Big.Buck.Bunny.2008", ["extras/Sintel.Trailer.mkv"])
    with_files([alice], "Unrelated thing")
    torrent_search_terms_set(torrent_id=movie.pk, terms="Orangeblossom")
    torrent_labels_set(user=bob, torrent=movie, names=["zebra"])

    for user in (alice, bob):
        assert api_names(user, "bunny") == [movie.name]
        assert api_names(user, "sintel") == [movie.name]  # a file's path
        assert api_names(user, "orangeblossom") == [movie.name]  # the media title
    # Labels are per user: bob's label finds it for bob, never for alice.
    assert api_names(bob, "zebra") == [movie.name]
    assert api_names(alice, "zebra") == []
    assert page_names(alice, "zebra") == []
    assert page_names(bob, "zebra") == [movie.name]


def test_another_users_torrents_and_file_names_are_never_found(alice, bob, boss):  # noqa: F811
    secret = with_files([bob], "Bob's backup", ["private/Diary.Volcano.txt"])
    with_files([alice], "Alice holiday", ["photos/volcano.jpg"])
    mine = api(alice).get("/api/torrents", {"q": "diary"}).json()
    assert mine["results"] == []
    assert mine["count"] == 0
    assert "Diary" not in client_for(alice).get("/", {"q": "diary"}).content.decode()
    # A word in both: alice sees her own torrent and only her own file.
    rows = api(alice).get("/api/torrents", {"q": "volcano"}).json()["results"]
    assert [r["name"] for r in rows] == ["Alice holiday"]
    assert [f["path"] for f in rows[0]["matched_files"]] == ["photos/volcano.jpg"]
    assert api(alice).get("/api/torrents/counts", {"q": "diary"}).json()["total"] == 0
    # An admin searches everyone's.
    assert api_names(boss, "diary") == [secret.name]
    assert api(None).get("/api/torrents", {"q": "diary"}).status_code in (401, 403)
    assert "Diary" not in client_for(None).get("/", {"q": "diary"}).content.decode()


def test_a_result_names_the_files_it_matched_with_a_link(alice):  # noqa: F811
    torrent = with_files(
        [alice], "Season pack", ["s01/Episode.Pilot.mkv", "s01/Episode.Two.mkv", "notes.txt"]
    )
    pilot = TorrentFile.objects.get(torrent=torrent, index=0)
    rows = api(alice).get("/api/torrents", {"q": "pilot"}).json()["results"]
    assert rows[0]["matched_files"] == [{"id": pilot.pk, "path": "s01/Episode.Pilot.mkv"}]
    many = api(alice).get("/api/torrents", {"q": "episode"}).json()["results"]
    assert [f["path"] for f in many[0]["matched_files"]] == [
        "s01/Episode.Pilot.mkv",
        "s01/Episode.Two.mkv",
    ]
    # Compact rows too; without q no row says anything of files.
    compact = api(alice).get("/api/torrents", {"q": "pilot", "fields": "compact"}).json()
    assert compact["results"][0]["matched_files"][0]["id"] == pilot.pk
    assert "matched_files" not in api(alice).get("/api/torrents").json()["results"][0]

    html = client_for(alice).get("/", {"q": "pilot"}).content.decode()
    link = f'href="/torrents/{torrent.pk}/#file-{pilot.pk}"'
    assert re.search(rf"matched: <a {re.escape(link)}>s01/Episode.Pilot.mkv</a>", html), html
    assert "matched:" not in client_for(alice).get("/").content.decode()
    detail = client_for(alice).get(f"/torrents/{torrent.pk}/").content.decode()
    assert f'id="file-{pilot.pk}"' in detail


def test_files_written_by_intake_are_found(alice, tmp_path):  # noqa: F811
    offline_node()
    metainfo, _, _ = make_torrent(
        tmp_path, "Holiday.Pack", files={"Day.One/Glacier.Walk.mp4": 1000, "readme.txt": 10}
    )
    meta = parse_metainfo(metainfo, max_size=1 << 20, max_files=100)
    with transaction.atomic():
        torrent = torrent_add_metainfo(user=alice, meta=meta)
    rows = api(alice).get("/api/torrents", {"q": "glacier"}).json()["results"]
    assert [r["id"] for r in rows] == [torrent.pk]
    assert [f["path"] for f in rows[0]["matched_files"]] == ["Day.One/Glacier.Walk.mp4"]


def test_search_terms_set_are_found_at_once_and_replaced(alice):  # noqa: F811
    torrent = with_files([alice], "tt0000001.x264")
    assert api_names(alice, "elephants") == []
    torrent_search_terms_set(torrent_id=torrent.pk, terms="Elephants  Dream")
    assert api_names(alice, "elephants") == [torrent.name]
    torrent_search_terms_set(torrent_id=torrent.pk, terms="Cosmos Laundromat")
    assert api_names(alice, "elephants") == []
    assert api_names(alice, "laundromat") == [torrent.name]


def test_counts_with_a_search_agree_with_its_rows(alice, boss):  # noqa: F811
    with_files([alice], "Glacier documentary", status="seeding")
    with_files([alice], "Other", ["glacier/notes.txt"], status="paused")
    with_files([alice], "Nothing here", status="seeding")
    for user in (alice, boss):
        listed = api(user).get("/api/torrents", {"q": "glacier"}).json()
        counts = api(user).get("/api/torrents/counts", {"q": "glacier"}).json()
        assert listed["count"] == counts["total"] == 2
        assert counts["status"] == {"seeding": 1, "paused": 1}
        html = client_for(user).get("/", {"q": "glacier"}).content.decode()
        assert len(re.findall(r'<tr id="t-\d+"', html)) == 2


def test_odd_text_is_an_answer_never_an_error(alice):  # noqa: F811
    with_files([alice], "Plain name")
    for q in ["'", '"', "a'b:*|c & !(", "-", "or", "\\", "%_", "!!!", "x" * 200]:
        assert api(alice).get("/api/torrents", {"q": q}).status_code == 200, q
        assert client_for(alice).get("/", {"q": q}).status_code == 200, q
    assert api(alice).get("/api/torrents", {"q": "x" * 201}).status_code == 400
