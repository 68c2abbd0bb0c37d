"""What the sync tells (torrents/services/sync_events.py), against a real rTorrent: each event
once, on its transition, not again at the next run, and nothing when the run's transaction
fails."""

import time

import pytest

from accounts.models import User
from events.kinds import EventKind
from events.models import Event
from torrents.models import Torrent, TorrentStatus
from torrents.selectors import message_for_every_owner
from torrents.services import sync as sync_module
from torrents.services.nodes import node_client
from torrents.services.seeding import user_seeding_defaults_set
from torrents.services.sync import node_sync
from torrents.tests.helpers_sync import add_torrent, wait_until
from torrents.tests.intake_support import _broker_messages, clear_broker

# A tracker nothing listens on: rTorrent says so in d.message once it tried.
DEAD_TRACKER = "http://127.0.0.1:1/announce"


def events(kind: EventKind) -> list[Event]:
    return list(Event.objects.filter(kind=kind))


def test_a_completion_is_told_once_to_every_owner(node, owner, other, tmp_path):
    seeded = add_torrent(
        node, [owner, other], tmp_path, name="done.bin", with_data=True, start=True
    )
    client = node_client(node)
    wait_until(lambda: client.call("d.complete", seeded.info_hash.upper()) == 1, what="check")

    node_sync(node=node)
    node_sync(node=node)

    [event] = events(EventKind.TORRENT_COMPLETED)
    assert event.torrent_id == seeded.pk
    assert event.user_ids == sorted([owner.pk, other.pk])
    assert event.payload == {"name": "done.bin", "torrent_id": seeded.pk}


def test_a_trackers_message_is_told_once_as_stuck(node, owner, tmp_path):
    torrent = add_torrent(
        node, [owner], tmp_path, name="refused.bin", trackers=[DEAD_TRACKER], start=True
    )
    client = node_client(node)
    wait_until(
        lambda: client.call("d.message", torrent.info_hash.upper()), what="the tracker's message"
    )

    node_sync(node=node)
    node_sync(node=node)

    [event] = events(EventKind.TORRENT_STUCK)
    assert event.user_ids == [owner.pk]
    assert event.payload["why"] == "tracker"
    assert event.payload["message"].startswith("Tracker: [")
    assert event.payload["name"] == "refused.bin"
    assert Torrent.objects.get(pk=torrent.pk).rtorrent_message == event.payload["message"]


def test_a_complete_torrent_whose_tracker_fails_is_not_stuck(node, owner, tmp_path):
    """It seeds to the peers it has; the message is on its row, but no one is told "stuck"."""
    torrent = add_torrent(
        node,
        [owner],
        tmp_path,
        name="seeds.bin",
        trackers=[DEAD_TRACKER],
        with_data=True,
        start=True,
    )
    client = node_client(node)
    wait_until(lambda: client.call("d.complete", torrent.info_hash.upper()) == 1, what="check")
    wait_until(
        lambda: client.call("d.message", torrent.info_hash.upper()), what="the tracker's message"
    )

    node_sync(node=node)

    assert Torrent.objects.get(pk=torrent.pk).rtorrent_message.startswith("Tracker: [")
    assert [e.kind for e in Event.objects.all()] == [EventKind.TORRENT_COMPLETED]


def test_crossing_into_stalled_is_told_once(node, owner, tmp_path, settings):
    settings.SEEDBOX_STALLED_AFTER = 1
    still = add_torrent(node, [owner], tmp_path, name="still.bin", start=True)
    wait_until(
        lambda: (
            node_sync(node=node)
            and Torrent.objects.get(pk=still.pk).status == TorrentStatus.DOWNLOADING
        ),
        what="downloading",
    )
    # Only the tracker's message (if rTorrent gave it already) so far, not stalled.
    assert [e.payload["why"] for e in events(EventKind.TORRENT_STUCK)] in ([], ["tracker"])

    time.sleep(1.1)
    node_sync(node=node)
    node_sync(node=node)

    stalled = [e for e in events(EventKind.TORRENT_STUCK) if e.payload["why"] == "stalled"]
    assert len(stalled) == 1
    assert stalled[0].torrent_id == still.pk
    assert stalled[0].user_ids == [owner.pk]


def test_a_seeding_rule_stop_is_told_once_with_its_rule(node, owner, tmp_path):
    seeded = add_torrent(node, [owner], tmp_path, name="rule.bin", with_data=True, start=True)
    client = node_client(node)
    h = seeded.info_hash.upper()
    wait_until(lambda: client.call("d.complete", h) == 1, what="check")
    node_sync(node=node)  # seeding now: watched from the next run
    user_seeding_defaults_set(user=owner, ratio=None, hours=1)
    Torrent.objects.filter(pk=seeded.pk).update(seeding_seconds=2 * 3600)

    report = node_sync(node=node)
    node_sync(node=node)

    assert [pk for pk, _ in report.rule_stops] == [seeded.pk]
    assert client.call("d.state", h) == 0
    seeded.refresh_from_db()
    assert seeded.status == TorrentStatus.STOPPED
    [event] = events(EventKind.TORRENT_SEEDING_STOPPED)
    assert event.user_ids == [owner.pk]
    assert event.payload["rule"] == seeded.stop_reason
    assert event.payload["rule"].startswith("Stopped: ")
    # The internal follow-up was handled in the same run (not left to a worker).
    [met] = events(EventKind.TORRENT_SEEDING_RULE_MET)
    assert met.dispatched_at is not None


def test_a_node_down_and_back_is_told_once_each_to_the_active_staff(
    node, rtorrent, owner, admin, tmp_path
):
    User.objects.create_user("gone.staff@example.com", "pw", is_staff=True, is_active=False)
    add_torrent(node, [owner], tmp_path, name="kept.bin")
    node_sync(node=node)
    rtorrent.stop()
    node_sync(node=node)
    node_sync(node=node)

    [down] = events(EventKind.NODE_DOWN)
    assert down.user_ids == [admin.pk]
    assert down.payload["node"] == node.name
    assert "unreachable" in down.payload["error"]
    assert events(EventKind.NODE_UP) == []

    rtorrent.start()
    node_sync(node=node)
    node_sync(node=node)
    [up] = events(EventKind.NODE_UP)
    assert up.user_ids == [admin.pk]
    assert up.payload == {"node": node.name}
    assert len(events(EventKind.NODE_DOWN)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_transaction_fails_records_and_queues_nothing(
    node, owner, tmp_path, monkeypatch
):
    seeded = add_torrent(node, [owner], tmp_path, name="lost.bin", with_data=True, start=True)
    client = node_client(node)
    wait_until(lambda: client.call("d.complete", seeded.info_hash.upper()) == 1, what="check")
    real = sync_module.sync_events_record

    def record_then_fail(**kwargs):
        real(**kwargs)
        assert Event.objects.filter(kind=EventKind.TORRENT_COMPLETED).exists()
        raise RuntimeError("the run failed after its events")

    monkeypatch.setattr(sync_module, "sync_events_record", record_then_fail)
    clear_broker()
    with pytest.raises(RuntimeError):
        node_sync(node=node)
    assert not Event.objects.exists()
    assert not [task for task, _, _ in _broker_messages() if task.startswith("events.")]

    monkeypatch.setattr(sync_module, "sync_events_record", real)
    node_sync(node=node)
    [event] = events(EventKind.TORRENT_COMPLETED)
    queued = [args[0] for task, args, _ in _broker_messages() if task.startswith("events.")]
    assert event.pk in queued
    clear_broker()


def test_an_events_message_blanks_every_owners_passkey():
    urls = ["https://t.example/SECRETKEY123/announce", "https://u.example/a?passkey=OTHERKEY99"]
    message = 'Tracker: [Failure reason "SECRETKEY123 and otherkey99 unknown"]'
    assert message_for_every_owner(message, urls) == 'Tracker: [Failure reason "… and … unknown"]'
