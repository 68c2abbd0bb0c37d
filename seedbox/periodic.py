"""When each periodic task last ran, recorded by the task itself, so that health can say which one
stopped (beat killed, worker stuck): a process that is up proves nothing, a task that ran does.

Kept in the default cache (Redis; shared by the worker and the web workers). A task never seen
yet is measured from the moment health first looked, or from the supervisor's start when that
is later, so that a fresh stack or one just restarted is not called stale before its first run.
"""

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Periodic:
    name: str
    setting: str  # the interval's setting, read when asked (tests and operators change it)

    @property
    def interval(self) -> float:
        return float(getattr(settings, self.setting))


PERIODIC_TASKS = (
    Periodic("sync", "SEEDBOX_SYNC_INTERVAL"),
    Periodic("reconcile", "SEEDBOX_RECONCILE_INTERVAL"),
    Periodic("events", "SEEDBOX_EVENTS_SWEEP_INTERVAL"),
    Periodic("feeds", "SEEDBOX_FEED_POLL_INTERVAL"),
)


def _key(name: str, what: str) -> str:
    return f"periodic:{name}:{what}"


def periodic_run_record(*, name: str) -> None:
    """Called by the task as it starts."""
    cache.set(_key(name, "last_run"), time.time(), timeout=None)


def periodic_status(*, since: float | None = None) -> dict[str, dict]:
    """{name: {"ok", "last_run", "every", ["error"]}}. `since`: a time (epoch) before which no
    run was due, e.g. the stack's start."""
    now = time.time()
    report = {}
    for task in PERIODIC_TASKS:
        last_run = cache.get(_key(task.name, "last_run"))
        baseline = last_run
        if baseline is None:
            cache.add(_key(task.name, "first_seen"), now, timeout=None)
            baseline = cache.get(_key(task.name, "first_seen"), now)
        if since is not None:
            baseline = max(baseline, since)
        age = now - baseline
        entry = {
            "ok": age <= task.interval + settings.SEEDBOX_PERIODIC_GRACE,
            "last_run": _iso(last_run) if last_run is not None else None,
            "every": task.interval,
        }
        if not entry["ok"]:
            ran = f"last ran {age:.0f}s ago" if last_run else f"has not run for {age:.0f}s"
            entry["error"] = f"{task.name} {ran}, due every {task.interval:g}s: is beat running?"
        report[task.name] = entry
    return report


def _iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat(timespec="seconds")
