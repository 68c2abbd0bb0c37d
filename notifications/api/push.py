"""/api/push-subscriptions: the browsers that get your web pushes. A browser POSTs its
PushSubscription (`subscription.toJSON()`); you see and remove only your own (404 for others')."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.models import PushSubscription
from notifications.push_selectors import push_subscription_for_user, push_subscriptions_of
from notifications.services.push_subscriptions import (
    PushSubscriptionError,
    push_subscription_delete,
    push_subscription_save,
    push_test_send,
)
from notifications.vapid import vapid_keys


class PushSubscriptionSerializer(serializers.ModelSerializer):
    enabled = serializers.BooleanField(read_only=True)

    class Meta:
        model = PushSubscription
        fields = [
            "id",
            "endpoint",
            "user_agent",
            "created_at",
            "last_used_at",
            "failures",
            "enabled",
            "disabled_reason",
        ]


class _KeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class NewPushSubscriptionSerializer(serializers.Serializer):
    """What a browser's PushSubscription.toJSON() gives (expirationTime is ignored)."""

    endpoint = serializers.CharField(max_length=2000)
    keys = _KeysSerializer()
    expirationTime = serializers.IntegerField(required=False, allow_null=True)


class VapidKeySerializer(serializers.Serializer):
    public_key = serializers.CharField()


class PushSubscriptionListView(APIView):
    @extend_schema(responses={200: PushSubscriptionSerializer(many=True)})
    def get(self, request):
        """Your subscribed browsers, disabled ones with the reason."""
        subscriptions = push_subscriptions_of(request.user)
        return Response(PushSubscriptionSerializer(subscriptions, many=True).data)

    @extend_schema(
        request=NewPushSubscriptionSerializer, responses={201: PushSubscriptionSerializer}
    )
    def post(self, request):
        """Subscribe a browser: its endpoint must be an https URL at a public address."""
        data = NewPushSubscriptionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            subscription = push_subscription_save(
                user=request.user,
                endpoint=data.validated_data["endpoint"],
                p256dh=data.validated_data["keys"]["p256dh"],
                auth=data.validated_data["keys"]["auth"],
                user_agent=request.headers.get("User-Agent", ""),
            )
        except PushSubscriptionError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            PushSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED
        )


class PushSubscriptionDetailView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        """Unsubscribe one of your browsers (404 for anyone else's)."""
        push_subscription_delete(subscription=push_subscription_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PushSubscriptionTestView(APIView):
    @extend_schema(request=None, responses={202: None})
    def post(self, request, pk: int):
        """Send a test push to one of your browsers (a test event; delivered by a task)."""
        push_test_send(subscription=push_subscription_for_user(request.user, pk))
        return Response(status=status.HTTP_202_ACCEPTED)


class VapidKeyView(APIView):
    @extend_schema(responses={200: VapidKeySerializer})
    def get(self, request):
        """The applicationServerKey to subscribe with (base64url P-256 point)."""
        return Response({"public_key": vapid_keys().public_key})
