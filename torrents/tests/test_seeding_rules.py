"""Seeding rules on real rTorrent: a transfer pushes the ratio past an owner's rule; the admins'
floor keeps it seeding while it is higher; then the sync stops it and says why; an owner who
resumes it keeps it seeding until a rule changes. The rule logic itself, without rTorrent."""

import pytest

from seedbox.testing import Announcer
from torrents.models import SeedingFloor, TorrentStatus
from torrents.rtorrent import RTorrentClient
from torrents.services.control import torrent_set_paused
from torrents.services.nodes import node_client
from torrents.services.seeding import (
    Rule,
    Seeded,
    floor_met,
    ownership_seeding_rule_set,
    rule_says_stop,
    torrents_to_stop,
    user_seeding_defaults_set,
)
from torrents.services.sync import node_sync
from torrents.tests.helpers_sync import add_torrent, api, seed_announced, wait_until

SIZE = 1024 * 1024


@pytest.mark.slow
def test_the_sync_stops_a_torrent_whose_ratio_passed_the_rule_and_says_why(
    node, rtorrent_factory, tracker, owner, tmp_path
):
    user_seeding_defaults_set(user=owner, ratio=0.5, hours=None)
    floor = SeedingFloor.objects.create(min_ratio=2.0, min_hours=72)
    seed = seed_announced(
        node, [owner], tmp_path / "seed", tracker=tracker, name="r.bin", size=SIZE
    )
    h = seed.info_hash.upper()
    seeder = node_client(node)
    daemon = rtorrent_factory()
    daemon.config.data_dir.mkdir(parents=True, exist_ok=True)
    leecher = RTorrentClient(daemon.config.url)
    leecher.load(
        bytes(seed.metainfo), seed.info_hash, commands=[f"d.directory.set={daemon.config.data_dir}"]
    )
    announce = Announcer(seed.info_hash, leecher, seeder=seeder)

    def downloaded() -> bool:
        announce()
        return leecher.call("d.complete", h) == 1

    wait_until(downloaded, timeout=60, what="the download", explain=announce.report)
    wait_until(lambda: seeder.call("d.up.total", h) >= SIZE, what="the seeder's counter")

    # Ratio about 1.0, over the user's 0.5 but under the floor's 2.0 (and not 72 h): it seeds on.
    node_sync(node=node)
    seed.refresh_from_db()
    assert seed.uploaded_bytes >= SIZE
    assert seed.status == TorrentStatus.SEEDING
    assert seed.stop_reason == ""
    assert seeder.call("d.state", h) == 1

    floor.min_ratio = 0.9
    floor.save()
    report = node_sync(node=node)
    assert report.rule_stops
    assert report.rule_stops[0][0] == seed.pk
    seed.refresh_from_db()
    assert seed.status == TorrentStatus.STOPPED
    assert seed.status_message.startswith("Stopped: ratio 1.0")
    assert seed.status_message.endswith("reached (rule 0.5)")
    assert seeder.call("d.state", h) == 0
    # The owner sees it on the API (row and page read the same field).
    body = api(owner).get(f"/api/torrents/{seed.pk}").json()
    assert body["status"] == "stopped"
    assert body["stop_reason"].startswith("Stopped: ratio")
    # A later sync keeps the reason.
    node_sync(node=node)
    seed.refresh_from_db()
    assert seed.status_message.startswith("Stopped: ratio")

    # Resumed by its owner: it is not stopped again while the rules stay as they are.
    torrent_set_paused(torrent=seed, paused=False)
    node_sync(node=node)
    node_sync(node=node)
    seed.refresh_from_db()
    assert seed.status == TorrentStatus.SEEDING
    assert seed.seed_rules_suspended
    assert not seed.stop_reason
    assert seeder.call("d.state", h) == 1
    # A new rule for it is watched again: stopped by the next sync.
    ownership_seeding_rule_set(torrent=seed, user=owner, ratio=0.8, hours=None)
    node_sync(node=node)
    seed.refresh_from_db()
    assert seed.status == TorrentStatus.STOPPED
    assert seed.status_message.endswith("(rule 0.8)")


def _seeded(ratio: float, hours: float) -> Seeded:
    return Seeded(torrent_id=1, info_hash="a" * 40, ratio=ratio, hours=hours)


def test_rules_and_the_floor():
    assert rule_says_stop(Rule(ratio=2.0), _seeded(2.0, 0)) == "ratio 2.00 reached (rule 2)"
    assert rule_says_stop(Rule(hours=4), _seeded(0.1, 5)) == "seeded 5.0 h (rule 4 h)"
    assert rule_says_stop(Rule(ratio=2.0, hours=4), _seeded(1.9, 3.9)) == ""
    assert rule_says_stop(Rule(), _seeded(100, 100)) == ""
    floor = Rule(ratio=1.0, hours=72)  # "at least 1.0 or 72 h"
    assert not floor_met(floor, _seeded(0.5, 10))
    assert floor_met(floor, _seeded(1.0, 0))
    assert floor_met(floor, _seeded(0.1, 72))
    assert floor_met(Rule(), _seeded(0, 0))


def test_a_shared_torrent_stops_only_when_every_owner_says_so(node, owner, other, tmp_path):
    torrent = add_torrent(node, [owner, other], tmp_path, load=False, status=TorrentStatus.SEEDING)
    user_seeding_defaults_set(user=owner, ratio=1.0, hours=None)
    item = Seeded(torrent_id=torrent.pk, info_hash=torrent.info_hash, ratio=3.0, hours=1)
    assert (
        torrents_to_stop(node_id=node.pk, seeded=[item]) == []
    )  # the co-owner has no rule: it seeds on
    ownership_seeding_rule_set(torrent=torrent, user=other, ratio=None, hours=0.5)
    assert torrents_to_stop(node_id=node.pk, seeded=[item]) == [
        (item, "Stopped: ratio 3.00 reached (rule 1)")
    ]
