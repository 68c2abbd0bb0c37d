"""The links API with the four personas: an owner makes, lists, changes and revokes links
(the URL once, the key kept only as its hash); another user and an admin who does not own the
torrent get 404 for it and for the owner's links; anonymous gets 401."""

import hashlib

import pytest
from django.test import Client

from media.models import DirectLink, ShareLink
from media.tests import links_support
from media.tests.links_support import file_id
from torrents.models import TorrentFile
from torrents.services.file_priorities import SKIP
from torrents.tests.helpers_sync import api

library, media_samples = links_support.library, links_support.media_samples
DIRECT, SHARE = "/api/links/direct", "/api/links/share"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SEEDBOX_SITE_URL = "https://box.example"


def _key(url: str, prefix: str) -> str:
    return url.removeprefix(prefix).split("/")[0]


def test_owner_makes_a_direct_link_whose_url_is_shown_once(library, owner):
    fid = file_id(library, "top.bin")
    made = api(owner).post(
        DIRECT, {"torrent": library.pk, "file": fid, "expires_in_days": 2}, format="json"
    )
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["url"].startswith("https://box.example/d/")
    assert data["url"].endswith("/top.bin")
    key = _key(data["url"], "https://box.example/d/")
    assert len(key) == 43  # token_urlsafe(32)
    row = DirectLink.objects.get(pk=data["id"])
    assert row.key == hashlib.sha256(key.encode()).hexdigest()
    assert key not in row.key
    assert (row.expires_at - row.created_at).days == 1  # 2 days less a moment
    listed = api(owner).get(DIRECT).json()
    assert [link["id"] for link in listed] == [data["id"]]
    assert "url" not in listed[0]
    assert listed[0]["state"] == "alive"
    # The whole torrent and a folder: zip names.
    whole = api(owner).post(DIRECT, {"torrent": library.pk}, format="json").json()
    assert whole["url"].endswith("/library.zip")
    folder = api(owner).post(DIRECT, {"torrent": library.pk, "folder": "album"}, format="json")
    assert folder.json()["url"].endswith("/album.zip")

    assert api(owner).delete(f"{DIRECT}/{data['id']}").status_code == 204
    assert api(owner).get(f"{DIRECT}/{data['id']}").json()["state"] == "revoked"
    assert Client().get(data["url"].removeprefix("https://box.example")).status_code == 404


def test_other_admin_and_anonymous_cannot_link_or_see_the_owners_links(
    library, owner, other, admin
):
    mine = api(owner).post(DIRECT, {"torrent": library.pk}, format="json").json()
    shared = api(owner).post(SHARE, {"torrent": library.pk}, format="json").json()
    body = {"torrent": library.pk, "file": file_id(library, "top.bin")}
    for user in (other, admin):
        client = api(user)
        assert client.post(DIRECT, body, format="json").status_code == 404
        assert client.post(SHARE, body, format="json").status_code == 404
        assert client.get(DIRECT).json() == []
        assert client.get(SHARE).json() == []
        assert client.get(f"{DIRECT}/{mine['id']}").status_code == 404
        assert client.delete(f"{DIRECT}/{mine['id']}").status_code == 404
        assert client.get(f"{SHARE}/{shared['id']}").status_code == 404
        assert (
            client.patch(f"{SHARE}/{shared['id']}", {"password": "x"}, format="json").status_code
            == 404
        )
        assert client.delete(f"{SHARE}/{shared['id']}").status_code == 404
    anonymous = api(None)
    for url in (DIRECT, SHARE, f"{DIRECT}/{mine['id']}", f"{SHARE}/{shared['id']}"):
        assert anonymous.get(url).status_code == 401
    assert anonymous.post(DIRECT, body, format="json").status_code == 401
    assert anonymous.delete(f"{SHARE}/{shared['id']}").status_code == 401
    assert DirectLink.objects.get(pk=mine["id"]).revoked_at is None
    assert ShareLink.objects.get(pk=shared["id"]).password == ""


def test_an_admin_links_a_torrent_they_own(library, admin, node, tmp_path):
    theirs = links_support.add_torrent(node, [admin], tmp_path / "a", name="a.bin", with_data=True)
    assert api(admin).post(DIRECT, {"torrent": theirs.pk}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"expires_in_days": 8}, 400),  # over SEEDBOX_DIRECT_LINK_DAYS (7)
        ({"expires_in_days": 0}, 400),
        ({"folder": "nowhere"}, 400),
        ({"folder": "../album"}, 400),
        ({"folder": "album", "file": "top.bin"}, 400),
        ({"colour": "red"}, 400),
        ({"file": 999_999}, 404),
        ({"torrent": 999_999}, 404),
        ({"torrent": "one"}, 400),
    ],
)
def test_bad_bodies_are_clear_errors(library, owner, body, status):
    fields = {"torrent": library.pk, **body}
    assert api(owner).post(DIRECT, fields, format="json").status_code == status


def test_a_skipped_file_or_a_file_and_folder_together_are_400(library, owner):
    fid = file_id(library, "top.bin")
    both = {"torrent": library.pk, "file": fid, "folder": "album"}
    assert api(owner).post(DIRECT, both, format="json").status_code == 400
    TorrentFile.objects.filter(pk=fid).update(priority=SKIP)
    skipped = api(owner).post(SHARE, {"torrent": library.pk, "file": fid}, format="json")
    assert skipped.status_code == 400
    assert "skipped" in skipped.json()["detail"]


def test_share_links_made_changed_and_revoked(library, owner, settings):
    made = api(owner).post(
        SHARE, {"torrent": library.pk, "folder": "album", "password": "pw"}, format="json"
    )
    assert made.status_code == 201
    data = made.json()
    assert data["url"].startswith("https://box.example/s/")
    assert data["has_password"] is True
    row = ShareLink.objects.get(pk=data["id"])
    assert (
        row.key == hashlib.sha256(_key(data["url"], "https://box.example/s/").encode()).hexdigest()
    )
    over = {"expires_in_days": settings.SEEDBOX_SHARE_LINK_MAX_DAYS + 1}
    assert api(owner).patch(f"{SHARE}/{row.pk}", over, format="json").status_code == 400
    changed = api(owner).patch(
        f"{SHARE}/{row.pk}", {"password": "", "expires_in_days": 1}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["has_password"] is False
    path = data["url"].removeprefix("https://box.example")
    assert "one.mp4" in Client().get(path).content.decode()
    assert api(owner).delete(f"{SHARE}/{row.pk}").status_code == 204
    assert api(owner).get(f"{SHARE}/{row.pk}").json()["state"] == "revoked"
    assert Client().get(path).status_code == 404


def test_a_password_change_shows_in_the_direct_links_state(library, owner):
    made = api(owner).post(DIRECT, {"torrent": library.pk}, format="json").json()
    owner.set_password("changed")
    owner.save()
    link = DirectLink.objects.get(pk=made["id"])
    assert link.user.password == owner.password
    assert api(owner).get(f"{DIRECT}/{made['id']}").json()["state"] == "password changed"
