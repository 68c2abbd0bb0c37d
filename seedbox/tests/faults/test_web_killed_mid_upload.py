"""The web server SIGKILLed in the middle of a large upload (issue 16, "Proof under faults"):
nothing is charged, and the temporary files it leaves are removed by the periodic clean-up once
stale (and by `runseedbox` at start: torrents/tests/test_incoming_clean.py).

Real processes: gunicorn as `runseedbox` starts it, on the test database (Postgres), with an
upload temp dir of the test's own; a 64 MiB upload with its data sent over a raw socket, a
chunk at a time, and the whole server (master and worker) killed once part of it is on disk."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection

from accounts.models import User
from accounts.services.tokens import api_token_create
from conftest import free_port
from seedbox.testing import wait_until
from seedbox.tests.faults.support import database_url
from torrents.models import Torrent
from torrents.tasks.maintenance import clean_incoming
from torrents.tests.test_upload_guard import BOUNDARY, metainfo_for
from torrents.upload_guard import temp_dir_usage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

MiB = 1 << 20
SIZE = 64 * MiB


def _gunicorn(env: dict, port: int) -> subprocess.Popen:
    """The web child of `runseedbox` (seedbox/management/commands/runseedbox.py)."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "seedbox.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def _request_head(key: str, port: int) -> tuple[bytes, int]:
    """The request line, headers and every part up to the data; and the body's full length."""
    parts = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="way"\r\n\r\nwith-data\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="torrent"; '
        'filename="big.torrent"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode() + metainfo_for(SIZE)
    parts += (
        f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
        'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    length = len(parts) + SIZE + len(f"\r\n--{BOUNDARY}--\r\n")
    head = (
        f"POST /api/torrents/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Token {key}\r\nContent-Length: {length}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n"
    ).encode()
    return head + parts, length


def test_a_web_server_killed_mid_upload_charges_nothing_and_its_files_are_cleaned(
    tmp_path, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn needs the test database on a server: set DATABASE_URL=postgres")
    user = User.objects.create_user("killed.upload@example.com", "pw", quota_bytes=1 << 30)
    _, key = api_token_create(user=user)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "SEEDBOX_VAR_DIR": str(tmp_path / "var"),
        "SEEDBOX_UPLOAD_TEMP_DIR": str(incoming),
        "SEEDBOX_ALLOW_PRIVATE_TRACKERS": "true",
    }
    web = _gunicorn(env, port)
    try:
        deadline = time.monotonic() + 30
        while True:  # gunicorn listens before its worker is up: the request waits for it
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                assert web.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn never listened"
                time.sleep(0.1)
        with sock:
            sock.settimeout(20)  # the worker may still be starting
            head, _ = _request_head(key, port)
            sock.sendall(head)
            chunk = bytes(MiB)
            for _ in range(SIZE // MiB // 4):  # a quarter of the data, then the kill
                sock.sendall(chunk)
            wait_until(
                lambda: temp_dir_usage(incoming) >= SIZE // 8,
                timeout=20,
                what="the upload to reach the temp dir",
            )
            os.killpg(web.pid, signal.SIGKILL)
            web.wait(10)
    finally:
        if web.poll() is None:
            os.killpg(web.pid, signal.SIGKILL)
            web.wait()

    left = sorted(p.name for p in incoming.iterdir())
    assert len(left) == 2, left  # the .torrent's and the data's temporary files: the leak is real
    assert temp_dir_usage(incoming) >= SIZE // 8
    user.refresh_from_db()
    assert user.used_bytes == 0  # nothing charged for an upload that never finished
    assert not Torrent.objects.exists()

    settings.FILE_UPLOAD_TEMP_DIR = incoming  # the clean-up task's directory
    assert clean_incoming.run()["removed"] == 0  # fresh: it could be an upload in flight
    past = time.time() - 2 * 3600  # untouched for two hours: stale for the periodic clean-up
    for name in left:
        os.utime(incoming / name, (past, past))
    report = clean_incoming.run()
    assert report["removed"] == 2
    assert report["freed_bytes"] >= SIZE // 8
    assert list(incoming.iterdir()) == []
