"""Old read notifications and finished deliveries are forgotten by the sweep; what is unread,
recent or still to send stays. Staff see deliveries, webhooks and devices in the admin without
a webhook's secret or a device's keys."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Delivery, Notification, PushSubscription, Webhook
from notifications.tasks import sweep_deliveries

pytestmark = pytest.mark.django_db

OLD = timezone.now() - dt.timedelta(days=400)


def test_the_sweep_forgets_what_is_old_and_done(user):
    old_read = Notification.objects.create(user=user, kind="test", title="old read")
    old_unread = Notification.objects.create(user=user, kind="test", title="old unread")
    recent_read = Notification.objects.create(user=user, kind="test", title="recent")
    Notification.objects.filter(pk=old_read.pk).update(created_at=OLD, read_at=OLD)
    Notification.objects.filter(pk=old_unread.pk).update(created_at=OLD)
    Notification.objects.filter(pk=recent_read.pk).update(read_at=timezone.now())
    made = {
        status: Delivery.objects.create(user=user, kind="test", channel="email", status=status)
        for status in ("sent", "failed", "pending")
    }
    recent_sent = Delivery.objects.create(user=user, kind="test", channel="email", status="sent")
    Delivery.objects.filter(pk__in=[d.pk for d in made.values()]).update(updated_at=OLD)
    Delivery.objects.filter(pk=made["pending"].pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(hours=1)
    )

    sweep_deliveries.run()

    assert set(Notification.objects.values_list("title", flat=True)) == {"old unread", "recent"}
    assert set(Delivery.objects.values_list("pk", flat=True)) == {
        made["pending"].pk,
        recent_sent.pk,
    }


def test_staff_read_deliveries_and_never_a_secret(client, user, admin_user):
    hook = Webhook.objects.create(user=user, url="https://hooks.example/x", secret="whsec_hidden")
    device = PushSubscription.objects.create(
        user=user, endpoint="https://push.example/device-key", p256dh="BKEYKEY", auth="authauth"
    )
    Delivery.objects.create(user=user, kind="test", channel="webhook", target_id=hook.pk, title="T")
    client.force_login(admin_user)
    pages = [
        client.get("/admin/notifications/delivery/"),
        client.get(f"/admin/notifications/webhook/{hook.pk}/change/"),
        client.get(f"/admin/notifications/pushsubscription/{device.pk}/change/"),
    ]
    assert [page.status_code for page in pages] == [200, 200, 200]
    html = "".join(page.content.decode() for page in pages)
    assert "whsec_hidden" not in html
    assert "device-key" not in html
    assert "authauth" not in html
    assert client.get("/admin/notifications/delivery/add/").status_code == 403
