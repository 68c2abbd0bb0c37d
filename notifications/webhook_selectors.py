"""Reads: the one place that decides whose webhooks and deliveries a user sees (their own; a
404 for anyone else's, admins included: a webhook holds its owner's secret)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from notifications.channels import Channel
from notifications.models import Delivery, Webhook

# The delivery log shows this many of a webhook's newest deliveries.
DELIVERY_LOG_SIZE = 50


def webhooks_of(user) -> QuerySet[Webhook]:
    if not user.is_authenticated:
        return Webhook.objects.none()
    return Webhook.objects.filter(user=user)


def webhook_for_user(user, webhook_id: int) -> Webhook:
    return get_object_or_404(webhooks_of(user), pk=webhook_id)


def webhook_deliveries(webhook: Webhook) -> QuerySet[Delivery]:
    """The webhook's deliveries, newest first."""
    return Delivery.objects.filter(
        user_id=webhook.user_id, channel=Channel.WEBHOOK, target_id=webhook.pk
    ).order_by("-id")
