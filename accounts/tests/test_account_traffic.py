"""The account page's ratio and traffic chart (from torrents.stats.user_stats), and the chart's
folding of hourly buckets into days."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.testing import PASSWORD
from accounts.traffic_chart import PLOT_HEIGHT, traffic_chart
from torrents.models import TorrentHistory, TrafficBucket

MiB = 1 << 20


def logged_in(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def hour(days_ago: int, at: int = 12) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(at)))


def test_chart_folds_hours_into_days_and_scales_to_the_busiest():
    series = [
        {"hour": hour(0, 1), "uploaded_bytes": 3 * MiB, "downloaded_bytes": 0},
        {"hour": hour(0, 20), "uploaded_bytes": 1 * MiB, "downloaded_bytes": 2 * MiB},
        {"hour": hour(2), "uploaded_bytes": 0, "downloaded_bytes": 8 * MiB},
        {"hour": hour(40), "uploaded_bytes": 99 * MiB, "downloaded_bytes": 0},  # outside
    ]
    chart = traffic_chart(series=series, days=7)
    assert len(chart.days) == 7
    assert chart.days[-1].date == timezone.localdate()
    today, two_days_ago = chart.days[-1], chart.days[-3]
    assert (today.uploaded, today.downloaded) == (4 * MiB, 2 * MiB)
    assert two_days_ago.downloaded == 8 * MiB
    assert chart.peak == 8 * MiB
    assert two_days_ago.down.height == PLOT_HEIGHT
    assert today.up.height == PLOT_HEIGHT / 2
    assert chart.days[0].up.height == 0
    assert chart.days[0].up.x < chart.days[0].down.x < chart.days[1].up.x


def test_a_tiny_day_stays_visible():
    series = [
        {"hour": hour(0), "uploaded_bytes": 10 * MiB, "downloaded_bytes": 1},
    ]
    assert traffic_chart(series=series, days=3).days[-1].down.height == 1.0


def test_no_traffic_is_an_empty_chart():
    chart = traffic_chart(series=[], days=30)
    assert chart.empty
    assert len(chart.labels) == 3


@pytest.mark.django_db
def test_new_user_sees_no_ratio_and_an_empty_state(user):
    html = logged_in(user).get("/accounts/").content.decode()
    assert '<strong id="ratio">-</strong>' in html
    assert "nothing moved yet" in html
    assert "No traffic in the last 30 days" in html


@pytest.mark.django_db
def test_ratio_counts_deleted_torrents_and_the_chart_shows_the_days(user, other_user):
    TorrentHistory.objects.create(
        user=user, info_hash="a" * 40, name="kept.iso", uploaded_bytes=3 * MiB,
        downloaded_bytes=2 * MiB,
    )  # fmt: skip
    TorrentHistory.objects.create(
        user=user, info_hash="b" * 40, name="deleted.iso", torrent=None, uploaded_bytes=0,
        downloaded_bytes=2 * MiB,
    )  # fmt: skip
    TorrentHistory.objects.create(
        user=other_user, info_hash="c" * 40, name="not-mine.iso", uploaded_bytes=50 * MiB
    )
    TrafficBucket.objects.create(
        user=user, hour=hour(1), uploaded_bytes=3 * MiB, downloaded_bytes=4 * MiB
    )
    html = logged_in(user).get("/accounts/").content.decode()
    assert '<strong id="ratio">0.75</strong>' in html
    assert "deleted.iso" in html
    assert "not-mine.iso" not in html
    assert '<rect class="down"' in html
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert f"<td>{day}</td><td>3.0\xa0MB</td><td>4.0\xa0MB</td>" in html


@pytest.mark.django_db
def test_uploaded_without_downloading_reads_infinite(user):
    TorrentHistory.objects.create(user=user, info_hash="a" * 40, name="x", uploaded_bytes=MiB)
    html = logged_in(user).get("/accounts/").content.decode()
    assert '<strong id="ratio">∞</strong>' in html
    assert "nothing downloaded yet" in html
    assert "<td>∞ (nothing downloaded)</td>" in html  # the torrent's row says it too
