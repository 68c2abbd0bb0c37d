"""GET /api/health against a real database, Redis and rTorrent; the periodic tasks as they
record their own runs; the stack's processes as a real supervisor reports them."""

import io
import os
import signal
import sys
import threading
import time

import pytest
from django.urls import reverse

from seedbox.supervisor import ChildSpec, RestartPolicy, Supervisor
from torrents.tasks.push import reconcile_queued
from torrents.tasks.sync import sync_nodes


@pytest.mark.django_db
def test_healthy_stack_answers_200_with_the_rtorrent_version(client, node):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "rtorrent": [{"node": "test", "ok": True, "version": "0.9.8"}],
        "periodic": {
            "sync": {"ok": True, "last_run": None, "every": 5.0},
            "reconcile": {"ok": True, "last_run": None, "every": 60.0},
            "events": {"ok": True, "last_run": None, "every": 30.0},
            "feeds": {"ok": True, "last_run": None, "every": 60.0},
        },
    }


@pytest.mark.django_db
def test_a_node_that_is_down_gives_503_naming_it(client, node, rtorrent):
    rtorrent.stop()

    response = client.get(reverse("health"))

    assert response.status_code == 503
    [entry] = response.json()["rtorrent"]
    assert entry["node"] == "test"
    assert entry["ok"] is False
    assert "unreachable" in entry["error"]


@pytest.mark.django_db
def test_a_broker_that_is_down_gives_503(client, node, settings, tmp_path):
    settings.REDIS_URL = f"unix://{tmp_path}/no-redis.sock"

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["broker"].startswith("down:")
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_disabled_nodes_are_not_probed(client, node, rtorrent):
    node.enabled = False
    node.save()
    rtorrent.stop()

    response = client.get(reverse("health"))

    assert response.json()["rtorrent"] == []
    assert response.status_code == 503, "a seedbox with no node cannot download anything"


@pytest.mark.django_db
def test_a_sync_or_reconcile_that_stopped_running_gives_503_naming_it(client, node, settings):
    settings.SEEDBOX_SYNC_INTERVAL = 0.5
    settings.SEEDBOX_RECONCILE_INTERVAL = 0.5
    settings.SEEDBOX_PERIODIC_GRACE = 0
    sync_nodes()
    reconcile_queued()
    assert client.get(reverse("health")).status_code == 200

    time.sleep(1.1)  # beat is gone: neither runs again
    sync_nodes()
    response = client.get(reverse("health"))

    assert response.status_code == 503
    periodic = response.json()["periodic"]
    assert periodic["sync"]["ok"] is True, "it just ran"
    assert periodic["reconcile"]["ok"] is False
    assert periodic["reconcile"]["error"].startswith("reconcile last ran 1s ago, due every 0.5s")

    reconcile_queued()
    assert client.get(reverse("health")).status_code == 200


@pytest.mark.django_db
def test_a_periodic_task_that_never_runs_is_reported(client, node, settings):
    settings.SEEDBOX_SYNC_INTERVAL = 0.5
    settings.SEEDBOX_PERIODIC_GRACE = 0
    assert client.get(reverse("health")).json()["periodic"]["sync"]["ok"] is True, "just started"

    time.sleep(0.7)
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["periodic"]["sync"]["error"].startswith("sync has not run for 1s")


@pytest.mark.django_db
def test_a_dead_process_of_the_stack_gives_503_until_it_is_restarted(
    client, node, settings, tmp_path
):
    settings.SEEDBOX_SUPERVISOR_STATUS = tmp_path / "supervisor.json"
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    supervisor = Supervisor(
        [ChildSpec("beat", sleeper)],
        out=io.StringIO(),
        policy=RestartPolicy(backoff_initial=1.5),
        status_path=settings.SEEDBOX_SUPERVISOR_STATUS,
    )
    ready = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(ready.set,), daemon=True)
    thread.start()
    try:
        assert ready.wait(10)
        assert client.get(reverse("health")).json()["processes"]["beat"]["state"] == "running"
        [(_, process)] = supervisor.children
        os.kill(process.pid, signal.SIGKILL)
        time.sleep(0.5)

        down = client.get(reverse("health"))
        assert down.status_code == 503
        assert down.json()["processes"]["beat"] == {
            "state": "restarting",
            "restarts": 0,
            "last_exit": "killed by SIGKILL",
            "last_exit_at": down.json()["processes"]["beat"]["last_exit_at"],
        }

        time.sleep(1.5)
        up = client.get(reverse("health"))
        assert up.status_code == 200
        assert up.json()["processes"]["beat"]["restarts"] == 1
        assert up.json()["processes"]["beat"]["state"] == "running"
    finally:
        supervisor.stop()
        thread.join(30)
    assert "processes" not in client.get(reverse("health")).json(), "no supervisor, no report"
