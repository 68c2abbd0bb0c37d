"""The plan of throttle groups, without rTorrent: a per-torrent limit within a per-user cap is a
split of the cap that never adds up to more than the cap; a shared torrent counts once, against
its first owner."""

from torrents.models import TorrentStatus
from torrents.services.throttle import cap_split, node_throttle_plan, own_group, pool_group
from torrents.tests.helpers_sync import add_torrent
from torrents.tests.pages_support import offline_node


def test_cap_split():
    assert cap_split(0, [50, None], pooled=True) == ([50, 0], 0)  # no cap: limits alone
    assert cap_split(200, [], pooled=True) == ([], 200)
    assert cap_split(200, [50], pooled=True) == ([50], 150)
    assert cap_split(200, [500, None], pooled=False) == ([100, 100], 0)  # each at most the cap
    limited, pool = cap_split(800, [400, 400, 300], pooled=True)
    assert sum(limited) + pool <= 800
    assert pool >= 100  # the shared group keeps an eighth
    assert limited[0] == limited[1] > limited[2]


def test_a_shared_torrent_counts_against_its_first_owner(owner, other, tmp_path):
    node = offline_node()
    owner.upload_cap_kib = 300
    owner.save()
    other.upload_cap_kib, other.download_cap_kib = 10, 10
    other.save()
    shared = add_torrent(
        node, [owner, other], tmp_path / "a", load=False, status=TorrentStatus.SEEDING
    )
    limited = add_torrent(node, [owner], tmp_path / "b", load=False, status=TorrentStatus.SEEDING)
    limited.ownerships.update(upload_limit_kib=100)
    mine_only = add_torrent(node, [other], tmp_path / "c", load=False, status=TorrentStatus.PAUSED)
    add_torrent(node, [other], tmp_path / "d", load=False, status=TorrentStatus.REMOVED)

    plan = node_throttle_plan(node=node)

    assert plan.names == {
        shared.info_hash: pool_group(owner.pk),
        limited.info_hash: own_group(limited.pk),
        mine_only.info_hash: pool_group(other.pk),
    }
    assert plan.groups == {
        pool_group(owner.pk): (200, 0),
        own_group(limited.pk): (100, 0),
        pool_group(other.pk): (10, 10),
    }
