"""The Django admin's torrent pages: no raw row deletion (it would skip quota, rTorrent and the
data); the remove action is the same service as DELETE /api/torrents/:id for everyone."""

from django.test import Client

from torrents.models import Torrent, TorrentStatus
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
from torrents.storage import torrent_directory
from torrents.tests.helpers_sync import add_torrent, committed


def _admin_client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def test_remove_for_everyone_releases_quota_and_purges(node, owner, other, admin, tmp_path):
    torrent = add_torrent(node, [owner, other], tmp_path, name="shared.bin", with_data=True)
    client = _admin_client(admin)

    response = committed(
        lambda: client.post(
            "/admin/torrents/torrent/",
            {"action": "remove_for_everyone", "_selected_action": [torrent.pk]},
        )
    )

    assert response.status_code == 302
    node_sync(node=node)
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.REMOVED
    assert not torrent.owners.exists()
    for user in (owner, other):
        user.refresh_from_db()
        assert user.used_bytes == 0
    assert not node_client(node).has(torrent.info_hash)
    assert not torrent_directory(torrent).exists()


def test_rows_cannot_be_deleted_raw_and_the_change_page_shows_the_file_count(
    node, owner, admin, tmp_path
):
    torrent = add_torrent(
        node, [owner], tmp_path, name="album", files={"a.bin": 10, "b/c.bin": 20}, load=False
    )
    client = _admin_client(admin)

    page = client.get(f"/admin/torrents/torrent/{torrent.pk}/change/")
    delete = client.post(f"/admin/torrents/torrent/{torrent.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert "Delete</a>" not in page.content.decode()
    assert delete.status_code == 403
    assert Torrent.objects.filter(pk=torrent.pk).exists()
