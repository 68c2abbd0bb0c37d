"""A user's statistics: traffic per day, week and month from the hourly history (which outlives
the torrents) with the ratio to date, seeding time, what they watch most; on /stats/ (SVG chart,
the same numbers as a table and as CSV) and in GET /api/stats/me."""

import csv
import datetime as dt
import io

import pytest
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.utils import timezone

from media.models import MediaView
from media.services.views import view_record
from stats.periods import local_start
from torrents.models import Node, Torrent, TorrentFile, TorrentHistory, TrafficBucket

pytestmark = pytest.mark.django_db


def _bucket(user, day: dt.date, up: int, down: int) -> None:
    TrafficBucket.objects.create(
        user=user,
        hour=local_start(day) + dt.timedelta(minutes=10),
        uploaded_bytes=up,
        downloaded_bytes=down,
    )


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def history(user, today):
    _bucket(user, today, 3000, 1000)
    _bucket(user, today - dt.timedelta(days=3), 0, 2000)
    _bucket(user, today - dt.timedelta(days=40), 500, 500)  # before the 30 days
    TorrentHistory.objects.create(
        user=user,
        info_hash="a" * 40,
        name="gone",
        uploaded_bytes=3500,
        downloaded_bytes=3500,
        seeding_seconds=7200,
    )


@pytest.fixture
def films(user):
    node = Node.objects.create(name="n1", rpc_url="scgi:///nonexistent.sock", data_root="/")
    torrent = Torrent.objects.create(info_hash="b" * 40, name="Films", node=node, size_bytes=2)
    a = TorrentFile.objects.create(torrent=torrent, index=0, path="a.mkv", size_bytes=1)
    b = TorrentFile.objects.create(torrent=torrent, index=1, path="b.mkv", size_bytes=1)
    return a, b


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_days_with_the_ratio_to_date_from_history_before_the_window(
    user, history, today, api_client_for
):
    body = api_client_for(user).get("/api/stats/me").json()
    assert (body["uploaded_bytes"], body["downloaded_bytes"]) == (3500, 3500)
    assert (body["ratio"], body["seeding_seconds"]) == (1.0, 7200)
    assert body["period"] == "day"
    series = body["series"]
    assert len(series) == 30
    assert series[-1] == {
        "start": today.isoformat(),
        "uploaded_bytes": 3000,
        "downloaded_bytes": 1000,
        "ratio": 3.0,
        "ratio_to_date": 1.0,
    }
    three_ago = series[-4]
    assert (three_ago["downloaded_bytes"], three_ago["ratio"]) == (2000, 0.0)
    assert three_ago["ratio_to_date"] == 0.2  # 500 up / 2500 down so far
    assert series[0]["ratio_to_date"] == 1.0  # the 500/500 of 40 days ago
    assert sum(p["uploaded_bytes"] for p in series) == 3000


@pytest.mark.parametrize("period", ["week", "month"])
def test_weeks_and_months_hold_every_byte(user, history, api_client_for, period):
    body = api_client_for(user).get(f"/api/stats/me?period={period}").json()
    series = body["series"]
    assert len(series) == {"week": 26, "month": 12}[period]
    assert sum(p["uploaded_bytes"] for p in series) == 3500
    assert sum(p["downloaded_bytes"] for p in series) == 3500
    starts = [dt.date.fromisoformat(p["start"]) for p in series]
    if period == "week":
        assert {d.weekday() for d in starts} == {0}
    else:
        assert {d.day for d in starts} == {1}
    assert series[-1]["ratio_to_date"] == 1.0


def test_bad_queries_are_400_and_others_see_only_their_own(
    user, other_user, history, api_client_for
):
    client = api_client_for(user)
    for query in ("period=year", "count=0", "count=x", "period=day&count=367"):
        assert client.get(f"/api/stats/me?{query}").status_code == 400, query
        assert browser(user).get(f"/stats/?{query}").status_code == 400, query
    theirs = api_client_for(other_user).get("/api/stats/me").json()
    assert theirs["uploaded_bytes"] == 0
    assert sum(p["uploaded_bytes"] for p in theirs["series"]) == 0
    assert api_client_for(None).get("/api/stats/me").status_code == 401
    assert Client().get("/stats/").status_code == 302  # to the login page


def test_most_watched_files_first(user, other_user, films, api_client_for):
    a, b = films
    view_record(file=a, user=user)
    view_record(file=b, user=user)
    # A second viewing of b, after the counting window.
    MediaView.objects.filter(file=b).update(viewed_at=timezone.now() - dt.timedelta(days=1))
    view_record(file=b, user=user)
    view_record(file=a, user=other_user)  # someone else's viewing is not the user's
    watched = api_client_for(user).get("/api/stats/me").json()["most_watched"]
    assert [(w["path"], w["views"], w["torrent_name"]) for w in watched] == [
        ("b.mkv", 2, "Films"),
        ("a.mkv", 1, "Films"),
    ]
    html = browser(user).get("/stats/").content.decode()
    assert "<tr><td>b.mkv</td><td>Films</td><td>2</td></tr>" in html


def test_the_page_has_the_chart_and_the_same_numbers_as_table_and_csv(user, history, today):
    client = browser(user)
    html = client.get("/stats/").content.decode()
    assert "<svg" in html
    assert html.count('<rect class="up"') == 30
    row = (
        f"<tr><td>{today.isoformat()}</td><td>{filesizeformat(3000)}</td>"
        f"<td>{filesizeformat(1000)}</td><td>3.00</td><td>1.00</td></tr>"
    )
    assert row in html
    # Only the periods that moved anything are rows of the page's table (the CSV has all).
    assert html.count(f"<tr><td>{today.year}-") + html.count(f"<tr><td>{today.year - 1}-") == 2
    assert 'href="/stats/traffic.csv"' in html

    response = client.get("/stats/traffic.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="my-stats-traffic.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Day", "Uploaded", "Downloaded", "Ratio", "Ratio to date"]
    assert len(rows) == 31
    assert rows[-1] == [today.isoformat(), "3000", "1000", "3.0", "1.0"]
    assert rows[-4][1:3] == ["0", "2000"]

    weekly = client.get("/stats/traffic.csv?period=week")
    weeks = list(csv.reader(io.StringIO(weekly.content.decode())))
    assert weeks[0][0] == "Week"
    assert sum(int(r[1]) for r in weeks[1:]) == 3500
    assert client.get("/stats/nothing.csv").status_code == 404
