"""Finishing a torrent pushes its owner's phone, on real components: a real rTorrent completes
the torrent, the sync records the event in its transaction, the tasks the broker then holds run
as a worker would (dispatch, then delivery), and the push service on loopback receives a push
that the subscription's private key decrypts to the torrent's page."""

import pytest

from events.kinds import EventKind
from events.services import event_dispatch
from notifications.models import Delivery, PushSubscription
from notifications.services.preferences import preference_set
from notifications.tasks import deliver
from notifications.tests.push_service import Browser, push_service
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
from torrents.tests.helpers_sync import add_torrent, wait_until
from torrents.tests.intake_support import _broker_messages, clear_broker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _push_settings(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True  # the push service listens on loopback


def queued(name: str) -> list[int]:
    return [args[0] for task, args, _ in _broker_messages() if task == name]


def test_a_finished_download_reaches_the_owners_phone(node, owner, tmp_path):
    preference_set(user=owner, kind=EventKind.TORRENT_COMPLETED, channel="email", wanted=False)
    phone = Browser()
    with push_service() as service:
        PushSubscription.objects.create(
            user=owner, endpoint=f"{service.url}/wpush/phone", p256dh=phone.p256dh, auth=phone.auth
        )
        clear_broker()
        torrent = add_torrent(node, [owner], tmp_path, name="done.bin", with_data=True, start=True)
        client = node_client(node)
        wait_until(lambda: client.call("d.complete", torrent.info_hash.upper()) == 1, what="check")

        node_sync(node=node)
        events = queued("events.tasks.dispatch_event")
        assert events, "the sync queued no dispatch"
        for event_id in events:
            event_dispatch(event_id=event_id)
        assert [deliver.run(d) for d in queued(deliver.name)] == ["sent"]

        (got,) = service.received
    message = phone.decrypt(got.body)
    assert message["title"] == "Downloaded: done.bin"
    assert message["url"] == f"http://127.0.0.1:8000/torrents/{torrent.pk}/"
    assert message["kind"] == "torrent.completed"
    assert Delivery.objects.get(channel="push").user == owner
    clear_broker()
