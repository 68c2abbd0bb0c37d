"""The list's filters and what it shows beyond the rows: ETA, the added time, the owner column and
filter (staff), the tracker filter on each owner's own announce URLs, the counts beside each
filter (never another user's torrents), the totals bar, and "select all matching" on the server.
Personas: alice and bob (users), boss (admin), anonymous."""

import re

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase
from django.utils import timezone

from accounts.models import User
from torrents.models import Ownership, Torrent, TorrentStatus, eta_seconds
from torrents.services.intake import torrent_take
from torrents.services.rate_totals import node_rate_totals_refresh
from torrents.tests.intake_support import alice, api, bob, boss  # noqa: F401 (fixtures)
from torrents.tests.pages_support import client_for, facet_counts, make_rows, offline_node
from torrents.tracker_host import announce_host

pytestmark = pytest.mark.django_db


def row_ids(html: str | bytes) -> list[int]:
    text = html.decode() if isinstance(html, bytes) else html
    return [int(n) for n in re.findall(r'<tr id="t-(\d+)"', text)]


def named(owners: list[User], count: int, name: str, **fields) -> list[Torrent]:
    """`count` rows all called `name` (make_rows names only the first)."""
    torrents = make_rows(owners, count, **fields)
    Torrent.objects.filter(pk__in=[t.pk for t in torrents]).update(name=name)
    return torrents


def on_tracker(torrents: list[Torrent], user: User, host: str) -> None:
    Ownership.objects.filter(torrent__in=torrents, user=user).update(
        trackers=[f"https://{host}/announce/secret"], tracker_host=host
    )


def magnet(info_hash: str, tracker: str) -> str:
    return f"magnet:?xt=urn:btih:{info_hash}&dn=shared&tr={tracker}"


def test_eta_is_the_time_left_at_the_current_rate_or_none():
    assert eta_seconds(TorrentStatus.DOWNLOADING, 1000, 400, 100) == 6
    assert eta_seconds(TorrentStatus.DOWNLOADING, 1000, 401, 100) == 6  # rounded up
    assert eta_seconds(TorrentStatus.DOWNLOADING, 1000, 400, 0) is None  # nothing comes in
    assert eta_seconds(TorrentStatus.DOWNLOADING, None, 0, 100) is None  # size unknown
    assert eta_seconds(TorrentStatus.SEEDING, 1000, 1000, 100) is None
    assert eta_seconds(TorrentStatus.PAUSED, 1000, 10, 100) is None


def test_rows_carry_eta_and_the_added_time_on_the_page_and_in_the_api(alice):  # noqa: F811
    (t,) = make_rows([alice], 1)
    added = timezone.now().replace(hour=9, minute=41, second=0, microsecond=0)
    Torrent.objects.filter(pk=t.pk).update(
        size_bytes=10_000_000, completed_bytes=4_000_000, down_rate=100_000, created_at=added
    )
    html = client_for(alice).get("/").content.decode()
    row = html.split(f'id="t-{t.pk}"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r'data-testid="eta">1 min</td>', row)
    local = timezone.localtime(added)
    assert local.strftime("%Y-%m-%d %H:%M") in row
    body = api(alice).get("/api/torrents").json()
    assert body["results"][0]["eta"] == 60
    assert body["results"][0]["owner_emails"] is None  # owners are for admins
    Torrent.objects.filter(pk=t.pk).update(status=TorrentStatus.SEEDING)
    assert api(alice).get("/api/torrents").json()["results"][0]["eta"] is None


def test_staff_see_all_torrents_with_owners_and_filter_by_owner(alice, bob, boss):  # noqa: F811
    mine = make_rows([alice], 2)
    shared = make_rows([bob, alice], 1)
    theirs = make_rows([bob], 1)
    html = client_for(boss).get("/").content.decode()
    assert "<h1>All torrents</h1>" in html
    assert 'class="col-owner"' in html
    shared_row = html.split(f'id="t-{shared[0].pk}"', 1)[1].split("</tr>", 1)[0]
    assert bob.email in shared_row
    assert "+1" in shared_row
    only_alice = client_for(boss).get("/", {"owner": alice.email}).content.decode()
    assert sorted(row_ids(only_alice)) == sorted(t.pk for t in mine + shared)
    assert row_ids(client_for(boss).get("/", {"owner": "nobody@example.com"}).content) == []

    # A user's list says so, has no owner column, and `owner` changes nothing for them.
    page = client_for(bob).get("/", {"owner": alice.email}).content.decode()
    assert "<h1>Your torrents</h1>" in page
    assert 'class="col-owner"' not in page
    assert sorted(row_ids(page)) == sorted(t.pk for t in shared + theirs)

    rows = api(boss).get("/api/torrents", {"owner": alice.email}).json()["results"]
    assert sorted(r["id"] for r in rows) == sorted(t.pk for t in mine + shared)
    by_id = {r["id"]: r for r in rows}
    assert by_id[shared[0].pk]["owner_emails"] == [bob.email, alice.email]
    bob_rows = api(bob).get("/api/torrents", {"owner": alice.email}).json()["results"]
    assert sorted(r["id"] for r in bob_rows) == sorted(t.pk for t in shared + theirs)


def test_intake_records_each_owners_own_tracker_host(alice, bob, boss):  # noqa: F811
    offline_node()
    info_hash = "ab" * 20
    with transaction.atomic():
        torrent, _ = torrent_take(
            user=alice,
            info_hash=info_hash,
            name="shared",
            magnet_uri=magnet(info_hash, "http%3A%2F%2FTracker.Alice.example%3A8080%2Fa%3Fpk%3D1"),
        )
        torrent_take(
            user=bob,
            info_hash=info_hash,
            name="shared",
            magnet_uri=magnet(info_hash, "udp%3A%2F%2Fbob.example%3A1337"),
        )
    hosts = dict(torrent.ownerships.values_list("user__email", "tracker_host"))
    assert hosts == {alice.email: "tracker.alice.example", bob.email: "bob.example"}

    # Each user filters by their own announce URLs only, on the page and in the API.
    for user, own, foreign in ((alice, "tracker.alice.example", "bob.example"),
                               (bob, "bob.example", "tracker.alice.example")):  # fmt: skip
        assert row_ids(client_for(user).get("/", {"tracker": own}).content) == [torrent.pk]
        assert row_ids(client_for(user).get("/", {"tracker": foreign}).content) == []
        api_rows = api(user).get("/api/torrents", {"tracker": foreign}).json()["results"]
        assert api_rows == []
        counts = api(user).get("/api/torrents/counts").json()
        assert counts["tracker"] == {own: 1}
    # Staff filter on anyone's, or one owner's.
    boss_counts = api(boss).get("/api/torrents/counts").json()["tracker"]
    assert boss_counts == {"tracker.alice.example": 1, "bob.example": 1}
    assert api(boss).get("/api/torrents/counts", {"owner": bob.email}).json()["tracker"] == {
        "bob.example": 1
    }
    rows = api(boss).get("/api/torrents", {"tracker": "bob.example", "owner": alice.email})
    assert rows.json()["results"] == []


def test_announce_host_reads_the_first_url_with_a_host():
    assert announce_host(["not a url", "HTTPS://T.Example.ORG:443/a?passkey=x"]) == "t.example.org"
    assert announce_host(["udp://[::1]:6969"]) == "::1"
    assert announce_host([]) == ""


def test_counts_respect_visibility_and_every_other_filter(alice, bob, boss):  # noqa: F811
    linux = named([alice], 3, "linux iso", status=TorrentStatus.SEEDING)
    named([alice], 2, "film", status=TorrentStatus.DOWNLOADING)
    errors = named([alice], 1, "linux broken", status=TorrentStatus.ERROR)
    bobs = named([bob], 4, "linux bob", status=TorrentStatus.SEEDING)
    named([bob], 1, "linux bob error", status=TorrentStatus.ERROR)
    on_tracker(linux[:2] + errors, alice, "t.alice.example")
    on_tracker(bobs, bob, "t.bob.example")

    def page_counts(user, **query) -> tuple[dict, dict]:
        html = client_for(user).get("/", query).content.decode()
        return facet_counts(html, "status"), facet_counts(html, "tracker")

    status, trackers = page_counts(alice)
    assert status == {"": 6, "downloading": 2, "seeding": 3, "error": 1}
    assert trackers == {"t.alice.example": 3}  # bob's tracker is nowhere in her counts
    status, trackers = page_counts(alice, q="linux")
    assert status == {"": 4, "seeding": 3, "error": 1}
    status, trackers = page_counts(alice, q="linux", status="seeding")
    assert trackers == {"t.alice.example": 2}  # under the status filter
    assert status["seeding"] == 3  # the status facet is not counted under its own filter
    status, _ = page_counts(alice, tracker="t.alice.example")
    assert status == {"": 3, "seeding": 2, "error": 1}

    api_counts = api(alice).get("/api/torrents/counts", {"q": "linux"}).json()
    assert api_counts == {
        "status": {"seeding": 3, "error": 1},
        "stalled": {"stalled": 0},
        "tracker": {"t.alice.example": 3},
        "label": {},
        "total": 4,
        "count_capped": False,
        "capped": {"status": False, "tracker": False, "label": False},
    }
    listed = api(alice).get("/api/torrents", {"q": "linux", "status": "error"}).json()
    counted = api(alice).get("/api/torrents/counts", {"q": "linux", "status": "error"}).json()
    assert listed["count"] == counted["total"] == 1

    status, trackers = page_counts(boss, q="linux")
    assert status == {"": 9, "seeding": 7, "error": 2}
    assert trackers == {"t.bob.example": 4, "t.alice.example": 3}
    status, _ = page_counts(boss, owner=bob.email)
    assert status == {"": 5, "seeding": 4, "error": 1}

    assert api(None).get("/api/torrents/counts").status_code in (401, 403)
    assert api(alice).get("/api/torrents/counts", {"status": "bogus"}).status_code == 400


def test_counts_come_in_a_bounded_number_of_grouped_queries(alice, boss):  # noqa: F811
    from django.test.utils import CaptureQueriesContext

    make_rows([alice], 5)
    for user in (alice, boss):
        client = client_for(user)
        client.get("/")
        Torrent.objects.update(updated_at=timezone.now())  # counted anew
        with CaptureQueriesContext(connection) as small:
            client.get("/", {"q": "Row", "status": "downloading"})
        make_rows([alice], 60)
        with CaptureQueriesContext(connection) as large:
            client.get("/", {"q": "Row", "status": "downloading"})
        assert len(large) == len(small), user
        # Every count of the list is grouped, or (searching) the ranked page's count of its
        # candidates, in the query that reads them; the bell's unread count is the header's,
        # and the versions' stamps count the viewer's labels (an index range of their own).
        counts = [
            q["sql"]
            for q in large
            if "COUNT(*)" in q["sql"].upper() and "FROM torrents_label WHERE" not in q["sql"]
        ]
        ungrouped = [
            sql
            for sql in counts
            if "GROUP" not in sql and "notification" not in sql and '"candidate" <=' not in sql
        ]
        assert not ungrouped


def test_totals_bar_adds_up_what_you_see(alice, bob, boss):  # noqa: F811
    mine = make_rows([alice], 2, status=TorrentStatus.DOWNLOADING)
    theirs = make_rows([bob], 1, status=TorrentStatus.SEEDING)
    Torrent.objects.filter(pk__in=[t.pk for t in mine]).update(down_rate=1024, up_rate=512)
    Torrent.objects.filter(pk=theirs[0].pk).update(up_rate=4096)
    paused = make_rows([alice], 1, status=TorrentStatus.PAUSED)[0]  # its last rates count not
    Torrent.objects.filter(pk=paused.pk).update(down_rate=99_999, up_rate=99_999)
    shared = make_rows([alice, bob], 1, status=TorrentStatus.SEEDING)[0]
    Torrent.objects.filter(pk=shared.pk).update(up_rate=10_000)
    for node_id in {t.node_id for t in (*mine, *theirs, paused, shared)}:
        node_rate_totals_refresh(node_id=node_id)  # as each node's sync does
    alice.used_bytes = 250 << 20
    alice.save(update_fields=["used_bytes"])
    assert api(alice).get("/api/torrents/totals").json() == {
        "down_rate": 2048,
        "up_rate": 11_024,  # a shared torrent's whole rate counts for each owner
        "used_bytes": 250 << 20,
        "quota_bytes": alice.quota_bytes,
    }
    html = client_for(alice).get("/").content.decode()
    bar = html.split('id="list-totals"', 1)[1].split("</section>", 1)[0]
    assert "2.0\xa0KB/s" in bar
    assert api(bob).get("/api/torrents/totals").json()["up_rate"] == 14_096
    assert "250.0\xa0MB of 1.0\xa0GB" in bar
    assert 'data-testid="node-free"' not in bar
    staff = api(boss).get("/api/torrents/totals").json()
    assert (staff["down_rate"], staff["up_rate"]) == (2048, 15_120)  # each torrent once
    assert [n["name"] for n in staff["nodes"]] == ["offline"]
    assert staff["nodes"][0]["free_bytes"] > 0  # its data root is /tmp
    boss_html = client_for(boss).get("/").content.decode()
    assert "offline:" in boss_html.split('id="list-totals"', 1)[1].split("</section>", 1)[0]


def test_the_poll_sends_counts_and_totals_only_when_they_moved(alice):  # noqa: F811
    rows = make_rows([alice], 2)
    client = client_for(alice)
    html = client.get("/").content.decode()
    url = re.search(r'hx-get="([^"]+)"', html.split('id="torrent-live"', 1)[1]).group(1)
    quiet = client.get(url.replace("&amp;", "&")).content.decode()
    assert 'id="list-filters"' not in quiet
    Torrent.objects.filter(pk=rows[0].pk).update(
        status=TorrentStatus.SEEDING, updated_at=timezone.now()
    )
    moved = client.get(url.replace("&amp;", "&")).content.decode()
    assert '<aside id="list-filters"' in moved
    assert facet_counts(moved, "status")["seeding"] == 1
    assert 'id="list-totals"' in moved


def test_live_search_answers_the_list_body_only(alice):  # noqa: F811
    named([alice], 1, "Debian")
    named([alice], 1, "Arch")
    response = client_for(alice).get("/", {"q": "deb"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert '<div id="list-body"' in html
    assert "<html" not in html
    assert len(row_ids(html)) == 1
    assert "HX-Request" in response["Vary"]
    # htmx restoring history it did not keep asks for the whole page.
    restore = client_for(alice).get(
        "/", {"q": "deb"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()


def test_select_all_matching_deletes_the_filtered_set_after_confirming(alice, bob):  # noqa: F811
    wanted = named([alice], 60, "season", status=TorrentStatus.QUEUED)
    kept = named([alice], 2, "other", status=TorrentStatus.QUEUED)
    bobs = named([bob], 3, "season", status=TorrentStatus.QUEUED)
    client = client_for(alice)
    page = client.get("/", {"q": "season"}).content.decode()
    assert 'id="select-matching"' in page  # 60 match, 50 on the page
    confirm = client.post(
        "/torrents/bulk/",
        {"action": "delete", "match": "all", "q": "season", "ids": [wanted[0].pk], "next": "/"},
    )
    html = confirm.content.decode()
    assert "Delete 60 torrents?" in html
    listed = {int(n) for n in re.findall(r'name="ids" value="(\d+)"', html)}
    assert listed == {t.pk for t in wanted}  # not bob's "season", not her other ones
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            "/torrents/bulk/", {"action": "delete", "ids": sorted(listed), "confirm": "yes"}
        )
    assert not Ownership.objects.filter(user=alice, torrent__in=wanted).exists()
    assert Ownership.objects.filter(user=alice, torrent__in=kept).count() == 2
    assert Ownership.objects.filter(user=bob, torrent__in=bobs).count() == 3


def test_select_all_matching_is_bounded(alice, monkeypatch):  # noqa: F811
    from torrents.views import bulk

    monkeypatch.setattr(bulk, "MAX_SELECTED", 5)
    make_rows([alice], 6, status=TorrentStatus.QUEUED)
    response = client_for(alice).post(
        "/torrents/bulk/", {"action": "delete", "match": "all", "next": "/"}, follow=True
    )
    assert "6 torrents match: at most 5 at once" in response.content.decode()
    assert Ownership.objects.filter(user=alice).count() == 6


BEFORE = [("torrents", "0013_labels")]
AFTER = [("torrents", "0014_tracker_host")]


@pytest.fixture
def back_to_the_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_the_migration_fills_the_tracker_host_of_existing_ownerships():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    node = apps.get_model("torrents", "Node").objects.create(name="n", rpc_url="x", data_root="/")
    torrent = apps.get_model("torrents", "Torrent").objects.create(
        info_hash="c" * 40, name="t", node=node
    )
    ownership_model = apps.get_model("torrents", "Ownership")
    alice_pk = User.objects.create_user("mig-a@example.com", "pw").pk
    bob_pk = User.objects.create_user("mig-b@example.com", "pw").pk
    ownership_model.objects.create(
        torrent=torrent, user_id=alice_pk, trackers=["https://Private.Example/ann?pk=1"]
    )
    ownership_model.objects.create(torrent=torrent, user_id=bob_pk, trackers=[])
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    hosts = dict(Ownership.objects.values_list("user_id", "tracker_host"))
    assert hosts == {alice_pk: "private.example", bob_pk: ""}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan; Postgres has statistics")
def test_a_status_filtered_page_is_read_in_index_order_not_sorted(alice):  # noqa: F811
    from django.test.utils import CaptureQueriesContext

    make_rows([alice], 300, status=TorrentStatus.SEEDING)
    on_tracker(list(Torrent.objects.all()), alice, "t.example")
    client = client_for(alice)
    with CaptureQueriesContext(connection) as captured:
        client.get("/", {"status": "seeding", "tracker": "t.example"})
    page = next(
        q["sql"] for q in captured if "LIMIT" in q["sql"] and 'FROM "torrents_torrent"' in q["sql"]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {page}")
        plan = [row[-1] for row in cursor.fetchall()]
    assert not [step for step in plan if "B-TREE" in step], plan
    assert len(row_ids(client.get("/", {"status": "seeding"}).content)) == 50
