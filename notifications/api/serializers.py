"""What the notifications API says and takes."""

from rest_framework import serializers

from notifications.channels import USER_KINDS, Channel
from notifications.models import Delivery, Notification


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are read now.")


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(str(k), k.label) for k in USER_KINDS])
    channel = serializers.ChoiceField(choices=Channel.choices)
    wanted = serializers.BooleanField()


class PreferencesSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(many=True)

    def validate_preferences(self, items: list[dict]) -> list[dict]:
        pairs = [(item["kind"], item["channel"]) for item in items]
        if len(set(pairs)) != len(pairs):
            raise serializers.ValidationError("each kind and channel at most once")
        return items


class DeliveryLogSerializer(serializers.ModelSerializer):
    """One message sent (or being sent) to one of your addresses, devices or webhooks."""

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "kind",
            "channel",
            "target_id",
            "title",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "updated_at",
            "next_attempt_at",
            "sent_at",
        ]
        read_only_fields = fields
