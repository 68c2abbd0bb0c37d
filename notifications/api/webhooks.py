"""`/api/webhooks`: the caller's webhooks (list, add), `/api/webhooks/<id>` (read, change,
remove), its test event and its delivery log. Another user's webhook is a 404 for everyone,
admins included."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.api.serializers import DeliveryLogSerializer
from notifications.api.webhook_serializers import (
    ChangedWebhookSerializer,
    NewWebhookSerializer,
    TestEventSerializer,
    WebhookSerializer,
    WebhookWriteSerializer,
)
from notifications.services.webhooks import (
    WebhookError,
    webhook_create,
    webhook_delete,
    webhook_secret_renew,
    webhook_test_send,
    webhook_update,
)
from notifications.webhook_selectors import webhook_deliveries, webhook_for_user, webhooks_of
from seedbox.openapi import detail
from seedbox.parsers import JSONObjectParser


def _bad(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


def _with_secret(webhook, secret: str) -> dict:
    webhook.secret = secret
    return NewWebhookSerializer(webhook).data


def _fields(request: Request, allowed: set[str]) -> dict | Response:
    unknown = set(request.data) - allowed
    if unknown:
        return _bad(f"unknown fields: {', '.join(sorted(unknown))}; send {sorted(allowed)}")
    body = WebhookWriteSerializer(data=request.data)
    if not body.is_valid():
        return _bad("; ".join(f"{name}: {errors[0]}" for name, errors in body.errors.items()))
    return body.validated_data


class WebhookListView(APIView):
    """GET: your webhooks. POST {"url": ...}: a new one; its secret is in this answer only."""

    parser_classes = [JSONObjectParser]

    @extend_schema(responses={200: WebhookSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(WebhookSerializer(webhooks_of(request.user), many=True).data)

    @extend_schema(
        request=WebhookWriteSerializer,
        responses={
            201: NewWebhookSerializer,
            400: detail("no URL, a URL that is not public http(s), or too many webhooks"),
        },
    )
    def post(self, request: Request) -> Response:
        fields = _fields(request, {"url"})
        if isinstance(fields, Response):
            return fields
        try:
            webhook, secret = webhook_create(user=request.user, url=fields.get("url", ""))
        except WebhookError as exc:
            return _bad(str(exc))
        return Response(_with_secret(webhook, secret), status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    """GET, PATCH (`url`, `enabled` — true enables a disabled one again —, `new_secret`: true
    answers with a new secret), DELETE."""

    parser_classes = [JSONObjectParser]

    @extend_schema(responses={200: WebhookSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(WebhookSerializer(webhook_for_user(request.user, pk)).data)

    @extend_schema(
        request=WebhookWriteSerializer,
        responses={
            200: ChangedWebhookSerializer,
            400: detail("a URL that is not public http(s), or an unknown field"),
        },
        description="The answer has `secret` only when `new_secret` was true.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        webhook = webhook_for_user(request.user, pk)
        fields = _fields(request, {"url", "enabled", "new_secret"})
        if isinstance(fields, Response):
            return fields
        try:
            webhook = webhook_update(
                webhook=webhook, url=fields.get("url"), enabled=fields.get("enabled")
            )
        except WebhookError as exc:
            return _bad(str(exc))
        if fields.get("new_secret"):
            return Response(_with_secret(webhook, webhook_secret_renew(webhook=webhook)))
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        webhook_delete(webhook=webhook_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookTestView(APIView):
    @extend_schema(
        request=None,
        responses={202: TestEventSerializer, 400: detail("the webhook is disabled")},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Send a test event to this webhook (by a worker, soon after; see its deliveries)."""
        try:
            event = webhook_test_send(webhook=webhook_for_user(request.user, pk))
        except WebhookError as exc:
            return _bad(str(exc))
        return Response({"event": event.pk}, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveriesView(generics.ListAPIView):
    """The webhook's deliveries, newest first: status, attempts, last error, times."""

    serializer_class = DeliveryLogSerializer

    def get_queryset(self):
        return webhook_deliveries(webhook_for_user(self.request.user, self.kwargs["pk"]))
