"""Reads of push subscriptions: a user sees only their own (404 for the rest, staff included)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from notifications.models import PushSubscription


def push_subscriptions_of(user) -> QuerySet[PushSubscription]:
    """The user's browsers, oldest first; anonymous has none."""
    if not user.is_authenticated:
        return PushSubscription.objects.none()
    return PushSubscription.objects.filter(user=user).order_by("id")


def push_subscription_for_user(user, subscription_id: int) -> PushSubscription:
    """The subscription, or Http404 for anyone but its user."""
    return get_object_or_404(push_subscriptions_of(user), pk=subscription_id)


def push_targets_of(user) -> list[int]:
    """The ids of the user's subscriptions that pushes go to (not disabled)."""
    return list(
        PushSubscription.objects.filter(user=user, disabled_reason="")
        .order_by("id")
        .values_list("pk", flat=True)
    )
