"""Reads: the one place that decides which notifications a user sees (their own; 404 for the
rest, staff included) and what they chose to be told."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from events.kinds import EventKind
from notifications.channels import Channel, default_wanted, kinds_for
from notifications.models import Delivery, Notification, Preference


def notifications_visible_to(user) -> QuerySet[Notification]:
    """A user's own notifications, newest first; anonymous sees none."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-id")


def notification_for_user(user, notification_id: int) -> Notification:
    """The notification, or Http404 for anyone but its user."""
    return get_object_or_404(notifications_visible_to(user), pk=notification_id)


def deliveries_visible_to(user, *, channel: str | None = None) -> QuerySet[Delivery]:
    """The user's own deliveries (mail, push, webhook), newest first; anonymous sees none."""
    if not user.is_authenticated:
        return Delivery.objects.none()
    deliveries = Delivery.objects.filter(user=user)
    if channel:
        deliveries = deliveries.filter(channel=channel)
    return deliveries.order_by("-id")


def unread_count(user) -> int:
    """The bell's number: one COUNT on the partial index `notification_unread`."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class Choice:
    kind: str
    channel: str
    wanted: bool


def preferences_of(user) -> list[Choice]:
    """Every kind the user may choose about, on every channel: their choice, else the default
    (one query)."""
    chosen = dict(
        ((kind, channel), wanted)
        for kind, channel, wanted in Preference.objects.filter(user=user).values_list(
            "kind", "channel", "wanted"
        )
    )
    return [
        Choice(kind, channel, chosen.get((kind, channel), default_wanted(kind, channel)))
        for kind in kinds_for(user)
        for channel in Channel.values
    ]


def preferences_table(user) -> list[dict]:
    """The account page's table: one row per kind with its label and a cell per channel."""
    choices = preferences_of(user)
    rows: dict[str, dict] = {}
    for choice in choices:
        row = rows.setdefault(
            choice.kind, {"kind": choice.kind, "label": EventKind(choice.kind).label, "cells": []}
        )
        row["cells"].append(choice)
    return list(rows.values())
