"""Labels through the API: /api/labels for the four personas, `labels` on the torrent (PATCH
sets them, bounded, 400 on bad input), co-owners' labels kept apart, `?label=`, labels at add,
the `changed_since` refresh, and a page's labels read in one query."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from torrents import label_selectors
from torrents.api.list_rows import list_rows
from torrents.api.serializers import TorrentListSerializer
from torrents.label_selectors import chips_by_torrent, labels_with_counts
from torrents.models import Label, Ownership, Torrent
from torrents.services.labels import PALETTE, PER_TORRENT_MAX, torrent_labels_set
from torrents.tests.intake_support import api
from torrents.tests.pages_support import make_rows, offline_node

pytestmark = pytest.mark.django_db
TRACKER = "http://127.0.0.1:6969/announce"


def label(user, name: str, colour: str = "#2ca02c") -> Label:
    return Label.objects.create(user=user, name=name, colour=colour)


def labels_of_row(client, torrent: Torrent) -> list[str]:
    response = client.get(f"/api/torrents/{torrent.pk}")
    assert response.status_code == 200, response.content[:300]
    return response.json()["labels"]


def test_the_owner_manages_their_labels(alice):
    client = api(alice)
    created = client.post("/api/labels", {"name": " To  watch ", "colour": "#D62728"}, "json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["colour"], body["count"]) == ("To watch", "#d62728", 0)
    picked = client.post("/api/labels", {"name": "linux"}, "json").json()
    assert picked["colour"] in PALETTE  # one is picked from the palette
    assert [item["name"] for item in client.get("/api/labels").json()] == ["linux", "To watch"]
    url = f"/api/labels/{body['id']}"
    renamed = client.patch(url, {"name": "Later", "colour": "navy"}, "json").json()
    assert (renamed["name"], renamed["colour"]) == ("Later", "#1a3d8f")
    assert client.get(url).json()["name"] == "Later"
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_bad_label_input_is_a_clear_400(alice):
    client = api(alice)
    client.post("/api/labels", {"name": "linux"}, "json")
    for body, why in (
        ({"name": "LINUX"}, "already"),  # one label whatever the case
        ({"name": "x" * 33}, "at most 32"),
        ({"name": "a,b"}, "comma"),
        ({"name": "   "}, "needs a name"),
        ({"name": "ok", "colour": "#123456"}, "one of"),
        ({"name": 5}, "strings"),
        ({"colour": "#1f77b4"}, "send"),
        ({"name": "ok", "owner": 1}, "send"),
    ):
        response = client.post("/api/labels", body, "json")
        assert response.status_code == 400, body
        assert why in response.json()["detail"], (body, response.json())
    assert Label.objects.filter(user=alice).count() == 1


def test_another_user_and_an_admin_get_404_for_someone_elses_label(alice, bob, boss):
    mine = label(alice, "mine")
    url = f"/api/labels/{mine.pk}"
    for who in (bob, boss):  # labels are personal: an admin does not see them either
        client = api(who)
        assert client.get(url).status_code == 404
        assert client.patch(url, {"name": "theirs"}, "json").status_code == 404
        assert client.delete(url).status_code == 404
        assert client.get("/api/labels").json() == []
    assert Label.objects.get(pk=mine.pk).name == "mine"
    # The admin has labels of their own, like anyone.
    assert api(boss).post("/api/labels", {"name": "mine"}, "json").status_code == 201


def test_anonymous_gets_401_on_every_label_endpoint(alice):
    mine = label(alice, "mine")
    client = api(None)
    assert client.get("/api/labels").status_code == 401
    assert client.post("/api/labels", {"name": "x"}, "json").status_code == 401
    for method in ("get", "patch", "delete"):
        assert getattr(client, method)(f"/api/labels/{mine.pk}").status_code == 401


def test_patch_sets_the_users_labels_making_them_as_needed(alice, bob, boss):
    (torrent,) = make_rows([alice], 1)
    client = api(alice)
    url = f"/api/torrents/{torrent.pk}"
    response = client.patch(url, {"labels": ["linux", "ISO", "linux "]}, "json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": torrent.pk,
        "status": "downloading",
        "labels": ["ISO", "linux"],
    }
    assert labels_of_row(client, torrent) == ["ISO", "linux"]
    assert client.patch(url, {"labels": ["iso"]}, "json").json()["labels"] == ["ISO"]
    assert client.patch(url, {"labels": []}, "json").json()["labels"] == []
    assert Label.objects.filter(user=alice).count() == 2  # labels outlive their last torrent
    assert api(bob).patch(url, {"labels": ["x"]}, "json").status_code == 404
    # An admin sees the torrent but does not own it: no labels of theirs to put on it.
    refused = api(boss).patch(url, {"labels": ["x"]}, "json")
    assert refused.status_code == 400
    assert "do not own" in refused.json()["detail"]


def test_patch_refuses_bad_labels_with_400_and_changes_nothing(alice):
    (torrent,) = make_rows([alice], 1)
    torrent_labels_set(user=alice, torrent=torrent, names=["keep"])
    client = api(alice)
    url = f"/api/torrents/{torrent.pk}"
    too_many = [f"l{i}" for i in range(PER_TORRENT_MAX + 1)]
    for labels in (too_many, ["x" * 33], "linux", [None], [["a"]], ["a,b"], ["\x00"]):
        response = client.patch(url, {"labels": labels}, "json")
        assert response.status_code == 400, labels
        assert response.json()["detail"].startswith("labels: "), response.json()
    assert client.patch(url, {}, "json").status_code == 400
    assert client.patch(url, {"labels": [], "name": "x"}, "json").status_code == 400
    assert labels_of_row(client, torrent) == ["keep"]
    assert Label.objects.filter(user=alice).count() == 1


def test_co_owners_labels_are_their_own(alice, bob):
    (shared,) = make_rows([alice, bob], 1)
    url = f"/api/torrents/{shared.pk}"
    api(alice).patch(url, {"labels": ["linux"]}, "json")
    api(bob).patch(url, {"labels": ["films", "linux"]}, "json")
    assert labels_of_row(api(alice), shared) == ["linux"]
    assert labels_of_row(api(bob), shared) == ["films", "linux"]
    api(bob).patch(url, {"labels": []}, "json")
    assert labels_of_row(api(alice), shared) == ["linux"]
    assert api(alice).get("/api/torrents?label=films").json()["count"] == 0
    # Bob deleting his "linux" leaves Alice's.
    bobs = Label.objects.get(user=bob, name="linux")
    api(bob).delete(f"/api/labels/{bobs.pk}")
    assert labels_of_row(api(alice), shared) == ["linux"]


def test_label_filter_in_the_api_list_and_for_staff_their_own_labels(alice, bob, boss):
    linux = make_rows([alice], 3)
    other = make_rows([alice], 2)
    (bobs,) = make_rows([bob], 1)
    (boss_own,) = make_rows([boss], 1)
    for torrent in linux:
        torrent_labels_set(user=alice, torrent=torrent, names=["Linux"])
    torrent_labels_set(user=alice, torrent=other[0], names=["films"])
    torrent_labels_set(user=bob, torrent=bobs, names=["linux"])
    torrent_labels_set(user=boss, torrent=boss_own, names=["linux"])

    def ids(who, query):
        response = api(who).get(f"/api/torrents?{query}")
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(alice, "label=linux") == sorted(t.pk for t in linux)
    assert ids(alice, "label=LINUX&page_size=2") == sorted(t.pk for t in linux)[-2:]
    counted = api(alice).get("/api/torrents?label=linux&page_size=2").json()
    assert (counted["count"], bool(counted["next"])) == (3, True)
    assert api(boss).get("/api/torrents?label=linux").json()["count"] == 1
    assert ids(alice, "label=nothing") == []
    assert ids(bob, "label=linux") == [bobs.pk]
    # Staff see everyone's torrents, but a label is theirs: only what they labelled so.
    assert ids(boss, "label=linux") == [boss_own.pk]
    assert api(alice).get(f"/api/torrents?label={'x' * 201}").status_code == 400
    rows = api(alice).get("/api/torrents?label=films").json()["results"]
    assert [row["labels"] for row in rows] == [["films"]]


def test_labels_with_counts_counts_within_the_given_torrents(alice):
    rows = make_rows([alice], 4)
    for torrent in rows[:3]:
        torrent_labels_set(user=alice, torrent=torrent, names=["a"])
    torrent_labels_set(user=alice, torrent=rows[3], names=["b"])
    label(alice, "unused")
    within = Torrent.objects.filter(pk__in=[rows[0].pk, rows[3].pk])
    counts = {item.label.name: item.count for item in labels_with_counts(alice, within)}
    assert counts == {"a": 1, "b": 1, "unused": 0}
    everything = Torrent.objects.all()
    assert [c.count for c in labels_with_counts(alice, everything)] == [3, 1, 0]


def test_labels_at_add_through_the_api(alice):
    offline_node()
    magnet = f"magnet:?xt=urn:btih:{'ab' * 20}&dn=Debian&tr={TRACKER}"
    response = api(alice).post(
        "/api/torrents/", {"magnets": magnet, "labels": ["linux", "iso"]}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["added"][0]["labels"] == ["iso", "linux"]
    torrent = Torrent.objects.get(info_hash="ab" * 20)
    assert labels_of_row(api(alice), torrent) == ["iso", "linux"]
    refused = api(alice).post(
        "/api/torrents/",
        {"magnets": magnet.replace("ab", "cd"), "labels": ["x" * 40]},
        format="multipart",
    )
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("labels: ")
    assert not Torrent.objects.filter(info_hash="cd" * 20).exists()  # nothing added


def test_a_label_change_comes_in_the_changed_since_refresh(alice, bob):
    (shared, untouched) = make_rows([alice, bob], 2)
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    Torrent.objects.update(updated_at=hour_ago)
    Ownership.objects.update(created_at=hour_ago)
    cursor = api(alice).get("/api/torrents").json()["cursor"]
    assert api(alice).get(f"/api/torrents?changed_since={cursor}").json()["results"] == []
    api(alice).patch(f"/api/torrents/{shared.pk}", {"labels": ["new"]}, "json")
    refresh = api(alice).get(f"/api/torrents?changed_since={cursor}").json()
    assert [(row["id"], row["labels"]) for row in refresh["results"]] == [(shared.pk, ["new"])]
    # A rename is a change of every row that shows the label.
    cursor = refresh["cursor"]
    Torrent.objects.update(updated_at=hour_ago)
    new = Label.objects.get(user=alice)
    api(alice).patch(f"/api/labels/{new.pk}", {"name": "renamed"}, "json")
    refresh = api(alice).get(f"/api/torrents?changed_since={cursor}").json()
    assert [(row["id"], row["labels"]) for row in refresh["results"]] == [(shared.pk, ["renamed"])]
    # The co-owner's refresh repeats the row (harmless), with their own labels: none.
    bob_rows = api(bob).get(f"/api/torrents?changed_since={cursor}").json()["results"]
    assert [(row["id"], row["labels"]) for row in bob_rows] == [(shared.pk, [])]
    assert untouched.pk not in [row["id"] for row in refresh["results"]]


def _list_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert all(row["labels"] for row in response.json()["results"])
    return len(captured)


def test_a_pages_labels_are_read_in_one_query(alice, django_assert_num_queries):
    rows = make_rows([alice], 3)
    for torrent in rows:
        torrent_labels_set(user=alice, torrent=torrent, names=["a", "b"])
    client = api(alice)
    small = {url: _list_queries(client, url) for url in ("/api/torrents", "/api/torrents?label=a")}
    for torrent in make_rows([alice], 40):
        torrent_labels_set(user=alice, torrent=torrent, names=["a", "b", "c"])
    for url, count in small.items():
        with django_assert_num_queries(count):
            assert len(client.get(url).json()["results"]) == 43
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/torrents")
    label_reads = [q["sql"] for q in captured if "torrents_label" in q["sql"]]
    assert len(label_reads) == 1, label_reads


def test_rows_read_as_values_carry_the_labels_the_serializer_gives(alice, bob):
    rows = make_rows([alice, bob], 3)
    torrent_labels_set(user=alice, torrent=rows[0], names=["b", "A"])
    torrent_labels_set(user=bob, torrent=rows[1], names=["bob's"])
    queryset = Torrent.objects.select_related("node").order_by("id")
    chips = chips_by_torrent(alice, [t.pk for t in rows])
    expected = TorrentListSerializer(queryset, many=True, context={"chips": chips}).data
    assert list_rows(queryset, user=alice) == expected
    assert [row["labels"] for row in list_rows(queryset, user=alice)] == [["A", "b"], [], []]


def test_a_large_page_reads_the_same_labels_without_naming_every_row(alice, bob, monkeypatch):
    rows = make_rows([alice, bob], 4)
    torrent_labels_set(user=alice, torrent=rows[0], names=["b", "A"])
    torrent_labels_set(user=alice, torrent=rows[2], names=["c"])
    torrent_labels_set(user=bob, torrent=rows[1], names=["bob's"])
    page = [t.pk for t in rows[:3]]
    small = chips_by_torrent(alice, page[:2])
    monkeypatch.setattr(label_selectors, "MANY_ROWS", 1)  # what a page of 10,000 takes
    with CaptureQueriesContext(connection) as captured:
        large = chips_by_torrent(alice, page[:2])
    assert large == small
    assert {pk: [chip.name for chip in chips] for pk, chips in large.items()} == {
        rows[0].pk: ["A", "b"]  # only the rows asked for, only alice's labels
    }
    assert " IN (" not in captured[0]["sql"]  # the user's links, not an IN of every id
    assert set(chips_by_torrent(alice, page)) == {rows[0].pk, rows[2].pk}


def test_changed_since_does_not_take_a_label_filter(alice):
    cursor = api(alice).get("/api/torrents").json()["cursor"]
    response = api(alice).get(f"/api/torrents?changed_since={cursor}&label=x")
    assert response.status_code == 400
    assert "label" in response.json()["detail"]


@pytest.mark.parametrize("common", [0, 10_000])
def test_a_common_label_and_a_rare_one_filter_alike(alice, bob, monkeypatch, common):
    """A label on many torrents is found walking the list (EXISTS), one on few from its
    links (IN): the same rows either way."""
    monkeypatch.setattr(label_selectors, "COMMON_LABEL", common)
    mine = make_rows([alice, bob], 4)
    for torrent in mine[1:]:
        torrent_labels_set(user=alice, torrent=torrent, names=["x"])
    torrent_labels_set(user=bob, torrent=mine[0], names=["x"])
    body = api(alice).get("/api/torrents?label=x&page_size=2").json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [mine[3].pk, mine[2].pk]
    assert [row["id"] for row in api(bob).get("/api/torrents?label=x").json()["results"]] == [
        mine[0].pk
    ]
