"""The data migration gives each existing adder the announce URLs of their .torrent or magnet."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from torrents.tests.factories import make_torrent

BEFORE = [("torrents", "0005_magnet_expiry_owner_trackers")]
AFTER = [("torrents", "0006_owner_trackers_from_stored")]


@pytest.fixture
def back_to_the_latest():
    """Whatever happens, the tests after this one get the database of the latest migrations
    (not AFTER: later migrations exist)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_adders_get_their_stored_trackers(tmp_path):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    node = apps.get_model("torrents", "Node").objects.create(name="n", rpc_url="x", data_root="/")
    torrent_model = apps.get_model("torrents", "Torrent")
    ownership_model = apps.get_model("torrents", "Ownership")
    alice = User.objects.create_user("a@example.com", "pw").pk  # accounts is not rolled back
    bob = User.objects.create_user("b@example.com", "pw").pk
    metainfo, info_hash, _ = make_torrent(tmp_path, trackers=["http://t.example.org/a"])
    with_file = torrent_model.objects.create(
        info_hash=info_hash, name="f", node=node, metainfo=metainfo, added_by_id=alice
    )
    magnet = torrent_model.objects.create(
        info_hash="b" * 40,
        name="m",
        node=node,
        added_by_id=bob,
        magnet_uri=f"magnet:?xt=urn:btih:{'b' * 40}&tr=udp%3A%2F%2Ft.example.net%3A1337",
    )
    for torrent, user in ((with_file, alice), (with_file, bob), (magnet, bob)):
        ownership_model.objects.create(torrent=torrent, user_id=user)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    apps = executor.loader.project_state(AFTER).apps
    rows = apps.get_model("torrents", "Ownership").objects.order_by("pk")
    assert [r.trackers for r in rows] == [
        ["http://t.example.org/a"],
        [],
        ["udp://t.example.net:1337"],
    ]
