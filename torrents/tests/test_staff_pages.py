"""The staff pages: the moderation queue (bulk approve/reject) and the server page, with the four
personas; anyone who is not staff gets 404."""

import hashlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.testing import PASSWORD
from torrents.models import Node, Ownership, Torrent, TorrentStatus
from torrents.services.quota import quota_charge

pytestmark = pytest.mark.django_db

PAGES = ["/staff/moderation/", "/staff/server/"]
MiB = 1 << 20


def browser(user: User | None) -> Client:
    client = Client()
    if user is not None:
        assert client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def offline_node(db) -> Node:
    """A node row whose rTorrent is not running (the queue pages never call it)."""
    return Node.objects.create(
        name="offline", rpc_url="scgi:///nonexistent/rpc.sock", data_root="/"
    )


def pending(node: Node, owner: User, name: str, size: int = MiB) -> Torrent:
    torrent = Torrent.objects.create(
        info_hash=hashlib.sha1(name.encode()).hexdigest(),
        name=name,
        size_bytes=size,
        node=node,
        status=TorrentStatus.PENDING_APPROVAL,
        added_by=owner,
    )
    quota_charge(user_id=owner.pk, nbytes=size)
    Ownership.objects.create(torrent=torrent, user=owner, charged_bytes=size)
    return torrent


@pytest.mark.parametrize("page", PAGES)
def test_anyone_but_staff_gets_404(page, user, other_user):
    for client in (browser(None), browser(user), browser(other_user)):
        assert client.get(page).status_code == 404
    assert browser(user).post("/staff/moderation/decide/", {"action": "approve"}).status_code == 404


def test_a_non_staff_owner_cannot_approve_their_own_torrent(user, offline_node):
    torrent = pending(offline_node, user, "mine.iso")
    response = browser(user).post(
        "/staff/moderation/decide/", {"action": "approve", "torrent": [torrent.pk]}
    )
    assert response.status_code == 404
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.PENDING_APPROVAL


def test_staff_nav_links_only_for_staff(user, admin_user):
    assert b"/staff/moderation/" in browser(admin_user).get("/accounts/").content
    assert b"/staff/moderation/" not in browser(user).get("/accounts/").content


def test_queue_lists_pending_torrents_oldest_first(user, other_user, admin_user, offline_node):
    pending(offline_node, user, "first.iso")
    pending(offline_node, other_user, "second.iso")
    Torrent.objects.create(
        info_hash="f" * 40, name="already-queued.iso", node=offline_node, added_by=user
    )
    page = browser(admin_user).get("/staff/moderation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("first.iso") < html.index("second.iso")
    assert "already-queued.iso" not in html
    assert "bob@example.com" in html


def test_empty_queue_says_so(admin_user):
    assert b"Nothing waits for approval" in browser(admin_user).get("/staff/moderation/").content


def test_bulk_approve_queues_every_ticked_torrent(user, admin_user, offline_node):
    one, two, _left = (pending(offline_node, user, n) for n in ("a.iso", "b.iso", "c.iso"))
    client = browser(admin_user)
    response = client.post(
        "/staff/moderation/decide/", {"action": "approve", "torrent": [one.pk, two.pk]}
    )
    assert response.status_code == 302
    statuses = dict(Torrent.objects.values_list("name", "status"))
    assert statuses == {
        "a.iso": TorrentStatus.QUEUED,
        "b.iso": TorrentStatus.QUEUED,
        "c.iso": TorrentStatus.PENDING_APPROVAL,
    }
    assert Torrent.objects.get(pk=one.pk).reviewed_by == admin_user
    followed = client.get(response["Location"]).content.decode()
    assert "Approved 2: a.iso, b.iso." in followed
    assert "c.iso" in followed


def test_bulk_reject_gives_the_reason_and_the_quota_back(
    user, other_user, admin_user, offline_node
):
    one = pending(offline_node, user, "a.iso", size=3 * MiB)
    two = pending(offline_node, other_user, "b.iso", size=5 * MiB)
    response = browser(admin_user).post(
        "/staff/moderation/decide/",
        {"action": "reject", "torrent": [one.pk, two.pk], "reason": "  not allowed here "},
    )
    assert response.status_code == 302
    for torrent in (one, two):
        torrent.refresh_from_db()
        assert torrent.status == TorrentStatus.REJECTED
        assert torrent.status_message == "rejected: not allowed here"
    user.refresh_from_db()
    other_user.refresh_from_db()
    assert (user.used_bytes, other_user.used_bytes) == (0, 0)


def test_reject_without_a_reason_keeps_the_ticks_and_changes_nothing(
    user, admin_user, offline_node
):
    one = pending(offline_node, user, "a.iso")
    two = pending(offline_node, user, "b.iso")
    response = browser(admin_user).post(
        "/staff/moderation/decide/", {"action": "reject", "torrent": [one.pk], "reason": "  "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a reason: the owners read it." in html
    assert f'value="{one.pk}" id="pick-{one.pk}"\n                  checked' in html
    assert f'value="{two.pk}" id="pick-{two.pk}"\n                  \n' in html
    assert set(Torrent.objects.values_list("status", flat=True)) == {TorrentStatus.PENDING_APPROVAL}


def test_nothing_ticked_is_an_error_next_to_the_list(user, admin_user, offline_node):
    pending(offline_node, user, "a.iso")
    response = browser(admin_user).post("/staff/moderation/decide/", {"action": "approve"})
    assert response.status_code == 400
    assert b"Tick at least one torrent." in response.content


def test_a_torrent_decided_meanwhile_is_reported_not_changed(user, admin_user, offline_node):
    decided = pending(offline_node, user, "gone.iso")
    fresh = pending(offline_node, user, "fresh.iso")
    Torrent.objects.filter(pk=decided.pk).update(status=TorrentStatus.QUEUED)
    client = browser(admin_user)
    response = client.post(
        "/staff/moderation/decide/",
        {"action": "reject", "torrent": [decided.pk, fresh.pk], "reason": "spam"},
    )
    followed = client.get(response["Location"]).content.decode()
    assert "Rejected 1: fresh.iso." in followed
    assert "gone.iso is not waiting for approval (it is queued)" in followed
    decided.refresh_from_db()
    assert decided.status == TorrentStatus.QUEUED


def _queue_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/staff/moderation/").status_code == 200
    return len(queries)


def test_queue_queries_do_not_grow_with_the_queue(user, other_user, admin_user, offline_node):
    client = browser(admin_user)
    pending(offline_node, user, "t0.iso")
    client.get("/")  # a session's first request records its activity (then once a minute)
    with_one = _queue_queries(client)
    for i in range(1, 50):
        pending(offline_node, user if i % 2 else other_user, f"t{i}.iso")
    assert _queue_queries(client) == with_one


def test_server_page_shows_a_live_node_and_a_dead_one(admin_user, node, offline_node, user):
    pending(offline_node, user, "waiting.iso")
    page = browser(admin_user).get("/staff/server/")
    assert page.status_code == 200
    html = page.content.decode()
    live = html[html.index(f'data-node="{node.name}"') :][:3000]
    dead = html[html.index('data-node="offline"') :][:3000]
    assert '<span class="state up">up</span>' in live
    assert "0.9." in live  # rTorrent's version, asked live
    assert "Disk:" in live
    assert "used" in live
    assert '<span class="state down">down</span>' in dead
    assert "1 waiting for approval" in dead
    assert "waiting.iso" in html  # the oldest waiting, from the same service as GET /api/server
