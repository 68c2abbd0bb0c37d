"""Ratio history: each sync's traffic credited to the torrent's owners, kept forever.

Split rule: a delta of N bytes over k owners gives each N // k bytes; the N % k bytes left over
go one each to the owners who took the torrent first (oldest ownership first), so the credited
sum is exactly N and nothing is lost or invented. Seeding time is time, not bytes: every owner
gets all of it. History rows are keyed by (user, info-hash) and outlive the torrent and its data.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from torrents.models import NodeTrafficBucket, Ownership, TorrentHistory, TrafficBucket
from torrents.services.bulk import BIGINT, TEXT, TIMESTAMP, bulk_upsert_add, utc_hour


@dataclass(frozen=True)
class Credit:
    """What one torrent did since the previous sync."""

    torrent_id: int
    info_hash: str
    name: str
    uploaded: int = 0
    downloaded: int = 0
    seeding_seconds: int = 0
    completed_at: dt.datetime | None = None


def split_evenly(total: int, owners: list[int]) -> dict[int, int]:
    """{owner: share}: `total // k` each, the remainder one byte each to the first owners."""
    if not owners:
        return {}
    share, rest = divmod(total, len(owners))
    return {user: share + (1 if i < rest else 0) for i, user in enumerate(owners)}


def history_credit(*, credits: list[Credit], owners: dict[int, list[int]], now: dt.datetime) -> int:
    """Add the credits to every owner's history and hourly bucket: two statements in all.
    `owners` maps torrent id -> user ids, oldest ownership first. Returns rows touched."""
    history: dict[tuple[int, str], list] = {}
    buckets: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for credit in credits:
        users = owners.get(credit.torrent_id, [])
        if not users:
            continue  # nobody owns it any more (removed): there is no one to credit
        up = split_evenly(credit.uploaded, users)
        down = split_evenly(credit.downloaded, users)
        for user in users:
            history[(user, credit.info_hash)] = [
                user,
                credit.torrent_id,
                credit.info_hash,
                credit.name[:1024],
                up[user],
                down[user],
                credit.seeding_seconds,
                now,
                now,
                credit.completed_at,
            ]
            if up[user] or down[user]:
                buckets[user][0] += up[user]
                buckets[user][1] += down[user]
    bulk_upsert_add(
        table=TorrentHistory._meta.db_table,
        conflict=["user_id", "info_hash"],
        columns=[
            ("user_id", BIGINT),
            ("torrent_id", BIGINT),
            ("info_hash", TEXT),
            ("name", TEXT),
            ("uploaded_bytes", BIGINT),
            ("downloaded_bytes", BIGINT),
            ("seeding_seconds", BIGINT),
            ("first_seen_at", TIMESTAMP),
            ("last_seen_at", TIMESTAMP),
            ("completed_at", TIMESTAMP),
        ],
        rows=list(history.values()),
        add=["uploaded_bytes", "downloaded_bytes", "seeding_seconds"],
        keep_first=["completed_at"],
        replace=["torrent_id", "name", "last_seen_at"],
    )
    hour = utc_hour(now)
    bulk_upsert_add(
        table=TrafficBucket._meta.db_table,
        conflict=["user_id", "hour"],
        columns=[
            ("user_id", BIGINT),
            ("hour", TIMESTAMP),
            ("uploaded_bytes", BIGINT),
            ("downloaded_bytes", BIGINT),
        ],
        rows=[[user, hour, up, down] for user, (up, down) in buckets.items()],
        add=["uploaded_bytes", "downloaded_bytes"],
    )
    return len(history)


def node_traffic_credit(*, node_id: int, credits: list[Credit], now: dt.datetime) -> None:
    """Add the run's traffic to its node's hourly bucket (one statement; owned or not, the
    node moved those bytes)."""
    up = sum(credit.uploaded for credit in credits)
    down = sum(credit.downloaded for credit in credits)
    if not (up or down):
        return
    bulk_upsert_add(
        table=NodeTrafficBucket._meta.db_table,
        conflict=["node_id", "hour"],
        columns=[
            ("node_id", BIGINT),
            ("hour", TIMESTAMP),
            ("uploaded_bytes", BIGINT),
            ("downloaded_bytes", BIGINT),
        ],
        rows=[[node_id, utc_hour(now), up, down]],
        add=["uploaded_bytes", "downloaded_bytes"],
    )


def owners_by_torrent(*, node_id: int) -> dict[int, list[int]]:
    """torrent id -> owner ids (oldest ownership first) for a whole node, in one query."""
    owners: dict[int, list[int]] = defaultdict(list)
    rows = (
        Ownership.objects.filter(torrent__node_id=node_id)
        .order_by("torrent_id", "created_at", "id")
        .values_list("torrent_id", "user_id")
    )
    for torrent_id, user_id in rows:
        owners[torrent_id].append(user_id)
    return owners
