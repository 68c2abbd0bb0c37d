"""What metadata adds to the pages: the poster card on the torrent page (title, year, overview,
each video's duration, resolution and codecs), the small poster and title in the list's rows,
read in one query for the page whatever its number of rows."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media.models import MediaTitle
from media.panels_metadata import duration_text, media_row_titles
from media.services.metadata import torrent_metadata_read
from media.tests.metadata_support import completed_torrent, data_node, media_dir, samples  # noqa: F401
from torrents import page_panels
from torrents.tests.pages_support import client_for, make_rows

FILM = "Big.Buck.Bunny.2008.1080p.BluRay.x264"


@pytest.fixture
def film(data_node, owner, samples, media_dir):  # noqa: F811
    torrent = completed_torrent(
        data_node, [owner], name=FILM, files={f"{FILM}.mp4": samples["mp4"]}
    )
    torrent_metadata_read(torrent_id=torrent.pk)
    MediaTitle.objects.filter(torrent=torrent).update(overview="A rabbit's revenge.")
    return torrent


def test_the_torrent_page_shows_the_poster_title_and_each_video(film, owner):
    html = client_for(owner).get(f"/torrents/{film.pk}/").content.decode()
    header = html.split('data-testid="media-header"', 1)[1].split("</section>", 1)[0]
    assert f'src="/api/torrents/{film.pk}/poster"' in header
    assert "Big Buck Bunny" in header
    assert "(2008)" in header
    assert "A rabbit&#x27;s revenge." in header
    assert f"{FILM}.mp4" in header
    assert "0:03 · 320\u00d7240 · h264 / aac" in header
    # Above the file table, below the title.
    assert html.index('data-testid="media-header"') < html.index('id="files"')


def test_a_torrent_without_metadata_has_no_card(data_node, owner, samples, media_dir):  # noqa: F811
    torrent = completed_torrent(data_node, [owner], name="x.bin", files={"x.bin": samples["text"]})
    html = client_for(owner).get(f"/torrents/{torrent.pk}/").content.decode()
    assert "media-header" not in html


def test_the_list_shows_the_title_and_a_small_poster(film, owner):
    html = client_for(owner).get("/").content.decode()
    row = re.search(rf'<tr id="t-{film.pk}".*?</tr>', html, re.S).group(0)
    assert 'data-testid="media-row"' in row
    assert f'<img class="media-thumb" src="/api/torrents/{film.pk}/poster"' in row
    assert "Big Buck Bunny (2008)" in row


def test_a_title_found_after_the_list_was_shown_shows_at_once(data_node, owner, samples, media_dir):  # noqa: F811
    torrent = completed_torrent(
        data_node, [owner], name=FILM, files={f"{FILM}.mp4": samples["mp4"]}
    )
    client = client_for(owner)
    assert "Big Buck Bunny (2008)" not in client.get("/").content.decode()  # its table kept
    torrent_metadata_read(torrent_id=torrent.pk)
    assert "Big Buck Bunny (2008)" in client.get("/").content.decode()


def _list_queries(client) -> int:
    """The queries of a list page rendered anew (nothing kept from the last)."""
    caches["rows"].clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


def test_the_list_reads_titles_in_one_query_for_the_page(owner, monkeypatch):
    rows = make_rows([owner], 30)
    client = client_for(owner)
    _list_queries(client)  # warm: session, caches
    without = list(page_panels._ROW_EXTRAS)
    assert media_row_titles in without
    monkeypatch.setattr(
        page_panels, "_ROW_EXTRAS", [f for f in without if f is not media_row_titles]
    )
    before = _list_queries(client)
    monkeypatch.setattr(page_panels, "_ROW_EXTRAS", without)
    untitled = _list_queries(client)
    MediaTitle.objects.bulk_create(
        MediaTitle(torrent=t, title=f"Film {i}", year=2000 + i) for i, t in enumerate(rows[:5])
    )
    few = _list_queries(client)
    MediaTitle.objects.bulk_create(
        MediaTitle(torrent=t, title=f"Film {i}", year=1990) for i, t in enumerate(rows[5:])
    )
    caches["rows"].clear()  # written behind the services' back: nothing stamped
    html = client.get("/").content.decode()
    assert html.count('data-testid="media-row"') == 30
    many = _list_queries(client)
    assert untitled <= before + 1
    assert few == many == untitled


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, ""), (3.04, "0:03"), (65, "1:05"), (3723.6, "1:02:04")]
)
def test_durations_read_as_clock_times(seconds, text):
    assert duration_text(seconds) == text
