"""A Celery worker's pool process SIGKILLed in the middle of an `acks_late` task: the task runs
again, and what it counts is counted once (issue 16, "Proof under faults").

Real processes: the worker as `runseedbox` starts it (prefork), on the suite's Redis and the test
database (Postgres), a real rTorrent, and a web server on loopback that holds the worker's first
GET of a `.torrent` until the process is killed. The task is the fetch of a `.torrent` by URL:
it adds a torrent and charges the quota, so running twice would show as two of either.

Before `task_reject_on_worker_lost`, Celery acknowledged the task of a pool process that died
(acks_late or not): the fetch stayed `fetching` for good and nothing ran it again."""

import os
import signal
import threading
from http.server import BaseHTTPRequestHandler

import pytest
from django.conf import settings as django_settings
from django.db import connection

from seedbox.testing import wait_until
from seedbox.tests.faults.support import Worker, database_url
from seedbox.tests.fetch_servers import serving
from torrents.models import Torrent, TorrentFetch, TorrentStatus
from torrents.services.fetch_requests import torrent_fetch_request
from torrents.services.nodes import node_client
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import clear_broker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


class _HoldsTheFirstGet(BaseHTTPRequestHandler):
    """Holds the first GET until `server.cut` is set (the worker is killed meanwhile); answers
    the next ones with the .torrent."""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        if len(self.server.hits) == 1:
            self.server.cut.wait(30)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-bittorrent")
        self.send_header("Content-Length", str(len(self.server.torrent)))
        self.end_headers()
        self.wfile.write(self.server.torrent)


def test_a_pool_process_killed_mid_fetch_runs_it_again_and_adds_it_once(node, alice, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs the test database on a server: set DATABASE_URL=postgres")
    metainfo, info_hash, _ = make_torrent(tmp_path, "once.bin", 20_000)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "SEEDBOX_VAR_DIR": str(tmp_path / "var"),
        "SEEDBOX_ALLOW_PRIVATE_URLS": "true",  # the .torrent is served on loopback
        "SEEDBOX_ALLOW_PRIVATE_TRACKERS": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    clear_broker()
    cut = threading.Event()
    with serving(_HoldsTheFirstGet, torrent=metainfo, hits=[], cut=cut) as server:
        worker = Worker(env)
        try:
            fetch = torrent_fetch_request(user=alice, url=f"{server.url}/once.torrent")
            wait_until(
                lambda: server.hits, timeout=30, what="the worker's GET", explain=worker.output
            )
            pool = worker.pool()
            assert pool, "a prefork worker has pool processes"
            for pid in pool:  # the one holding the GET among them
                os.kill(pid, signal.SIGKILL)
            cut.set()

            def added() -> bool:
                return TorrentFetch.objects.get(pk=fetch.pk).state == TorrentFetch.State.ADDED

            wait_until(added, timeout=30, what="the fetch to run again", explain=worker.output)
            wait_until(
                lambda: Torrent.objects.get(info_hash=info_hash).status == TorrentStatus.CHECKING,
                timeout=20,
                what="the push of the fetched torrent",
                explain=worker.output,
            )
        finally:
            cut.set()
            worker.kill()
            clear_broker()

    fetch.refresh_from_db()
    alice.refresh_from_db()
    [torrent] = Torrent.objects.filter(info_hash=info_hash)
    assert server.hits == ["/once.torrent"] * 2  # the killed attempt and the one run again
    assert fetch.attempts == 2
    assert fetch.torrent_id == torrent.pk
    assert alice.used_bytes == torrent.size_bytes == 20_000  # charged once
    assert node_client(node).hashes() == [info_hash]
