"""Each node's work on its own Celery queue (Node.queue), so a worker next to the node does it
and a node that is down holds up only its own queue: the sync fan-out, the reconcile, pushes,
checks, file priorities and removals of its torrents, read back from the real broker."""

import pytest

from seedbox.celery import app as celery_app
from torrents.models import Node, Torrent, TorrentStatus
from torrents.services.file_priorities import priorities_enqueue
from torrents.services.nodes import node_ensure_managed
from torrents.services.purge import purge_enqueue
from torrents.services.push import push_enqueue, torrents_reconcile, verify_after
from torrents.tasks.sync import sync_nodes

pytestmark = pytest.mark.django_db


def taken(queue: str) -> list[tuple[str, list]]:
    """Every message waiting in `queue` of the real broker: (task, args)."""
    found = []
    with celery_app.connection_for_read() as connection:
        simple = connection.SimpleQueue(queue)
        try:
            while True:
                try:
                    message = simple.get(block=False)
                except simple.Empty:
                    break
                found.append((message.headers["task"].rsplit(".", 1)[-1], message.payload[0]))
                message.ack()
        finally:
            simple.close()
    return found


@pytest.fixture
def nodes():
    default = celery_app.conf.task_default_queue
    for queue in (default, "node-far"):
        taken(queue)
    near = Node.objects.create(name="near", rpc_url="scgi:///n.sock", data_root="/tmp/near")
    far = Node.objects.create(
        name="far", rpc_url="scgi://10.0.0.9:5000", data_root="/tmp/far", queue="node-far"
    )
    yield near, far
    for queue in (default, "node-far"):
        taken(queue)


def test_the_sync_and_the_reconcile_fan_out_to_each_nodes_queue(nodes):
    near, far = nodes
    assert sync_nodes() == 2
    assert taken("node-far") == [("sync_node", [far.pk])]
    assert taken(celery_app.conf.task_default_queue) == [("sync_node", [near.pk])]

    report = torrents_reconcile()
    assert report["far"] == {"queued": "node-far"}
    assert taken("node-far") == [("reconcile_node", [far.pk])]
    assert report["near"]["pushed"] == 0  # done here, by the default worker


def test_a_torrents_tasks_go_to_its_nodes_queue(nodes, django_user_model):
    near, far = nodes
    user = django_user_model.objects.create_user("q@example.com", "pw")
    on_far = Torrent.objects.create(
        info_hash="f" * 40, name="far", node=far, status=TorrentStatus.QUEUED, added_by=user
    )
    on_near = Torrent.objects.create(
        info_hash="e" * 40, name="near", node=near, status=TorrentStatus.QUEUED, added_by=user
    )
    assert push_enqueue(torrent_id=on_far.pk)
    verify_after(on_far.pk)
    assert priorities_enqueue(torrent_id=on_far.pk)
    purge_enqueue(torrent_id=on_far.pk)
    assert push_enqueue(torrent_id=on_near.pk)
    assert sorted(taken("node-far")) == sorted(
        [
            ("push_torrent", [on_far.pk]),
            ("verify_uploaded_data", [on_far.pk]),
            ("apply_file_priorities", [on_far.pk]),
            ("purge_torrent", [on_far.pk]),
        ]
    )
    assert taken(celery_app.conf.task_default_queue) == [("push_torrent", [on_near.pk])]


def test_a_node_registered_from_settings_gets_its_queue_or_keeps_the_admins(settings):
    """A second node's rtorrentd (docker-compose.node2.yml) registers it with its worker's queue."""
    settings.SEEDBOX_NODE_NAME, settings.SEEDBOX_NODE_QUEUE = "node2", "node2"
    assert node_ensure_managed().queue == "node2"
    Node.objects.filter(name="node2").update(queue="chosen-in-admin")
    settings.SEEDBOX_NODE_QUEUE = ""
    assert node_ensure_managed().queue == "chosen-in-admin"
