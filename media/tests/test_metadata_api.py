"""The metadata API and the posters: owner and admin see them, another user gets 404, anonymous
401; posters are JPEGs served inline with a private cache; no poster is a 404."""

import pytest

from media.models import MediaFile, MediaTitle
from media.services.metadata import torrent_metadata_read
from media.tests.metadata_support import completed_torrent, data_node, media_dir, samples  # noqa: F401
from seedbox.testing import api_client as api
from torrents.tests.pages_support import client_for

FILM = "Big.Buck.Bunny.2008.1080p.BluRay.x264"


@pytest.fixture
def film(data_node, owner, samples, media_dir):  # noqa: F811
    torrent = completed_torrent(
        data_node,
        [owner],
        name=FILM,
        files={f"{FILM}.mp4": samples["mp4"], "theme.mp3": samples["mp3"]},
    )
    torrent_metadata_read(torrent_id=torrent.pk)
    return torrent


def _ids(torrent) -> dict[str, int]:
    return {f.path: f.pk for f in torrent.files.all()}


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_personas_on_every_metadata_endpoint(film, owner, other, admin):
    video = _ids(film)[f"{FILM}.mp4"]
    urls = [
        f"/api/torrents/{film.pk}/media",
        f"/api/torrents/{film.pk}/poster",
        f"/api/torrents/{film.pk}/files/{video}/poster",
    ]
    for url in urls:
        assert api(owner).get(url).status_code == 200, url
        assert api(admin).get(url).status_code == 200, url
        assert api(other).get(url).status_code == 404, url
        assert api(None).get(url).status_code == 401, url


def test_the_media_answer_has_the_title_and_each_files_probe(film, owner):
    answer = api(owner).get(f"/api/torrents/{film.pk}/media").json()
    assert (answer["title"], answer["year"], answer["type"], answer["source"]) == (
        "Big Buck Bunny",
        2008,
        "movie",
        "parsed",
    )
    assert answer["poster_url"] == f"http://testserver/api/torrents/{film.pk}/poster"
    files = {f["path"]: f for f in answer["files"]}
    video, audio = files[f"{FILM}.mp4"], files["theme.mp3"]
    assert (video["kind"], video["width"], video["height"]) == ("video", 320, 240)
    assert (video["video_codec"], video["audio_codec"], video["hls_mode"]) == (
        "h264",
        "aac",
        "remux",
    )
    assert video["browser_playable"] is True
    assert 2.9 <= video["duration_seconds"] <= 3.2
    assert video["audio_tracks"][0]["codec"] == "aac"
    assert video["poster_url"].endswith(f"/api/torrents/{film.pk}/files/{video['id']}/poster")
    assert (audio["kind"], audio["poster_url"], audio["width"]) == ("audio", None, None)


def test_before_the_task_the_answer_is_empty_not_an_error(data_node, owner, samples, media_dir):  # noqa: F811
    torrent = completed_torrent(data_node, [owner], name="a.mp4", files={"a.mp4": samples["mp4"]})
    answer = api(owner).get(f"/api/torrents/{torrent.pk}/media").json()
    assert (answer["title"], answer["poster_url"], answer["files"]) == (None, None, [])
    assert api(owner).get(f"/api/torrents/{torrent.pk}/poster").status_code == 404
    file_id = torrent.files.get().pk
    assert api(owner).get(f"/api/torrents/{torrent.pk}/files/{file_id}/poster").status_code == 404


def test_posters_are_inline_jpegs_with_a_private_cache(film, owner):
    for url in (
        f"/api/torrents/{film.pk}/poster",
        f"/api/torrents/{film.pk}/files/{_ids(film)[f'{FILM}.mp4']}/poster",
    ):
        response = api(owner).get(url)
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"].startswith("inline")
        assert response["Cache-Control"] == "private, max-age=86400"
        assert _body(response).startswith(b"\xff\xd8")
        again = api(owner).get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304


def test_no_poster_or_a_file_of_another_torrent_is_404(film, owner, data_node, samples):  # noqa: F811
    audio = _ids(film)["theme.mp3"]
    assert api(owner).get(f"/api/torrents/{film.pk}/files/{audio}/poster").status_code == 404
    theirs = completed_torrent(data_node, [owner], name="b.mp4", files={"b.mp4": samples["mp4"]})
    torrent_metadata_read(torrent_id=theirs.pk)
    foreign = theirs.files.get().pk
    assert api(owner).get(f"/api/torrents/{film.pk}/files/{foreign}/poster").status_code == 404
    assert api(owner).get(f"/api/torrents/{film.pk}/files/999999/poster").status_code == 404


def test_the_admin_shows_media_rows_read_only(film, admin):
    client = client_for(admin)
    media = MediaFile.objects.filter(file__torrent=film).first()
    title = MediaTitle.objects.get(torrent=film)
    for model, row in (("mediafile", media), ("mediatitle", title)):
        listing = client.get(f"/admin/media/{model}/")
        assert listing.status_code == 200
        assert client.get(f"/admin/media/{model}/{row.pk}/change/").status_code == 200
        assert client.get(f"/admin/media/{model}/add/").status_code == 403
        assert (
            client.post(f"/admin/media/{model}/{row.pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
    assert "Big Buck Bunny" in client.get("/admin/media/mediatitle/").content.decode()
    assert MediaTitle.objects.filter(pk=title.pk).exists()
