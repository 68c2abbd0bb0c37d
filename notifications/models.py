"""What users were told (the bell), what they want to be told, and each delivery elsewhere.

Texts are copied from the event when it is handled, so a notification outlives its event (the
outbox forgets dispatched events after SEEDBOX_EVENTS_KEEP_DAYS)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from notifications.channels import Channel


class Notification(models.Model):
    """One line under the bell."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # a path on this site
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"],
                name="notification_once_per_event",
                condition=Q(event__isnull=False),
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "id"], name="notification_unread", condition=Q(read_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return self.title


class Preference(models.Model):
    """A user's choice for one kind on one channel (no row: channels.default_wanted)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    wanted = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.channel}: {'on' if self.wanted else 'off'}"


class PushSubscription(models.Model):
    """One browser (a phone, a laptop) that receives the user's web pushes: the push service's
    URL for it and its keys (RFC 8291), as the browser's PushSubscription gave them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    # A secret URL at the browser's push service; one browser profile has one at a time.
    endpoint = models.CharField(max_length=2000, unique=True)
    p256dh = models.CharField(max_length=200)  # the browser's P-256 public key, base64url
    auth = models.CharField(max_length=100)  # its 16-byte auth secret, base64url
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Deliveries given up in a row (a push that went through resets it); at
    # SEEDBOX_PUSH_MAX_FAILURES it is disabled, with the reason shown on the account page.
    failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"push subscription #{self.pk} of {self.user_id}"

    @property
    def enabled(self) -> bool:
        return not self.disabled_reason


class Delivery(models.Model):
    """One message to one target of one channel (an address, a push subscription, a webhook)."""

    class Status(models.TextChoices):
        PENDING = "pending", "waiting"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"  # given up (after retries, or refused for good)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # The target within the channel (PushSubscription or Webhook id); 0 for email.
    target_id = models.PositiveBigIntegerField(default=0)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    payload = models.JSONField(default=dict, blank=True)  # the event's, for webhooks
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # While `sending`: the claim's end (a worker killed mid-send leaves it to the sweep after it).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user", "channel", "target_id"],
                name="delivery_once_per_target",
                condition=Q(event__isnull=False),
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["user", "-id"], name="delivery_user_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk}: {self.title}"


class Webhook(models.Model):
    """A URL of the user's that gets every event they want on the webhook channel, POSTed as
    JSON signed with `secret` (HMAC-SHA256; notifications/senders/webhook.py). The secret is
    kept in clear because the server signs with it; it is shown to its owner only when made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Deliveries given up in a row (a success resets it); SEEDBOX_WEBHOOK_MAX_FAILURES disable it.
    failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.TextField(blank=True)
    last_delivery_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url
