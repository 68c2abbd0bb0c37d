"""GET /metrics: Prometheus' text format for a staff token or session (401 without credentials,
404 for a user who is not staff), read with prometheus_client's own parser: torrents by state,
rates, bytes per node, the broker's queue and the outbox, sync runs, pushes, deliveries."""

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from events.kinds import EventKind
from events.models import Event
from notifications.models import Delivery
from stats.queues import _redis
from torrents.models import Node, Torrent

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(user):
    n1 = Node.objects.create(
        name="n1",
        rpc_url="scgi:///x.sock",
        data_root="/",
        is_up=True,
        sync_runs=10,
        sync_failures=2,
        sync_seconds_total=3.5,
        last_sync_seconds=0.125,
        push_runs=6,
        push_failures=1,
        push_seconds_total=1.5,
    )
    n2 = Node.objects.create(name="n2", rpc_url="scgi:///x.sock", data_root="/", is_up=False)
    Torrent.objects.create(
        info_hash="1" * 40,
        name="a",
        node=n1,
        status="seeding",
        up_rate=100,
        uploaded_bytes=5000,
        downloaded_bytes=1000,
    )
    Torrent.objects.create(
        info_hash="2" * 40,
        name="b",
        node=n1,
        status="downloading",
        down_rate=300,
        up_rate=20,
        downloaded_bytes=700,
    )
    Torrent.objects.create(
        info_hash="3" * 40,
        name="c",
        node=n2,
        status="queued",
        push_attempts=3,
        last_error="node not answering",
    )
    Torrent.objects.create(
        info_hash="4" * 40, name="d", node=n2, status="error", last_error="bad torrent"
    )
    Event.objects.create(kind=EventKind.TEST)
    Event.objects.create(kind=EventKind.TEST)
    for status in ("sent", "sent", "failed", "pending"):
        Delivery.objects.create(user=user, kind="test", channel="email", title="t", status=status)


@pytest.fixture
def queued_tasks():
    """Three tasks waiting in the broker's default queue (and one at priority 3)."""
    client = _redis()
    keys = ["celery", "celery\x06\x163"]
    client.delete(*keys)
    client.rpush("celery", "t1", "t2", "t3")
    client.rpush("celery\x06\x163", "t4")
    yield
    client.delete(*keys)


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _value(families, name: str, sample: str | None = None, **labels) -> float:
    family = families[name]
    for s in family.samples:
        if s.name == (sample or name) and s.labels == labels:
            return s.value
    raise AssertionError(f"no {sample or name}{labels} in {family.samples}")


def test_every_family_with_its_values(site, admin_user, api_client_for, queued_tasks):
    response = api_client_for(admin_user).get("/metrics", HTTP_ACCEPT="text/plain")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    families = _families(response.content.decode())
    assert _value(families, "seedbox_torrents", node="n1", state="seeding") == 1
    assert _value(families, "seedbox_torrents", node="n2", state="queued") == 1
    assert _value(families, "seedbox_rate_bytes_per_second", node="n1", direction="up") == 120
    assert _value(families, "seedbox_rate_bytes_per_second", node="n1", direction="down") == 300
    traffic = families["seedbox_traffic_bytes"]
    assert traffic.type == "counter"
    assert (
        _value(
            families,
            "seedbox_traffic_bytes",
            "seedbox_traffic_bytes_total",
            node="n1",
            direction="down",
        )
        == 1700
    )
    assert families["seedbox_sync_duration_seconds"].type == "summary"
    assert (
        _value(
            families,
            "seedbox_sync_duration_seconds",
            "seedbox_sync_duration_seconds_count",
            node="n1",
        )
        == 10
    )
    assert (
        _value(
            families,
            "seedbox_sync_duration_seconds",
            "seedbox_sync_duration_seconds_sum",
            node="n1",
        )
        == 3.5
    )
    assert _value(families, "seedbox_sync_last_duration_seconds", node="n1") == 0.125
    assert _value(families, "seedbox_sync_failures", "seedbox_sync_failures_total", node="n1") == 2
    assert _value(families, "seedbox_node_up", node="n1") == 1
    assert _value(families, "seedbox_node_up", node="n2") == 0
    assert families["seedbox_push_duration_seconds"].type == "summary"
    assert (
        _value(
            families,
            "seedbox_push_duration_seconds",
            "seedbox_push_duration_seconds_count",
            node="n1",
        )
        == 6
    )
    assert (
        _value(
            families,
            "seedbox_push_duration_seconds",
            "seedbox_push_duration_seconds_sum",
            node="n1",
        )
        == 1.5
    )
    assert _value(families, "seedbox_push_failures", "seedbox_push_failures_total", node="n1") == 1
    assert _value(families, "seedbox_push_queue", node="n2") == 1
    assert _value(families, "seedbox_push_attempts", node="n2") == 3
    assert _value(families, "seedbox_push_failing", node="n2", outcome="retrying") == 1
    assert _value(families, "seedbox_push_failing", node="n2", outcome="failed") == 1
    assert _value(families, "seedbox_push_failing", node="n1", outcome="failed") == 0
    assert _value(families, "seedbox_events_backlog") == 2
    assert _value(families, "seedbox_broker_up") == 1
    assert _value(families, "seedbox_celery_queue_length", queue="celery") == 4
    assert _value(families, "seedbox_notification_deliveries", channel="email", status="sent") == 2
    assert (
        _value(families, "seedbox_notification_deliveries", channel="email", status="failed") == 1
    )


def test_a_staff_token_as_prometheus_sends_it_or_a_staff_session(admin_user, api_client_for):
    key = api_client_for(admin_user).token_key
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert "seedbox_events_backlog" in _families(response.content.decode())
    session = Client()
    session.force_login(admin_user)
    assert session.get("/metrics").status_code == 200


def test_anonymous_401_a_user_who_is_not_staff_404(user, api_client_for):
    anonymous = Client().get("/metrics")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    assert "detail" in anonymous.json()  # a refusal is JSON, as everywhere in the API
    assert api_client_for(user).get("/metrics").status_code == 404
    bad = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401
    session = Client()
    session.force_login(user)
    assert session.get("/metrics").status_code == 404


def test_a_broker_that_does_not_answer_is_said_not_a_500(admin_user, api_client_for, settings):
    _redis.cache_clear()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    try:
        response = api_client_for(admin_user).get("/metrics")
    finally:
        _redis.cache_clear()
    assert response.status_code == 200
    families = _families(response.content.decode())
    assert _value(families, "seedbox_broker_up") == 0
    assert "seedbox_celery_queue_length" not in families
