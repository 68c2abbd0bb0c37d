"""The list's rows as JSON-ready dicts, read with `values()`.

`TorrentListSerializer` says what a row is (and documents it); building 10,000 of them through
it took about a second of CPU, most of it DRF's per-field machinery. This reads only the
columns a row shows and formats them the way that serializer does (a test holds the two equal).
"""

import datetime as dt
import functools
from collections.abc import Iterable
from operator import itemgetter

from django.db import connection
from django.db.models import Func, QuerySet, TextField
from django.utils import timezone

from torrents.api.serializers import TorrentListSerializer
from torrents.label_selectors import chips_by_torrent
from torrents.list_selectors import torrent_owner_emails
from torrents.models import eta_seconds
from torrents.selectors import messages_shown
from torrents.stalled import stalled_test

FULL_FIELDS: tuple[str, ...] = tuple(TorrentListSerializer.Meta.fields)
# `?fields=compact`: what a live list (a UI like Flood's) redraws, about half the bytes. Its
# labels (the caller's) cost one query for the page's rows, however many rows.
COMPACT_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "status",
    "progress",
    "size_bytes",
    "completed_bytes",
    "down_rate",
    "up_rate",
    "labels",
)
FIELD_SETS = {"full": FULL_FIELDS, "compact": COMPACT_FIELDS}

# Fields that are not a column of the same name (labels: one query for the page's rows).
_COMPUTED = {"progress", "node", "stalled", "labels", "eta", "owner_emails"}
# What the computed ones are made from.
_SOURCES = {
    "progress": ("size_bytes", "completed_bytes"),
    "eta": ("status", "size_bytes", "completed_bytes", "down_rate"),
}


def _iso(value: dt.datetime | None, zone: dt.tzinfo | None) -> str | None:
    """What DRF's DateTimeField gives (its `enforce_timezone` + isoformat, UTC as "Z"), without
    its per-value settings lookups: a third of the whole list's time went there. `zone` None:
    the current time zone is UTC, which the database's values are in already."""
    if value is None:
        return None
    text = (value if zone is None else value.astimezone(zone)).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class _StoredText(Func):
    """A column as SQLite stores it, without the conversion to a datetime (SQLite keeps a
    datetime as the text of the naive UTC value: parsing 20,000 of them into datetimes, only to
    format them back, was a third of the whole list's time, profiled)."""

    template = "(%(expressions)s || '')"  # an expression: no declared type to convert by
    output_field = TextField()


def _sqlite_iso(text: str | None) -> str | None:
    """What `_iso` gives for SQLite's stored text of a UTC datetime ("2026-12-01 16:52:20.973"
    or without the fraction when it is 0, as str() of the datetime): isoformat with "Z"."""
    return None if text is None else text.replace(" ", "T", 1) + "Z"


def _columns(fields: Iterable[str]) -> list[str]:
    columns = [f for f in fields if f not in _COMPUTED]
    for name, sources in _SOURCES.items():
        if name in fields:
            columns += [c for c in sources if c not in columns]
    if ("owner_emails" in fields or "labels" in fields) and "id" not in columns:
        columns.append("id")
    if "node" in fields:
        columns.append("node__name")
    if "stalled" in fields:
        columns += [c for c in ("status", "stalled_since") if c not in columns]
    return columns


def list_rows(
    queryset: QuerySet, fields: tuple[str, ...] = FULL_FIELDS, *, user=None
) -> list[dict]:
    """One dict per torrent of `queryset` (its order kept), with `fields` in that order;
    rTorrent's messages as `user` may read them (None: as stored); `labels` are `user`'s (none
    without one); the owners' emails for staff only (one more query), as the serializer gives
    admins."""
    if len(fields) < 2:  # itemgetter of one index gives a value, not a tuple
        raise ValueError("a field set has at least two fields")
    columns = _columns(fields)
    at = {("node" if c == "node__name" else c): i for i, c in enumerate(columns)}
    # Each row's values in `fields` order straight from the tuple (progress stands on
    # completed_bytes' until computed); then the few computed ones are patched in.
    # Computed ones stand on a column they are made from until computed (labels and owners on
    # the id, filled in once all the rows' ids are known).
    stand_in = {
        "progress": "completed_bytes",
        "eta": "completed_bytes",
        "stalled": "status",
        "labels": "id",
        "owner_emails": "id",
    }
    take = itemgetter(*[at[stand_in.get(f, f)] for f in fields])
    progress = fields.index("progress") if "progress" in fields else None
    eta = fields.index("eta") if "eta" in fields else None
    owners_at = fields.index("owner_emails") if "owner_emails" in fields else None
    size, done = at.get("size_bytes"), at.get("completed_bytes")
    state, rate = at.get("status"), at.get("down_rate")
    dates = [(fields.index(f), at[f]) for f in ("created_at", "updated_at") if f in fields]
    zone = timezone.get_current_timezone()
    zone = None if timezone.get_current_timezone_name() == "UTC" else zone
    stalled = fields.index("stalled") if "stalled" in fields else None
    status, since, is_stalled = at.get("status"), at.get("stalled_since"), stalled_test()
    # On SQLite with UTC as the current zone, dates are read as their stored text.
    as_text = connection.vendor == "sqlite" and zone is None
    iso = _sqlite_iso if as_text else functools.partial(_iso, zone=zone)
    read = [
        _StoredText(column) if as_text and column in ("created_at", "updated_at") else column
        for column in columns
    ]
    rows = []
    for record in queryset.values_list(*read):
        values = list(take(record))
        if progress is not None:
            total = record[size]
            values[progress] = min(1.0, record[done] / total) if total else 0.0
        if eta is not None:
            values[eta] = eta_seconds(record[state], record[size], record[done], record[rate])
        for position, column in dates:
            values[position] = iso(record[column])
        if stalled is not None:
            values[stalled] = is_stalled(record[status], record[since])
        rows.append(dict(zip(fields, values, strict=True)))
    if user is not None and "rtorrent_message" in fields:
        shown = messages_shown(user, {row["id"]: row["rtorrent_message"] for row in rows})
        for row in rows:
            row["rtorrent_message"] = shown[row["id"]]
    if "labels" in fields:
        chips = chips_by_torrent(user, [row["labels"] for row in rows]) if user else {}
        for row in rows:
            row["labels"] = [chip.name for chip in chips.get(row["labels"], ())]
    if owners_at is not None:
        staff = bool(user is not None and user.is_staff)
        field = fields[owners_at]
        owners = torrent_owner_emails([row[field] for row in rows], page=queryset) if staff else {}
        for row in rows:
            row[field] = owners.get(row[field]) if staff else None
    return rows
