"""Every kind of event the site records. The value is stored on the row and names the event in
handlers, preferences and webhook bodies, so it never changes once released."""

from django.db import models


class EventKind(models.TextChoices):
    # What users hear about (notifications/ decides who and how).
    TORRENT_ADDED = "torrent.added", "torrent added"
    TORRENT_AWAITING_APPROVAL = "torrent.awaiting_approval", "torrent waiting for approval"
    TORRENT_APPROVED = "torrent.approved", "torrent approved"
    TORRENT_REJECTED = "torrent.rejected", "torrent rejected"
    TORRENT_COMPLETED = "torrent.completed", "download completed"
    TORRENT_FAILED = "torrent.failed", "torrent failed"
    TORRENT_STUCK = "torrent.stuck", "torrent stuck"
    TORRENT_REMOVED_BY_ADMIN = "torrent.removed_by_admin", "torrent removed by an admin"
    TORRENT_SEEDING_STOPPED = "torrent.seeding_stopped", "seeding rule applied"
    QUOTA_WARNING = "quota.warning", "quota at 90 %"
    QUOTA_FULL = "quota.full", "quota full"
    NODE_DOWN = "node.down", "server down"
    NODE_UP = "node.up", "server back"
    WEEKLY_SUMMARY = "summary.weekly", "weekly summary"
    TEST = "test", "test event"
    # internal: follow-ups of the sync, handled in torrents/handlers.py; nobody is told of them.
    TORRENT_METADATA_ARRIVED = "torrent.metadata_arrived", "magnet metadata arrived"  # internal
    TORRENT_SEEDING_RULE_MET = "torrent.seeding_rule_met", "seeding rule met"  # internal


# Kinds no user hears about (notification preferences and channels leave them out).
INTERNAL = frozenset({EventKind.TORRENT_METADATA_ARRIVED, EventKind.TORRENT_SEEDING_RULE_MET})
