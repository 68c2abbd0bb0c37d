"""What the site keeps about nodes, torrents, their owners, tracker rules and traffic history."""

from django.conf import settings
from django.db import models


class Node(models.Model):
    """One rTorrent daemon the site drives. The managed one is created from settings."""

    name = models.SlugField(max_length=64, unique=True)
    rpc_url = models.CharField(
        "RPC URL",
        max_length=500,
        help_text="scgi:///path/rpc.sock, scgi://host:port or https://host/RPC2",
    )
    data_root = models.CharField(
        max_length=1000, help_text="Where this node's torrent data lives, as this site sees it."
    )
    enabled = models.BooleanField(default=True)
    managed = models.BooleanField(
        default=False, editable=False, help_text="Started and configured by this site."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What the last sync saw (kept by the sync; a person reads it on the server page).
    is_up = models.BooleanField(null=True, editable=False)
    version = models.CharField(max_length=32, blank=True, editable=False)
    last_seen_at = models.DateTimeField(null=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TorrentStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", "waiting for approval"
    QUEUED = "queued", "queued"
    CHECKING = "checking", "checking"
    DOWNLOADING = "downloading", "downloading"
    SEEDING = "seeding", "seeding"
    PAUSED = "paused", "paused"
    STOPPED = "stopped", "stopped"
    MISSING = "missing", "missing from rTorrent"
    REJECTED = "rejected", "rejected"
    ERROR = "error", "error"
    REMOVED = "removed", "removed"
    # A magnet whose metadata did not arrive in SEEDBOX_MAGNET_METADATA_TIMEOUT: out of rTorrent,
    # and the next one to add the hash gets it fresh (as for removed and rejected ones).
    EXPIRED = "expired", "metadata never arrived"


# Statuses of a torrent that is (or should be) loaded in rTorrent.
IN_RTORRENT = (
    TorrentStatus.CHECKING,
    TorrentStatus.DOWNLOADING,
    TorrentStatus.SEEDING,
    TorrentStatus.PAUSED,
    TorrentStatus.STOPPED,
)


class Torrent(models.Model):
    """One info-hash, stored and downloaded once, owned by every user who added it."""

    info_hash = models.CharField(max_length=40, unique=True, help_text="v1, lowercase hex")
    name = models.CharField(max_length=1024)
    size_bytes = models.BigIntegerField(
        null=True, help_text="Unknown for a magnet until rTorrent has its metadata."
    )
    piece_length = models.BigIntegerField(null=True)
    private = models.BooleanField(default=False)
    metainfo = models.BinaryField(
        null=True, editable=False, help_text="The raw .torrent, kept to re-push and download."
    )
    magnet_uri = models.TextField(blank=True)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="torrents")
    status = models.CharField(
        max_length=20, choices=TorrentStatus.choices, default=TorrentStatus.QUEUED, db_index=True
    )
    status_message = models.TextField(
        blank=True,
        help_text="What the owner is told: rejection reason, rTorrent's message, an error.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Ownership", related_name="torrents"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Pushing to rTorrent: every attempt is recorded so a stuck torrent explains itself.
    push_attempts = models.PositiveIntegerField(default=0)
    last_push_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)

    # Moderation.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    # What the last sync read from rTorrent.
    completed_bytes = models.BigIntegerField(default=0)
    down_rate = models.BigIntegerField(default=0, help_text="bytes/s")
    up_rate = models.BigIntegerField(default=0, help_text="bytes/s")
    # Traffic: the site's own totals (the sum of what the sync credited, as the history has it)
    # and rTorrent's counters last seen, the baselines of the next deltas. rTorrent's counters
    # go back after a crash (to its last saved session) or a re-push; the site's totals do not.
    uploaded_bytes = models.BigIntegerField(
        default=0, help_text="Uploaded while on this site: every delta the sync credited."
    )
    downloaded_bytes = models.BigIntegerField(
        default=0, help_text="Downloaded while on this site: every delta the sync credited."
    )
    rtorrent_up_total = models.BigIntegerField(
        default=0, editable=False, help_text="rTorrent's d.up.total, last seen"
    )
    rtorrent_down_total = models.BigIntegerField(
        default=0, editable=False, help_text="rTorrent's d.down.total, last seen"
    )
    peers = models.PositiveIntegerField(default=0)
    seeders = models.PositiveIntegerField(default=0)
    rtorrent_message = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=False, help_text="Its node did not answer the last sync.")
    # Removal: set while the erase from rTorrent or the data deletion is still to be done.
    purge_pending = models.BooleanField(default=False, editable=False)
    download_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Files and zips of it taken home."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["node", "status"]),
            # The lists' default order: a page is read from the index, not sorted each time.
            models.Index(fields=["-created_at", "-id"], name="torrent_newest_first"),
            # `?changed_since=`: the rows changed after a cursor, read from the index.
            models.Index(fields=["updated_at"], name="torrent_updated_at"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def progress(self) -> float:
        """0.0 to 1.0; 0 while the size is unknown."""
        if not self.size_bytes:
            return 0.0
        return min(1.0, self.completed_bytes / self.size_bytes)

    @property
    def eta(self) -> int | None:
        """Seconds left at the current rate (see `eta_seconds`)."""
        return eta_seconds(self.status, self.size_bytes, self.completed_bytes, self.down_rate)


def eta_seconds(status: str, size: int | None, completed: int, down_rate: int) -> int | None:
    """Seconds until a downloading torrent is complete at its current rate; None when it is
    not downloading, its size is unknown or nothing comes in (there is no honest estimate)."""
    if status != TorrentStatus.DOWNLOADING or not size or down_rate <= 0:
        return None
    return -(-max(size - completed, 0) // down_rate)


class TorrentFile(models.Model):
    torrent = models.ForeignKey(Torrent, on_delete=models.CASCADE, related_name="files")
    index = models.PositiveIntegerField()
    path = models.CharField(
        max_length=4096, help_text="Relative to the torrent's data, '/'-separated."
    )
    size_bytes = models.BigIntegerField()
    completed_bytes = models.BigIntegerField(default=0)
    priority = models.PositiveSmallIntegerField(default=1)
    download_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["torrent", "index"]
        constraints = [
            models.UniqueConstraint(fields=["torrent", "index"], name="torrent_file_index_unique")
        ]

    def __str__(self) -> str:
        return self.path


class Ownership(models.Model):
    """A user owns a torrent they added ("pairing"): charged in quota, credited for traffic."""

    torrent = models.ForeignKey(Torrent, on_delete=models.CASCADE, related_name="ownerships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ownerships"
    )
    charged_bytes = models.BigIntegerField(
        default=0, help_text="What this ownership takes from the user's quota."
    )
    trackers = models.JSONField(
        default=list,
        blank=True,
        help_text="The announce URLs this owner sent; a public torrent announces to every "
        "owner's (torrents/services/announce.py).",
    )
    # The host of this owner's first announce URL, kept beside `trackers` (which only intake
    # writes) so that the list can filter and count by tracker from an index. Per owner, since
    # each owner's URLs (and passkeys) are their own.
    tracker_host = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["torrent", "user"], name="ownership_unique")]
        indexes = [
            # A user's list: counted, and what they gained since a `changed_since` cursor.
            models.Index(fields=["user", "created_at"], name="ownership_user_created"),
            # The list's tracker filter and its counts.
            models.Index(fields=["user", "tracker_host"], name="ownership_user_tracker"),
            models.Index(fields=["tracker_host", "torrent"], name="ownership_tracker_torrent"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} owns {self.torrent_id}"


class TrackerRule(models.Model):
    class Action(models.TextChoices):
        ALLOW = "allow", "allow"
        DENY = "deny", "deny"

    pattern = models.CharField(
        max_length=255,
        unique=True,
        help_text="A host (tracker.example.org), a domain (example.org), an IP address "
        "(127.0.0.1, any spelling) or a network (10.0.0.0/8, ::1/128).",
    )
    action = models.CharField(max_length=5, choices=Action.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pattern"]

    def __str__(self) -> str:
        return f"{self.action} {self.pattern}"


class TorrentHistory(models.Model):
    """A user's traffic on one torrent. Outlives the torrent and its data (the ratio stays)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="torrent_history"
    )
    torrent = models.ForeignKey(
        Torrent, on_delete=models.SET_NULL, null=True, blank=True, related_name="history"
    )
    info_hash = models.CharField(max_length=40)
    name = models.CharField(max_length=1024)
    uploaded_bytes = models.BigIntegerField(default=0)
    downloaded_bytes = models.BigIntegerField(default=0)
    seeding_seconds = models.BigIntegerField(default=0)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "info_hash"], name="history_user_hash_unique"),
            models.CheckConstraint(
                condition=models.Q(uploaded_bytes__gte=0, downloaded_bytes__gte=0),
                name="history_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.name}"


class TrafficBucket(models.Model):
    """Per user, per hour: bytes uploaded and downloaded, for charts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="traffic"
    )
    hour = models.DateTimeField()
    uploaded_bytes = models.BigIntegerField(default=0)
    downloaded_bytes = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["hour"]
        constraints = [
            models.UniqueConstraint(fields=["user", "hour"], name="traffic_user_hour_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.hour:%Y-%m-%d %H}:00"


class TorrentGone(models.Model):
    """A torrent that left a user's list because their ownership ended: what
    `GET /api/torrents?changed_since=` reports as deleted. Torrent rows are never deleted
    (removed ones stay for the record, and admins see them as `removed`), but an id is kept
    rather than a foreign key so that this never stands in the way if one ever is."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    torrent_id = models.BigIntegerField()
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "at"], name="torrent_gone_user_at")]

    def __str__(self) -> str:
        return f"{self.torrent_id} left {self.user_id}'s list at {self.at:%Y-%m-%d %H:%M:%S}"
