"""Which node a new torrent goes to, on real file systems of different sizes (tmpfs mounts):
the roomiest that can hold it, drained nodes skipped, a pinned user kept to their nodes, and a
torrent nobody can hold refused with the disk's reason."""

import pytest

from seedbox.tests.tmpfs import tmpfs
from torrents.models import Node, Torrent
from torrents.services.placement import node_for_new_torrent, nodes_drain
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import post, upload

MiB = 1 << 20


@pytest.fixture
def disks(tmp_path):
    """{name: data root} on tmpfs of 8, 24 and 40 MiB."""
    with (
        tmpfs(tmp_path / "small", 8) as small,
        tmpfs(tmp_path / "mid", 24) as mid,
        tmpfs(tmp_path / "big", 40) as big,
    ):
        yield {"small": small, "mid": mid, "big": big}


@pytest.fixture
def nodes(db, disks) -> dict[str, Node]:
    # Named so that the old rule (fewest torrents, then by name) would pick the smallest disk.
    names = {"small": "n1", "mid": "n2", "big": "n3"}
    return {
        key: Node.objects.create(name=names[key], rpc_url="scgi:///x.sock", data_root=str(root))
        for key, root in disks.items()
    }


def chosen(user, size) -> str:
    return {"n1": "small", "n2": "mid", "n3": "big"}[
        node_for_new_torrent(user=user, size=size).name
    ]


def test_the_roomiest_node_that_can_hold_it(nodes, alice):
    assert chosen(alice, 1 * MiB) == "big"
    # What a node's torrents still have to write counts against its free space.
    Torrent.objects.create(
        info_hash="a" * 40, name="filling", node=nodes["big"], size_bytes=30 * MiB,
        status="downloading", added_by=alice,
    )  # fmt: skip
    assert chosen(alice, 1 * MiB) == "mid"
    assert chosen(alice, None) == "mid"


def test_drained_and_disabled_nodes_take_none(nodes, alice):
    nodes_drain(nodes=Node.objects.filter(name="n3"), draining=True)
    Node.objects.filter(name="n2").update(enabled=False)
    assert chosen(alice, 1 * MiB) == "small"
    nodes_drain(nodes=Node.objects.filter(name="n3"), draining=False)
    assert chosen(alice, 1 * MiB) == "big"


def test_a_pinned_user_stays_on_their_nodes(nodes, alice, bob):
    nodes["small"].pinned_users.add(alice)
    assert chosen(alice, 1 * MiB) == "small"
    assert chosen(bob, 1 * MiB) == "big"
    nodes_drain(nodes=Node.objects.filter(name="n1"), draining=True)
    with pytest.raises(Exception, match="no rTorrent node takes new torrents"):
        node_for_new_torrent(user=alice, size=1 * MiB)


def test_adding_through_the_api_lands_on_the_roomiest_or_is_refused(nodes, alice, tmp_path):
    alice.quota_bytes = 1 << 30
    alice.save(update_fields=["quota_bytes"])
    fits, hash_fits, _ = make_torrent(tmp_path / "a", "fits.bin", 20 * MiB, piece_size=1 * MiB)
    huge, _, _ = make_torrent(tmp_path / "b", "huge.bin", 60 * MiB, piece_size=1 * MiB)
    response = post(alice, {"torrents": [upload("fits.torrent", fits)]})
    assert response.status_code == 201, response.data
    assert Torrent.objects.get(info_hash=hash_fits).node == nodes["big"]

    refused = post(alice, {"torrents": [upload("huge.torrent", huge)]})
    assert refused.status_code == 400, refused.data
    assert "no room" in str(refused.data["rejected"])
    # Nothing of the refused torrent is kept, and the first one stays where it went.
    assert list(Torrent.objects.values_list("name", flat=True)) == ["fits.bin"]
