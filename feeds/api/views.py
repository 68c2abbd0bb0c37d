"""`/api/feeds` (list, add), `/api/feeds/<id>` (read, change, remove), its history and a rule's
preview. Another user's feed is a 404 for everyone, admins included."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from feeds.api.serializers import (
    FeedSerializer,
    FeedWriteSerializer,
    HistoryItemSerializer,
    PreviewItemSerializer,
    RuleWriteSerializer,
)
from feeds.selectors import feed_for_user, feed_history, feeds_of
from feeds.services.feeds import FeedError, feed_create, feed_delete, feed_update
from feeds.services.preview import feed_preview
from seedbox.openapi import detail
from seedbox.parsers import JSONObjectParser

WRITABLE = {"url", "interval", "cookie", "enabled", "rules"}


def _bad(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


def _unknown(data: dict, allowed: set[str]) -> Response | None:
    unknown = set(data) - allowed
    if unknown:
        return _bad(f"unknown fields: {', '.join(sorted(unknown))}; send {sorted(allowed)}")
    return None


def _shown(user, feed_id: int) -> dict:
    return FeedSerializer(feed_for_user(user, feed_id)).data


class FeedListView(APIView):
    """GET: your feeds. POST: a new feed with its rules (polled soon after)."""

    parser_classes = [JSONObjectParser]

    @extend_schema(responses={200: FeedSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(FeedSerializer(feeds_of(request.user), many=True).data)

    @extend_schema(
        request=FeedWriteSerializer,
        responses={201: FeedSerializer, 400: detail("a bad field, or too many feeds")},
    )
    def post(self, request: Request) -> Response:
        refused = _unknown(request.data, WRITABLE)
        if refused:
            return refused
        fields = {k: request.data[k] for k in WRITABLE if k in request.data}
        try:
            feed = feed_create(user=request.user, url=fields.pop("url", None), **fields)
        except FeedError as exc:
            return _bad(str(exc))
        return Response(_shown(request.user, feed.pk), status=status.HTTP_201_CREATED)


class FeedDetailView(APIView):
    """GET, PATCH (any of url, interval, cookie, enabled, rules: the whole list), DELETE."""

    parser_classes = [JSONObjectParser]

    @extend_schema(responses={200: FeedSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_shown(request.user, pk))

    @extend_schema(
        request=FeedWriteSerializer, responses={200: FeedSerializer, 400: detail("a bad field")}
    )
    def patch(self, request: Request, pk: int) -> Response:
        feed = feed_for_user(request.user, pk)
        refused = _unknown(request.data, WRITABLE)
        if refused:
            return refused
        try:
            feed_update(feed=feed, **{k: request.data[k] for k in WRITABLE if k in request.data})
        except FeedError as exc:
            return _bad(str(exc))
        return Response(_shown(request.user, pk))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        feed_delete(feed=feed_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FeedHistoryView(generics.ListAPIView):
    """Every item the feed showed, newest first: matched or not, why, and what it became."""

    serializer_class = HistoryItemSerializer

    def get_queryset(self):
        return feed_history(feed_for_user(self.request.user, self.kwargs["pk"]))


class FeedPreviewView(APIView):
    parser_classes = [JSONObjectParser]

    @extend_schema(
        request=RuleWriteSerializer,
        responses={
            200: PreviewItemSerializer(many=True),
            400: detail("a bad rule, or the feed cannot be read now"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """What this rule (unsaved) would match in the feed right now, item by item; nothing is
        added. The feed is fetched for it (within a few seconds)."""
        feed = feed_for_user(request.user, pk)
        try:
            items = feed_preview(feed=feed, rule=dict(request.data))
        except FeedError as exc:
            return _bad(str(exc))
        return Response(PreviewItemSerializer(items, many=True).data)
