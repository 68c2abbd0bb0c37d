"""The list page's search box goes through the API's ranked search (torrents/search/ranked.py):
the same rows in the same order, the count capped the same way and said so ("2+" here, "10,000+"
at the real cap), its filter counts of the same capped candidates, `/api/torrents/counts?q=`
agreeing with both, and another user's torrents never found by name or by a file's path. The
cap is made 2 here (it is 10,000) so that three rows show it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from seedbox.testing import api_client as api
from torrents.models import Ownership, Torrent, TorrentFile, TorrentStatus
from torrents.search import contains, postgres, ranked
from torrents.services.bulk import BIGINT, TIMESTAMP, bulk_update
from torrents.services.labels import torrent_labels_set
from torrents.services.search_terms import torrent_search_terms_set
from torrents.templatetags.torrent_format import rate
from torrents.tests.intake_support import alice, bob, boss  # noqa: F401 (fixtures)
from torrents.tests.pages_support import client_for
from torrents.tests.search_support import api_names, page_names, with_files
from torrents.views import list_query

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"


def page(user, q: str, **params) -> str:
    response = client_for(user).get("/", {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def summary_count(html: str) -> str:
    """The count the page says ("3", "2+"), from "1-2 of 2+ torrents named like ..."."""
    match = re.search(r"\d+\u2013\d+ of ([\d,]+\+?) torrents?", html)
    return match.group(1) if match else "0"


def facet_shown(html: str, facet: str) -> dict[str, str]:
    """{value: the count as shown, "+" included} of one facet of the sidebar ("" for All)."""
    pattern = rf'data-facet="{facet}" data-value="([^"]*)">.*?<span class="count">([\d,]+\+?)<'
    return dict(re.findall(pattern, html))


def label_shown(html: str) -> dict[str, str]:
    found = re.findall(
        r'<span class="chip-name">([^<]+)</span> <span class="chip-count">(\d+\+?)</span>', html
    )
    return dict(found)


def counts(user, q: str, **params) -> dict:
    response = api(user).get("/api/torrents/counts", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def listed(user, q: str, **params) -> dict:
    response = api(user).get("/api/torrents", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def capped(monkeypatch):
    monkeypatch.setattr(ranked, "RANKED_MAX", 2)


@pytest.fixture
def built(monkeypatch) -> list:
    """One item each time a search's match is built (the words matched against the rows)."""
    calls = []
    for module, name in ((contains, "matching_ids"), (postgres, "matches")):
        original = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda *a, _f=original, **k: calls.append(1) or _f(*a, **k)
        )
    return calls


@pytest.fixture
def library(alice, bob):  # noqa: F811
    """Alice: three "sintel" matches (the oldest the best: a name match) and one other; bob:
    a name match and a file match of his own."""
    with_files([alice], "Sintel 2010", status=TorrentStatus.SEEDING)
    with_files([alice], "Blender A", ["films/sintel.mkv"], status=TorrentStatus.PAUSED)
    with_files([alice], "Blender B", ["films/sintel.mkv"])
    with_files([alice], "Unrelated")
    with_files([bob], "Sintel.bob.secret")
    with_files([bob], "Bob backup", ["private/sintel.diary.txt"])


def test_the_page_says_a_capped_count_and_agrees_with_the_api(alice, library, capped):  # noqa: F811
    html = page(alice, "sintel")
    assert summary_count(html) == "2+"
    assert 'data-capped="true"' in html
    # The newest two of alice's three matches, ranked: the page's rows are the API's.
    assert page_names(alice, "sintel") == api_names(alice, "sintel") == ["Blender B", "Blender A"]
    body = listed(alice, "sintel")
    counted = counts(alice, "sintel")
    assert (body["count"], body["count_capped"]) == (2, True)
    assert (counted["total"], counted["count_capped"]) == (2, True)
    # The status counts are of those two candidates, each shown as a floor.
    assert facet_shown(html, "status") == {"": "2+", "downloading": "1+", "paused": "1+"}
    assert counted["status"] == {"downloading": 1, "paused": 1}
    assert counted["capped"] == {"status": True, "tracker": True, "label": False}  # no labels
    # What the bulk bar's "All … matching selected" says (list_keys.js reads it).
    assert 'data-shown="2+"' in html


def test_below_the_cap_every_count_is_exact_and_the_same_everywhere(alice, boss, library):  # noqa: F811
    for user, expected in ((alice, 3), (boss, 5)):
        html = page(user, "sintel")
        body, counted = listed(user, "sintel"), counts(user, "sintel")
        assert summary_count(html) == str(expected), user
        assert body["count"] == counted["total"] == expected, user
        assert body["count_capped"] is counted["count_capped"] is False
        assert "+" not in "".join(facet_shown(html, "status").values())
        assert 'data-capped="true"' not in html
        assert page_names(user, "sintel") == api_names(user, "sintel"), user
    # Under a status filter: the page, the list and the counts' total still agree.
    html = page(alice, "sintel", status="paused")
    assert summary_count(html) == "1"
    assert listed(alice, "sintel", status="paused")["count"] == 1
    assert counts(alice, "sintel", status="paused")["total"] == 1


def test_capped_counts_agree_under_other_filters_and_for_an_admin(alice, boss, library, capped):  # noqa: F811
    # A status narrows before the cap: one paused match, counted exactly.
    html = page(alice, "sintel", status="paused")
    assert (summary_count(html), page_names(alice, "sintel", status="paused")) == (
        "1",
        ["Blender A"],
    )
    counted = counts(alice, "sintel", status="paused")
    assert (counted["total"], counted["count_capped"]) == (1, False)
    assert counted["capped"]["status"] is True  # its own dimension is counted without it
    # An admin searches everyone's: capped too, the page and the API the same newest two.
    admin_html = page(boss, "sintel")
    assert summary_count(admin_html) == "2+"
    assert page_names(boss, "sintel") == api_names(boss, "sintel")
    assert (counts(boss, "sintel")["total"], listed(boss, "sintel")["count_capped"]) == (2, True)


def test_another_users_torrents_are_never_found_on_the_page(alice, bob, library, capped):  # noqa: F811
    # Bob's name match and his file's path are his: not in alice's rows, counts or cap.
    html = page(alice, "secret")
    assert "Sintel.bob.secret" not in html
    assert summary_count(html) == "0"
    html = page(alice, "diary")
    assert "Bob backup" not in html
    assert "sintel.diary" not in html
    assert counts(alice, "diary")["total"] == 0
    assert facet_shown(html, "status") == {"": "0"}
    # Bob sees his own two and never alice's: the cap is of what he may see.
    assert sorted(page_names(bob, "sintel")) == ["Bob backup", "Sintel.bob.secret"]
    assert (counts(bob, "sintel")["total"], counts(bob, "sintel")["count_capped"]) == (2, False)
    assert "Blender" not in page(bob, "sintel")


def test_a_sort_asked_for_pages_the_same_candidates(alice, library, capped):  # noqa: F811
    assert page_names(alice, "sintel", sort="name") == ["Blender A", "Blender B"]
    assert page_names(alice, "sintel", sort="-added") == ["Blender B", "Blender A"]
    assert summary_count(page(alice, "sintel", sort="name")) == "2+"
    # Past the last page: the last one, as without a search.
    many = page(alice, "sintel", page=9)
    assert summary_count(many) == "2+"
    assert "Blender B" in many


def test_label_counts_of_a_search_are_of_its_candidates(alice, capped):  # noqa: F811
    first = with_files([alice], "Sintel one")
    with_files([alice], "Sintel two")
    third = with_files([alice], "Sintel three")
    torrent_labels_set(user=alice, torrent=first, names=["old"])  # the oldest: not a candidate
    torrent_labels_set(user=alice, torrent=third, names=["new"])
    html = page(alice, "sintel")
    assert label_shown(html) == {"new": "1+", "old": "0+"}
    assert counts(alice, "sintel")["label"] == {"new": 1, "old": 0}


def test_the_poll_of_a_searched_page_sends_no_whole_table_when_nothing_moved(alice, library):  # noqa: F811
    html = page(alice, "sintel")
    url = re.search(r'hx-get="([^"]+)"', html.split('id="torrent-live"', 1)[1]).group(1)
    answer = client_for(alice).get(url.replace("&amp;", "&")).content.decode()
    assert 'id="torrent-table"' not in answer  # the same rows, in the same order


def test_select_all_matching_says_a_capped_count(alice, library, capped, monkeypatch):  # noqa: F811
    monkeypatch.setattr("torrents.views.bulk.MAX_SELECTED", 1)
    response = client_for(alice).post(
        "/torrents/bulk/", {"action": "pause", "match": "all", "q": "sintel"}, follow=True
    )
    assert "2+ torrents match: at most 1 at once" in response.content.decode()


def test_a_users_search_page_and_its_counts_read_the_match_once(alice, bob, built):  # noqa: F811
    # The counts and the page narrow by the ids read once (torrents/search's `SearchReads`):
    # matching the words again for each query is what a user who owns 10,000 paid three times.
    # The ids are kept while the search's version holds (torrents/list_versions.py): a sync
    # that moves rates and a status change leave them; a label put, a name, search terms and a
    # new co-owned torrent move them.
    seeding = with_files([alice], "Sintel 2010", status="seeding")
    labelled = with_files([alice], "Open movie", status="paused")
    torrent_labels_set(user=alice, torrent=labelled, names=["sintel"])
    blender = with_files([alice], "Blender", status="seeding")
    with_files([bob], "Sintel bob", status="seeding")

    html = page(alice, "sintel")
    assert len(built) == 1
    assert facet_shown(html, "status")[TorrentStatus.SEEDING] == "1"
    assert facet_shown(html, "status")[TorrentStatus.PAUSED] == "1"
    assert label_shown(html)["sintel"] == "1"

    now = timezone.now()
    bulk_update(  # as the sync writes rates: raw, `facets_at` left alone
        table=Torrent._meta.db_table,
        key="id",
        columns=[("id", BIGINT), ("down_rate", BIGINT)],
        rows=[[seeding.pk, 123_456]],
        constants={"synced_at": (TIMESTAMP, now), "updated_at": (TIMESTAMP, now)},
    )
    html = page(alice, "sintel")
    assert len(built) == 1  # the match kept, the row shown anew
    assert rate(123_456) in html
    assert set(page_names(alice, "sintel")) == {seeding.name, labelled.name}

    Torrent.objects.filter(pk=seeding.pk).update(status=TorrentStatus.PAUSED)
    html = page(alice, "sintel")
    assert len(built) == 1  # the match kept, the counts taken anew
    assert facet_shown(html, "status")[TorrentStatus.PAUSED] == "2"
    assert TorrentStatus.SEEDING not in facet_shown(html, "status")

    torrent_labels_set(user=alice, torrent=blender, names=["sintel"])
    html = page(alice, "sintel")
    assert len(built) == 2
    assert set(page_names(alice, "sintel")) == {seeding.name, labelled.name, blender.name}
    assert label_shown(html)["sintel"] == "2"
    renamed = with_files([alice], "Elephants Dream")
    found = set(page_names(alice, "sintel"))
    Torrent.objects.filter(pk=renamed.pk).update(name="Sintel remastered")
    assert set(page_names(alice, "sintel")) == found | {"Sintel remastered"}
    torrent_search_terms_set(torrent_id=renamed.pk, terms="")
    Torrent.objects.filter(pk=renamed.pk).update(name="Elephants Dream")
    assert set(page_names(alice, "sintel")) == found
    torrent_search_terms_set(torrent_id=renamed.pk, terms="Sintel")
    assert set(page_names(alice, "sintel")) == found | {"Elephants Dream"}
    shared = with_files([bob], "Sintel shared")
    Ownership.objects.create(torrent=shared, user=alice, tracker_host="t.example")
    assert set(page_names(alice, "sintel")) == found | {"Elephants Dream", "Sintel shared"}


def test_ids_a_search_read_reach_the_database_as_one_parameter(alice, monkeypatch):  # noqa: F811
    # The ids read once (the matched, the labelled) go back in the page's and counts' queries
    # as one array literal ('{1,2,3}'), not a constant each (`IN (1, 2, 3)`, `ARRAY[1, 2, 3]`):
    # Postgres spent 2 ms planning 1,429 of them, each time they appeared
    # (bench/list_filters_bench.py). A page of 5, so that only the read ids are 20 or more.
    monkeypatch.setattr(list_query, "PAGE_SIZE", 5)
    for n in range(25):
        torrent = with_files([alice], f"Open movie {n}", status="seeding")
        torrent_labels_set(user=alice, torrent=torrent, names=["sintel"])
    with_files([alice], "Sintel 2010", status="paused")
    with CaptureQueriesContext(connection) as queries:
        html = page(alice, "sintel")
    assert facet_shown(html, "status")[TorrentStatus.SEEDING] == "25"
    assert label_shown(html)["sintel"] == "25"
    one_by_one = re.compile(r"(IN \(|ARRAY\[)(\d+, ?){19}\d+")
    assert [q["sql"][:200] for q in queries if one_by_one.search(q["sql"])] == []


def test_the_files_a_search_matched_are_kept_while_its_version_holds(alice):  # noqa: F811
    # A status change renders the page anew; the files its rows matched are read again only
    # when what they match moves (files are written with a whole save of their torrent).
    holiday = with_files([alice], "Holiday", ["photos/volcano.jpg"], status="seeding")
    assert "photos/volcano.jpg" in page(alice, "volcano")
    Torrent.objects.filter(pk=holiday.pk).update(status=TorrentStatus.PAUSED)
    with CaptureQueriesContext(connection) as queries:
        html = page(alice, "volcano")
    assert "photos/volcano.jpg" in html
    assert facet_shown(html, "status")[TorrentStatus.PAUSED] == "1"
    assert [q["sql"][:80] for q in queries if "torrents_torrentfile" in q["sql"]] == []

    TorrentFile.objects.create(torrent=holiday, index=1, path="photos/volcano.2.jpg", size_bytes=1)
    holiday.save()
    assert "photos/volcano.2.jpg" in page(alice, "volcano")


def test_a_users_ranked_page_after_a_status_change_is_the_kept_order_filtered(alice):  # noqa: F811
    # A rank depends only on a match's words: after a status change a user's ranked page is
    # their matches in the order kept with the search's reads that its filters keep now, the
    # API's page (which ranks them again), with no ranked window of its own.
    with_files([alice], "Sintel 2010", status=TorrentStatus.SEEDING)  # a name match: the best
    blender = with_files([alice], "Blender A", ["films/sintel.mkv"], status="seeding")
    with_files([alice], "Blender B", ["films/sintel.mkv"], status=TorrentStatus.PAUSED)
    first = page_names(alice, "sintel")
    assert first == api_names(alice, "sintel")
    assert page_names(alice, "sintel", page=9) == first  # past the end: the last page

    Torrent.objects.filter(pk=blender.pk).update(status=TorrentStatus.PAUSED)
    with CaptureQueriesContext(connection) as queries:
        paused = page_names(alice, "sintel", status="paused")
    # Read before the next request, which empties the log they are read from.
    windows = [q["sql"][:80] for q in queries if '"candidate"' in q["sql"]]
    assert windows == []
    assert paused == api_names(alice, "sintel", status="paused")
    assert paused == [name for name in first if name != "Sintel 2010"]


def test_an_admins_search_reads_the_match_once_and_pages_the_kept_order(boss, library, built):  # noqa: F811
    # Staff's matches (everyone's torrents) are read once, up to RANKED_MAX + 1 of the newest,
    # and kept while the search's version holds, as a user's are: after a status change the
    # counts are grouped from them and the ranked page is the kept order filtered, with no
    # window query of the candidates (what cost an admin 38 ms at 10,000 torrents,
    # bench/list_filters_bench.py).
    first = page_names(boss, "sintel")
    assert len(built) == 1
    assert len(first) == 5
    assert first == api_names(boss, "sintel")  # the API matches anew

    blender = Torrent.objects.get(name="Blender A")
    Torrent.objects.filter(pk=blender.pk).update(status=TorrentStatus.SEEDING)
    built.clear()
    with CaptureQueriesContext(connection) as queries:
        html = page(boss, "sintel", status="seeding")
    windows = [q["sql"][:80] for q in queries if '"candidate"' in q["sql"]]
    assert (windows, built) == ([], [])
    assert facet_shown(html, "status")[TorrentStatus.SEEDING] == "2"
    assert TorrentStatus.PAUSED not in facet_shown(html, "status")
    seeding = page_names(boss, "sintel", status="seeding")
    assert seeding == api_names(boss, "sintel", status="seeding")
    assert seeding == [name for name in first if name in ("Sintel 2010", "Blender A")]


def test_an_admins_search_over_the_cap_counts_the_newest_under_each_filter(boss, library, capped):  # noqa: F811
    # Over the cap, each dimension counts the newest RANKED_MAX under its other filters (each
    # query reads its own), not the newest matches filtered afterwards.
    Torrent.objects.filter(name="Sintel 2010").update(status=TorrentStatus.PAUSED)
    counted = counts(boss, "sintel", status="paused")
    assert (counted["total"], counted["count_capped"]) == (2, False)  # both paused: the oldest
    assert counted["capped"]["status"] is True
    assert page_names(boss, "sintel", status="paused") == api_names(boss, "sintel", status="paused")
    assert set(page_names(boss, "sintel", status="paused")) == {"Sintel 2010", "Blender A"}


def test_the_counts_api_keeps_a_search_as_the_page_does(boss, library, built):  # noqa: F811
    # `GET /api/torrents/counts?q=` keeps the search's reads under the list's versions too: an
    # admin's matched ids are read once (on Postgres up to RANKED_MAX + 1 of them), and a
    # status change is counted at once.
    assert counts(boss, "sintel")["status"][TorrentStatus.SEEDING] == 1
    assert counts(boss, "sintel", status="paused")["total"] == 1
    assert len(built) == 1
    Torrent.objects.filter(name="Blender A").update(status=TorrentStatus.SEEDING)
    assert counts(boss, "sintel")["status"][TorrentStatus.SEEDING] == 2
    assert len(built) == 1
