"""How torrents, their files and tracker rules look in the API (reads only: writes go through
the services)."""

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from torrents.label_selectors import chips_by_torrent
from torrents.list_selectors import torrent_owner_emails
from torrents.models import Label, Ownership, Torrent, TorrentFile, TrackerRule
from torrents.selectors import (
    message_shown,
    messages_shown,
    ownership_of,
    torrent_secrets_visible_to,
    torrent_trackers,
)
from torrents.services.labels import PALETTE
from torrents.services.tracker_rules import tracker_rule_clean_pattern
from torrents.stalled import torrent_is_stalled


class StalledField(serializers.BooleanField):
    """The derived `stalled` state of the torrent (torrents/stalled.py), typed as the
    boolean it is in the schema."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, torrent: Torrent) -> bool:
        return torrent_is_stalled(status=torrent.status, stalled_since=torrent.stalled_since)


class RTorrentMessageField(serializers.CharField):
    """rTorrent's message as the requesting user may read it (selectors.message_shown)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, torrent: Torrent) -> str:
        shown = self.context.get("messages")
        if shown is not None and torrent.pk in shown:
            return shown[torrent.pk]
        request = self.context.get("request")
        if request is None:
            return torrent.rtorrent_message
        return message_shown(request.user, torrent)


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
        owners = self.context.get("owners")
        if owners is not None and torrent.pk in owners:
            return owners[torrent.pk]
        return torrent_owner_emails([torrent.pk])[torrent.pk]


class TorrentRowsSerializer(serializers.ListSerializer):
    """Many rows: what a row reads beyond its columns (its node, the caller's labels, the
    owners for admins, rTorrent's messages as the caller may read them) read once for all of
    them, so the number of queries does not grow with the rows."""

    def to_representation(self, data) -> list:
        torrents = list(data.all() if hasattr(data, "all") else data)
        prefetch_related_objects(torrents, "node")
        request = self.context.get("request")
        if request is not None:
            ids = [torrent.pk for torrent in torrents]
            self._context.setdefault("chips", chips_by_torrent(request.user, ids))
            messages = {torrent.pk: torrent.rtorrent_message for torrent in torrents}
            self._context["messages"] = messages_shown(request.user, messages)
            if request.user.is_staff:
                self._context["owners"] = torrent_owner_emails(ids)
        return super().to_representation(torrents)


class TorrentListSerializer(serializers.ModelSerializer):
    """A row of the list. `labels` are the caller's own (names; colours in /api/labels); pass
    `context={"chips": chips_by_torrent(...)}` to serialize many without a query each."""

    node = serializers.CharField(source="node.name")
    progress = serializers.FloatField()
    stalled = StalledField(
        help_text="Downloading, but no progress and no peer for SEEDBOX_STALLED_AFTER seconds "
        "(`?status=stalled` lists them)."
    )
    rtorrent_message = RTorrentMessageField(
        help_text="rTorrent's own message, e.g. a tracker's refusal (another owner's passkey "
        "blanked out)."
    )
    labels = serializers.SerializerMethodField()
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
        list_serializer_class = TorrentRowsSerializer
        fields = [
            "id",
            "info_hash",
            "name",
            "size_bytes",
            "status",
            "status_message",
            "stalled",
            "rtorrent_message",
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
            "labels",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_labels(self, torrent: Torrent) -> list[str]:
        chips = self.context.get("chips")
        if chips is None:
            request = self.context.get("request")
            if request is None:
                return []
            chips = chips_by_torrent(request.user, [torrent.pk])
        return [chip.name for chip in chips.get(torrent.pk, ())]


class LabelSerializer(serializers.ModelSerializer):
    """A label of the caller's. Writes go through torrents/services/labels.py."""

    name = serializers.CharField(max_length=32)
    colour = serializers.ChoiceField(
        choices=list(PALETTE.items()),
        required=False,
        help_text="One of the palette's colours; a new label without one gets one.",
    )
    count = serializers.IntegerField(read_only=True, help_text="Torrents of yours it is on.")

    class Meta:
        model = Label
        fields = ["id", "name", "colour", "count", "created_at"]
        read_only_fields = ["id", "created_at"]


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
    # The caller's own choices for it (null: none, or not an owner): what PATCH sets.
    upload_limit_kib = serializers.SerializerMethodField()
    download_limit_kib = serializers.SerializerMethodField()
    seed_ratio = serializers.SerializerMethodField()
    seed_hours = serializers.SerializerMethodField()

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
            "stop_reason",
            "seeding_seconds",
            "upload_limit_kib",
            "download_limit_kib",
            "seed_ratio",
            "seed_hours",
        ]

    def _mine(self, torrent: Torrent) -> Ownership | None:
        if not hasattr(torrent, "_mine"):
            request = self.context.get("request")
            torrent._mine = ownership_of(request.user, torrent) if request else None
        return torrent._mine

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_upload_limit_kib(self, torrent: Torrent) -> int | None:
        mine = self._mine(torrent)
        return mine.upload_limit_kib if mine else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_download_limit_kib(self, torrent: Torrent) -> int | None:
        mine = self._mine(torrent)
        return mine.download_limit_kib if mine else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_seed_ratio(self, torrent: Torrent) -> float | None:
        mine = self._mine(torrent)
        return mine.seed_ratio if mine else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_seed_hours(self, torrent: Torrent) -> float | None:
        mine = self._mine(torrent)
        return mine.seed_hours if mine else None

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
