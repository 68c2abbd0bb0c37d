"""Prometheus metrics read from the database (and the broker) at scrape time.

A custom Collector, not counters kept in memory: the site runs as several gunicorn processes
and Celery workers, and the database already holds the truth (the sync's and the push's record
of their runs on each Node, each torrent's push attempts and error, the outbox, the
deliveries). `metrics_text()` renders a registry holding only this collector, in the standard
text format (prometheus_client's exposition), so nothing here formats metrics by hand.
"""

import logging

import redis
from django.db.models import Count, Q, Sum
from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    SummaryMetricFamily,
)
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from events.models import Event
from notifications.models import Delivery
from stats.queues import celery_queue_lengths
from torrents.models import Node, Torrent, TorrentStatus

log = logging.getLogger(__name__)


def _torrent_families() -> list:
    by_state = GaugeMetricFamily(
        "seedbox_torrents", "Torrents by node and state.", labels=["node", "state"]
    )
    rate = GaugeMetricFamily(
        "seedbox_rate_bytes_per_second",
        "Transfer rate of the node's torrents, as the last sync read it.",
        labels=["node", "direction"],
    )
    moved = CounterMetricFamily(
        "seedbox_traffic_bytes",
        "Bytes the node's torrents moved while on this site (what the sync credited).",
        labels=["node", "direction"],
    )
    names = dict(Node.objects.values_list("pk", "name"))
    rows = (
        Torrent.objects.values("node_id", "status")
        .annotate(
            n=Count("id"),
            up_rate=Sum("up_rate"),
            down_rate=Sum("down_rate"),
            up=Sum("uploaded_bytes"),
            down=Sum("downloaded_bytes"),
        )
        .order_by()
    )
    per_node: dict[int, list[int]] = {pk: [0, 0, 0, 0] for pk in names}
    for row in rows:
        by_state.add_metric([names[row["node_id"]], row["status"]], row["n"])
        totals = per_node[row["node_id"]]
        for i, key in enumerate(("up_rate", "down_rate", "up", "down")):
            totals[i] += row[key] or 0
    for pk, (up_rate, down_rate, up, down) in per_node.items():
        rate.add_metric([names[pk], "up"], up_rate)
        rate.add_metric([names[pk], "down"], down_rate)
        moved.add_metric([names[pk], "up"], up)
        moved.add_metric([names[pk], "down"], down)
    return [by_state, rate, moved]


def _sync_families() -> list:
    duration = SummaryMetricFamily(
        "seedbox_sync_duration_seconds", "Time the node's sync runs took.", labels=["node"]
    )
    last = GaugeMetricFamily(
        "seedbox_sync_last_duration_seconds", "Time the node's last sync run took.", labels=["node"]
    )
    failures = CounterMetricFamily(
        "seedbox_sync_failures", "Sync runs that found the node not answering.", labels=["node"]
    )
    up = GaugeMetricFamily(
        "seedbox_node_up", "1 if the node answered its last sync.", labels=["node"]
    )
    for node in Node.objects.order_by("name"):
        duration.add_metric(
            [node.name], count_value=node.sync_runs, sum_value=node.sync_seconds_total
        )
        if node.last_sync_seconds is not None:
            last.add_metric([node.name], node.last_sync_seconds)
        failures.add_metric([node.name], node.sync_failures)
        up.add_metric([node.name], 1 if node.is_up else 0)
    return [duration, last, failures, up]


def _push_runs_families() -> list:
    duration = SummaryMetricFamily(
        "seedbox_push_duration_seconds",
        "Time the pushes of torrents into the node took.",
        labels=["node"],
    )
    failures = CounterMetricFamily(
        "seedbox_push_failures", "Pushes into the node that failed.", labels=["node"]
    )
    for name, runs, failed, seconds in Node.objects.order_by("name").values_list(
        "name", "push_runs", "push_failures", "push_seconds_total"
    ):
        duration.add_metric([name], count_value=runs, sum_value=seconds)
        failures.add_metric([name], failed)
    return [duration, failures]


def _push_families() -> list:
    queued = GaugeMetricFamily(
        "seedbox_push_queue", "Torrents waiting to be pushed to their node.", labels=["node"]
    )
    failing = GaugeMetricFamily(
        "seedbox_push_failing",
        "Torrents whose last push failed: retrying (queued) or given up (error).",
        labels=["node", "outcome"],
    )
    attempts = GaugeMetricFamily(
        "seedbox_push_attempts", "Push attempts of the torrents still queued.", labels=["node"]
    )
    names = dict(Node.objects.values_list("pk", "name"))
    rows = (
        Torrent.objects.filter(status__in=[TorrentStatus.QUEUED, TorrentStatus.ERROR])
        .values("node_id")
        .annotate(
            queued=Count("id", filter=Q(status=TorrentStatus.QUEUED)),
            attempts=Sum("push_attempts", filter=Q(status=TorrentStatus.QUEUED)),
            retrying=Count("id", filter=Q(status=TorrentStatus.QUEUED) & ~Q(last_error="")),
            failed=Count("id", filter=Q(status=TorrentStatus.ERROR) & ~Q(last_error="")),
        )
        .order_by()
    )
    seen = {row["node_id"]: row for row in rows}
    for pk, name in names.items():
        row = seen.get(pk, {})
        queued.add_metric([name], row.get("queued", 0))
        attempts.add_metric([name], row.get("attempts") or 0)
        failing.add_metric([name, "retrying"], row.get("retrying", 0))
        failing.add_metric([name, "failed"], row.get("failed", 0))
    return [queued, attempts, failing]


def _queue_families() -> list:
    backlog = GaugeMetricFamily(
        "seedbox_events_backlog", "Events (the outbox) not yet handed to every handler."
    )
    backlog.add_metric([], Event.objects.filter(dispatched_at__isnull=True).count())
    families = [backlog]
    broker = GaugeMetricFamily("seedbox_broker_up", "1 if the Celery broker (Redis) answered.")
    try:
        lengths = celery_queue_lengths()
    except redis.RedisError as exc:
        log.warning("metrics: the broker did not answer: %s", exc)
        broker.add_metric([], 0)
        return [*families, broker]
    broker.add_metric([], 1)
    tasks = GaugeMetricFamily(
        "seedbox_celery_queue_length", "Celery tasks waiting in the broker.", labels=["queue"]
    )
    for name, length in lengths.items():
        tasks.add_metric([name], length)
    return [*families, broker, tasks]


def _delivery_families() -> list:
    deliveries = GaugeMetricFamily(
        "seedbox_notification_deliveries",
        "Notification deliveries by channel and status.",
        labels=["channel", "status"],
    )
    rows = Delivery.objects.values_list("channel", "status").annotate(n=Count("id")).order_by()
    for channel, status, n in rows:
        deliveries.add_metric([channel, status], n)
    return [deliveries]


class SeedboxCollector(Collector):
    """Everything above, read when Prometheus scrapes."""

    def collect(self):
        yield from _torrent_families()
        yield from _sync_families()
        yield from _push_runs_families()
        yield from _push_families()
        yield from _queue_families()
        yield from _delivery_families()


def metrics_text() -> bytes:
    """The metrics in Prometheus' text format (prometheus_client's CONTENT_TYPE_LATEST)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SeedboxCollector())
    return generate_latest(registry)
