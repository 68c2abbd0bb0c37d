"""Row locks that cannot deadlock. The sync locks its node's row, then writes the node's
torrents. A service holding a torrent's row must never wait on that node's row: not by locking it
(`select_for_update()` with `select_related("node")` locks the joined row too), nor through the
KEY SHARE lock of a foreign-key check, which the sync's lock must therefore not block (FOR NO KEY
UPDATE). Seen as a 500 of the page's priority select while the sync ran, in the browser test."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from torrents.services.file_priorities import torrent_set_file_priorities
from torrents.services.nodes import nodes_lock
from torrents.tests.helpers_sync import add_torrent

pytestmark = pytest.mark.django_db(transaction=True)


def test_file_priorities_never_wait_on_the_node_the_sync_holds(node, owner, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks")
    torrent = add_torrent(node, [owner], tmp_path, name="duo", files={"a": 100, "b": 200})
    held, release = threading.Event(), threading.Event()

    def sync_holding_the_node() -> None:
        try:
            with transaction.atomic():
                nodes_lock([node.pk])
                held.set()
                release.wait(15)
        finally:
            connection.close()

    thread = threading.Thread(target=sync_holding_the_node)
    thread.start()
    try:
        assert held.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            change = torrent_set_file_priorities(
                torrent=torrent, user=owner, priorities={0: "skip"}
            )
        except OperationalError as exc:  # waited for the node's row
            pytest.fail(f"the priorities waited on the node's lock: {exc}")
        assert change.charged_bytes == 200
    finally:
        release.set()
        thread.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
