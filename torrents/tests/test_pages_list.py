"""The torrent list (the home page once logged in) and its live fragment: personas, filters,
sort, pages, the changed-rows-only poll, and the query count with 1 and 50 torrents."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from torrents.models import Torrent, TorrentStatus
from torrents.tests.pages_support import client_for, facet_counts, make_rows
from torrents.views.list_query import ids_digest

pytestmark = pytest.mark.django_db


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="t-(\d+)"', html)]


def poll_url(html: str) -> str:
    match = re.search(r'hx-get="([^"]+)"', html.split('id="torrent-live"', 1)[1])
    return match.group(1).replace("&amp;", "&")


def test_anonymous_gets_the_welcome_page_and_no_fragment(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Your own seedbox" in response.content.decode()
    fragment = client.get("/torrents/rows/")
    assert fragment.status_code == 302
    assert fragment["Location"].startswith("/accounts/login/")


def test_a_new_user_sees_a_clear_empty_state(owner):
    html = client_for(owner).get("/").content.decode()
    assert 'id="empty-state"' in html
    assert "Add your first torrent" in html
    assert 'href="/torrents/add/"' in html


def test_each_persona_sees_exactly_what_the_selector_allows(owner, other, admin):
    mine = make_rows([owner], 2)
    theirs = make_rows([other], 1)
    shared = make_rows([owner, other], 1)
    assert sorted(row_ids(client_for(owner).get("/").content.decode())) == sorted(
        t.pk for t in mine + shared
    )
    assert sorted(row_ids(client_for(other).get("/").content.decode())) == sorted(
        t.pk for t in theirs + shared
    )
    assert len(row_ids(client_for(admin).get("/").content.decode())) == 4


def test_rows_show_status_progress_size_rates_ratio_and_peers(owner):
    (t,) = make_rows([owner], 1)
    Torrent.objects.filter(pk=t.pk).update(
        size_bytes=2_000_000,
        completed_bytes=1_000_000,
        down_rate=2048,
        up_rate=0,
        uploaded_bytes=1_500_000,
        peers=7,
        seeders=3,
        status=TorrentStatus.DOWNLOADING,
    )
    html = client_for(owner).get("/").content.decode()
    row = html.split(f'id="t-{t.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "downloading" in row
    assert 'value="50"' in row
    assert "50%" in row
    assert "1.9\xa0MB" in row  # size
    assert "2.0\xa0KB/s" in row  # down rate
    assert "1.50" in row  # ratio: uploaded over what it has
    assert "7" in row
    assert "3 seeds" in row
    # Selection lives in the bulk form (outside the swapped rows) and survives swaps.
    assert f'id="sel-{t.pk}" form="bulk-form" hx-preserve' in row


def test_filter_by_status_search_by_name_and_sort(owner):
    make_rows([owner], 1, name="Debian netinst", status=TorrentStatus.SEEDING)
    make_rows([owner], 1, name="Arch ISO", status=TorrentStatus.PAUSED)
    make_rows([owner], 1, name="Zebra documentary", status=TorrentStatus.SEEDING)
    client = client_for(owner)

    def names(query: str) -> list[str]:
        html = client.get(f"/?{query}").content.decode()
        return re.findall(r'<th scope="row" class="name"[^>]*>\s*<a [^>]+>([^<]+)</a>', html)

    assert names("status=seeding&sort=name") == ["Debian netinst", "Zebra documentary"]
    assert names("q=iso") == ["Arch ISO"]
    assert names("sort=-name") == ["Zebra documentary", "Debian netinst", "Arch ISO"]
    assert names("sort=bogus&status=bogus") == [
        "Zebra documentary",
        "Arch ISO",
        "Debian netinst",
    ]  # unknown values fall back to the defaults (newest first)
    html = client.get("/?q=nothing-like-this").content.decode()
    assert 'id="no-match"' in html


def test_fifty_a_page_with_links_to_the_next(owner):
    make_rows([owner], 51)
    client = client_for(owner)
    first = client.get("/").content.decode()
    assert len(row_ids(first)) == 50
    assert 'id="page-next"' in first
    assert "1\N{EN DASH}50 of 51" in first
    second = client.get("/?page=2").content.decode()
    assert len(row_ids(second)) == 1
    assert client.get("/?page=99").status_code == 200  # past the end: the last page


def _queries(client, url: str) -> int:
    """The queries of a GET that renders what it shows (nothing kept from an earlier one)."""
    caches["rows"].clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_no_n_plus_one_on_the_list_and_its_fragment(owner, admin):
    client, admin_client = client_for(owner), client_for(admin)
    make_rows([owner], 1)
    # A session's first request records its activity (then at most once a minute): not counted.
    client.get("/"), admin_client.get("/")
    one = _queries(client, "/")
    one_admin = _queries(admin_client, "/")
    html = client.get("/").content.decode()
    fragment_one = _queries(client, poll_url(html))
    make_rows([owner], 49)
    html = client.get("/").content.decode()
    admin_client.get("/")  # each counts anew once after the change, as before the first count
    assert len(row_ids(html)) == 50
    # At most as many (the status counts, kept until a row changes, may be a cache hit now).
    assert _queries(client, "/") <= one
    assert _queries(admin_client, "/") <= one_admin
    assert _queries(client, poll_url(html)) == fragment_one
    assert fragment_one <= one


def test_the_poll_sends_only_rows_changed_since_the_last_answer(owner):
    rows = make_rows([owner], 5)
    client = client_for(owner)
    html = client.get("/").content.decode()
    url = poll_url(html)
    # Nothing changed since the page was made: only the rows stamped in the margin travel.
    old = timezone.now() - timezone.timedelta(minutes=5)
    Torrent.objects.filter(pk__in=[t.pk for t in rows]).update(updated_at=old)
    quiet = client.get(url).content.decode()
    assert row_ids(quiet) == []
    assert 'id="torrent-live"' in quiet
    assert 'hx-swap-oob="true"' in quiet
    Torrent.objects.filter(pk=rows[2].pk).update(completed_bytes=999, updated_at=timezone.now())
    answer = client.get(url).content.decode()
    assert row_ids(answer) == [rows[2].pk]
    assert f'<tr id="t-{rows[2].pk}"' in answer
    assert 'hx-swap-oob="true"' in answer
    # The next poll asks from this answer's time on.
    assert poll_url(answer) != url


def test_rows_that_come_or_go_send_the_whole_table(owner):
    rows = make_rows([owner], 3, status=TorrentStatus.DOWNLOADING)
    client = client_for(owner)
    html = client.get("/?status=downloading").content.decode()
    url = poll_url(html)
    assert f"v={ids_digest([t.pk for t in reversed(rows)])}" in url
    Torrent.objects.filter(pk=rows[0].pk).update(status=TorrentStatus.SEEDING)
    answer = client.get(url).content.decode()
    assert '<div id="torrent-list" hx-swap-oob="true">' in answer
    assert sorted(row_ids(answer)) == sorted([rows[1].pk, rows[2].pk])
    # The rows inside a whole-table answer are not themselves swapped one by one.
    # The table, the filter counts, the totals bar and the poller.
    assert answer.count('hx-swap-oob="true"') == 4


def test_the_fragment_only_shows_the_callers_rows(owner, other):
    make_rows([other], 2)
    html = client_for(owner).get("/torrents/rows/?since=2000-01-01T00:00:00%2B00:00&v=x")
    assert row_ids(html.content.decode()) == []


def test_forms_carry_csrf_and_htmx_is_vendored(owner):
    make_rows([owner], 1)
    html = client_for(owner).get("/").content.decode()
    bulk = html.split('id="bulk-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in bulk
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert 'hx-trigger="every 2s' in html


def test_removed_torrents_show_only_when_asked_for(owner, admin):
    make_rows([owner], 1, name="Kept")
    make_rows([], 1, name="Gone", status=TorrentStatus.REMOVED)  # nobody owns it any more
    client = client_for(admin)
    html = client.get("/").content.decode()
    assert "Kept" in html
    assert "Gone" not in html
    assert facet_counts(html, "status")[""] == 1
    assert "Gone" in client.get("/?status=removed").content.decode()
    assert client.head("/").status_code == 200
