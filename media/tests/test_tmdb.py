"""TMDB from its recorded answers (tmdb_responses/, TMDB's documented shapes) served by a
loopback HTTP server through the site's fetcher: a film found, a TV episode, no match, and
every failure (401, 404, 429, a timeout, an address the fetcher refuses) kept on the row
without failing the task."""

from urllib.parse import parse_qs, urlsplit

import pytest

from media.models import MediaTitle
from media.services.metadata import torrent_metadata_read
from media.services.posters import poster_absolute
from media.tests.metadata_support import (  # noqa: F401  (fixtures)
    API_KEY,
    completed_torrent,
    data_node,
    media_dir,
    recorded,
    samples,
    tmdb,
)
from media.tmdb import movie_search, tv_episode, tv_search

FILM = "Big.Buck.Bunny.2008.1080p.BluRay.x264"


@pytest.fixture
def film(data_node, owner, samples, media_dir):  # noqa: F811
    return completed_torrent(
        data_node, [owner], name=f"{FILM}.mkv", files={f"{FILM}.mkv": samples["mp4"]}
    )


def _searches(server, path: str) -> list[dict]:
    return [
        {k: v[0] for k, v in parse_qs(urlsplit(r).query).items()}
        for r in server.requests
        if urlsplit(r).path == path
    ]


def test_the_client_reads_the_documented_shapes(tmdb):  # noqa: F811
    found = movie_search(title="Big Buck Bunny", year=2008)
    answer = recorded("search_movie.json")["results"][0]
    assert (found.tmdb_id, found.title, found.year) == (answer["id"], answer["title"], 2008)
    assert (found.overview, found.poster_path) == (answer["overview"], answer["poster_path"])
    show = tv_search(title="Breaking Bad")
    assert (show.tmdb_id, show.title, show.year) == (1396, "Breaking Bad", 2008)
    episode = tv_episode(tv_id=1396, season=4, episode=4)
    assert episode.name == "Bullet Points"
    assert movie_search(title="Nothing Like This") is None


def test_a_film_is_found_and_its_poster_fetched_once(film, tmdb, samples):  # noqa: F811
    torrent_metadata_read(torrent_id=film.pk)
    title = MediaTitle.objects.get(torrent=film)
    assert (title.source, title.tmdb_id, title.title, title.year) == (
        "tmdb",
        10378,
        "Big Buck Bunny",
        2008,
    )
    assert title.overview.startswith("Follow a day of the life of Big Buck Bunny")
    assert title.error == ""
    assert title.looked_up_at is not None
    assert title.poster == f"posters/{film.pk}/tmdb-10378.jpg"
    assert poster_absolute(title.poster).read_bytes() == samples["jpeg"].read_bytes()
    (search,) = _searches(tmdb, "/3/search/movie")
    assert (search["query"], search["year"], search["api_key"]) == (
        "Big Buck Bunny",
        "2008",
        API_KEY,
    )
    film.refresh_from_db()
    assert film.search_terms == "Big Buck Bunny 2008"

    torrent_metadata_read(torrent_id=film.pk)  # again: TMDB is not asked again
    assert len(_searches(tmdb, "/3/search/movie")) == 1
    assert [r for r in tmdb.requests if r.startswith("/t/p/")] == [
        "/t/p/w500/i9jJzvoXET4D9pOkoEwncSdNNER.jpg"
    ]


def test_a_tv_episode_is_found_with_its_own_overview(data_node, owner, samples, tmdb):  # noqa: F811
    name = "Breaking.Bad.S04E04.720p.HDTV.x264"
    torrent = completed_torrent(
        data_node, [owner], name=name, files={f"{name}.mkv": samples["mp4"]}
    )
    torrent_metadata_read(torrent_id=torrent.pk)
    title = MediaTitle.objects.get(torrent=torrent)
    assert (title.source, title.tmdb_id, title.title, title.media_type) == (
        "tmdb",
        1396,
        "Breaking Bad",
        "episode",
    )
    assert (title.season, title.episode, title.year) == (4, 4, 2008)
    assert title.overview == recorded("tv_episode.json")["overview"]
    assert "/3/tv/1396/season/4/episode/4" in [urlsplit(r).path for r in tmdb.requests]
    assert title.poster == f"posters/{torrent.pk}/tmdb-1396.jpg"


def test_an_episode_tmdb_does_not_know_keeps_the_series_and_says_why(
    data_node,  # noqa: F811
    owner,
    samples,  # noqa: F811
    tmdb,  # noqa: F811
):
    name = "Breaking.Bad.S09E99.720p.HDTV"
    torrent = completed_torrent(
        data_node, [owner], name=name, files={f"{name}.mkv": samples["mp4"]}
    )
    assert torrent_metadata_read(torrent_id=torrent.pk)
    title = MediaTitle.objects.get(torrent=torrent)
    assert (title.tmdb_id, title.title) == (1396, "Breaking Bad")
    assert "404" in title.error
    assert title.overview == recorded("search_tv.json")["results"][0]["overview"]


def test_no_match_keeps_the_parsed_name_and_the_frame(data_node, owner, samples, tmdb):  # noqa: F811
    name = "Unknown.Home.Movie.1999.DVDRip"
    torrent = completed_torrent(
        data_node, [owner], name=name, files={f"{name}.mp4": samples["mp4"]}
    )
    torrent_metadata_read(torrent_id=torrent.pk)
    title = MediaTitle.objects.get(torrent=torrent)
    assert (title.source, title.title, title.year, title.tmdb_id) == (
        "parsed",
        "Unknown Home Movie",
        1999,
        None,
    )
    assert "found nothing" in title.error
    assert title.poster == f"posters/{torrent.pk}/file-{torrent.files.get().pk}.jpg"
    assert poster_absolute(title.poster) is not None


@pytest.mark.parametrize(
    ("failure", "said"),
    [(401, "HTTP 401"), (404, "HTTP 404"), (429, "HTTP 429"), ("timeout", "in time")],
)
def test_tmdb_failures_are_recorded_and_never_fail_the_task(film, tmdb, failure, said):  # noqa: F811
    tmdb.fail_with = failure
    assert "title 'Big Buck Bunny' (parsed)" in torrent_metadata_read(torrent_id=film.pk)
    title = MediaTitle.objects.get(torrent=film)
    assert said in title.error
    assert (title.source, title.title, title.year) == ("parsed", "Big Buck Bunny", 2008)
    assert poster_absolute(title.poster) is not None  # the frame serves
    # TMDB answers later: the next run finds it.
    tmdb.fail_with = None
    torrent_metadata_read(torrent_id=film.pk)
    title.refresh_from_db()
    assert (title.source, title.tmdb_id, title.error) == ("tmdb", 10378, "")


def test_a_wrong_key_is_tmdbs_401_recorded(film, tmdb, settings):  # noqa: F811
    settings.SEEDBOX_TMDB_API_KEY = "not-the-key"
    torrent_metadata_read(torrent_id=film.pk)
    assert "HTTP 401" in MediaTitle.objects.get(torrent=film).error


def test_the_fetcher_refuses_private_addresses_unless_allowed(film, tmdb, settings):  # noqa: F811
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = False
    torrent_metadata_read(torrent_id=film.pk)
    assert "not fetched" in MediaTitle.objects.get(torrent=film).error
    assert tmdb.requests == []


def test_without_a_key_tmdb_is_never_asked(film, tmdb, settings):  # noqa: F811
    settings.SEEDBOX_TMDB_API_KEY = ""
    torrent_metadata_read(torrent_id=film.pk)
    title = MediaTitle.objects.get(torrent=film)
    assert (title.source, title.error, title.looked_up_at) == ("parsed", "", None)
    assert tmdb.requests == []


def test_music_is_not_looked_up_as_a_film(data_node, owner, samples, tmdb):  # noqa: F811
    name = "Artist - Album (2001)"
    torrent = completed_torrent(
        data_node, [owner], name=name, files={"01 - Song.mp3": samples["mp3"]}
    )
    torrent_metadata_read(torrent_id=torrent.pk)
    title = MediaTitle.objects.get(torrent=torrent)
    assert (title.media_type, title.source) == ("", "parsed")
    assert tmdb.requests == []
