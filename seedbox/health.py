"""Health of what the site stands on: the database, the broker, every enabled node, the periodic
tasks (sync, reconcile: they prove beat and the worker run) and, under `runseedbox`, the
processes of the stack as its supervisor last reported them."""

import contextlib
import json
import os

import redis
from django.conf import settings
from django.db import DatabaseError, connection

from seedbox.periodic import periodic_status
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


def supervisor_status() -> dict | None:
    """What `runseedbox`'s supervisor last wrote, or None when no supervisor runs (another
    process manager, or a file left by one that was killed)."""
    try:
        status = json.loads(settings.SEEDBOX_SUPERVISOR_STATUS.read_text())
        pid = int(status["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        with contextlib.suppress(PermissionError):
            os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return status


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
    supervisor = supervisor_status()
    report["periodic"] = periodic_status(since=supervisor.get("started") if supervisor else None)
    if supervisor:
        # Pids stay in the file: an anonymous caller needs the state, not the process ids.
        report["processes"] = {
            name: {key: value for key, value in child.items() if key != "pid"}
            for name, child in supervisor["children"].items()
        }
    healthy = (
        report["database"] == "ok"
        and report["broker"] == "ok"
        and bool(report["rtorrent"])
        and all(entry["ok"] for entry in report["rtorrent"])
        and all(entry["ok"] for entry in report["periodic"].values())
        and all(entry["state"] == "running" for entry in report.get("processes", {}).values())
    )
    return healthy, report
