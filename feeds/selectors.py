"""Reads: the one place that decides whose feeds a user sees. Their own only: another user's
feed is a 404 for everyone, admins included (a feed holds its owner's cookie and passkey; admins
see feeds in the Django admin, without them)."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from feeds.models import Feed, FeedItem, FeedRule

HISTORY_ON_PAGE = 50


def feeds_of(user) -> QuerySet[Feed]:
    if not user.is_authenticated:
        return Feed.objects.none()
    return (
        Feed.objects.filter(user=user)
        .prefetch_related(Prefetch("rules", queryset=FeedRule.objects.order_by("position", "id")))
        .annotate(taken=Count("items", filter=Q(items__state=FeedItem.State.TAKEN)))
    )


def feed_for_user(user, feed_id: int) -> Feed:
    return get_object_or_404(feeds_of(user), pk=feed_id)


def feed_history(feed: Feed) -> QuerySet[FeedItem]:
    """Every item the feed showed, newest first, with what it became."""
    return (
        FeedItem.objects.filter(feed=feed)
        .select_related("rule", "torrent", "fetch", "fetch__torrent")
        .order_by("-id")
    )
