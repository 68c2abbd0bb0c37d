"""The staff's statistics: /stats/staff/ and GET /api/stats (404 for anyone not staff, 401 or the
login page for anonymous), traffic per day per node, torrents added per day, the most downloaded
and watched, disk per user and node, active users, the sync's runs; the tables as CSV."""

import csv
import datetime as dt
import io

import pytest
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.utils import timezone

from accounts.models import User
from media.services.views import view_record
from stats.periods import local_start
from torrents.models import Node, Torrent, TorrentFile, TrafficBucket
from torrents.services.history import Credit, node_traffic_credit

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def site(user, other_user, today):
    """Two nodes, three torrents (one added three days ago), downloads, views, traffic."""
    n1 = Node.objects.create(name="n1", rpc_url="scgi:///nonexistent.sock", data_root="/")
    n2 = Node.objects.create(name="n2", rpc_url="scgi:///nonexistent.sock", data_root="/nowhere")
    t1 = Torrent.objects.create(
        info_hash="1" * 40,
        name="One",
        node=n1,
        status="seeding",
        download_count=5,
        completed_bytes=1000,
    )
    t2 = Torrent.objects.create(
        info_hash="2" * 40,
        name="Two",
        node=n1,
        status="seeding",
        download_count=9,
        completed_bytes=500,
    )
    t3 = Torrent.objects.create(info_hash="3" * 40, name="Three", node=n2, status="queued")
    Torrent.objects.filter(pk=t3.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    f1 = TorrentFile.objects.create(torrent=t1, index=0, path="one.mkv", size_bytes=1)
    view_record(file=f1, user=user)
    view_record(file=f1, user=other_user)
    now = local_start(today) + dt.timedelta(minutes=30)
    credits = [
        Credit(torrent_id=t1.pk, info_hash=t1.info_hash, name="One", uploaded=700, downloaded=100),
        Credit(torrent_id=t2.pk, info_hash=t2.info_hash, name="Two", uploaded=300, downloaded=0),
    ]
    node_traffic_credit(node_id=n1.pk, credits=credits, now=now)
    node_traffic_credit(node_id=n1.pk, credits=credits[:1], now=now)  # the same hour: added
    node_traffic_credit(node_id=n2.pk, credits=credits[1:], now=now - dt.timedelta(days=2))
    User.objects.filter(pk=user.pk).update(used_bytes=4000, last_login=timezone.now())
    User.objects.filter(pk=other_user.pk).update(used_bytes=1000)
    TrafficBucket.objects.create(user=other_user, hour=now, uploaded_bytes=1)
    Node.objects.filter(pk=n1.pk).update(
        sync_runs=4,
        sync_failures=1,
        sync_seconds_total=2.0,
        last_sync_seconds=0.25,
        push_runs=2,
        push_failures=1,
        push_seconds_total=0.5,
    )
    return n1, n2, t1, t2, t3


@pytest.mark.parametrize(
    "url", ["/stats/staff/", "/stats/staff/traffic.csv", "/api/stats", "/metrics"]
)
def test_only_staff(url, user, admin_user):
    assert browser(admin_user).get(url).status_code == 200
    assert browser(user).get(url).status_code == 404
    anonymous = browser(None).get(url)
    assert anonymous.status_code == (401 if url.startswith(("/api", "/metrics")) else 302)


def test_the_api_tells_the_window(site, admin_user, today):
    body = browser(admin_user).get("/api/stats?days=7").json()
    assert body["days"] == 7
    traffic = {(row["day"], row["node"]): row for row in body["traffic"]}
    mine = traffic[(today.isoformat(), "n1")]
    assert (mine["uploaded_bytes"], mine["downloaded_bytes"]) == (1700, 200)
    two_ago = (today - dt.timedelta(days=2)).isoformat()
    assert traffic[(two_ago, "n2")]["uploaded_bytes"] == 300
    added = {row["day"]: row["torrents"] for row in body["torrents_added"]}
    assert len(added) == 7
    assert added[today.isoformat()] == 2
    assert added[(today - dt.timedelta(days=3)).isoformat()] == 1
    assert [(t["name"], t["downloads"]) for t in body["most_downloaded"]] == [
        ("Two", 9),
        ("One", 5),
    ]
    assert [(t["name"], t["views"]) for t in body["most_watched"]] == [("One", 2)]
    assert [(u["email"], u["used_bytes"]) for u in body["disk_per_user"]][:2] == [
        ("alice@example.com", 4000),
        ("bob@example.com", 1000),
    ]
    nodes = {n["node"]: n for n in body["disk_per_node"]}
    assert (nodes["n1"]["torrents"], nodes["n1"]["data_bytes"]) == (2, 1500)
    assert nodes["n1"]["disk_total_bytes"] > 0
    assert nodes["n2"]["disk_total_bytes"] is None  # its data root does not exist here
    # alice and the admin logged in, bob had traffic.
    assert body["users"] == {"logged_in": 2, "with_traffic": 1, "active": 3}
    sync = {s["node"]: s for s in body["sync"]}
    assert (sync["n1"]["runs"], sync["n1"]["failures"]) == (4, 1)
    assert (sync["n1"]["last_seconds"], sync["n1"]["mean_seconds"]) == (0.25, 0.5)
    assert (sync["n1"]["pushes"], sync["n1"]["push_failures"]) == (2, 1)
    assert sync["n1"]["push_mean_seconds"] == 0.25
    assert browser(admin_user).get("/api/stats?days=0").status_code == 400
    assert browser(admin_user).get("/api/stats?days=x").status_code == 400


def test_the_page_has_the_chart_tables_and_csv_with_the_same_numbers(site, admin_user, today):
    client = browser(admin_user)
    html = client.get("/stats/staff/").content.decode()
    assert "<svg" in html
    assert html.count('<rect class="down"') == 30
    row = f"<tr><td>{today.isoformat()}</td><td>n1</td><td>{filesizeformat(1700)}</td>"
    assert row in html
    assert "<tr><td>Two</td><td>9</td></tr>" not in html  # the id comes first
    assert f"<tr><td>{site[3].pk}</td><td>Two</td><td>9</td></tr>" in html
    assert (
        "<tr><td>n1</td><td>4</td><td>1</td><td>0.25 s</td><td>0.50 s</td>"
        "<td>2</td><td>1</td><td>0.25 s</td>" in html
    )
    assert "<dt>Active users</dt><dd>3</dd>" in html

    traffic = client.get("/stats/staff/traffic.csv")
    assert traffic["Content-Disposition"] == 'attachment; filename="seedbox-stats-traffic.csv"'
    rows = list(csv.reader(io.StringIO(traffic.content.decode())))
    assert rows[0] == ["Day", "Node", "Uploaded", "Downloaded"]
    assert [today.isoformat(), "n1", "1700", "200"] in rows
    added = list(
        csv.reader(io.StringIO(client.get("/stats/staff/added.csv?days=7").content.decode()))
    )
    assert len(added) == 8
    assert added[-1] == [today.isoformat(), "2"]
    sync = list(csv.reader(io.StringIO(client.get("/stats/staff/sync.csv").content.decode())))
    assert ["n1", "4", "1", "0.25", "0.5", "2", "1", "0.25", ""] in sync
    assert client.get("/stats/staff/nothing.csv").status_code == 404
    assert client.get("/stats/staff/?days=1000").status_code == 400
