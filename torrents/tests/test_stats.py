"""GET /api/users/:id/stats and GET /api/server, with personas; the ratio when nothing was
downloaded; history that outlives its torrent."""

import datetime as dt

import pytest
from django.utils import timezone

from torrents.models import TorrentHistory, TorrentStatus
from torrents.services.history import Credit, history_credit
from torrents.tests.helpers_sync import add_torrent, api, committed


def test_stats_personas(owner, other, admin):
    url = f"/api/users/{owner.pk}/stats"
    assert api(owner).get(url).status_code == 200
    assert api(admin).get(url).status_code == 200
    assert api(other).get(url).status_code == 404
    assert api(None).get(url).status_code == 401
    assert api(owner).get(f"/api/users/{owner.pk}/stats?days=x").status_code == 400


def test_nothing_moved_gives_a_null_ratio(owner):
    body = api(owner).get(f"/api/users/{owner.pk}/stats").json()
    assert body["uploaded_bytes"] == body["downloaded_bytes"] == 0
    assert body["ratio"] is None
    assert body["ratio_display"] == "-"
    assert body["series"] == []
    assert body["history"] == []


def test_history_totals_series_and_ratio_survive_deletion(node, owner, other, tmp_path):
    torrent = add_torrent(node, [owner, other], tmp_path, name="r.bin", load=False)
    owners = {torrent.pk: [owner.pk, other.pk]}
    earlier = timezone.now() - dt.timedelta(hours=2)
    history_credit(
        credits=[Credit(torrent.pk, torrent.info_hash, torrent.name, uploaded=301, downloaded=100)],
        owners=owners,
        now=earlier,
    )
    history_credit(
        credits=[
            Credit(torrent.pk, torrent.info_hash, torrent.name, uploaded=99, seeding_seconds=5)
        ],
        owners=owners,
        now=timezone.now(),
    )
    committed(lambda: api(owner).delete(f"/api/torrents/{torrent.pk}"))
    committed(lambda: api(other).delete(f"/api/torrents/{torrent.pk}"))
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.REMOVED

    body = api(owner).get(f"/api/users/{owner.pk}/stats").json()
    # 301 split: 151 to the first owner, 150 to the second; then 99: 50 and 49.
    assert body["uploaded_bytes"] == 201
    assert body["downloaded_bytes"] == 50
    assert body["ratio"] == pytest.approx(4.02)
    assert body["ratio_display"] == "4.02"
    assert body["seeding_seconds"] == 5
    assert [p["uploaded_bytes"] for p in body["series"]] == [151, 50]
    assert body["history_count"] == 1
    [row] = body["history"]
    assert row["info_hash"] == torrent.info_hash
    assert row["uploaded_bytes"] == 201
    assert TorrentHistory.objects.get(user=other).uploaded_bytes == 199


def test_server_is_for_admins_only(node, owner, admin, tmp_path):
    add_torrent(node, [owner], tmp_path, name="s.bin")
    assert api(owner).get("/api/server").status_code == 404
    assert api(None).get("/api/server").status_code == 401
    body = api(admin).get("/api/server").json()
    [entry] = body["nodes"]
    assert entry["reachable"] is True
    assert entry["version"]
    assert entry["disk_total_bytes"] > entry["disk_free_bytes"] > 0
    assert entry["torrents"] == {"stopped": 1}
    assert body["users"] == 2
    assert body["quota_used_bytes"] == 64 * 1024
    assert body["queue"]["count"] == 0


def test_server_reports_a_node_that_is_down(node, rtorrent, admin):
    rtorrent.stop()
    [entry] = api(admin).get("/api/server").json()["nodes"]
    assert entry["reachable"] is False
    assert "unreachable" in entry["error"]
