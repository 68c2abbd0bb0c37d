"""Health of what the site stands on: the database, the broker and every enabled node."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection

from torrents.models import Node
from torrents.services.nodes import node_probe


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"down: {exc}"
    return "ok"


def broker_status() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"down: {exc}"
    finally:
        client.close()
    return "ok"


def health_report() -> tuple[bool, dict]:
    """(all ok, the report). Node lookups are skipped when the database is down."""
    report: dict = {"database": database_status(), "broker": broker_status(), "rtorrent": []}
    if report["database"] == "ok":
        for node in Node.objects.filter(enabled=True):
            probe = node_probe(node)
            entry = {"node": probe.node, "ok": probe.ok, "version": probe.version}
            if probe.error:
                entry["error"] = probe.error
            report["rtorrent"].append(entry)
    healthy = (
        report["database"] == "ok"
        and report["broker"] == "ok"
        and bool(report["rtorrent"])
        and all(entry["ok"] for entry in report["rtorrent"])
    )
    return healthy, report
