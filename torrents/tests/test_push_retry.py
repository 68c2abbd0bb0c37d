"""A torrent whose push failed on a one-off disk error is not stuck in `error` (issue 10, item
7): its owner can try again (API and page), and the reconcile retries it with a growing wait.

The disk error is real: the directory above the torrent's is made immutable (`chattr +i`, which
stops root too), so preparing the torrent's directory fails with "Operation not permitted".
"""

import shutil
import subprocess
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from torrents.models import Torrent, TorrentStatus
from torrents.services.nodes import node_client
from torrents.services.push import retry_delay
from torrents.storage import torrent_directory
from torrents.tasks.push import reconcile_queued
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import clear_broker, committed, post, push_queued, upload

pytestmark = pytest.mark.skipif(not shutil.which("chattr"), reason="needs chattr (e2fsprogs)")


@contextmanager
def immutable(path):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture
def failed_push(node, alice, tmp_path):
    """A torrent of alice's whose push failed because its data directory could not be made;
    the disk is fixed when the test body runs."""
    data, info_hash, _ = make_torrent(tmp_path, "blocked.bin", 4096)
    assert post(alice, {"torrents": [upload("blocked.torrent", data)]}).status_code == 201
    torrent = Torrent.objects.get(info_hash=info_hash)
    with immutable(torrent_directory(torrent).parent):
        assert push_queued() == ["error"]
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.ERROR
    assert "Operation not permitted" in torrent.status_message
    return torrent


def test_the_owner_tries_again_through_the_api(failed_push, alice, api_client_for):
    client = api_client_for(alice)
    response = committed(lambda: client.post(f"/api/torrents/{failed_push.pk}/repush"))
    assert response.status_code == 200, response.data
    assert push_queued() == ["loaded"]

    failed_push.refresh_from_db()
    assert failed_push.status == TorrentStatus.CHECKING
    assert failed_push.last_error == ""
    assert node_client(failed_push.node).has(failed_push.info_hash)


def test_the_owner_tries_again_from_the_torrent_page(failed_push, alice):
    page = Client()
    page.force_login(alice)
    assert 'id="action-repush"' in page.get(f"/torrents/{failed_push.pk}/").content.decode()

    response = committed(
        lambda: page.post(f"/torrents/{failed_push.pk}/action/", {"action": "repush"})
    )

    assert response.status_code == 302
    assert push_queued() == ["loaded"]
    failed_push.refresh_from_db()
    assert failed_push.status == TorrentStatus.CHECKING


def test_another_user_cannot_try_again(failed_push, bob, api_client_for):
    assert api_client_for(bob).post(f"/api/torrents/{failed_push.pk}/repush").status_code == 404


def test_the_reconcile_retries_after_a_growing_wait(failed_push):
    clear_broker()
    assert reconcile_queued.run()["test"]["pushed"] == 0  # too soon: the wait is not over
    assert Torrent.objects.get(pk=failed_push.pk).status == TorrentStatus.ERROR

    waited = timezone.now() - timedelta(seconds=retry_delay(failed_push.push_attempts) + 1)
    Torrent.objects.filter(pk=failed_push.pk).update(last_push_at=waited)
    report = reconcile_queued.run()["test"]

    assert report["retried"] == 1, report
    assert report["pushed"] == 1, report
    failed_push.refresh_from_db()
    assert failed_push.status == TorrentStatus.CHECKING
    assert failed_push.push_attempts == 2


def test_the_wait_grows_and_is_capped():
    assert retry_delay(1) < retry_delay(2) < retry_delay(3)
    assert retry_delay(50) == retry_delay(60)
