"""Speed caps on real rTorrent: a transfer under a 200 KiB/s per-user cap stays within 20 % of
it, before and after the seeding daemon restarts (its groups are lost; the reconcile puts them
back), and a torrent loaded by the push is named into its group as it is loaded."""

import time

import pytest

from seedbox.testing import Announcer, announce_seeder
from torrents.models import TorrentStatus
from torrents.rtorrent import RTorrentClient
from torrents.services.nodes import node_client
from torrents.services.push import node_reconcile, torrent_push
from torrents.services.throttle import node_throttles_apply, own_group, pool_group
from torrents.tests.helpers_sync import add_torrent, seed_announced, wait_until

CAP_KIB = 200
SIZE = 24 * 1024 * 1024  # two minutes at the cap: never done within the test's windows


def received_rate(leecher: RTorrentClient, h: str, announce: Announcer, seconds: float) -> float:
    """What the leecher received per second (KiB/s) over a window of `seconds`."""
    start, t0 = leecher.call("d.down.total", h), time.monotonic()
    while time.monotonic() - t0 < seconds:
        announce()
        time.sleep(0.25)
    end, t1 = leecher.call("d.down.total", h), time.monotonic()
    return (end - start) / (t1 - t0) / 1024


def start_leecher(rtorrent_factory, seed) -> RTorrentClient:
    daemon = rtorrent_factory()
    daemon.config.data_dir.mkdir(parents=True, exist_ok=True)
    leecher = RTorrentClient(daemon.config.url)
    commands = [f"d.directory.set={daemon.config.data_dir}"]
    leecher.load(bytes(seed.metainfo), seed.info_hash, commands=commands)
    return leecher


def measured_rate(leecher: RTorrentClient, h: str, announce: Announcer) -> float:
    """Once the transfer flows (256 KiB in), what the leecher receives over 4 s (KiB/s)."""

    def flowing() -> bool:
        announce()
        return leecher.call("d.down.total", h) > 256 * 1024

    wait_until(flowing, timeout=40, what="the transfer to flow", explain=announce.report)
    return received_rate(leecher, h, announce, 4)


@pytest.mark.slow
def test_a_transfer_stays_within_the_users_cap_even_after_a_restart(
    node, rtorrent, rtorrent_factory, tracker, owner, tmp_path
):
    owner.upload_cap_kib = CAP_KIB
    owner.save(update_fields=["upload_cap_kib"])
    seed = seed_announced(
        node, [owner], tmp_path / "seed", tracker=tracker, name="big.bin", size=SIZE
    )
    h = seed.info_hash.upper()
    applied = node_throttles_apply(node=node)
    assert applied["renamed"] == 1
    seeder = node_client(node)
    assert seeder.call("d.throttle_name", h) == pool_group(owner.pk)
    assert seeder.throttle_group_max(pool_group(owner.pk)) == (CAP_KIB * 1024, -1)
    # Idempotent: nothing is named again (no needless stop/start of a running torrent).
    assert node_throttles_apply(node=node)["renamed"] == 0

    leecher = start_leecher(rtorrent_factory, seed)
    announce = Announcer(seed.info_hash, leecher, seeder=seeder)
    assert CAP_KIB * 0.8 <= measured_rate(leecher, h, announce) <= CAP_KIB * 1.2

    # The seeder restarts: its groups are gone and the torrent would run unthrottled until the
    # reconcile names it again. (A new leecher measures: the first one gave up on the seeder
    # when it went away, and rTorrent does not dial a failed peer again for minutes.)
    leecher.stop(h)
    rtorrent.stop()
    rtorrent.start()
    seeder = node_client(node)
    wait_until(lambda: seeder.has(seed.info_hash), what="the session reload")
    assert seeder.throttle_group_max(pool_group(owner.pk))[0] == -1
    node_reconcile(node=node)
    assert seeder.throttle_group_max(pool_group(owner.pk)) == (CAP_KIB * 1024, -1)
    assert seeder.call("d.throttle_name", h) == pool_group(owner.pk)
    announce_seeder(seeder, seed.info_hash)
    leecher = start_leecher(rtorrent_factory, seed)
    announce = Announcer(seed.info_hash, leecher, seeder=seeder)
    assert CAP_KIB * 0.8 <= measured_rate(leecher, h, announce) <= CAP_KIB * 1.2
    assert leecher.call("d.complete", h) == 0


def test_the_push_names_a_torrent_into_its_group_as_it_loads(node, owner, other, tmp_path):
    """A torrent with a limit of its own gets its own group; its first owner's cap decides."""
    owner.upload_cap_kib, owner.download_cap_kib = 300, 100
    owner.save()
    torrent = add_torrent(
        node, [owner, other], tmp_path, load=False, status=TorrentStatus.QUEUED, size=32 * 1024
    )
    torrent.ownerships.filter(user=owner).update(upload_limit_kib=50)
    # The co-owner's own limit does not count: the torrent is counted against its first owner.
    torrent.ownerships.filter(user=other).update(upload_limit_kib=5)

    assert torrent_push(torrent_id=torrent.pk) == "loaded"

    client = node_client(node)
    h = torrent.info_hash.upper()
    assert client.call("d.throttle_name", h) == own_group(torrent.pk)
    assert client.throttle_group_max(own_group(torrent.pk)) == (50 * 1024, 100 * 1024)
