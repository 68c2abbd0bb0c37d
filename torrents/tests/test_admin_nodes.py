"""The admin's nodes: each one's load (torrents held, their rates), free space, state and last
error in the list; "Move to node…" on torrents claims the move and queues it on the target's
queue (the real broker), and refuses, saying why, what cannot move."""

import shutil

from django.test import Client

from seedbox.celery import app as celery_app
from seedbox.sizes import human_size
from torrents.models import Node, Torrent, TorrentStatus
from torrents.tests.helpers_sync import add_torrent
from torrents.tests.test_node_queues import taken


def _admin_client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def _nodes(tmp_path) -> tuple[Node, Node]:
    (tmp_path / "near").mkdir()
    (tmp_path / "far").mkdir()
    near = Node.objects.create(name="near", rpc_url="scgi:///n.sock", data_root=tmp_path / "near")
    far = Node.objects.create(
        name="far", rpc_url="scgi://10.0.0.9:5000", data_root=tmp_path / "far", queue="node-far"
    )
    return near, far


def test_the_node_list_shows_load_free_space_and_the_last_error(owner, admin, tmp_path):
    near, far = _nodes(tmp_path)
    for name, up in (("one.bin", 3 * 1024 * 1024), ("two.bin", 1024 * 1024)):
        torrent = add_torrent(near, [owner], tmp_path / name, name=name, load=False)
        Torrent.objects.filter(pk=torrent.pk).update(up_rate=up, down_rate=512 * 1024)
    gone = add_torrent(near, [owner], tmp_path / "gone", name="gone.bin", load=False)
    Torrent.objects.filter(pk=gone.pk).update(status=TorrentStatus.REMOVED, up_rate=10**9)
    Node.objects.filter(pk=far.pk).update(
        is_up=False, last_error="rTorrent at scgi://10.0.0.9:5000 is unreachable", data_root="/nx"
    )
    before = human_size(shutil.disk_usage(tmp_path / "near").free)

    client = _admin_client(admin)
    page = client.get("/admin/torrents/node/").content.decode()
    after = human_size(shutil.disk_usage(tmp_path / "near").free)

    rows = {
        name: next(r for r in page.split("<tr") if f">{name}<" in r) for name in ("near", "far")
    }
    near_row, far_row = rows["near"], rows["far"]
    assert '<td class="field-torrent_count">2</td>' in near_row  # the removed one is not held
    assert f"{human_size(4 * 1024 * 1024)}/s / {human_size(1024 * 1024)}/s" in near_row
    assert before in near_row or after in near_row
    assert '<td class="field-torrent_count">0</td>' in far_row
    assert "not visible from here" in far_row
    assert "is unreachable" in far_row
    change = client.get(f"/admin/torrents/node/{far.pk}/change/").content.decode()
    assert "not visible from here" in change
    assert "is unreachable" in change


def test_move_to_node_claims_and_queues_on_the_targets_queue(owner, admin, tmp_path):
    near, far = _nodes(tmp_path)
    taken("node-far")
    seeding = add_torrent(near, [owner], tmp_path / "s", name="s.bin", load=False,
                          status=TorrentStatus.SEEDING)  # fmt: skip
    queued = add_torrent(near, [owner], tmp_path / "q", name="q.bin", load=False,
                         status=TorrentStatus.QUEUED)  # fmt: skip
    client = _admin_client(admin)

    def move(*torrents, node=None):
        data = {"action": "move_to_node", "_selected_action": [t.pk for t in torrents]}
        if node is not None:
            data["node"] = node.pk
        return client.post("/admin/torrents/torrent/", data, follow=True).content.decode()

    assert "Choose the node to move them to." in move(seeding)
    assert Torrent.objects.get(pk=seeding.pk).moving_to is None

    answer = move(seeding, queued, node=far)
    assert "1 torrent(s) moving to far" in answer
    assert "Q.bin: it is queued: only a torrent loaded in rTorrent can move" in answer
    assert Torrent.objects.get(pk=seeding.pk).moving_to == far
    assert taken("node-far") == [("move_torrent", [seeding.pk, far.pk])]
    assert taken(celery_app.conf.task_default_queue) == []

    # One move at a time (a second click queues nothing); never to where it already is.
    Torrent.objects.filter(pk=queued.pk).update(last_error="move to far failed: " + "x" * 500)
    listed = move(seeding, node=far)
    assert "another move of this torrent is under way" in listed
    assert "move to far failed: " + "x" * 80 in listed  # the list shows the start of it
    assert "x" * 200 not in listed
    assert taken("node-far") == []
    Torrent.objects.filter(pk=seeding.pk).update(moving_to=None)
    assert "S.bin: it is already on near" in move(seeding, node=near)
