"""The derived `stalled` state: recorded by the sync from a real rTorrent, filterable on the
list page and in the API, shown on the row and the page, and cleared when the torrent moves."""

import datetime as dt
import time

from django.utils import timezone

from torrents.models import Torrent, TorrentStatus
from torrents.services.sync import node_sync
from torrents.stalled import stalled_crossed, stalled_q, stalled_since_next
from torrents.tests.helpers_sync import add_torrent, api, wait_until
from torrents.tests.pages_support import client_for

NOW = timezone.now()
EARLIER = NOW - dt.timedelta(minutes=5)


def test_stalled_since_starts_keeps_and_clears():
    down, seed = TorrentStatus.DOWNLOADING, TorrentStatus.SEEDING
    common = {"progressed": False, "peers": 0, "now": NOW}
    # Just started downloading, still: the grace starts now.
    assert stalled_since_next(old_status=seed, new_status=down, old_since=None, **common) == NOW
    # Still downloading and still: kept (nothing to write).
    assert (
        stalled_since_next(old_status=down, new_status=down, old_since=EARLIER, **common) == EARLIER
    )
    # Progress, a peer, or another status: cleared.
    moved = {**common, "progressed": True}
    assert stalled_since_next(old_status=down, new_status=down, old_since=EARLIER, **moved) is None
    peer = {**common, "peers": 1}
    assert stalled_since_next(old_status=down, new_status=down, old_since=EARLIER, **peer) is None
    assert stalled_since_next(old_status=down, new_status=seed, old_since=EARLIER, **common) is None


def test_crossing_the_threshold_is_seen_once(settings):
    settings.SEEDBOX_STALLED_AFTER = 60
    since = NOW - dt.timedelta(seconds=61)
    down = TorrentStatus.DOWNLOADING
    # Still since 61 s: stalled now, not at the previous sync 5 s ago.
    assert stalled_crossed(
        status=down, stalled_since=since, since=NOW - dt.timedelta(seconds=5), now=NOW
    )
    # Stalled at the previous sync already: nothing new.
    assert not stalled_crossed(
        status=down, stalled_since=EARLIER, since=NOW - dt.timedelta(seconds=5), now=NOW
    )
    assert not stalled_crossed(
        status=TorrentStatus.PAUSED, stalled_since=since, since=EARLIER, now=NOW
    )


def test_the_sync_marks_a_still_download_stalled_and_the_list_filters_it(
    node, owner, other, tmp_path, settings
):
    settings.SEEDBOX_STALLED_AFTER = 1
    # No data and a tracker that is not there: downloading, 0 %, no peer, for good.
    still = add_torrent(node, [owner], tmp_path, name="still.bin", start=True)
    seeding = add_torrent(node, [owner], tmp_path, name="seeding.bin", with_data=True, start=True)
    wait_until(
        lambda: (
            node_sync(node=node)
            and Torrent.objects.get(pk=seeding.pk).status == TorrentStatus.SEEDING
            and Torrent.objects.get(pk=still.pk).status == TorrentStatus.DOWNLOADING
        ),
        what="one seeding, one downloading",
    )
    first = Torrent.objects.get(pk=still.pk)
    assert first.stalled_since is not None
    assert Torrent.objects.get(pk=seeding.pk).stalled_since is None
    assert not Torrent.objects.filter(stalled_q()).exists()  # within its grace

    time.sleep(1.1)
    node_sync(node=node)
    second = Torrent.objects.get(pk=still.pk)
    assert second.stalled_since == first.stalled_since
    # Becoming stalled changed no column, yet the row is stamped: polls and cursors see it.
    assert second.updated_at > first.updated_at

    rows = api(owner).get("/api/torrents", {"status": "stalled"}).json()["results"]
    assert [(r["id"], r["status"], r["stalled"]) for r in rows] == [(still.pk, "downloading", True)]
    both = api(owner).get("/api/torrents", {"status": ["stalled", "seeding"]}).json()
    assert {r["id"] for r in both["results"]} == {still.pk, seeding.pk}
    assert api(other).get("/api/torrents", {"status": "stalled"}).json()["results"] == []
    assert api(owner).get(f"/api/torrents/{still.pk}").json()["stalled"] is True

    page = client_for(owner).get("/", {"status": "stalled"}).content.decode()
    assert f'id="t-{still.pk}"' in page
    assert f'id="t-{seeding.pk}"' not in page
    row = page.split(f'id="t-{still.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="status" title="Downloading, but no progress' in row
    assert ">stalled</span>" in row
    chosen = 'aria-current="true" class="facet-stalled" data-facet="status" data-value="stalled"'
    assert chosen in page  # the sidebar's stalled filter, chosen
    detail = client_for(owner).get(f"/torrents/{still.pk}/").content.decode()
    assert 'id="torrent-stalled"' in detail

    # Paused by its owner: not stalled any more (and a fresh grace when resumed).
    assert api(owner).post(f"/api/torrents/{still.pk}/pause").status_code == 200
    assert api(owner).get("/api/torrents", {"status": "stalled"}).json()["results"] == []
    node_sync(node=node)
    assert Torrent.objects.get(pk=still.pk).stalled_since is None


def test_an_unknown_status_is_a_400_not_a_500(owner):
    answer = api(owner).get("/api/torrents", {"status": "stuck"})
    assert answer.status_code == 400
