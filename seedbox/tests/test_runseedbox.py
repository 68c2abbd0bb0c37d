"""The stack as `runseedbox` runs it: beat is a child of its own, so that the supervisor sees it
die; SIGKILLed, the real beat is restarted and sends the sync again (to a real Redis)."""

import io
import os
import signal
import subprocess
import sys
import threading
import time

from conftest import free_port, loopback_address
from seedbox.management.commands.runseedbox import beat_argv, worker_argv
from seedbox.supervisor import ChildSpec, RestartPolicy, Supervisor
from torrents.rtorrent import RTorrentClient, RTorrentError


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


def test_rtorrent_killed_comes_back_under_the_supervisor(tmp_path, monkeypatch):
    """The fault test's "after rTorrent was killed the stack stopped and never came back": the
    real `manage.py rtorrentd` (on a migrated SQLite of its own) is restarted, and answers."""
    address = loopback_address()
    port = free_port(address)
    env = {
        "SEEDBOX_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "SEEDBOX_RTORRENT_BIND": address,
        "SEEDBOX_RTORRENT_PORT_RANGE": f"{port}-{port}",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SEEDBOX_RTORRENT_URL", raising=False)
    monkeypatch.delenv("SEEDBOX_RTORRENT_DIR", raising=False)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], check=True, timeout=25)
    url = f"scgi://{tmp_path / 'var' / 'rtorrent' / 'rpc.sock'}"
    out = io.StringIO()
    supervisor = Supervisor(
        [ChildSpec("rtorrent", [*manage, "rtorrentd"], ready=lambda: _answers(url))],
        out=out,
        policy=RestartPolicy(backoff_initial=0.5),
    )
    ready = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(ready.set,), daemon=True)
    thread.start()
    try:
        assert ready.wait(20), out.getvalue()
        daemon_pid = int((tmp_path / "var" / "rtorrent" / "session" / "rtorrent.lock")
                         .read_text().rpartition(":+")[2])  # fmt: skip
        os.kill(daemon_pid, signal.SIGKILL)

        _wait_for(lambda: "restarting rtorrent (restart 1)" in out.getvalue(), 10)
        _wait_for(lambda: _answers(url), 15)
    finally:
        supervisor.stop()
        thread.join(30)
    assert "WARNING: rtorrent exited with code 1; restarting it in" in out.getvalue()


def _answers(url: str) -> bool:
    try:
        RTorrentClient(url, timeout=1).version()
    except RTorrentError:
        return False
    return True
