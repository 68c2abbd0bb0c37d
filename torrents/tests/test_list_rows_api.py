"""Rows of the API beyond the list's page: many torrents serialized at once (the adding answer's
`added`) read the same queries for 2 rows as for 8; `fields=compact` rows carry the caller's
labels; the preview answers 401 to anonymous; an admin labelling a torrent they do not own is
told why in a 400. Personas: alice and bob (users), boss (admin), anonymous."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from torrents.api.serializers import TorrentListSerializer
from torrents.models import Ownership, Torrent
from torrents.services.labels import torrent_labels_set
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import alice, api, bob, boss, upload  # noqa: F401 (fixtures)
from torrents.tests.pages_support import make_rows

pytestmark = pytest.mark.django_db


def serialized(user, torrents: list[Torrent]) -> tuple[list[dict], int]:
    """The rows as `user` gets them, and the queries it took."""
    rows = list(Torrent.objects.filter(pk__in=[t.pk for t in torrents]).order_by("pk"))
    request = SimpleNamespace(user=user)
    with CaptureQueriesContext(connection) as queries:
        data = TorrentListSerializer(rows, many=True, context={"request": request}).data
    return data, len(queries)


def test_many_rows_read_the_same_queries_for_2_rows_as_for_8(alice, bob, boss):  # noqa: F811
    torrents = make_rows([alice, bob], 8)
    secret = "https://tracker.example/announce/bob-passkey-1234"
    Ownership.objects.filter(user=bob).update(trackers=[secret])
    Torrent.objects.update(rtorrent_message=f"refused: {secret}")
    for torrent in torrents:
        torrent_labels_set(user=alice, torrent=torrent, names=["linux"])
    for user in (alice, boss):
        _, few_queries = serialized(user, torrents[:2])
        many, many_queries = serialized(user, torrents)
        assert many_queries == few_queries, user
        assert len(many) == 8
    rows, _ = serialized(alice, torrents)
    assert {row["rtorrent_message"] for row in rows} == {
        "refused: https://tracker.example/announce/…"
    }
    assert {tuple(row["labels"]) for row in rows} == {("linux",)}
    assert {row["owner_emails"] for row in rows} == {None}
    staff_rows, _ = serialized(boss, torrents)
    assert {tuple(row["owner_emails"]) for row in staff_rows} == {(alice.email, bob.email)}
    assert {row["labels"] == [] for row in staff_rows} == {True}  # alice's labels are hers


def test_compact_rows_carry_the_callers_labels(alice, bob):  # noqa: F811
    mine, other = make_rows([alice, bob], 2)
    torrent_labels_set(user=alice, torrent=mine, names=["linux", "iso"])
    torrent_labels_set(user=bob, torrent=mine, names=["bobs"])
    rows = api(alice).get("/api/torrents", {"fields": "compact"}).json()["results"]
    assert {row["id"]: row["labels"] for row in rows} == {mine.pk: ["iso", "linux"], other.pk: []}
    rows = api(bob).get("/api/torrents", {"fields": "compact"}).json()["results"]
    assert {row["id"]: row["labels"] for row in rows}[mine.pk] == ["bobs"]


def test_the_preview_answers_401_to_anonymous(alice, tmp_path):  # noqa: F811
    data, _, _ = make_torrent(tmp_path, "album", files={"a.flac": 10, "b.flac": 20})
    answer = APIClient().post(
        "/api/torrents/preview", {"torrent": upload("album.torrent", data)}, format="multipart"
    )
    assert answer.status_code == 401
    assert "credentials" in answer.json()["detail"]
    assert api(alice).post(
        "/api/torrents/preview", {"torrent": upload("album.torrent", data)}, format="multipart"
    ).status_code == 200  # fmt: skip


def test_an_admin_labelling_a_torrent_they_do_not_own_is_told_why(alice, boss):  # noqa: F811
    (torrent,) = make_rows([alice], 1)
    refused = api(boss).patch(f"/api/torrents/{torrent.pk}", {"labels": ["x"]}, "json")
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "labels: you do not own this torrent, and labels are each owner's own: even an admin "
        "cannot label someone else's torrent"
    )
    assert not torrent.ownerships.get().ownership_labels.exists()
