"""What the site keeps about nodes, torrents, their owners, tracker rules and traffic history."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


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
    accepts_new_torrents = models.BooleanField(
        "takes new torrents",
        default=True,
        help_text="Off drains the node: it keeps syncing and seeding what it has, and gets "
        "no new torrents.",
    )
    pinned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="pinned_nodes",
        help_text="When a user is pinned to nodes, their new torrents go only to those.",
    )
    files_url = models.URLField(
        "files URL",
        blank=True,
        help_text="Where the nginx on this node's host serves its data to links the site signs "
        "(deploy/nginx/node-files.conf.template), e.g. https://node-b.example.com/files. Empty: "
        "this site serves the node's files itself.",
    )
    files_secret = models.CharField(
        max_length=200,
        blank=True,
        help_text="The secret that nginx's secure_link_md5 shares with this site.",
    )
    queue = models.SlugField(
        "Celery queue",
        max_length=100,
        blank=True,
        help_text="Where this node's sync, pushes and removals are queued: a worker next to the "
        "node consumes it (celery worker -Q <queue>). Empty: the default queue.",
    )
    managed = models.BooleanField(
        default=False, editable=False, help_text="Started and configured by this site."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What the last sync saw (kept by the sync; a person reads it on the server page).
    is_up = models.BooleanField(null=True, editable=False)
    version = models.CharField(max_length=32, blank=True, editable=False)
    last_seen_at = models.DateTimeField(null=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    # Global limits of the whole daemon (throttle.global_up/down.max_rate); 0: no limit.
    upload_limit_kib = models.PositiveIntegerField(
        "upload limit (KiB/s)", default=0, help_text="For the whole node; 0: no limit."
    )
    download_limit_kib = models.PositiveIntegerField(
        "download limit (KiB/s)", default=0, help_text="For the whole node; 0: no limit."
    )
    # The sync's own record of its runs (written by services/sync.py; statistics and /metrics
    # read them): how many, how many failed, the time they took in all and the last one's.
    sync_runs = models.PositiveBigIntegerField(default=0, editable=False)
    sync_failures = models.PositiveBigIntegerField(default=0, editable=False)
    sync_seconds_total = models.FloatField(default=0.0, editable=False)
    last_sync_seconds = models.FloatField(null=True, editable=False)
    # The push's (services/push.py): attempts at loading a torrent into it, those that failed,
    # the time they took in all.
    push_runs = models.PositiveBigIntegerField(default=0, editable=False)
    push_failures = models.PositiveBigIntegerField(default=0, editable=False)
    push_seconds_total = models.FloatField(default=0.0, editable=False)

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


# The columns the torrent list shows (with its id and times). A write of any of them stamps
# `Torrent.updated_at` when it does not itself (see TorrentQuerySet.update and Torrent.save):
# what the list keeps (its rendered table, the live poll's "changed since") follows it.
LIST_COLUMNS = (
    "name",
    "status",
    "status_message",
    "size_bytes",
    "completed_bytes",
    "down_rate",
    "up_rate",
    "uploaded_bytes",
    "peers",
    "seeders",
    "stale",
    "rtorrent_message",
    "stalled_since",
)
# A write of any of these stamps `updated_at`: what a row shows, and the search terms, by which
# a search's page shows the row or not (its rendered table is kept under the list's version).
ROW_STAMPED = frozenset({*LIST_COLUMNS, "search_terms"})
# A write of any of these stamps `Torrent.facets_at`: every write that stamps `updated_at` (the
# search terms among them: what a search matches, and so counts), and those that change what
# the list counts by even if they forget to.
FACET_STAMPED = frozenset({"updated_at", "status", "name", "stalled_since"})
# A write of any of these stamps `Torrent.words_at`: the torrent's own words a search matches
# (its files' paths are written with the torrent, or with its metadata in a whole save).
WORDS_STAMPED = frozenset({"name", "search_terms"})


# Statuses whose rates count (every other one moves nothing, whatever its last rates said).
MOVING = (TorrentStatus.DOWNLOADING, TorrentStatus.SEEDING, TorrentStatus.CHECKING)


class TorrentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """As QuerySet.update, and a write of what the list shows stamps `updated_at`, one
        that may move its counts `facets_at` (as auto_now does on save): only the sync, in raw
        SQL, leaves `facets_at` alone on rate-only changes."""
        if ROW_STAMPED.intersection(kwargs) and "updated_at" not in kwargs:
            kwargs["updated_at"] = timezone.now()
        if FACET_STAMPED.intersection(kwargs) and "facets_at" not in kwargs:
            kwargs["facets_at"] = kwargs.get("updated_at", timezone.now())
        if WORDS_STAMPED.intersection(kwargs) and "words_at" not in kwargs:
            kwargs["words_at"] = kwargs.get("updated_at", timezone.now())
        return super().update(**kwargs)


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
    # No index of its own: (node, status) leads with it (migration 0022).
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="torrents", db_index=False
    )
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
    # When something the list's counts depend on last changed (status, name, stalled): every
    # write but the sync's rate-only ones, which the counts' cache then survives.
    facets_at = models.DateTimeField(auto_now=True, editable=False)
    # When the words a search matches it by last changed (its name, search terms, files, a
    # label put on it or taken): what a search's match is kept under, which a status change or
    # a sync leaves alone (torrents/search's `SearchReads`). Null for the rows before it came
    # (migration 0023: a column SQLite can add without remaking the table and its triggers).
    words_at = models.DateTimeField(auto_now=True, null=True, editable=False)

    # Pushing to rTorrent: every attempt is recorded so a stuck torrent explains itself.
    push_attempts = models.PositiveIntegerField(default=0)
    last_push_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)

    # Moderation.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Where rTorrent keeps its data when it is not `<data root>/<hash[:2]>/<hash>/`: a torrent
    # adopted from a daemon the site did not fill (torrents/services/adopt.py).
    data_directory = models.CharField(max_length=4096, blank=True, default="", editable=False)
    # Words other apps know it by (media's title), searched with its name: set through
    # torrents/services/search_terms.py.
    search_terms = models.CharField(max_length=1000, blank=True, default="")

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
    # Set by the sync when a downloading torrent is first seen with no progress and no peer;
    # cleared by progress, a peer or another status. `stalled` is derived from it.
    stalled_since = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=False, help_text="Its node did not answer the last sync.")
    # Removal: set while the erase from rTorrent or the data deletion is still to be done.
    purge_pending = models.BooleanField(default=False, editable=False)
    download_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Files and zips of it taken home."
    )
    start_paused = models.BooleanField(
        default=False,
        help_text="Added with 'start paused': loaded into rTorrent without starting it.",
    )
    # Seeding rules (torrents/services/seeding.py): time seen seeding by the sync, why a rule
    # stopped it, and whether an owner resumed it since (rules then wait for a change of rule).
    seeding_seconds = models.BigIntegerField(default=0, editable=False)
    stop_reason = models.CharField(max_length=200, blank=True, editable=False)
    seed_rules_suspended = models.BooleanField(
        default=False,
        editable=False,
        help_text="Resumed by an owner after a seeding rule stopped it: not stopped again "
        "until an owner changes a rule.",
    )
    # Set when the owners' file priorities changed and rTorrent has not been told yet (the node
    # was down, the broker too): the push and the reconcile apply them (services/file_priorities).
    priorities_pending = models.BooleanField(default=False, editable=False)
    # Set while an admin's move to another node runs (torrents/services/move.py): one move at a
    # time, and the admin sees where it is going.
    moving_to = models.ForeignKey(
        Node,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = TorrentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["node", "status"]),
            # The lists' default order: a page is read from the index, not sorted each time.
            models.Index(fields=["-created_at", "-id"], name="torrent_newest_first"),
            # `?changed_since=`: the rows changed after a cursor, read from the index.
            models.Index(fields=["updated_at"], name="torrent_updated_at"),
            # The counts' version: the latest facets_at, one index lookup.
            models.Index(fields=["facets_at"], name="torrent_facets_at"),
            # A search's version: the latest words_at, one index lookup.
            models.Index(fields=["words_at"], name="torrent_words_at"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, update_fields=None, **kwargs):
        """A save of some fields that the list shows writes `updated_at` too, one of a field
        the counts depend on `facets_at`, and one of its words `words_at` (all auto_now)."""
        if update_fields is not None and ROW_STAMPED.intersection(update_fields):
            update_fields = {*update_fields, "updated_at"}
        if update_fields is not None and FACET_STAMPED.intersection(update_fields):
            update_fields = {*update_fields, "facets_at"}
        if update_fields is not None and WORDS_STAMPED.intersection(update_fields):
            update_fields = {*update_fields, "words_at"}
        super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def status_label(self) -> str:
        """The status as people read it: a magnet whose metadata has not arrived yet is
        "fetching metadata" (rTorrent's own state then says "checking" or "downloading")."""
        if self.size_bytes is None and self.status in (
            TorrentStatus.QUEUED,
            TorrentStatus.CHECKING,
            TorrentStatus.DOWNLOADING,
        ):
            return "fetching metadata"
        return self.get_status_display()

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
    priority = models.PositiveSmallIntegerField(
        default=1,
        help_text="What rTorrent is asked for: the highest of the owners' choices "
        "(0 skip, 1 normal, 2 high).",
    )
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

    # No index of their own: the unique (torrent, user) leads with the torrent, (user,
    # created_at) and the counts' indexes with the user (migration 0022).
    torrent = models.ForeignKey(
        Torrent, on_delete=models.CASCADE, related_name="ownerships", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ownerships",
        db_index=False,
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
    # One character per file, by file index: "0" skip, "1" normal, "2" high; "" means every file
    # normal. 10,000 files are 10 kB on one row read with the ownership, instead of 10,000 rows.
    file_priorities = models.TextField(
        blank=True,
        default="",
        help_text="This owner's choice per file (torrents/services/file_priorities.py).",
    )
    # The host of this owner's first announce URL, kept beside `trackers` (which only intake
    # writes) so that the list can filter and count by tracker from an index. Per owner, since
    # each owner's URLs (and passkeys) are their own.
    tracker_host = models.CharField(max_length=255, blank=True, default="")
    # Copies of the torrent's `status` and `stalled_since`, so that a user's list counts
    # (torrents/list_selectors.py) are read from their ownerships' indexes without joining
    # each one to its torrent. Kept by the database, not by Python (triggers of migration
    # 0021): every write of a torrent's status, the sync's raw UPDATE and the admin's too,
    # and every ownership written, are covered. Read them in queries, never from an instance
    # (one just created holds the defaults); `test_list_counts_kept.py` checks they are kept.
    torrent_status = models.CharField(
        max_length=20, choices=TorrentStatus.choices, default="", editable=False
    )
    torrent_stalled_since = models.DateTimeField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # This owner's choices for this torrent (null: none / the user's defaults). Limits stay
    # within the user's cap (torrents/services/throttle.py); rules over the floor (seeding.py).
    upload_limit_kib = models.PositiveIntegerField(null=True, blank=True)
    download_limit_kib = models.PositiveIntegerField(null=True, blank=True)
    seed_ratio = models.FloatField(null=True, blank=True, help_text="Stop at this ratio.")
    seed_hours = models.FloatField(null=True, blank=True, help_text="Stop after seeding so long.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["torrent", "user"], name="ownership_unique")]
        indexes = [
            # A user's list: counted, and what they gained since a `changed_since` cursor.
            models.Index(fields=["user", "created_at"], name="ownership_user_created"),
            # The list's tracker filter and its counts; a user's status counts under it, from
            # the index alone.
            models.Index(
                fields=["user", "tracker_host", "torrent_status", "torrent_stalled_since"],
                name="ownership_user_tracker_status",
            ),
            # A user's status counts (and the stalled ones) and their tracker counts under a
            # status filter, from the index alone.
            models.Index(
                fields=["user", "torrent_status", "tracker_host", "torrent_stalled_since"],
                name="ownership_user_status",
            ),
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


class NodeTrafficBucket(models.Model):
    """Per node, per hour: bytes its torrents uploaded and downloaded (what the sync credited),
    for the staff's traffic per node; kept when torrents and users go."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="traffic")
    hour = models.DateTimeField()
    uploaded_bytes = models.BigIntegerField(default=0)
    downloaded_bytes = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["hour"]
        constraints = [
            models.UniqueConstraint(fields=["node", "hour"], name="node_traffic_hour_unique")
        ]

    def __str__(self) -> str:
        return f"{self.node_id} @ {self.hour:%Y-%m-%d %H}:00"


class RateTotal(models.Model):
    """The rates of a node's moving torrents as its last sync summed them: per owner (`user`; a
    shared torrent's whole rate counts for each), and the node's own (`user` null: each torrent
    once). The totals bar reads these few rows rather than summing every torrent's rate again
    on each page after a sync (10,000 rows each time: 4 ms on Postgres, and 65 ms for staff at
    100,000). Rates only ever come from the sync, so these are as fresh as the rows."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    down_rate = models.BigIntegerField(default=0)
    up_rate = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.node_id}/{self.user_id or 'all'}: {self.down_rate} down, {self.up_rate} up"


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


class TorrentFetch(models.Model):
    """A `.torrent` someone asked the site to fetch from a URL (seedbox/fetch.py, by a worker):
    what they see while it is fetched, and what failed when it did not work."""

    class State(models.TextChoices):
        FETCHING = "fetching", "fetching the .torrent"
        ADDED = "added", "added"
        FAILED = "failed", "fetch failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="torrent_fetches"
    )
    url = models.TextField()
    paused = models.BooleanField(default=False)
    labels = models.JSONField(default=list, blank=True, help_text="The asker's, for the torrent.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.FETCHING)
    error = models.TextField(blank=True, help_text="What failed, for the person who asked.")
    torrent = models.ForeignKey(
        Torrent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url[:100]


class SeedingFloor(models.Model):
    """What every torrent seeds at least, whatever its owners' rules say (private trackers want
    e.g. "a ratio of 1.0 or 72 hours"): met once either configured part is reached. One row."""

    min_ratio = models.FloatField(
        null=True, blank=True, help_text="A rule never stops a torrent below this ratio..."
    )
    min_hours = models.FloatField(
        null=True, blank=True, help_text="...unless it has seeded this many hours."
    )

    class Meta:
        verbose_name = "seeding floor"

    def __str__(self) -> str:
        return f"seed at least ratio {self.min_ratio} or {self.min_hours} h"


class Label(models.Model):
    """A user's own tag for torrents ("linux", "to sort"), with a colour. Labels hang off the
    user's ownership, not the torrent: co-owners of one torrent label it each their own way."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="labels"
    )
    name = models.CharField(max_length=32)
    colour = models.CharField(
        max_length=7, help_text="#rrggbb, of the palette (services/labels.py)"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ownerships = models.ManyToManyField(
        Ownership, through="OwnershipLabel", related_name="labels", blank=True
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # "Linux" and "linux" are one label: `?label=` matches either spelling.
            models.UniqueConstraint(Lower("name"), "user", name="label_user_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class OwnershipLabel(models.Model):
    """One label on one user's ownership of a torrent."""

    ownership = models.ForeignKey(
        Ownership, on_delete=models.CASCADE, related_name="ownership_labels"
    )
    # No index of its own: the unique (label, ownership) one leads with it, and gives a
    # label's torrents (the `?label=` filter) from the index alone.
    label = models.ForeignKey(
        Label, on_delete=models.CASCADE, related_name="ownership_labels", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["label", "ownership"], name="ownership_label_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label_id} on {self.ownership_id}"
