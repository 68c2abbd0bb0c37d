"""`/api/notifications*`: the caller's own notifications (another's is a 404 for everyone,
staff included), marking them read, and what the caller wants to be told where."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.api.serializers import (
    DeliveryLogSerializer,
    MarkedSerializer,
    NotificationSerializer,
    PreferencesSerializer,
)
from notifications.channels import Channel
from notifications.selectors import (
    deliveries_visible_to,
    notification_for_user,
    notifications_visible_to,
    preferences_of,
)
from notifications.services.preferences import PreferenceError, preferences_set
from notifications.services.reading import notification_mark_read, notifications_mark_all_read
from seedbox.parsers import JSONObjectParser

_BOOLEANS = {"true": True, "false": False}


class NotificationListView(generics.ListAPIView):
    """Your notifications, newest first (`?unread=true`: only those not read yet)."""

    serializer_class = NotificationSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unread", OpenApiTypes.BOOL, description="true: only unread; false: only read"
            )
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        notifications = notifications_visible_to(self.request.user)
        raw = self.request.query_params.get("unread")
        if raw is None:
            return notifications
        if raw not in _BOOLEANS:
            raise ValidationError({"unread": [f"true or false, not {raw!r}"]})
        return notifications.filter(read_at__isnull=_BOOLEANS[raw])


class NotificationReadView(APIView):
    """Mark one of your notifications read (one already read keeps when it was)."""

    @extend_schema(
        operation_id="notifications_read", request=None, responses={200: NotificationSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        notification = notification_mark_read(notification=notification_for_user(request.user, pk))
        return Response(NotificationSerializer(notification).data)


class NotificationsReadAllView(APIView):
    """Mark every unread notification of yours read."""

    @extend_schema(
        operation_id="notifications_read_all", request=None, responses={200: MarkedSerializer}
    )
    def post(self, request: Request) -> Response:
        return Response({"marked": notifications_mark_all_read(user=request.user)})


class PreferencesView(APIView):
    """Every kind you may choose about (staff also the staff-only ones) on every channel:
    your choice, else the default. PUT sets the ones it lists; the others stay as they are."""

    parser_classes = [JSONObjectParser]

    def _answer(self, request: Request) -> Response:
        choices = [vars(choice) for choice in preferences_of(request.user)]
        return Response(PreferencesSerializer({"preferences": choices}).data)

    @extend_schema(responses={200: PreferencesSerializer})
    def get(self, request: Request) -> Response:
        return self._answer(request)

    @extend_schema(request=PreferencesSerializer, responses={200: PreferencesSerializer})
    def put(self, request: Request) -> Response:
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        choices = {
            (item["kind"], item["channel"]): item["wanted"]
            for item in serializer.validated_data["preferences"]
        }
        try:
            preferences_set(user=request.user, choices=choices)
        except PreferenceError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return self._answer(request)


class DeliveryListView(generics.ListAPIView):
    """Every message sent to your mail address, devices and webhooks, newest first: its status,
    attempts and last error (`?channel=email|push|webhook`)."""

    serializer_class = DeliveryLogSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("channel", str, enum=[c for c in Channel.values if c != Channel.SITE])
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        channel = self.request.query_params.get("channel")
        if channel is not None and (channel not in Channel.values or channel == Channel.SITE):
            raise ValidationError({"channel": ["one of email, push, webhook"]})
        return deliveries_visible_to(self.request.user, channel=channel)
