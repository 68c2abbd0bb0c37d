"""Deleting a user releases their torrents like a DELETE of each would: one nobody owns any
more is erased from rTorrent with its data; one shared with another user stays theirs."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from accounts.models import User
from torrents.models import Torrent, TorrentStatus
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
from torrents.storage import torrent_directory
from torrents.tests.helpers_sync import add_torrent, api, committed


def _two_torrents(node, owner, other, tmp_path) -> tuple[Torrent, Torrent]:
    alone = add_torrent(node, [owner], tmp_path / "a", name="alone.bin", with_data=True)
    shared = add_torrent(node, [owner, other], tmp_path / "s", name="shared.bin", with_data=True)
    return alone, shared


def _assert_released(node, alone: Torrent, shared: Torrent, other: User) -> None:
    node_sync(node=node)  # finishes the purge even when no worker ran the task
    alone.refresh_from_db()
    assert alone.status == TorrentStatus.REMOVED
    assert not alone.purge_pending
    assert not node_client(node).has(alone.info_hash)
    assert not torrent_directory(alone).exists()
    shared.refresh_from_db()
    assert shared.status != TorrentStatus.REMOVED
    assert list(shared.owners.all()) == [other]
    assert node_client(node).has(shared.info_hash)
    assert torrent_directory(shared).exists()


def test_deleting_oneself_through_the_api_releases_ones_torrents(node, owner, other, tmp_path):
    alone, shared = _two_torrents(node, owner, other, tmp_path)

    response = committed(lambda: api(owner).delete(f"/api/users/{owner.pk}"))

    assert response.status_code == 204
    assert not User.objects.filter(pk=owner.pk).exists()
    _assert_released(node, alone, shared, other)


@pytest.mark.django_db
def test_deleting_a_user_in_the_django_admin_releases_their_torrents(
    node, owner, other, admin, tmp_path
):
    alone, shared = _two_torrents(node, owner, other, tmp_path)
    request = RequestFactory().post("/admin/")
    request.user = admin

    committed(
        lambda: site._registry[User].delete_queryset(request, User.objects.filter(pk=owner.pk))
    )

    assert not User.objects.filter(pk=owner.pk).exists()
    _assert_released(node, alone, shared, other)
