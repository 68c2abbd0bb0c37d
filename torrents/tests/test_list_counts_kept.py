"""The list's counts are kept per `facets_version` (torrents/list_versions.py): they outlive the
sync's rate-only writes, and every change that could move a count moves the version. Each way a
count could go stale has a test here (status by the sync, by a service, by a write that forgot
`updated_at`; removal; a co-owner; labels put, taken, made; a name), checked against the page's
sidebar and the counts API."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from torrents.list_versions import facets_version, list_version
from torrents.models import Ownership, Torrent, TorrentStatus
from torrents.services.control import torrent_remove
from torrents.services.labels import label_create, torrent_labels_set, torrents_label_remove
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
from torrents.tests.helpers_sync import add_torrent, api, wait_until
from torrents.tests.pages_support import client_for, facet_counts, make_rows


def grouped_counts(queries) -> list[str]:
    return [q["sql"] for q in queries if "GROUP BY" in q["sql"].upper()]


def test_a_sync_that_moves_only_rates_keeps_the_counts_and_a_status_change_moves_them(
    node, owner, tmp_path
):
    torrent = add_torrent(node, [owner], tmp_path, with_data=True, start=True)
    wait_until(
        lambda: (
            node_sync(node=node)
            and Torrent.objects.get(pk=torrent.pk).status == TorrentStatus.SEEDING
        ),
        what="seeding",
    )
    client = client_for(owner)
    assert facet_counts(client.get("/").content.decode(), "status")["seeding"] == 1
    # rTorrent reports 0 B/s; the row says otherwise: the next sync writes the rate back, its
    # only change.
    Torrent.objects.filter(pk=torrent.pk).update(up_rate=5000)
    client.get("/")  # the counts kept as they are now
    before = Torrent.objects.get(pk=torrent.pk)
    versions = facets_version(owner), list_version(owner)
    node_sync(node=node)
    after = Torrent.objects.get(pk=torrent.pk)
    assert after.up_rate == 0
    assert after.updated_at > before.updated_at  # the poll sees the row move
    assert after.facets_at == before.facets_at
    assert facets_version(owner) == versions[0]
    assert list_version(owner) != versions[1]
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    assert not grouped_counts(queries)  # the counts were kept
    assert facet_counts(html, "status")["seeding"] == 1

    node_client(node).pause(torrent.info_hash)  # behind the site's back: only the sync knows
    node_sync(node=node)
    assert Torrent.objects.get(pk=torrent.pk).status == TorrentStatus.PAUSED
    assert Torrent.objects.get(pk=torrent.pk).facets_at > after.facets_at
    counts = facet_counts(client.get("/").content.decode(), "status")
    assert counts.get("seeding", 0) == 0
    assert counts["paused"] == 1
    assert api(owner).get("/api/torrents/counts").json()["status"] == {"paused": 1}


def test_writes_that_forget_updated_at_still_move_the_counts(alice):
    rows = make_rows([alice], 2)
    client = client_for(alice)
    assert facet_counts(client.get("/").content.decode(), "status")["downloading"] == 2
    Torrent.objects.filter(pk=rows[0].pk).update(status=TorrentStatus.SEEDING)
    assert facet_counts(client.get("/").content.decode(), "status")["seeding"] == 1
    torrent = Torrent.objects.get(pk=rows[1].pk)
    torrent.status = TorrentStatus.PAUSED
    torrent.save(update_fields=["status"])
    counts = facet_counts(client.get("/").content.decode(), "status")
    assert (counts["seeding"], counts["paused"], counts.get("downloading", 0)) == (1, 1, 0)
    Torrent.objects.filter(pk=rows[0].pk).update(name="renamed linux iso")
    assert facet_counts(client.get("/", {"q": "linux"}).content.decode(), "status")[""] == 1


def test_removal_and_a_co_owner_move_each_users_counts(alice, bob):
    mine = make_rows([alice], 2)
    theirs = make_rows([bob], 1)[0]
    alice_page, bob_page = client_for(alice), client_for(bob)
    assert facet_counts(alice_page.get("/").content.decode(), "status")[""] == 2
    assert facet_counts(bob_page.get("/").content.decode(), "status")[""] == 1
    torrent_remove(torrent=mine[0], by=alice, purge=False)
    assert facet_counts(alice_page.get("/").content.decode(), "status")[""] == 1
    Ownership.objects.create(torrent=theirs, user=alice, tracker_host="tracker.example")
    html = alice_page.get("/").content.decode()
    assert facet_counts(html, "status")[""] == 2
    assert facet_counts(html, "tracker") == {"tracker.example": 1}
    assert api(alice).get("/api/torrents/counts").json()["tracker"] == {"tracker.example": 1}
    assert facet_counts(bob_page.get("/").content.decode(), "status")[""] == 1


def test_labels_put_taken_and_made_move_the_label_counts(alice):
    rows = make_rows([alice], 3)
    client = client_for(alice)

    def label_counts() -> dict:
        return api(alice).get("/api/torrents/counts").json()["label"]

    assert label_counts() == {}
    label_create(user=alice, name="empty")
    assert label_counts() == {"empty": 0}  # a label on nothing is listed at 0
    torrent_labels_set(user=alice, torrent=rows[0], names=["linux"])
    torrent_labels_set(user=alice, torrent=rows[1], names=["linux"])
    assert label_counts() == {"empty": 0, "linux": 2}
    torrent = Torrent.objects.get(pk=rows[0].pk)
    torrent.status = TorrentStatus.SEEDING
    torrent.save(update_fields=["status", "updated_at"])
    counted = api(alice).get("/api/torrents/counts", {"status": "seeding"}).json()
    assert counted["label"] == {"empty": 0, "linux": 1}
    torrents_label_remove(user=alice, torrents=[rows[1]], name="linux")
    assert label_counts() == {"empty": 0, "linux": 1}
    html = client.get("/", {"label": "linux"}).content.decode()
    assert facet_counts(html, "status") == {"": 1, "seeding": 1}
