"""How torrents, their files and tracker rules look in the API (reads only: writes go through
the services)."""

from django.core.exceptions import ValidationError
from rest_framework import serializers

from torrents.list_selectors import torrent_owner_emails
from torrents.models import Ownership, Torrent, TorrentFile, TrackerRule
from torrents.selectors import torrent_secrets_visible_to, torrent_trackers
from torrents.services.tracker_rules import tracker_rule_clean_pattern


class OwnerEmailsField(serializers.ListField):
    """The owners' emails, first owner first, for admins; null for everyone else."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.EmailField(), allow_null=True, read_only=True, source="*", **kwargs
        )

    def to_representation(self, torrent: Torrent) -> list[str] | None:
        request = self.context.get("request")
        if not (request and request.user.is_staff):
            return None
        return torrent_owner_emails([torrent.pk])[torrent.pk]


class TorrentListSerializer(serializers.ModelSerializer):
    node = serializers.CharField(source="node.name")
    progress = serializers.FloatField()
    eta = serializers.IntegerField(
        allow_null=True,
        read_only=True,
        help_text="Seconds until complete at the current download rate; null when not "
        "downloading, with no rate or an unknown size.",
    )
    owner_emails = OwnerEmailsField(
        help_text="Admins: the owners' emails, first owner first; null for everyone else."
    )

    class Meta:
        model = Torrent
        fields = [
            "id",
            "info_hash",
            "name",
            "size_bytes",
            "status",
            "status_message",
            "progress",
            "eta",
            "completed_bytes",
            "down_rate",
            "up_rate",
            "private",
            "node",
            "owner_emails",
            "created_at",
            "updated_at",
        ]


class TorrentFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = TorrentFile
        fields = ["index", "path", "size_bytes", "completed_bytes", "priority"]


class OwnerSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = Ownership
        fields = ["user_id", "email", "charged_bytes", "created_at"]


class TorrentDetailSerializer(TorrentListSerializer):
    files = TorrentFileSerializer(many=True)
    trackers = serializers.SerializerMethodField()
    owners = serializers.SerializerMethodField()
    has_metainfo = serializers.SerializerMethodField()
    # The adder's own: a co-owner gets "" (it may carry a private tracker's passkey).
    magnet_uri = serializers.SerializerMethodField()

    class Meta(TorrentListSerializer.Meta):
        fields = [
            *TorrentListSerializer.Meta.fields,
            "piece_length",
            "magnet_uri",
            "has_metainfo",
            "push_attempts",
            "last_push_at",
            "last_error",
            "reviewed_at",
            "files",
            "trackers",
            "owners",
        ]

    def _secrets_visible(self, torrent: Torrent) -> bool:
        request = self.context.get("request")
        return bool(request and torrent_secrets_visible_to(request.user, torrent))

    def get_trackers(self, torrent: Torrent) -> list[str]:
        request = self.context.get("request")
        return torrent_trackers(torrent, user=request.user) if request else []

    def get_magnet_uri(self, torrent: Torrent) -> str:
        return torrent.magnet_uri if self._secrets_visible(torrent) else ""

    def get_has_metainfo(self, torrent: Torrent) -> bool:
        return torrent.metainfo is not None and self._secrets_visible(torrent)

    def get_owners(self, torrent: Torrent) -> list[dict] | None:
        """Owners are for admins only; others get null."""
        request = self.context.get("request")
        if not (request and request.user.is_staff):
            return None
        return OwnerSerializer(torrent.ownerships.select_related("user"), many=True).data


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class TrackerRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackerRule
        fields = ["id", "pattern", "action", "note", "created_at"]

    def validate_pattern(self, value: str) -> str:
        try:
            pattern = tracker_rule_clean_pattern(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        others = TrackerRule.objects.filter(pattern=pattern)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(f"a rule for {pattern} exists already")
        return pattern
