"""The stack as `runseedbox` runs it: beat is a child of its own, so that the supervisor sees it
die; SIGKILLed, the real beat is restarted and sends the sync again (to a real Redis)."""

import io
import os
import signal
import sys
import threading
import time

from seedbox.management.commands.runseedbox import beat_argv, worker_argv
from seedbox.supervisor import ChildSpec, RestartPolicy, Supervisor


def _wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_the_worker_runs_no_embedded_beat():
    argv = worker_argv(sys.executable)
    assert "--beat" not in argv
    assert "-B" not in argv


def test_beat_killed_is_restarted_and_schedules_again(own_redis, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", own_redis.url)
    monkeypatch.setenv("SEEDBOX_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SEEDBOX_SYNC_INTERVAL", "1")
    settings.CELERY_BEAT_SCHEDULE_FILENAME = str(tmp_path / "celerybeat-schedule")
    out = io.StringIO()
    supervisor = Supervisor(
        [ChildSpec("beat", beat_argv(sys.executable))],
        out=out,
        policy=RestartPolicy(backoff_initial=0.5),
    )
    ready = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(ready.set,), daemon=True)
    thread.start()
    try:
        assert ready.wait(10)
        _wait_for(lambda: "Sending due task torrents-sync-nodes" in out.getvalue(), 20)
        [(_, beat)] = supervisor.children
        os.kill(beat.pid, signal.SIGKILL)

        _wait_for(lambda: "restarting beat (restart 1)" in out.getvalue(), 10)
        _wait_for(
            lambda: (
                "Sending due task torrents-sync-nodes"
                in out.getvalue().split("restarting beat (restart 1)")[1]
            ),
            20,
        )
    finally:
        supervisor.stop()
        thread.join(30)
    assert "WARNING: beat killed by SIGKILL; restarting it in" in out.getvalue()
