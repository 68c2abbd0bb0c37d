"""The events the torrents services record (events/, EVENTS_CONTRACT): each on the real paths in
(API, add page, worker, admin), once, with the owners concerned and the payload the
notification texts read; none for what was refused or rolled back."""

import hashlib
import shutil

import pytest
from django.test import Client

from accounts.models import User
from events.kinds import EventKind
from events.models import Event
from seedbox.tests.fetch_servers import http_server
from torrents.models import Torrent, TorrentStatus
from torrents.services.magnets import torrent_metadata_resolved
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import (
    api,
    committed,
    fetch_and_push_queued,
    post,
    upload,
)
from torrents.tests.pages_support import client_for

TRACKER = "http://tracker.example.org/announce"
MAGNET_HASH = "cd" * 20
MAGNET = f"magnet:?xt=urn:btih:{MAGNET_HASH}&dn=some&tr={TRACKER}"


def recorded(*kinds: EventKind) -> list[tuple[str, list[int], dict]]:
    rows = Event.objects.order_by("id")
    if kinds:
        rows = rows.filter(kind__in=kinds)
    return [(e.kind, e.user_ids, e.payload) for e in rows]


def about(torrent: Torrent, **extra) -> dict:
    return {"name": torrent.name, "torrent_id": torrent.pk, **extra}


def added(user: User, torrent: Torrent) -> tuple:
    return (EventKind.TORRENT_ADDED, [user.pk], about(torrent))


def browser(user: User) -> Client:
    return client_for(user)


# --- torrent.added --------------------------------------------------------------------------


def test_every_way_in_through_the_api_tells_the_adder_once(node, alice, tmp_path, settings):
    settings.SEEDBOX_DEFAULT_TRACKERS = [TRACKER]
    one, _, _ = make_torrent(tmp_path / "a", "one.bin", 20_000)
    album, _, path = make_torrent(tmp_path / "b", "album", files={"a.bin": 9000})
    answer = post(alice, {"torrents": [upload("one.torrent", one)], "magnets": MAGNET})
    assert answer.status_code == 201, answer.data
    with_data = {
        "torrent": upload("album.torrent", album),
        "files": [upload("a.bin", (path / "a.bin").read_bytes())],
        "paths": ["album/a.bin"],
    }
    assert post(alice, with_data).status_code == 201
    assert post(alice, {"files": [upload("song.ogg", b"o" * 5000)]}).status_code == 201

    by_name = {t.name: t for t in Torrent.objects.all()}
    assert set(by_name) == {"one.bin", "some", "album", "song.ogg"}
    assert recorded() == [
        added(alice, by_name["one.bin"]),
        added(alice, by_name["some"]),
        added(alice, by_name["album"]),
        added(alice, by_name["song.ogg"]),
    ]
    assert Event.objects.get(payload__name="album").torrent == by_name["album"]


def test_the_add_page_tells_the_adder_of_what_was_added_not_of_what_was_refused(
    node, alice, tmp_path
):
    one, info_hash, _ = make_torrent(tmp_path, "page.bin", 20_000)
    files = [upload("page.torrent", one), upload("junk.torrent", b"<html>")]
    response = committed(
        lambda: browser(alice).post("/torrents/add/", {"way": "torrents", "torrents": files})
    )
    assert response.status_code == 200
    assert recorded() == [added(alice, Torrent.objects.get(info_hash=info_hash))]


def test_a_refused_item_takes_its_event_back_and_the_good_one_keeps_its_own(node, alice, tmp_path):
    """The .torrent is taken (its torrent.added recorded) and only then refused for the node's
    disk, in its savepoint: the event goes with it. The magnet, whose size is not known yet,
    is added; the junk is refused before anything."""
    free = node_free(node)
    Torrent.objects.create(  # the disk is promised to a torrent still downloading
        info_hash=hashlib.sha1(b"filler").hexdigest(),
        name="filler",
        size_bytes=2 * free,
        node=node,
        status=TorrentStatus.QUEUED,
    )
    big, big_hash, _ = make_torrent(tmp_path, "refused.bin", 20_000)
    answer = post(
        alice,
        {
            "torrents": [upload("refused.torrent", big), upload("junk.torrent", b"x")],
            "magnets": MAGNET,
        },
    )
    assert answer.status_code == 201, answer.data
    assert {r["name"] for r in answer.data["rejected"]} == {"refused.torrent", "junk.torrent"}
    assert "no room" in str(answer.data["rejected"])
    assert not Torrent.objects.filter(info_hash=big_hash).exists()
    assert recorded() == [added(alice, Torrent.objects.get(info_hash=MAGNET_HASH))]


def test_a_request_refused_whole_after_its_items_leaves_no_event(
    node, alice, tmp_path, monkeypatch
):
    """The labels go on after every item is in: one too many refuses the request, items and
    their events alike (and the quota charge that could have warned)."""
    monkeypatch.setattr("torrents.services.labels.PER_USER_MAX", 1)
    alice.quota_bytes = 20_000
    alice.save()
    data, _, _ = make_torrent(tmp_path, "labelled.bin", 19_000)
    answer = post(alice, {"torrents": [upload("l.torrent", data)], "labels": "one, two"})
    assert answer.status_code == 400, answer.data
    assert "labels" in answer.data["detail"]
    assert not Torrent.objects.exists()
    assert recorded() == []


def node_free(node) -> int:
    return shutil.disk_usage(node.data_root).free


@pytest.fixture
def private_urls(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True  # the test's server is on loopback


def test_a_torrent_fetched_by_url_tells_the_adder_when_the_worker_adds_it(
    node, alice, tmp_path, private_urls
):
    data, info_hash, _ = make_torrent(tmp_path, "by-url.bin", 20_000, trackers=[TRACKER])
    with http_server(payload=data) as server:
        assert post(alice, {"url": [f"{server.url}/file"]}).status_code == 201
        assert recorded() == []  # queued, not added yet
        fetched, _ = fetch_and_push_queued()
    assert fetched == ["added"]
    assert recorded() == [added(alice, Torrent.objects.get(info_hash=info_hash))]


def test_a_co_owner_joining_is_told_and_the_first_owner_is_not_told_again(
    node, alice, bob, tmp_path
):
    data, info_hash, _ = make_torrent(tmp_path, "shared.bin", 20_000)
    assert post(alice, {"torrents": [upload("s.torrent", data)]}).status_code == 201
    assert post(bob, {"torrents": [upload("s.torrent", data)]}).status_code == 201
    refused = post(bob, {"torrents": [upload("s.torrent", data)]})  # "you already have it"
    assert refused.status_code == 400
    torrent = Torrent.objects.get(info_hash=info_hash)
    assert recorded() == [added(alice, torrent), added(bob, torrent)]


# --- moderation -----------------------------------------------------------------------------


@pytest.fixture
def moderated(settings, boss):
    settings.SEEDBOX_REQUIRE_APPROVAL = True
    helper = User.objects.create_user("helper.mod@example.com", "pw", is_staff=True)
    User.objects.create_user("gone.mod@example.com", "pw", is_staff=True, is_active=False)
    return helper


@pytest.fixture
def pending(node, alice, bob, moderated, tmp_path) -> Torrent:
    """Alice's torrent waiting for approval, which Bob (untrusted too) added as well."""
    data, _, _ = make_torrent(tmp_path, "wait.bin", 3000)
    assert post(alice, {"torrents": [upload("w.torrent", data)]}).status_code == 201
    assert post(bob, {"torrents": [upload("w.torrent", data)]}).status_code == 201
    torrent = Torrent.objects.get()
    assert torrent.status == TorrentStatus.PENDING_APPROVAL
    return torrent


def test_a_torrent_waiting_for_approval_is_told_to_the_active_staff_once(
    pending, alice, bob, boss, moderated
):
    assert recorded() == [
        added(alice, pending),
        (
            EventKind.TORRENT_AWAITING_APPROVAL,
            sorted([boss.pk, moderated.pk]),
            about(pending, owner=alice.email),
        ),
        added(bob, pending),  # it was waiting already: the staff are not told again
    ]


def test_a_trusted_users_add_does_not_wait_and_is_not_told_to_staff(
    node, alice, moderated, tmp_path
):
    alice.trusted = True
    alice.save()
    data, _, _ = make_torrent(tmp_path, "ok.bin", 3000)
    assert post(alice, {"torrents": [upload("o.torrent", data)]}).status_code == 201
    assert recorded(EventKind.TORRENT_AWAITING_APPROVAL) == []


def _approve(way: str, staff: User, torrent: Torrent):
    if way == "api":
        return committed(lambda: api(staff).post(f"/api/torrents/{torrent.pk}/approve"))
    if way == "page":
        body = {"action": "approve", "torrent": [torrent.pk]}
        return committed(lambda: browser(staff).post("/staff/moderation/decide/", body))
    body = {"action": "approve", "_selected_action": [torrent.pk]}
    return committed(lambda: browser(staff).post("/admin/torrents/torrent/", body))


def _reject(way: str, staff: User, torrent: Torrent, reason: str):
    if way == "api":
        url = f"/api/torrents/{torrent.pk}/reject"
        return committed(lambda: api(staff).post(url, {"reason": reason}, format="json"))
    if way == "page":
        body = {"action": "reject", "torrent": [torrent.pk], "reason": reason}
        return committed(lambda: browser(staff).post("/staff/moderation/decide/", body))
    body = {"action": "reject", "_selected_action": [torrent.pk], "reason": reason}
    return committed(lambda: browser(staff).post("/admin/torrents/torrent/", body))


@pytest.mark.parametrize("way", ["api", "page", "admin"])
def test_an_approval_tells_every_owner_once(way, pending, alice, bob, boss):
    assert _approve(way, boss, pending).status_code in (200, 302)
    pending.refresh_from_db()
    assert pending.status == TorrentStatus.QUEUED
    _approve(way, boss, pending)  # not waiting any more: refused, nothing told
    assert recorded(EventKind.TORRENT_APPROVED, EventKind.TORRENT_REJECTED) == [
        (EventKind.TORRENT_APPROVED, sorted([alice.pk, bob.pk]), about(pending))
    ]


@pytest.mark.parametrize("way", ["api", "page", "admin"])
def test_a_rejection_tells_every_owner_the_reason_once(way, pending, alice, bob, boss):
    assert _reject(way, boss, pending, "  not on this server  ").status_code in (200, 302)
    pending.refresh_from_db()
    assert pending.status == TorrentStatus.REJECTED
    _reject(way, boss, pending, "again")
    assert recorded(EventKind.TORRENT_APPROVED, EventKind.TORRENT_REJECTED) == [
        (
            EventKind.TORRENT_REJECTED,
            sorted([alice.pk, bob.pk]),
            about(pending, reason="not on this server"),
        )
    ]


def test_a_rejection_without_a_reason_or_by_an_owner_tells_no_one(pending, alice, boss):
    assert _reject("api", alice, pending, "mine").status_code == 403
    assert api(alice).post(f"/api/torrents/{pending.pk}/approve").status_code == 403
    assert _reject("api", boss, pending, "   ").status_code == 400
    assert _reject("page", boss, pending, "").status_code == 400
    assert recorded(EventKind.TORRENT_APPROVED, EventKind.TORRENT_REJECTED) == []


# --- torrent.removed_by_admin ---------------------------------------------------------------


@pytest.fixture
def shared(node, alice, bob, tmp_path) -> Torrent:
    data, _, _ = make_torrent(tmp_path, "shared.bin", 20_000)
    for user in (alice, bob):
        assert post(user, {"torrents": [upload("s.torrent", data)]}).status_code == 201
    Event.objects.all().delete()  # the adds' events: told above
    return Torrent.objects.get()


def removed(users: list[User], torrent: Torrent) -> tuple:
    return (
        EventKind.TORRENT_REMOVED_BY_ADMIN,
        sorted(u.pk for u in users),
        about(torrent, reason=""),
    )


def test_an_admin_removing_it_for_everyone_tells_each_owner(shared, alice, bob, boss):
    answer = committed(lambda: api(boss).delete(f"/api/torrents/{shared.pk}?everyone=true"))
    assert answer.status_code in (202, 204)
    assert recorded() == [removed([alice, bob], shared)]


def test_the_admin_page_action_and_the_torrent_page_tell_the_owners(
    node, shared, alice, bob, boss, tmp_path
):
    body = {"action": "remove_for_everyone", "_selected_action": [shared.pk]}
    assert (
        committed(lambda: browser(boss).post("/admin/torrents/torrent/", body)).status_code == 302
    )
    data, info_hash, _ = make_torrent(tmp_path / "p", "page.bin", 9000)
    assert post(alice, {"torrents": [upload("p.torrent", data)]}).status_code == 201
    page = Torrent.objects.get(info_hash=info_hash)
    url = f"/torrents/{page.pk}/delete/"
    assert committed(lambda: browser(boss).post(url, {"confirm": "yes"})).status_code == 302
    assert recorded(EventKind.TORRENT_REMOVED_BY_ADMIN) == [
        removed([alice, bob], shared),
        removed([alice], page),
    ]


def test_owners_removing_their_own_and_a_deleted_user_are_not_told(shared, alice, bob, boss):
    assert committed(lambda: api(alice).delete(f"/api/torrents/{shared.pk}")).status_code == 204
    assert committed(lambda: api(boss).delete(f"/api/users/{bob.pk}")).status_code == 204
    assert recorded(EventKind.TORRENT_REMOVED_BY_ADMIN) == []


def test_an_admin_removing_only_their_own_share_tells_no_one(shared, alice, boss, tmp_path):
    data = bytes(shared.metainfo)
    assert post(boss, {"torrents": [upload("s.torrent", data)]}).status_code == 201
    assert committed(lambda: api(boss).delete(f"/api/torrents/{shared.pk}")).status_code == 204
    assert shared.ownerships.count() == 2  # Alice and Bob keep it
    assert recorded(EventKind.TORRENT_REMOVED_BY_ADMIN) == []


# --- quota.warning, quota.full --------------------------------------------------------------


def quota_event(kind: EventKind, user: User, used: int) -> tuple:
    return (kind, [user.pk], {"used_bytes": used, "quota_bytes": user.quota_bytes})


def add_sized(user: User, scratch, name: str, size: int, **extra):
    data, _, _ = make_torrent(scratch / name, name, size)
    answer = post(user, {"torrents": [upload(f"{name}.torrent", data)], **extra})
    assert answer.status_code == 201, answer.data
    return answer.data["added"][0]["id"] if answer.data["added"] else None


QUOTA_KINDS = (EventKind.QUOTA_WARNING, EventKind.QUOTA_FULL)


def test_each_upward_crossing_is_told_once_and_falling_below_rearms_it(node, alice, tmp_path):
    alice.quota_bytes = 100_000
    alice.save()
    big = add_sized(alice, tmp_path, "big", 91_000)
    add_sized(alice, tmp_path, "more", 4_000)  # still above 90 %: not told again
    assert recorded(*QUOTA_KINDS) == [quota_event(EventKind.QUOTA_WARNING, alice, 91_000)]
    last = add_sized(alice, tmp_path, "last", 5_000)
    assert recorded(*QUOTA_KINDS)[1:] == [quota_event(EventKind.QUOTA_FULL, alice, 100_000)]

    committed(lambda: api(alice).delete(f"/api/torrents/{last}"))  # 95 %: below full
    committed(lambda: api(alice).delete(f"/api/torrents/{big}"))  # 4 %: below the warning
    alice.refresh_from_db()
    assert (alice.used_bytes, alice.quota_notified_level) == (4_000, 0)
    assert len(recorded(*QUOTA_KINDS)) == 2
    add_sized(alice, tmp_path, "again", 88_000)
    assert recorded(*QUOTA_KINDS)[2:] == [quota_event(EventKind.QUOTA_WARNING, alice, 92_000)]


def test_a_jump_past_both_levels_is_told_as_full_only(node, alice, tmp_path):
    alice.quota_bytes = 10_000
    alice.save()
    add_sized(alice, tmp_path, "all", 10_000)
    assert recorded(*QUOTA_KINDS) == [quota_event(EventKind.QUOTA_FULL, alice, 10_000)]


def test_a_refused_item_tells_nothing_about_the_quota_it_was_charged(node, alice, tmp_path):
    alice.quota_bytes = 100_000
    alice.save()
    Torrent.objects.create(
        info_hash=hashlib.sha1(b"filler").hexdigest(),
        name="filler",
        size_bytes=2 * node_free(node),
        node=node,
        status=TorrentStatus.QUEUED,
    )
    data, _, _ = make_torrent(tmp_path, "refused.bin", 95_000)
    answer = post(alice, {"torrents": [upload("r.torrent", data)]})  # charged, then no room
    assert answer.status_code == 400, answer.data
    alice.refresh_from_db()
    assert (alice.used_bytes, alice.quota_notified_level) == (0, 0)
    assert recorded() == []


def test_an_admin_lowering_the_quota_under_the_use_tells_the_user(node, alice, boss, tmp_path):
    add_sized(alice, tmp_path, "some", 50_000)
    answer = committed(
        lambda: api(boss).patch(f"/api/users/{alice.pk}", {"quota_bytes": 50_000}, format="json")
    )
    assert answer.status_code == 200, answer.data
    alice.refresh_from_db()
    assert recorded(*QUOTA_KINDS) == [quota_event(EventKind.QUOTA_FULL, alice, 50_000)]


def test_choosing_more_files_past_90_percent_warns(node, alice, tmp_path):
    alice.quota_bytes = 100_000
    alice.save()
    data, info_hash, _ = make_torrent(tmp_path, "two", files={"a.bin": 50_000, "b.bin": 45_000})
    answer = post(alice, {"torrents": [upload("two.torrent", data)], "skip_files": "1"})
    assert answer.status_code == 201, answer.data
    torrent = Torrent.objects.get(info_hash=info_hash)
    b = torrent.files.get(path="b.bin")
    assert recorded(*QUOTA_KINDS) == []
    url = f"/api/torrents/{torrent.pk}/files/{b.pk}"
    answer = committed(lambda: api(alice).patch(url, {"priority": "normal"}, format="json"))
    assert answer.status_code == 200, answer.content
    assert recorded(*QUOTA_KINDS) == [quota_event(EventKind.QUOTA_WARNING, alice, 95_000)]


def test_a_magnets_metadata_charging_past_90_percent_warns_the_owner_who_paid(
    node, alice, bob, tmp_path
):
    """The sync charges a magnet's owners when its metadata arrives (magnets.py): one who can
    pay is warned; one whose quota cannot hold it loses it, charged and told nothing."""
    alice.quota_bytes = 100_000
    alice.save()
    bob.quota_bytes = 50_000
    bob.save()
    for user in (alice, bob):
        assert post(user, {"magnets": MAGNET}).status_code == 201
    torrent = Torrent.objects.get()
    assert torrent_metadata_resolved(
        torrent=torrent, name="some", size_bytes=95_000, files=[("some.bin", 95_000)]
    )
    assert list(torrent.ownerships.values_list("user", flat=True)) == [alice.pk]
    assert recorded(*QUOTA_KINDS) == [quota_event(EventKind.QUOTA_WARNING, alice, 95_000)]
