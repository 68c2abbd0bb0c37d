"""The list under load: a page costs the same at 2,000 torrents as at 100, large pages, and a
refresh of only what changed since a cursor (with what left the list)."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from torrents.api.list_cursor import cursor_make
from torrents.api.list_rows import COMPACT_FIELDS, list_rows
from torrents.api.serializers import TorrentListSerializer
from torrents.label_selectors import MANY_ROWS
from torrents.models import Ownership, Torrent, TorrentGone, TorrentStatus
from torrents.services.control import torrent_remove
from torrents.services.labels import label_create, label_update
from torrents.tests.intake_support import alice, api, bob, boss  # noqa: F401 (fixtures)
from torrents.tests.pages_support import client_for, facet_counts, make_rows

pytestmark = pytest.mark.django_db


def age_all() -> None:
    """Every row last changed an hour ago: what a refresh returns is then only what a test
    changes."""
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    Torrent.objects.update(updated_at=hour_ago)
    Ownership.objects.update(created_at=hour_ago)


def queries(client, url: str) -> list[str]:
    """The SQL a GET runs; the ids a query names (the page's rows, whose labels are read) are
    left out, so that the same queries on other rows compare equal."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return [re.sub(r"IN \((\d+(, )?)+\)", "IN (…)", q["sql"]) for q in captured]


def test_a_page_reads_the_same_queries_at_100_and_2000_torrents(alice, boss):  # noqa: F811
    make_rows([alice], 100)
    urls = ["/api/torrents", "/api/torrents?fields=compact", "/api/torrents?page=2"]
    api_small = {(who, url): queries(api(who), url) for who in (alice, boss) for url in urls}
    page_small = {who: queries(client_for(who), "/") for who in (alice, boss)}
    make_rows([alice], 1900)
    for (who, url), small in api_small.items():
        assert queries(api(who), url) == small, (who, url)
    for who, small in page_small.items():
        assert len(queries(client_for(who), "/")) == len(small)
    # A user's count is their ownerships, read without joining every torrent.
    alice_sql = " ".join(api_small[(alice, "/api/torrents")]).upper()
    assert "COUNT(*)" in alice_sql
    assert "DISTINCT" not in alice_sql


def sort_steps(sql: str) -> list[str]:
    """The steps of the database's plan for `sql` (as captured: parameters inlined) that sort
    rows, the work that grows with the library."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return [row[-1] for row in cursor.fetchall() if "B-TREE" in row[-1]]
        cursor.execute("ANALYZE")
        cursor.execute(f"EXPLAIN {sql}")
        return [row[0] for row in cursor.fetchall() if "Sort" in row[0]]


def test_a_users_first_page_is_read_in_index_order_not_sorted(alice, bob):  # noqa: F811
    make_rows([alice], 2000)
    make_rows([bob], 300)
    with CaptureQueriesContext(connection) as captured:
        assert api(alice).get("/api/torrents").status_code == 200
    page = next(q for q in captured if "LIMIT" in q["sql"])["sql"]
    assert sort_steps(page) == []


def test_the_pages_first_page_is_read_in_index_order_not_sorted(alice, boss):  # noqa: F811
    # The page's default order, newest first, is the index's: no NULLS LAST on a column that
    # is never null (Postgres then sorted every torrent: 200 ms for an admin at 100,000).
    make_rows([alice], 2000)
    for who in (alice, boss):
        client = client_for(who)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        page = next(q for q in captured if "LIMIT" in q["sql"] and "torrents_torrent" in q["sql"])
        assert sort_steps(page["sql"]) == [], who


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan; Postgres costs its own")
def test_a_refresh_walks_what_changed_not_the_whole_list(alice):  # noqa: F811
    make_rows([alice], 2000)
    age_all()
    cursor = api(alice).get("/api/torrents").json()["cursor"]
    with CaptureQueriesContext(connection) as captured:
        assert refresh(api(alice), cursor)["results"] == []
    changes = next(q["sql"] for q in captured if "updated_at" in q["sql"] and "WHERE" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {changes}")
        plan = [row[-1] for row in cursor.fetchall()]
    assert not [step for step in plan if step.startswith("SCAN")], plan


def test_rows_read_as_values_are_what_the_serializer_says(alice):  # noqa: F811
    make_rows([alice], 3)
    first = Torrent.objects.first().pk
    Torrent.objects.filter(pk=first).update(size_bytes=None)
    # A time on the second: SQLite stores it without a fraction (list_rows reads that text).
    on_the_second = timezone.now().replace(microsecond=0)
    Torrent.objects.filter(pk=first).update(created_at=on_the_second)
    queryset = Torrent.objects.select_related("node").order_by("id")
    assert list_rows(queryset) == TorrentListSerializer(queryset, many=True).data
    with timezone.override("Europe/Paris"):
        assert list_rows(queryset) == TorrentListSerializer(queryset, many=True).data
    compact = list_rows(queryset, COMPACT_FIELDS)
    assert [list(row) for row in compact] == [list(COMPACT_FIELDS)] * 3


def test_a_large_page_gives_staff_every_owner_first_owner_first(alice, bob, boss):  # noqa: F811
    """Past MANY_ROWS the owners are chosen by a subquery of the page, not an IN of its ids:
    the same answer, and only the page's torrents (a filter and a page size still apply)."""
    shared = make_rows([alice, bob], MANY_ROWS // 2)
    make_rows([bob], MANY_ROWS // 2 + 20)
    Ownership.objects.filter(torrent__in=shared, user=bob).update(
        created_at=timezone.now() + dt.timedelta(minutes=1)
    )
    rows = api(boss).get("/api/torrents?page_size=10000").json()["results"]
    assert len(rows) > MANY_ROWS
    queryset = Torrent.objects.select_related("node").order_by("-created_at", "-id")
    as_staff = {"request": SimpleNamespace(user=boss)}
    serialized = TorrentListSerializer(queryset, many=True, context=as_staff).data
    expected = {t["id"]: t["owner_emails"] for t in serialized}
    assert {row["id"]: row["owner_emails"] for row in rows} == expected
    assert {tuple(row["owner_emails"]) for row in rows} == {
        (alice.email, bob.email),
        (bob.email,),
    }
    page = api(boss).get(f"/api/torrents?page_size={MANY_ROWS + 1}&page=2").json()["results"]
    assert {row["id"] for row in page} <= set(expected)
    assert len(page) == len(rows) - MANY_ROWS - 1


def test_page_size_up_to_ten_thousand_and_a_clear_400_beyond(alice):  # noqa: F811
    make_rows([alice], 120)
    client = api(alice)
    body = client.get("/api/torrents?page_size=100").json()
    assert (body["count"], len(body["results"])) == (120, 100)
    assert body["next"]
    assert "page_size=100" in body["next"]
    assert len(client.get("/api/torrents?page_size=10000").json()["results"]) == 120
    assert len(client.get("/api/torrents").json()["results"]) == 50
    for bad in ("10001", "0", "-1", "many"):
        response = client.get(f"/api/torrents?page_size={bad}")
        assert response.status_code == 400, bad
        assert "page_size" in response.json()
    compact = client.get("/api/torrents?fields=compact&page_size=5").json()["results"]
    assert list(compact[0]) == list(COMPACT_FIELDS)
    assert client.get("/api/torrents?fields=everything").status_code == 400
    assert client.get("/api/torrents?page=99").status_code == 404
    # Filters still count what they match.
    assert client.get("/api/torrents?status=seeding").json()["count"] == 0


def refresh(client, cursor: str, **extra) -> dict:
    response = client.get("/api/torrents", {"changed_since": cursor, **extra})
    assert response.status_code == 200, response.content
    return response.json()


def test_changed_since_returns_what_changed_and_what_left(alice, bob, boss):  # noqa: F811
    mine = make_rows([alice], 5)
    shared = make_rows([alice, bob], 1)[0]
    bobs = make_rows([bob], 2)
    age_all()
    cursors = {u: api(u).get("/api/torrents").json()["cursor"] for u in (alice, bob, boss)}
    for user, cursor in cursors.items():
        view = refresh(api(user), cursor)
        assert (view["results"], view["deleted"]) == ([], [])
        assert view["cursor"] >= cursor

    # The sync changed one row (it stamps updated_at); alice removed one (its last owner: the
    # row stays, `removed`, for admins) and left the shared one, which bob keeps.
    Torrent.objects.filter(pk=mine[0].pk).update(completed_bytes=7, updated_at=timezone.now())
    torrent_remove(torrent=mine[1], by=alice, purge=False)
    torrent_remove(torrent=shared, by=alice, purge=False)
    # Bob came to own one of alice's (its row did not change).
    Ownership.objects.create(torrent=mine[2], user=bob)

    alice_view = refresh(api(alice), cursors[alice])
    assert [r["id"] for r in alice_view["results"]] == [mine[0].pk]
    assert alice_view["results"][0]["completed_bytes"] == 7
    assert alice_view["deleted"] == sorted([mine[1].pk, shared.pk])

    bob_view = refresh(api(bob), cursors[bob])
    assert [r["id"] for r in bob_view["results"]] == [mine[2].pk]
    assert bob_view["deleted"] == []  # alice's removals are none of bob's business
    assert not {bobs[0].pk, bobs[1].pk} & {r["id"] for r in bob_view["results"]}

    boss_view = refresh(api(boss), cursors[boss])
    assert {r["id"]: r["status"] for r in boss_view["results"]} == {
        mine[0].pk: TorrentStatus.DOWNLOADING,
        mine[1].pk: TorrentStatus.REMOVED,  # admins list removed rows: a change, not a deletion
    }
    assert boss_view["deleted"] == []

    # Once those changes are older than a fresh cursor (and its margin), nothing again.
    age_all()
    TorrentGone.objects.update(at=timezone.now() - dt.timedelta(hours=1))
    for user in (alice, bob, boss):
        view = refresh(api(user), cursor_make(user=user, at=timezone.now()))
        assert (view["results"], view["deleted"]) == ([], [])


def test_a_torrent_owned_again_is_a_change_not_a_deletion(alice):  # noqa: F811
    torrent = make_rows([alice], 1)[0]
    age_all()
    cursor = api(alice).get("/api/torrents").json()["cursor"]
    torrent_remove(torrent=torrent, by=alice, purge=False)
    assert refresh(api(alice), cursor)["deleted"] == [torrent.pk]
    Ownership.objects.create(torrent=torrent, user=alice)
    view = refresh(api(alice), cursor)
    assert (view["deleted"], [r["id"] for r in view["results"]]) == ([], [torrent.pk])


def test_bad_cursors_are_refused_clearly(alice, boss):  # noqa: F811
    client = api(alice)
    cursor = client.get("/api/torrents").json()["cursor"]
    for bad in ("", "yesterday", "c1.abc.u", "c9.1.u", "c1.99999999999999999999.u"):
        response = client.get("/api/torrents", {"changed_since": bad})
        assert response.status_code == 400, bad
        assert "detail" in response.json()
    response = client.get("/api/torrents", {"changed_since": cursor, "status": "seeding"})
    assert response.status_code == 400
    assert "status" in response.json()["detail"]
    # A cursor from before what is remembered, or for another role: read the whole list.
    old = cursor_make(user=alice, at=timezone.now() - dt.timedelta(days=30))
    assert client.get("/api/torrents", {"changed_since": old}).status_code == 410
    assert api(boss).get("/api/torrents", {"changed_since": cursor}).status_code == 410


def test_the_page_renders_a_changed_row_anew_though_its_rows_are_cached(alice):  # noqa: F811
    torrent = make_rows([alice], 3)[0]
    Torrent.objects.filter(pk=torrent.pk).update(size_bytes=1000, completed_bytes=100)
    client = client_for(alice)
    assert "10%" in client.get("/").content.decode()
    # Even a write that forgets to stamp updated_at shows: the model stamps it, and a row's
    # key is every shown column.
    Torrent.objects.filter(pk=torrent.pk).update(completed_bytes=420)
    html = client.get("/").content.decode()
    row = html.split(f'id="t-{torrent.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "42%" in row
    torrent.refresh_from_db()
    torrent.completed_bytes = 840
    torrent.save(update_fields=["completed_bytes"])
    html = client.get("/").content.decode()
    assert "84%" in html.split(f'id="t-{torrent.pk}"', 1)[1].split("</tr>", 1)[0]


def test_a_kept_table_reads_no_row_and_any_write_renders_it_anew(alice, bob):  # noqa: F811
    rows = make_rows([alice], 3)
    client = client_for(alice)
    client.get("/")  # the session's activity recorded, the counts taken
    caches["rows"].clear()
    rendered = queries(client, "/")
    kept = queries(client, "/")
    # Nothing written: the table (its rows, their labels and posters) is not read again.
    assert any("LIMIT" in sql and "torrents_torrent" in sql for sql in rendered)
    assert not any("LIMIT" in sql and "torrents_torrent" in sql for sql in kept)
    assert len(kept) <= len(rendered) - 3
    # Each kind of write shows at once: a torrent's column, a new ownership, a removal.
    Torrent.objects.filter(pk=rows[0].pk).update(name="Renamed just now")
    assert "Renamed just now" in client.get("/").content.decode()
    shared = make_rows([bob], 1)[0]
    Ownership.objects.create(torrent=shared, user=alice, created_at=timezone.now())
    assert f'id="t-{shared.pk}"' in client.get("/").content.decode()
    torrent_remove(torrent=rows[1], by=alice, purge=False)
    assert f'id="t-{rows[1].pk}"' not in client.get("/").content.decode()


def test_a_kept_table_is_rendered_anew_when_it_expires(alice, monkeypatch):  # noqa: F811
    """What moves without a write (a torrent turning stalled as time passes) shows once the
    kept table expires."""
    from torrents.views import list as list_view

    torrent = make_rows([alice], 1, status=TorrentStatus.DOWNLOADING)[0]
    client = client_for(alice)
    assert "stalled" not in row_of(client.get("/").content.decode(), torrent)
    # Still since long ago, written behind the ORM's back (as time passing would make it).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE torrents_torrent SET stalled_since = %s WHERE id = %s",
            [timezone.now() - dt.timedelta(days=1), torrent.pk],
        )
    assert "stalled" not in row_of(client.get("/").content.decode(), torrent)  # kept
    monkeypatch.setattr(list_view, "REGION_SECONDS", 0)
    caches["rows"].clear()
    assert "stalled" in row_of(client.get("/").content.decode(), torrent)


def test_the_sidebar_is_rendered_once_per_state_and_shows_a_renamed_label_at_once(alice):  # noqa: F811
    make_rows([alice], 2)
    unused = label_create(user=alice, name="later", colour="#1f77b4")
    client = client_for(alice)
    sidebar = "torrents/_label_filters.html"
    assert sidebar in [t.name for t in client.get("/").templates]
    assert sidebar not in [t.name for t in client.get("/").templates]  # kept
    # A label on no torrent stamps no row: the sidebar's key holds the labels themselves.
    label_update(label=unused, name="renamed", colour="#d62728")
    html = client.get("/").content.decode()
    assert '<span class="chip-name">renamed</span>' in html
    assert 'data-colour="#d62728"' in html
    assert '<span class="chip-name">later</span>' not in html


def row_of(html: str, torrent: Torrent) -> str:
    return html.split(f'id="t-{torrent.pk}"', 1)[1].split("</tr>", 1)[0]


def test_the_status_counts_follow_every_change(alice, bob):  # noqa: F811
    rows = make_rows([alice], 3)
    client = client_for(alice)

    def counts() -> dict[str, int]:
        return facet_counts(client.get("/").content.decode(), "status")

    assert counts()[""] == 3
    assert counts()[""] == 3  # kept
    Torrent.objects.filter(pk=rows[0].pk).update(
        status=TorrentStatus.SEEDING, updated_at=timezone.now()
    )
    assert counts()["seeding"] == 1
    shared = make_rows([bob], 1)[0]
    torrent_remove(torrent=rows[1], by=alice, purge=False)
    assert counts()[""] == 2
    # Only her ownership moves (no torrent row changes): counted anew all the same.
    Ownership.objects.create(torrent=shared, user=alice)
    assert counts()[""] == 3
