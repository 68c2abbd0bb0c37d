"""Per torrent and per file: downloads counted by real downloads, views by view_record, share-link
visits by the links' counters; on the torrent page's panel and in GET /api/torrents/<id>/stats
(owners and admins; 404 for anyone else)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from media.models import ShareLink, ViewVia
from media.services.views import view_record
from stats.panels import usage_panel
from torrents.models import Torrent
from torrents.tests.helpers_sync import add_torrent, api

FILES = {"a.mkv": 70_000, "b.mkv": 1000, "c.txt": 5}


@pytest.fixture
def album(node, owner, tmp_path) -> Torrent:
    return add_torrent(node, [owner], tmp_path, name="album", files=FILES, with_data=True)


def _download(user, torrent, path, **headers) -> int:
    file = torrent.files.get(path=path)
    response = api(user).get(f"/api/torrents/{torrent.pk}/files/{file.pk}/download", **headers)
    b"".join(response.streaming_content)
    return response.status_code


def _share(torrent, owner, *, file=None, visits=0, downloads=0) -> ShareLink:
    return ShareLink.objects.create(
        key=f"k{ShareLink.objects.count()}",
        owner=owner,
        torrent=torrent,
        file=file,
        expires_at=timezone.now() + dt.timedelta(days=1),
        visit_count=visits,
        download_count=downloads,
    )


def test_downloads_views_and_share_visits_per_torrent_and_file(album, owner, other, admin):
    a, b = album.files.get(path="a.mkv"), album.files.get(path="b.mkv")
    assert _download(owner, album, "a.mkv") == 200
    assert _download(admin, album, "a.mkv") == 200
    assert _download(owner, album, "b.mkv") == 200
    # A later range of a download already counted is not another download.
    assert _download(owner, album, "a.mkv", HTTP_RANGE="bytes=100-") == 206
    assert api(owner).get(f"/api/torrents/{album.pk}/download.zip").status_code == 200

    assert view_record(file=a, user=owner) is True
    assert view_record(file=a, user=owner) is False  # the same viewing, within the window
    assert view_record(file=a, user=admin) is True
    assert view_record(file=b, user=None, via=ViewVia.SHARE) is True
    _share(album, owner, file=a, visits=4, downloads=1)
    _share(album, owner, visits=3, downloads=2)  # the whole torrent: not any one file's

    body = api(owner).get(f"/api/torrents/{album.pk}/stats").json()
    assert body["torrent"] == album.pk
    assert body["downloads"] == 4  # three files and one zip
    assert body["views"] == 3
    assert (body["share_links"], body["share_visits"], body["share_downloads"]) == (2, 7, 3)
    files = {f["path"]: f for f in body["files"]}
    assert set(files) == {"a.mkv", "b.mkv"}  # c.txt was never used
    assert (files["a.mkv"]["downloads"], files["a.mkv"]["views"]) == (2, 2)
    assert (files["a.mkv"]["share_visits"], files["a.mkv"]["share_downloads"]) == (4, 1)
    assert (files["b.mkv"]["downloads"], files["b.mkv"]["views"]) == (1, 1)
    assert files["b.mkv"]["share_visits"] == 0
    assert body["files"][0]["path"] == "a.mkv"  # most downloaded first

    assert api(admin).get(f"/api/torrents/{album.pk}/stats").json()["downloads"] == 4
    assert api(other).get(f"/api/torrents/{album.pk}/stats").status_code == 404
    assert api(None).get(f"/api/torrents/{album.pk}/stats").status_code == 401
    assert api(owner).get("/api/torrents/999999/stats").status_code == 404


def test_the_torrent_page_shows_the_panel_from_two_queries(album, owner, django_assert_num_queries):
    a = album.files.get(path="a.mkv")
    assert _download(owner, album, "a.mkv") == 200
    view_record(file=a, user=owner)
    client = Client()
    client.force_login(owner)
    response = client.get(reverse("torrent-page", args=[album.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="usage"' in html
    assert '<dd data-stat="downloads">1</dd>' in html
    assert '<dd data-stat="views">1</dd>' in html
    assert f'<tr data-file="{a.pk}"><td class="path">a.mkv</td><td>1</td><td>1</td>' in html
    album.refresh_from_db()
    with django_assert_num_queries(2):
        usage_panel(None, album)
