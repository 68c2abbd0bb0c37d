"""How webhooks and their deliveries look in the API (reads; writes go through the services)."""

from rest_framework import serializers

from notifications.models import Webhook


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "enabled",
            "created_at",
            "failures",
            "disabled_reason",
            "last_delivery_at",
        ]
        read_only_fields = [f for f in fields if f not in ("url", "enabled")]


class WebhookWriteSerializer(serializers.Serializer):
    """POST: `url`. PATCH: any of `url`, `enabled`, and `new_secret: true` for a new secret."""

    url = serializers.CharField(required=False, max_length=2000)
    enabled = serializers.BooleanField(required=False)
    new_secret = serializers.BooleanField(required=False)


class NewWebhookSerializer(WebhookSerializer):
    """The webhook with its secret: only in the answer that made the secret."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class ChangedWebhookSerializer(WebhookSerializer):
    """The answer to PATCH: `secret` only when a new one was asked for."""

    secret = serializers.CharField(required=False)

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class TestEventSerializer(serializers.Serializer):
    event = serializers.IntegerField(help_text="The test event's id; its delivery follows.")
