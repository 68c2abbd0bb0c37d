"""The outbox: one row per thing that happened, written in the same transaction as the change.

A row exists only if its transaction committed, so an event is never told about a change that
was rolled back, and never lost for one that was kept. After the commit the dispatcher hands it
to each handler registered for its kind (events/registry.py); `EventHandled` records which
handlers are done, in the handler's own transaction, so a dispatcher killed half-way (or two
dispatchers at once) never runs a handler's database work twice.
"""

from django.db import models
from django.db.models import Q

from events.kinds import EventKind


class Event(models.Model):
    kind = models.CharField(max_length=64, choices=EventKind.choices)
    torrent = models.ForeignKey(
        "torrents.Torrent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The users it concerns (owners, the staff for staff events); ids, read by the handlers.
    user_ids = models.JSONField(default=list, blank=True)
    # What the handlers need to tell it without reading the torrent again (name, message...).
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when every handler is done; until then the sweep offers it again from next_attempt_at.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="event_undispatched",
                condition=Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class EventHandled(models.Model):
    """Handler `handler` finished its work for `event` (committed together with that work)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="handled")
    handler = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="event_handled_once")
        ]

    def __str__(self) -> str:
        return f"{self.handler} for event {self.event_id}"
