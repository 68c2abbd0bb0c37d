"""Reading torrents through the API: who sees what, filters, and a constant number of queries."""

import pytest

from torrents.models import Node, Ownership, Torrent, TorrentStatus
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import api, post, upload


@pytest.fixture
def node_row(db) -> Node:
    return Node.objects.create(name="n", rpc_url="scgi:///nowhere.sock", data_root="/tmp/n")


def make(node: Node, owner, name: str, status=TorrentStatus.SEEDING, **fields) -> Torrent:
    torrent = Torrent.objects.create(
        info_hash=f"{Torrent.objects.count() + 1:040x}",
        name=name,
        node=node,
        status=status,
        added_by=owner,
        size_bytes=fields.pop("size_bytes", 100),
        **fields,
    )
    Ownership.objects.create(torrent=torrent, user=owner, charged_bytes=torrent.size_bytes)
    return torrent


def names(response) -> list[str]:
    assert response.status_code == 200, response.data
    return [t["name"] for t in response.data["results"]]


def test_each_user_lists_their_own_and_admins_list_all(node_row, alice, bob, boss):
    make(node_row, alice, "alice one")
    make(node_row, alice, "alice two", status=TorrentStatus.DOWNLOADING)
    make(node_row, bob, "bob one")
    assert sorted(names(api(alice).get("/api/torrents"))) == ["alice one", "alice two"]
    assert names(api(bob).get("/api/torrents")) == ["bob one"]
    assert len(names(api(boss).get("/api/torrents"))) == 3
    assert names(api(boss).get(f"/api/torrents?user={bob.pk}")) == ["bob one"]
    assert len(names(api(alice).get(f"/api/torrents?user={bob.pk}"))) == 2  # only ever own
    assert api(None).get("/api/torrents").status_code in (401, 403)


def test_filters_and_ordering(node_row, alice):
    make(node_row, alice, "Debian netinst", size_bytes=300)
    make(node_row, alice, "Ubuntu desktop", size_bytes=100, status=TorrentStatus.DOWNLOADING)
    make(node_row, alice, "debian source", size_bytes=200, status=TorrentStatus.PAUSED)
    client = api(alice)
    assert sorted(names(client.get("/api/torrents?q=debian"))) == [
        "Debian netinst",
        "debian source",
    ]
    assert names(client.get("/api/torrents?status=downloading")) == ["Ubuntu desktop"]
    assert len(names(client.get("/api/torrents?status=downloading&status=paused"))) == 2
    assert names(client.get("/api/torrents?ordering=size_bytes")) == [
        "Ubuntu desktop",
        "debian source",
        "Debian netinst",
    ]
    assert client.get("/api/torrents?status=nonsense").status_code == 400


def test_list_queries_do_not_grow_with_the_torrents(
    node_row, alice, boss, django_assert_max_num_queries
):
    for i in range(3):
        make(node_row, alice, f"t{i}")
    with django_assert_max_num_queries(4) as small:
        names(api(boss).get("/api/torrents"))
    for i in range(3, 40):
        make(node_row, alice, f"t{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(names(api(boss).get("/api/torrents"))) == 40


def test_detail_personas(node, alice, bob, boss, tmp_path):
    data, info_hash, _ = make_torrent(
        tmp_path, "album", files={"a.bin": 100, "b/c.bin": 50}, trackers=["http://t.example/a"]
    )
    post(alice, {"torrents": [upload("a.torrent", data)]})
    torrent = Torrent.objects.get()
    url = f"/api/torrents/{torrent.pk}"
    owner_view = api(alice).get(url)
    assert owner_view.status_code == 200
    assert owner_view.data["info_hash"] == info_hash
    assert [f["path"] for f in owner_view.data["files"]] == ["a.bin", "b/c.bin"]
    assert owner_view.data["trackers"] == ["http://t.example/a"]
    assert owner_view.data["owners"] is None
    admin_view = api(boss).get(url)
    assert [o["email"] for o in admin_view.data["owners"]] == [alice.email]
    assert api(bob).get(url).status_code == 404
    assert api(None).get(url).status_code in (401, 403)
    assert api(bob).get(f"{url}/torrent").status_code == 404
    assert api(boss).get(f"{url}/torrent").content == data
    assert api(None).get(f"{url}/torrent").status_code in (401, 403)


def test_magnet_without_metadata_has_no_torrent_file_yet(node_row, alice):
    torrent = make(node_row, alice, "magnet", magnet_uri="magnet:?xt=urn:btih:" + "a" * 40)
    response = api(alice).get(f"/api/torrents/{torrent.pk}/torrent")
    assert response.status_code == 404
    assert "metadata has not arrived" in response.data["detail"]
