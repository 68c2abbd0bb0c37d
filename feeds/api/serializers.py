"""How feeds, their rules and their history look in the API (reads; writes go through the
services, which check every field). A feed's cookie is never in an answer, nor its URL's query."""

from rest_framework import serializers

from feeds.display import url_shown
from feeds.models import Feed, FeedItem, FeedRule
from feeds.services.feeds import RULE_FIELDS
from feeds.services.matching import after_label


class RuleSerializer(serializers.ModelSerializer):
    after_episode = serializers.SerializerMethodField()

    class Meta:
        model = FeedRule
        fields = list(RULE_FIELDS)

    def get_after_episode(self, rule: FeedRule) -> str:
        return after_label(rule)


class RuleWriteSerializer(serializers.Serializer):
    """A rule: every condition given must hold. Also the body of a preview."""

    include = serializers.CharField(
        required=False, allow_blank=True, max_length=500,
        help_text="Words the title must all contain (or a regular expression with `regex`).",
    )  # fmt: skip
    exclude = serializers.CharField(
        required=False, allow_blank=True, max_length=500,
        help_text="Words none of which the title may contain (or a regular expression).",
    )  # fmt: skip
    regex = serializers.BooleanField(required=False, help_text="Patterns are regular expressions.")
    min_size = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="Bytes."
    )
    max_size = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="Bytes."
    )
    after_episode = serializers.CharField(
        required=False, allow_blank=True, max_length=20,
        help_text='Only episodes after this one, e.g. "S01E05" (by guessit).',
    )  # fmt: skip
    smart_filter = serializers.BooleanField(
        required=False, help_text="Each episode once, whatever the number of releases of it."
    )
    label = serializers.CharField(required=False, allow_blank=True, max_length=100)
    paused = serializers.BooleanField(required=False, help_text="Add the torrents paused.")


class FeedSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The URL with its query's values hidden.")
    has_cookie = serializers.SerializerMethodField()
    rules = RuleSerializer(many=True, read_only=True)
    taken = serializers.IntegerField(read_only=True, help_text="Items that became torrents.")

    class Meta:
        model = Feed
        fields = [
            "id",
            "url",
            "has_cookie",
            "title",
            "interval",
            "enabled",
            "rules",
            "created_at",
            "next_poll_at",
            "last_polled_at",
            "last_status",
            "last_items",
            "last_new",
            "last_error",
            "failures",
            "taken",
        ]
        read_only_fields = fields

    def get_url(self, feed: Feed) -> str:
        return url_shown(feed.url)

    def get_has_cookie(self, feed: Feed) -> bool:
        return bool(feed.cookie)


class FeedWriteSerializer(serializers.Serializer):
    """POST: `url` (required), `interval`, `cookie`, `enabled`, `rules`. PATCH: any of them;
    `rules` replaces the whole list, `cookie: ""` removes the cookie."""

    url = serializers.CharField(required=False, max_length=2000)
    interval = serializers.IntegerField(
        required=False, help_text="Minutes (an admin sets the floor)."
    )
    cookie = serializers.CharField(
        required=False, allow_blank=True, max_length=4000,
        help_text="Sent as the Cookie header to the feed's host; never shown back.",
    )  # fmt: skip
    enabled = serializers.BooleanField(required=False)
    rules = RuleWriteSerializer(many=True, required=False)


class HistoryItemSerializer(serializers.ModelSerializer):
    torrent_id = serializers.SerializerMethodField()
    fetch_state = serializers.SerializerMethodField()
    fetch_error = serializers.SerializerMethodField()

    class Meta:
        model = FeedItem
        fields = [
            "id",
            "title",
            "size",
            "info_hash",
            "seen_at",
            "state",
            "reason",
            "torrent_id",
            "fetch_state",
            "fetch_error",
        ]
        read_only_fields = fields

    def get_torrent_id(self, item: FeedItem) -> int | None:
        if item.torrent_id:
            return item.torrent_id
        return item.fetch.torrent_id if item.fetch else None

    def get_fetch_state(self, item: FeedItem) -> str:
        """The .torrent's fetch: fetching, added, failed ("" for a magnet or no match)."""
        return item.fetch.state if item.fetch else ""

    def get_fetch_error(self, item: FeedItem) -> str:
        return item.fetch.error if item.fetch else ""


class PreviewItemSerializer(serializers.Serializer):
    title = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    matched = serializers.BooleanField()
    reason = serializers.CharField()
    seen = serializers.BooleanField(
        help_text="Seen by a poll already: it would not be taken again."
    )
