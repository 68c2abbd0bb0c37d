"""The list's rows as JSON-ready dicts, read with `values()`.

`TorrentListSerializer` says what a row is (and documents it); building 10,000 of them through
it took about a second of CPU, most of it DRF's per-field machinery. This reads only the
columns a row shows and formats them the way that serializer does (a test holds the two equal).
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from torrents.api.serializers import TorrentListSerializer

FULL_FIELDS: tuple[str, ...] = tuple(TorrentListSerializer.Meta.fields)
# `?fields=compact`: what a live list (a UI like Flood's) redraws, about half the bytes.
COMPACT_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "status",
    "progress",
    "size_bytes",
    "completed_bytes",
    "down_rate",
    "up_rate",
)
FIELD_SETS = {"full": FULL_FIELDS, "compact": COMPACT_FIELDS}

# Fields that are not a column of the same name.
_COMPUTED = {"progress", "node"}


def _iso(value: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    """What DRF's DateTimeField gives (its `enforce_timezone` + isoformat, UTC as "Z"), without
    its per-value settings lookups: a third of the whole list's time went there."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _columns(fields: Iterable[str]) -> list[str]:
    columns = [f for f in fields if f not in _COMPUTED]
    if "progress" in fields:
        columns += [c for c in ("size_bytes", "completed_bytes") if c not in columns]
    if "node" in fields:
        columns.append("node__name")
    return columns


def list_rows(queryset: QuerySet, fields: tuple[str, ...] = FULL_FIELDS) -> list[dict]:
    """One dict per torrent of `queryset` (its order kept), with `fields` in that order."""
    rows = []
    zone = timezone.get_current_timezone()
    dates = [f for f in ("created_at", "updated_at") if f in fields]
    for values in queryset.values(*_columns(fields)):
        if "progress" in fields:
            size = values["size_bytes"]
            values["progress"] = min(1.0, values["completed_bytes"] / size) if size else 0.0
        if "node" in fields:
            values["node"] = values.pop("node__name")
        for name in dates:
            values[name] = _iso(values[name], zone)
        rows.append({name: values[name] for name in fields})
    return rows
