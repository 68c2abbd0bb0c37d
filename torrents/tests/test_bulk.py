"""The bulk writes' one JSON parameter (torrents/services/bulk.py) brings every kind of value
back as written: text with quotes, backslashes and non-ASCII, NULLs, booleans, 64-bit counters,
timestamps with and without microseconds (the upserts' deltas: test_stats.py)."""

import datetime as dt

from django.utils import timezone

from torrents.models import Torrent, TorrentStatus
from torrents.services.bulk import BIGINT, BOOL, TEXT, TIMESTAMP, bulk_update, rows_source
from torrents.tests.pages_support import make_rows

COLUMNS = [
    ("id", BIGINT),
    ("status", TEXT),
    ("rtorrent_message", TEXT),
    ("uploaded_bytes", BIGINT),
    ("stale", BOOL),
    ("completed_at", TIMESTAMP),
    ("stalled_since", TIMESTAMP),
]


def test_every_kind_of_value_comes_back_as_written(db):
    first, second = make_rows([], 2)
    moment = timezone.now()
    whole_second = moment.replace(microsecond=0) - dt.timedelta(days=400)
    message = 'Tracker: "quoted" \\ back, ünïcödé ✓, tab\tand\nnewline'
    written = bulk_update(
        table=Torrent._meta.db_table,
        key="id",
        columns=COLUMNS,
        rows=[
            [first.pk, TorrentStatus.SEEDING, message, 2**62 + 1, 1, moment, None],
            [second.pk, TorrentStatus.PAUSED, "", 0, False, None, whole_second],
        ],
        constants={"synced_at": (TIMESTAMP, moment)},
    )
    assert written == 2
    one, two = Torrent.objects.get(pk=first.pk), Torrent.objects.get(pk=second.pk)
    assert (one.status, one.rtorrent_message, one.uploaded_bytes) == (
        TorrentStatus.SEEDING,
        message,
        2**62 + 1,
    )
    assert (one.stale, one.completed_at, one.stalled_since) == (True, moment, None)
    assert (two.status, two.rtorrent_message, two.uploaded_bytes) == (TorrentStatus.PAUSED, "", 0)
    assert (two.stale, two.completed_at, two.stalled_since) == (False, None, whole_second)
    assert one.synced_at == two.synced_at == moment


def test_no_rows_write_nothing(db):
    assert bulk_update(table=Torrent._meta.db_table, key="id", columns=COLUMNS, rows=[]) == 0
    source, params = rows_source(COLUMNS[:2], [[1, "seeding"]])
    assert " AS v" in source
    assert len(params) == 1
