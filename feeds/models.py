"""RSS/Atom feeds of a user, their rules, and the history of every item a feed showed.

An item is taken once: a feed's items are unique by guid, by link and by info-hash (database
constraints, so two polls that overlap cannot both record it), and the poll that takes one first
claims it with a conditional UPDATE (`claimed_until`), so a worker that dies mid-poll leaves it to
the next poll once the claim runs out. The smart episode filter's "this episode is taken" is a
row too (FeedEpisode), written in the same transaction as the torrent it became.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from torrents.models import Torrent, TorrentFetch


class Feed(models.Model):
    """A feed URL polled every `interval` minutes for its owner. `cookie` is sent with the
    request (a private tracker's login) and never shown back; nor is the URL's query (it often
    holds a passkey)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feeds"
    )
    url = models.TextField()
    cookie = models.TextField(blank=True)
    title = models.CharField(max_length=300, blank=True)
    interval = models.PositiveIntegerField(help_text="Minutes between polls.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The poller's bookkeeping: when next due, what the last poll found.
    next_poll_at = models.DateTimeField(db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_items = models.PositiveIntegerField(default=0)
    last_new = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed polls in a row.")
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title or f"feed #{self.pk}"


class FeedRule(models.Model):
    """What a feed's item must be to become a torrent (every condition set must hold), and how it
    is added. Patterns are words (all of `include`, none of `exclude`, case-insensitive) or, with
    `regex`, regular expressions searched in the title with a time limit."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveIntegerField(default=0)
    include = models.CharField(max_length=500, blank=True)
    exclude = models.CharField(max_length=500, blank=True)
    regex = models.BooleanField(default=False)
    min_size = models.BigIntegerField(null=True, blank=True)
    max_size = models.BigIntegerField(null=True, blank=True)
    after_season = models.PositiveIntegerField(null=True, blank=True)
    after_episode = models.PositiveIntegerField(null=True, blank=True)
    smart_filter = models.BooleanField(default=False)
    label = models.CharField(max_length=100, blank=True)
    paused = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"rule #{self.pk} of {self.feed}"


class FeedItem(models.Model):
    """One item a feed showed, once: matched or not, why, and what it became."""

    class State(models.TextChoices):
        SKIPPED = "skipped", "not matched"
        PENDING = "pending", "matched, being added"
        TAKEN = "taken", "added"
        FAILED = "failed", "matched, refused"

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="items")
    guid = models.CharField(max_length=1000)
    link = models.TextField(blank=True, help_text="The .torrent URL or magnet link.")
    info_hash = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=1000)
    size = models.BigIntegerField(null=True, blank=True)
    seen_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=16, choices=State.choices)
    rule = models.ForeignKey(FeedRule, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it matched or not, or was refused.")
    claimed_until = models.DateTimeField(null=True, blank=True)
    fetch = models.ForeignKey(
        TorrentFetch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    torrent = models.ForeignKey(
        Torrent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "guid"], name="feed_item_guid_once"),
            models.UniqueConstraint(
                fields=["feed", "link"], condition=~Q(link=""), name="feed_item_link_once"
            ),
            models.UniqueConstraint(
                fields=["feed", "info_hash"],
                condition=~Q(info_hash=""),
                name="feed_item_hash_once",
            ),
        ]
        indexes = [models.Index(fields=["state", "claimed_until"])]

    def __str__(self) -> str:
        return self.title[:100]


class FeedEpisode(models.Model):
    """An episode the smart filter took for this feed: later releases of it are skipped."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="episodes")
    show = models.CharField(max_length=300)
    season = models.PositiveIntegerField()
    episode = models.PositiveIntegerField()
    item = models.ForeignKey(FeedItem, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "show", "season", "episode"], name="feed_episode_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.show} S{self.season:02d}E{self.episode:02d}"
