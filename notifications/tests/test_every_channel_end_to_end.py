"""The issue's "done when": adding a torrent and finishing it tell its owner in the site, by
email, by web push and by webhook, as their choices say, on real components: the API takes the
torrent with its data, a real rTorrent checks it complete, the sync sees it, and the tasks the
real broker holds run as a worker runs them (push, dispatch, deliveries) until none is left.
The push service and the webhook receiver are real HTTP servers on loopback; the push is
decrypted with the subscription's private key and the webhook's signature checked with its
secret."""

import hashlib
import hmac
import json

import pytest
from django.core import mail

from accounts.testing import make_user
from events.kinds import EventKind
from events.tasks import dispatch_event
from notifications.models import Delivery, Notification, PushSubscription
from notifications.services.preferences import preference_set
from notifications.services.webhooks import webhook_create
from notifications.tasks import deliver
from notifications.tests.push_service import Browser, push_service
from notifications.tests.webhook_receiver import webhook_receiver
from torrents.models import Torrent
from torrents.services.nodes import node_client
from torrents.services.push import torrent_verify_data
from torrents.services.sync import node_sync
from torrents.tasks.push import push_torrent
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import _broker_messages, clear_broker, post, upload, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

GiB = 1 << 30
CHANNELS = ("site", "email", "push", "webhook")


@pytest.fixture(autouse=True)
def _loopback_allowed(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"  # the VAPID key made for this test
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True  # the push service and receiver are on loopback
    clear_broker()
    yield
    clear_broker()


def run_like_a_worker() -> list[str]:
    """Run the queued pushes, dispatches and deliveries (and what they queue in turn)."""
    tasks = {t.name: t for t in (push_torrent, dispatch_event, deliver)}
    outcomes = []
    while messages := [m for m in _broker_messages() if m[0] in tasks]:
        for name, args, kwargs in messages:
            outcomes.append(f"{name.rsplit('.', 1)[-1]}: {tasks[name].run(*args, **kwargs)}")
    return outcomes


def signed_body(secret: str, request) -> dict:
    timestamp = request.headers["X-Seedbox-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers["X-Seedbox-Signature"] == f"sha256={expected}"
    return json.loads(request.body)


def test_adding_and_finishing_reach_the_owner_on_every_channel_they_chose(node, tracker, tmp_path):
    owner = make_user("dana.everywhere@example.com", quota_bytes=GiB)
    bystander = make_user("eve.bystander@example.com", quota_bytes=GiB)
    for channel in CHANNELS:  # "added" is off by default outside the site: dana wants it
        preference_set(user=owner, kind=EventKind.TORRENT_ADDED, channel=channel, wanted=True)
    phone = Browser()
    with push_service() as pushes, webhook_receiver() as hooks:
        PushSubscription.objects.create(
            user=owner, endpoint=f"{pushes.url}/wpush/phone", p256dh=phone.p256dh, auth=phone.auth
        )
        webhook, secret = webhook_create(user=owner, url=f"{hooks.url}/seedbox")

        files = {"a.bin": 70_000, "b.bin": 20_000}
        data, info_hash, path = make_torrent(
            tmp_path, "album", files=files, trackers=[tracker.announce_url]
        )
        tracker.allow(info_hash)  # a tracker that answers: nothing to call it stuck for
        response = post(
            owner,
            {
                "torrent": upload("album.torrent", data),
                "files": [upload(name, (path / name).read_bytes()) for name in files],
                "paths": [f"album/{name}" for name in files],
            },
        )
        assert response.status_code == 201, response.data
        torrent = Torrent.objects.get(info_hash=info_hash)
        done = run_like_a_worker()
        assert "push_torrent: loaded with data" in done
        assert done.count("deliver: sent") == 3  # mail, push, webhook of "added"

        client = node_client(node)
        wait_until(lambda: client.call("d.complete", info_hash.upper()) == 1, what="hash check")
        wait_until(lambda: torrent_verify_data(torrent_id=torrent.pk) is not None)
        node_sync(node=node)
        assert run_like_a_worker().count("deliver: sent") == 3  # and of "completed"

        pushed = [phone.decrypt(got.body) for got in pushes.received]
        posted = [signed_body(secret, got) for got in hooks.received]

    page = f"/torrents/{torrent.pk}/"
    told = ["Added: album", "Downloaded: album"]
    assert [n.title for n in Notification.objects.filter(user=owner).order_by("id")] == told
    assert not Notification.objects.filter(user=bystander).exists()
    assert [m.to for m in mail.outbox] == [[owner.email]] * 2
    assert [m.subject for m in mail.outbox] == [f"[Seedbox] {t}" for t in told]
    assert all(f"http://127.0.0.1:8000{page}" in m.body for m in mail.outbox)
    assert [p["title"] for p in pushed] == told
    assert {p["url"] for p in pushed} == {f"http://127.0.0.1:8000{page}"}
    assert [p["kind"] for p in posted] == ["torrent.added", "torrent.completed"]
    assert {p["payload"]["torrent_id"] for p in posted} == {torrent.pk}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert Delivery.objects.filter(target_id=webhook.pk, channel="webhook").count() == 2
