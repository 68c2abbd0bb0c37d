"""The list's counts are kept per `facets_version` (torrents/list_versions.py): they outlive the
sync's rate-only writes, and every change that could move a count moves the version. Each way a
count could go stale has a test here (status by the sync, by a service, by a write that forgot
`updated_at`; removal; a co-owner; labels put, taken, made; a name; search terms), checked
against the page's sidebar and the counts API.

A user's counts are grouped from their ownerships' copies of the torrent's status and
stalled_since (`Ownership.torrent_status`, kept by the triggers of migration 0021): every way
those could fall behind (the sync behind the site's back, a service, a pause and a resume, a
stalled transition, a new co-owner, a move, the ORM's and raw writes, an ownership written
whole) is checked here with `drifted()`, and the counts' plan with no torrent joined."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.services.users import user_delete
from torrents.list_selectors import ListFilters, matched_kept, torrent_facets
from torrents.list_versions import facets_version, list_version, list_versions
from torrents.models import Node, Ownership, Torrent, TorrentStatus
from torrents.services.bulk import BIGINT, TEXT, TIMESTAMP, bulk_update
from torrents.services.control import torrent_remove, torrent_set_paused
from torrents.services.labels import label_create, torrent_labels_set, torrents_label_remove
from torrents.services.nodes import node_client
from torrents.services.rate_totals import node_rate_totals_refresh
from torrents.services.search_terms import torrent_search_terms_set
from torrents.services.sync import node_sync
from torrents.stalled import STALLED
from torrents.tests.factories import make_torrent
from torrents.tests.helpers_sync import add_torrent, api, wait_until
from torrents.tests.intake_support import post, push_queued, upload
from torrents.tests.pages_support import client_for, facet_counts, make_rows


def grouped_counts(queries) -> list[str]:
    return [q["sql"] for q in queries if "GROUP BY" in q["sql"].upper()]


def drifted() -> list[tuple]:
    """Ownerships whose copies disagree with their torrent: (ownership id, its copies, the
    torrent's status and stalled_since)."""
    rows = Ownership.objects.values_list(
        "pk", "torrent_status", "torrent_stalled_since", "torrent__status", "torrent__stalled_since"
    )
    return [row for row in rows if row[1:3] != row[3:5]]


def seeding_torrent(node, owner, tmp_path) -> Torrent:
    """A torrent of `owner`'s with its data, started in rTorrent and synced until seeding."""
    torrent = add_torrent(node, [owner], tmp_path, with_data=True, start=True)
    wait_until(
        lambda: (
            node_sync(node=node)
            and Torrent.objects.get(pk=torrent.pk).status == TorrentStatus.SEEDING
        ),
        what="seeding",
    )
    return torrent


def test_a_sync_that_moves_only_rates_keeps_the_counts_and_a_status_change_moves_them(
    node, owner, tmp_path
):
    torrent = seeding_torrent(node, owner, tmp_path)
    client = client_for(owner)
    assert facet_counts(client.get("/").content.decode(), "status")["seeding"] == 1
    # rTorrent reports 0 B/s; the row says otherwise: the next sync writes the rate back, its
    # only change.
    Torrent.objects.filter(pk=torrent.pk).update(up_rate=5000)
    node_rate_totals_refresh(node_id=node.pk)
    assert api(owner).get("/api/torrents/totals").json()["up_rate"] == 5000
    client.get("/")  # the counts kept as they are now
    before = Torrent.objects.get(pk=torrent.pk)
    versions = facets_version(owner), list_version(owner)
    search_version = list_versions(owner).search
    node_sync(node=node)
    after = Torrent.objects.get(pk=torrent.pk)
    assert after.up_rate == 0
    assert api(owner).get("/api/torrents/totals").json()["up_rate"] == 0  # summed by the sync
    assert after.updated_at > before.updated_at  # the poll sees the row move
    assert after.facets_at == before.facets_at
    assert facets_version(owner) == versions[0]
    assert list_version(owner) != versions[1]
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    assert not grouped_counts(queries)  # the counts were kept
    assert facet_counts(html, "status")["seeding"] == 1

    assert not drifted()
    node_client(node).pause(torrent.info_hash)  # behind the site's back: only the sync knows
    node_sync(node=node)
    assert Torrent.objects.get(pk=torrent.pk).status == TorrentStatus.PAUSED
    assert not drifted()  # the sync's raw UPDATE
    assert Torrent.objects.get(pk=torrent.pk).facets_at > after.facets_at
    # A search's match depends on none of it: its version stayed (torrents/search's reads).
    assert list_versions(owner).search == search_version
    counts = facet_counts(client.get("/").content.decode(), "status")
    assert counts.get("seeding", 0) == 0
    assert counts["paused"] == 1
    assert api(owner).get("/api/torrents/counts").json()["status"] == {"paused": 1}


def test_writes_that_forget_updated_at_still_move_the_counts(alice):
    rows = make_rows([alice], 2)
    client = client_for(alice)
    assert facet_counts(client.get("/").content.decode(), "status")["downloading"] == 2
    Torrent.objects.filter(pk=rows[0].pk).update(status=TorrentStatus.SEEDING)
    assert facet_counts(client.get("/").content.decode(), "status")["seeding"] == 1
    torrent = Torrent.objects.get(pk=rows[1].pk)
    torrent.status = TorrentStatus.PAUSED
    torrent.save(update_fields=["status"])
    counts = facet_counts(client.get("/").content.decode(), "status")
    assert (counts["seeding"], counts["paused"], counts.get("downloading", 0)) == (1, 1, 0)
    Torrent.objects.filter(pk=rows[0].pk).update(name="renamed linux iso")
    assert facet_counts(client.get("/", {"q": "linux"}).content.decode(), "status")[""] == 1
    # Words another app knows a torrent by (media's title) are searched: a search kept since
    # finds the torrent they were given to, and counts it.
    assert facet_counts(client.get("/", {"q": "sintel"}).content.decode(), "status")[""] == 0
    torrent_search_terms_set(torrent_id=rows[1].pk, terms="Sintel 2010")
    html = client.get("/", {"q": "sintel"}).content.decode()
    assert facet_counts(html, "status")[""] == 1
    assert api(alice).get("/api/torrents/counts", {"q": "sintel"}).json()["total"] == 1


def test_removal_and_a_co_owner_move_each_users_counts(alice, bob):
    mine = make_rows([alice], 2)
    theirs = make_rows([bob], 1)[0]
    alice_page, bob_page = client_for(alice), client_for(bob)
    assert facet_counts(alice_page.get("/").content.decode(), "status")[""] == 2
    assert facet_counts(bob_page.get("/").content.decode(), "status")[""] == 1
    torrent_remove(torrent=mine[0], by=alice, purge=False)
    assert facet_counts(alice_page.get("/").content.decode(), "status")[""] == 1
    Ownership.objects.create(torrent=theirs, user=alice, tracker_host="tracker.example")
    html = alice_page.get("/").content.decode()
    assert facet_counts(html, "status")[""] == 2
    assert facet_counts(html, "tracker") == {"tracker.example": 1}
    assert api(alice).get("/api/torrents/counts").json()["tracker"] == {"tracker.example": 1}
    assert facet_counts(bob_page.get("/").content.decode(), "status")[""] == 1


def test_a_co_owners_account_deleted_moves_staffs_kept_search_and_counts(alice, bob, boss):
    # Deleting an account deletes its TorrentGone rows too: the torrents it left must move
    # the versions themselves, or an admin's kept matches still had bob as an owner.
    (shared,) = make_rows([bob, alice], 1, status=TorrentStatus.SEEDING, name="linux shared")
    make_rows([alice], 1, status=TorrentStatus.SEEDING, name="linux later")  # a newer ownership
    Ownership.objects.filter(user=alice).update(tracker_host="a.example")
    Ownership.objects.filter(user=bob).update(tracker_host="b.example")
    page = client_for(boss)

    def kept_page() -> set[int]:
        """The ranked page's candidates from the matches kept across requests."""
        filters = ListFilters(q="linux", tracker="b.example")
        versions = list_versions(boss)
        filters.reads.keep_under(versions.search, counts=versions.counts)
        return matched_kept(boss, filters)

    html = page.get("/", {"q": "linux", "tracker": "b.example"}).content.decode()
    assert facet_counts(html, "tracker") == {"a.example": 2, "b.example": 1}
    assert kept_page() == {shared.pk}

    user_delete(user=bob)
    html = page.get("/", {"q": "linux", "tracker": "b.example"}).content.decode()
    assert facet_counts(html, "tracker") == {"a.example": 2, "b.example": 0}  # picked: shown
    assert kept_page() == set()


def test_labels_put_taken_and_made_move_the_label_counts(alice):
    rows = make_rows([alice], 3)
    client = client_for(alice)

    def label_counts() -> dict:
        return api(alice).get("/api/torrents/counts").json()["label"]

    assert label_counts() == {}
    label_create(user=alice, name="empty")
    assert label_counts() == {"empty": 0}  # a label on nothing is listed at 0
    torrent_labels_set(user=alice, torrent=rows[0], names=["linux"])
    torrent_labels_set(user=alice, torrent=rows[1], names=["linux"])
    assert label_counts() == {"empty": 0, "linux": 2}
    torrent = Torrent.objects.get(pk=rows[0].pk)
    torrent.status = TorrentStatus.SEEDING
    torrent.save(update_fields=["status", "updated_at"])
    counted = api(alice).get("/api/torrents/counts", {"status": "seeding"}).json()
    assert counted["label"] == {"empty": 0, "linux": 1}
    torrents_label_remove(user=alice, torrents=[rows[1]], name="linux")
    assert label_counts() == {"empty": 0, "linux": 1}
    html = client.get("/", {"label": "linux"}).content.decode()
    assert facet_counts(html, "status") == {"": 1, "seeding": 1}


def test_a_pause_a_resume_and_a_stall_move_the_copies(node, owner, other, tmp_path, settings):
    settings.SEEDBOX_STALLED_AFTER = 1
    # No data and no tracker: downloading, 0 %, no peer, for good (stalled after its grace).
    still = add_torrent(node, [owner, other], tmp_path, name="still.bin", start=True)
    wait_until(
        lambda: (
            node_sync(node=node)
            and Torrent.objects.get(pk=still.pk).status == TorrentStatus.DOWNLOADING
        ),
        what="downloading",
    )
    assert Torrent.objects.get(pk=still.pk).stalled_since is not None
    assert not drifted()
    time.sleep(1.1)
    node_sync(node=node)
    assert api(owner).get("/api/torrents/counts").json()["stalled"] == {"stalled": 1}
    assert api(other).get("/api/torrents/counts", {"status": "stalled"}).json()["total"] == 1

    torrent_set_paused(torrent=Torrent.objects.get(pk=still.pk), paused=True)
    assert Ownership.objects.filter(torrent_status=TorrentStatus.PAUSED).count() == 2
    assert not drifted()  # stalled_since cleared too
    counted = api(owner).get("/api/torrents/counts").json()
    assert (counted["status"], counted["stalled"]) == ({"paused": 1}, {"stalled": 0})
    torrent_set_paused(torrent=Torrent.objects.get(pk=still.pk), paused=False)
    node_sync(node=node)
    assert Torrent.objects.get(pk=still.pk).status == TorrentStatus.DOWNLOADING
    assert not drifted()
    assert api(other).get("/api/torrents/counts").json()["status"] == {"downloading": 1}


def test_a_new_co_owner_takes_the_torrents_status(node, owner, other, tmp_path):
    data, _, _ = make_torrent(tmp_path, "shared.bin", 50_000)
    assert post(owner, {"torrents": [upload("s.torrent", data)]}).status_code == 201
    assert push_queued() == ["loaded"]
    wait_until(
        lambda: node_sync(node=node) and Torrent.objects.get().status == TorrentStatus.DOWNLOADING,
        what="downloading",
    )
    assert post(other, {"torrents": [upload("s.torrent", data)]}).status_code == 201
    assert Ownership.objects.get(user=other).torrent_status == TorrentStatus.DOWNLOADING
    assert not drifted()
    assert api(other).get("/api/torrents/counts").json()["status"] == {"downloading": 1}


def test_every_kind_of_write_keeps_the_copies(alice, bob):
    """The triggers, whichever way the row is written: the ORM's update and save, Django's
    bulk_update, the sync's raw one, a move's update, new ownerships one by one or in bulk,
    an ownership saved whole from an instance that holds older copies, a copy written by hand."""
    rows = make_rows([alice, bob], 4)  # bulk-created ownerships
    assert not drifted()
    assert Ownership.objects.filter(torrent_status=TorrentStatus.DOWNLOADING).count() == 8
    stale = Ownership.objects.get(torrent=rows[0], user=alice)  # holds "downloading"
    now = timezone.now()
    Torrent.objects.filter(pk=rows[0].pk).update(status=TorrentStatus.SEEDING)
    torrent = Torrent.objects.get(pk=rows[1].pk)
    torrent.status, torrent.stalled_since = TorrentStatus.DOWNLOADING, now
    torrent.save(update_fields=["stalled_since"])
    torrent.status = TorrentStatus.PAUSED
    torrent.save()
    Torrent.objects.bulk_update([Torrent(pk=rows[2].pk, status=TorrentStatus.ERROR)], ["status"])
    bulk_update(
        table=Torrent._meta.db_table,
        key="id",
        columns=[("id", BIGINT), ("status", TEXT), ("stalled_since", TIMESTAMP)],
        rows=[[rows[3].pk, TorrentStatus.DOWNLOADING, now - dt.timedelta(hours=1)]],
    )
    elsewhere = Node.objects.create(name="elsewhere", rpc_url="scgi:///none", data_root="/tmp")
    Torrent.objects.filter(pk=rows[3].pk).update(node=elsewhere, updated_at=now)
    assert not drifted()
    assert Ownership.objects.get(pk=stale.pk).torrent_status == TorrentStatus.SEEDING
    stale.charged_bytes = 1
    stale.save()  # whole, with its "downloading"
    Ownership.objects.filter(torrent=rows[1]).update(torrent_status=TorrentStatus.SEEDING)
    Ownership.objects.filter(user=bob).delete()
    Ownership.objects.create(torrent=rows[3], user=bob)
    Ownership.objects.bulk_create([Ownership(torrent=t, user=bob) for t in rows[:3]])
    assert not drifted()
    counted = api(bob).get("/api/torrents/counts").json()
    assert counted["status"] == {"seeding": 1, "paused": 1, "error": 1, "downloading": 1}
    assert counted["stalled"] == {"stalled": 1}
    torrent_remove(torrent=rows[0], by=alice, purge=False)
    assert not drifted()


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {name for (name,) in cursor.fetchall()}


def test_the_copies_triggers_are_there_after_every_migration(db):
    """On SQLite a migration that remakes the torrents or ownerships table (an AddField of a
    NOT NULL column, most AlterFields) drops their triggers: it must create them again (see
    migration 0021)."""
    expected = {"ownership_copy_from_torrent"}
    if connection.vendor == "sqlite":
        expected |= {"ownership_copy_on_insert", "ownership_copy_on_update"}
    else:
        expected |= {"ownership_copy_of_torrent", "ownership_copy_on_update"}
    assert expected <= _triggers()


@pytest.fixture
def back_to_the_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_the_migration_fills_the_copies_of_existing_ownerships():
    executor = MigrationExecutor(connection)
    executor.migrate([("torrents", "0020_torrent_moving_to")])
    apps = executor.loader.project_state([("torrents", "0020_torrent_moving_to")]).apps
    node = apps.get_model("torrents", "Node").objects.create(name="n", rpc_url="x", data_root="/")
    torrents = apps.get_model("torrents", "Torrent").objects
    since = timezone.now().replace(microsecond=0)
    seeding = torrents.create(info_hash="d" * 40, name="s", node=node, status="seeding")
    still = torrents.create(
        info_hash="e" * 40, name="d", node=node, status="downloading", stalled_since=since
    )
    user_pk = User.objects.create_user("mig-copy@example.com", "pw").pk
    for torrent in (seeding, still):
        apps.get_model("torrents", "Ownership").objects.create(torrent=torrent, user_id=user_pk)
    executor = MigrationExecutor(connection)
    executor.migrate([("torrents", "0021_ownership_torrent_status")])
    copies = dict(Ownership.objects.values_list("torrent_id", "torrent_status"))
    assert copies == {seeding.pk: "seeding", still.pk: "downloading"}
    assert Ownership.objects.get(torrent_id=still.pk).torrent_stalled_since == since
    assert not drifted()


def test_a_users_counts_join_no_torrent(alice, bob):
    """Grouped from the ownership indexes alone: no torrent joined, and on SQLite no table row
    read (a covering index) for the status and tracker counts. Under a label, those two are
    one query (of the label's ownerships, by kind)."""
    rows = make_rows([alice], 30, status=TorrentStatus.SEEDING)
    make_rows([bob], 5)
    Ownership.objects.filter(torrent__in=rows[:10]).update(tracker_host="t.example")
    torrent_labels_set(user=alice, torrent=rows[0], names=["linux"])
    cases = [
        ListFilters(statuses=(TorrentStatus.SEEDING,), tracker="t.example"),
        ListFilters(statuses=(TorrentStatus.SEEDING,), label="linux"),
        ListFilters(statuses=(STALLED, TorrentStatus.PAUSED)),
        ListFilters(tracker="t.example", label="linux"),
    ]
    for n, filters in enumerate(cases):
        with CaptureQueriesContext(connection) as captured:
            torrent_facets(alice, filters, version=f"case-{n}")
        grouped = grouped_counts(captured)
        assert len(grouped) == (2 if filters.label else 3), grouped
        for sql in grouped:
            assert "torrents_torrent" not in sql, sql
            if connection.vendor == "sqlite" and "torrents_ownershiplabel" not in sql:
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                    plan = [row[-1] for row in cursor.fetchall()]
                reads = [step for step in plan if "torrents_ownership " in f"{step} "]
                assert reads, plan
                assert all("COVERING INDEX" in step for step in reads), plan
    counted = torrent_facets(alice, cases[0], version="x")
    assert counted["status"] == {TorrentStatus.SEEDING: 10}
    assert counted["tracker"] == {"t.example": 10}
    assert counted["label"] == {"linux": 1}


def _xmins() -> dict[int, int]:
    """Postgres: each ownership's xmin, the transaction that last wrote it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM torrents_ownership")
        return dict(cursor.fetchall())


def test_one_statement_over_many_torrents_copies_only_what_changed(alice, bob):
    """The sync's one UPDATE of every row (a statement trigger on Postgres since 0022): the
    torrents whose status or stalled_since changed have their ownerships follow, the rate-only
    ones leave theirs unwritten; an ownership moved to another torrent takes that one's."""
    rows = make_rows([alice, bob], 5)
    now = timezone.now()
    changed = bulk_update(
        table=Torrent._meta.db_table,
        key="id",
        columns=[
            ("id", BIGINT),
            ("status", TEXT),
            ("stalled_since", TIMESTAMP),
            ("up_rate", BIGINT),
        ],
        rows=[
            [rows[0].pk, TorrentStatus.SEEDING, None, 0],
            [rows[1].pk, TorrentStatus.PAUSED, None, 0],
            [rows[2].pk, TorrentStatus.DOWNLOADING, now, 0],  # stalled only
            [rows[3].pk, TorrentStatus.DOWNLOADING, None, 5000],  # its rate only
            [rows[4].pk, TorrentStatus.DOWNLOADING, None, 7000],
        ],
    )
    assert changed == 5
    assert not drifted()
    copies = {
        (t, u): (s, since)
        for t, u, s, since in Ownership.objects.values_list(
            "torrent_id", "user_id", "torrent_status", "torrent_stalled_since"
        )
    }
    for user in (alice, bob):
        assert copies[rows[0].pk, user.pk] == (TorrentStatus.SEEDING, None)
        assert copies[rows[1].pk, user.pk] == (TorrentStatus.PAUSED, None)
        assert copies[rows[2].pk, user.pk] == (TorrentStatus.DOWNLOADING, now)
        assert copies[rows[3].pk, user.pk] == (TorrentStatus.DOWNLOADING, None)
    counted = api(bob).get("/api/torrents/counts").json()
    assert counted["status"] == {"seeding": 1, "paused": 1, "downloading": 3}
    elsewhere = make_rows([alice], 1, status=TorrentStatus.ERROR)[0]
    moved = Ownership.objects.get(torrent=rows[4], user=bob)
    Ownership.objects.filter(pk=moved.pk).update(torrent=elsewhere)
    assert Ownership.objects.get(pk=moved.pk).torrent_status == TorrentStatus.ERROR
    assert not drifted()


@pytest.mark.django_db(transaction=True)
def test_a_rate_only_update_writes_no_ownership():
    """Postgres, where a statement trigger cannot name its columns: the copy runs on every
    UPDATE of torrents, and one that moves no status writes no ownership (their xmin stay)."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin is Postgres'")
    alice = User.objects.create_user("rate-only@example.com", "pw")
    rows = make_rows([alice], 3)
    before = _xmins()
    Torrent.objects.filter(pk__in=[t.pk for t in rows]).update(up_rate=10, down_rate=20)
    Torrent.objects.filter(pk=rows[0].pk).update(status=TorrentStatus.DOWNLOADING)  # the same
    assert _xmins() == before
    Torrent.objects.filter(pk=rows[1].pk).update(status=TorrentStatus.SEEDING)
    after = _xmins()
    written = {pk for pk in after if after[pk] != before[pk]}
    assert written == set(Ownership.objects.filter(torrent=rows[1]).values_list("pk", flat=True))
    assert not drifted()


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        return {name for (name,) in cursor.fetchall()}


COVERED_INDEXES = {
    "torrents_ownership_torrent_id_48c63f5e",
    "torrents_ownership_user_id_4765239b",
    "torrents_torrent_node_id_0bf1bd9f",
    "torrents_torrent_status_1f03d864_like",
    "torrents_torrent_info_hash_12d99419_like",
}


def _statement_copy() -> bool:
    """Postgres: the torrents' copy trigger runs once per statement (tgtype bit 0 unset)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgtype & 1 FROM pg_trigger WHERE tgname = 'ownership_copy_from_torrent'"
        )
        return cursor.fetchone()[0] == 0


def test_the_sync_writes_no_index_that_another_covers(db):
    """Migration 0022: what the every-row UPDATE no longer writes."""
    assert not COVERED_INDEXES & _indexes()
    assert "ownership_user_created" in _indexes()  # what covers them stays
    if connection.vendor == "postgresql":
        assert _statement_copy()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_0022_goes_back_and_forth_with_the_copies_kept():
    executor = MigrationExecutor(connection)
    executor.migrate([("torrents", "0021_ownership_torrent_status")])
    assert {"torrents_ownership_torrent_id_48c63f5e", "torrents_torrent_node_id_0bf1bd9f"} <= (
        _indexes()
    )
    if connection.vendor == "postgresql":
        assert not _statement_copy()
        assert "ownership_copy_on_update" not in _triggers()
    apps = executor.loader.project_state([("torrents", "0021_ownership_torrent_status")]).apps
    node = apps.get_model("torrents", "Node").objects.create(name="n", rpc_url="x", data_root="/")
    torrent = apps.get_model("torrents", "Torrent").objects.create(
        info_hash="f" * 40, name="f", node=node, status="downloading"
    )
    user_pk = User.objects.create_user("mig-0022@example.com", "pw").pk
    apps.get_model("torrents", "Ownership").objects.create(torrent=torrent, user_id=user_pk)
    apps.get_model("torrents", "Torrent").objects.filter(pk=torrent.pk).update(status="paused")
    assert not drifted()
    executor = MigrationExecutor(connection)
    executor.migrate([("torrents", "0022_sync_cheaper_writes")])
    assert not COVERED_INDEXES & _indexes()
    Torrent.objects.filter(pk=torrent.pk).update(status=TorrentStatus.SEEDING)
    assert Ownership.objects.get().torrent_status == TorrentStatus.SEEDING
    assert not drifted()


def test_a_removed_torrent_leaves_the_totals_at_the_next_sync(node, owner, tmp_path):
    # The site zeroes a removed torrent's rates itself; the node's next sync then writes no
    # row, and must still sum the totals anew (found by a review: the bar kept its rate).
    torrent = seeding_torrent(node, owner, tmp_path)
    Torrent.objects.filter(pk=torrent.pk).update(up_rate=5000)
    node_rate_totals_refresh(node_id=node.pk)
    assert api(owner).get("/api/torrents/totals").json()["up_rate"] == 5000
    torrent_remove(torrent=Torrent.objects.get(pk=torrent.pk), by=owner, purge=False)
    report = node_sync(node=node)
    assert report.updated == 0
    assert api(owner).get("/api/torrents/totals").json()["up_rate"] == 0
