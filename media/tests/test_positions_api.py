"""Resume positions through the API: the four personas (owner, another user 404, an admin who
keeps their own, anonymous 401), bad values a clear 400, and what the player offers back."""

import pytest

from media.models import PlaybackPosition
from media.tests.player_support import torrent_with_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def film(user):
    torrent, files = torrent_with_files(user, ["Film (2020)/film.mkv", "Film (2020)/notes.txt"])
    return torrent, files["Film (2020)/film.mkv"]


def url(torrent, file) -> str:
    return f"/api/torrents/{torrent.pk}/files/{file.pk}/position"


def test_the_owner_saves_and_reads_back_their_position(film, user, api_client_for):
    torrent, file = film
    client = api_client_for(user)
    fresh = client.get(url(torrent, file))
    assert fresh.status_code == 200
    assert fresh.json() == {
        "position_seconds": 0.0,
        "duration_seconds": None,
        "resume_from": None,
        "updated_at": None,
    }
    saved = client.put(
        url(torrent, file), {"position_seconds": 754.5, "duration_seconds": 5400}, format="json"
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["resume_from"] == 754.5
    again = client.put(
        url(torrent, file), {"position_seconds": 800, "duration_seconds": 5400}, format="json"
    )
    assert again.status_code == 200
    body = client.get(url(torrent, file)).json()
    assert (body["position_seconds"], body["duration_seconds"]) == (800.0, 5400.0)
    assert body["resume_from"] == 800.0
    assert body["updated_at"]
    assert PlaybackPosition.objects.filter(user=user, file=file).count() == 1  # replaced


def test_near_the_end_it_is_finished_and_offers_no_resume(film, user, api_client_for):
    torrent, file = film
    client = api_client_for(user)
    body = client.put(
        url(torrent, file), {"position_seconds": 5390, "duration_seconds": 5400}, format="json"
    )
    assert body.json()["resume_from"] is None
    body = client.put(
        url(torrent, file), {"position_seconds": 3, "duration_seconds": 5400}, format="json"
    )
    assert body.json()["resume_from"] is None  # hardly started


def test_another_user_gets_404_and_an_admin_keeps_their_own(
    film, user, other_user, admin_user, api_client_for
):
    torrent, file = film
    api_client_for(user).put(url(torrent, file), {"position_seconds": 100}, format="json")
    other = api_client_for(other_user)
    assert other.get(url(torrent, file)).status_code == 404
    assert other.put(url(torrent, file), {"position_seconds": 5}, format="json").status_code == 404
    admin = api_client_for(admin_user)
    assert admin.get(url(torrent, file)).json()["position_seconds"] == 0.0  # not the owner's
    assert admin.put(url(torrent, file), {"position_seconds": 42}, format="json").status_code == 200
    assert api_client_for(user).get(url(torrent, file)).json()["position_seconds"] == 100.0
    assert PlaybackPosition.objects.get(user=admin_user, file=file).position_seconds == 42.0


def test_anonymous_gets_401(film, api_client_for):
    torrent, file = film
    anonymous = api_client_for(None)
    assert anonymous.get(url(torrent, file)).status_code == 401
    assert (
        anonymous.put(url(torrent, file), {"position_seconds": 5}, format="json").status_code == 401
    )
    assert not PlaybackPosition.objects.exists()


def test_a_file_of_another_torrent_or_none_is_404(film, user, api_client_for):
    torrent, _ = film
    _other_torrent, other_files = torrent_with_files(user, ["b.mkv"])
    client = api_client_for(user)
    assert client.get(url(torrent, other_files["b.mkv"])).status_code == 404
    assert client.get(f"/api/torrents/{torrent.pk}/files/999999/position").status_code == 404
    assert client.get("/api/torrents/999999/files/1/position").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"position_seconds": -1},
        {"position_seconds": "soon"},
        {"position_seconds": None},
        {"position_seconds": 1e12},
        {"position_seconds": 10, "duration_seconds": 0},
        {"position_seconds": 10, "duration_seconds": -5},
        {"position_seconds": 500, "duration_seconds": 100},  # past the end
    ],
)
def test_bad_values_are_a_clear_400(film, user, api_client_for, body):
    torrent, file = film
    response = api_client_for(user).put(url(torrent, file), body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()  # says why
    assert not PlaybackPosition.objects.exists()


def test_a_body_that_is_not_a_json_object_is_400(film, user, api_client_for):
    torrent, file = film
    client = api_client_for(user)
    for raw in ("[1, 2]", "12", "NaN", '{"position_seconds": NaN}', "{"):
        response = client.put(url(torrent, file), raw, content_type="application/json")
        assert response.status_code == 400, (raw, response.content)
    assert not PlaybackPosition.objects.exists()
