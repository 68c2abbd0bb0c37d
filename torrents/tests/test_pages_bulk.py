"""Bulk actions from the list against a real rTorrent: pause, resume, delete (after a
confirmation page); other people's ids are ignored; every outcome is a flash message."""

import pytest
from django.test import TestCase

from torrents.models import Torrent, TorrentStatus
from torrents.rtorrent import RTorrentClient
from torrents.services.sync import node_sync
from torrents.tests.helpers_sync import add_torrent, wait_until
from torrents.tests.pages_support import client_for, make_rows


def statuses(*torrents: Torrent) -> list[str]:
    return [Torrent.objects.get(pk=t.pk).status for t in torrents]


@pytest.fixture
def seeding(node, owner, other, tmp_path):
    """Two of the owner's torrents and one of the other user's, seeding in rTorrent."""
    torrents = [
        add_torrent(node, [user], tmp_path / name, name=name, with_data=True, start=True)
        for user, name in ((owner, "one.bin"), (owner, "two.bin"), (other, "theirs.bin"))
    ]
    wait_until(
        lambda: node_sync(node=node) and set(statuses(*torrents)) == {TorrentStatus.SEEDING},
        what="seeding",
    )
    return torrents


def test_pause_and_resume_several_keeps_the_filters(seeding, owner):
    one, two, theirs = seeding
    client = client_for(owner)
    ids = [one.pk, two.pk, theirs.pk]  # the other user's id is ignored, not acted on
    response = client.post(
        "/torrents/bulk/", {"action": "pause", "ids": ids, "next": "/?sort=name"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/?sort=name"
    assert statuses(one, two, theirs) == ["paused", "paused", "seeding"]
    html = response.content.decode()
    assert "Paused one.bin, two.bin." in html
    response = client.post("/torrents/bulk/", {"action": "resume", "ids": ids}, follow=True)
    assert statuses(one, two, theirs) == ["seeding", "seeding", "seeding"]
    assert "Resumed one.bin, two.bin." in response.content.decode()


def test_delete_several_after_a_confirmation(seeding, owner):
    one, two, theirs = seeding
    client = client_for(owner)
    confirm = client.post("/torrents/bulk/", {"action": "delete", "ids": [one.pk, two.pk]})
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Delete 2 torrents?" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert statuses(one, two) == ["seeding", "seeding"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/torrents/bulk/",
            {"action": "delete", "ids": [one.pk, two.pk], "confirm": "yes"},
            follow=True,
        )
    assert "Deleted one.bin, two.bin." in response.content.decode()
    assert statuses(one, two, theirs) == ["removed", "removed", "seeding"]


def test_admin_deletes_for_every_owner_only_when_asked(node, owner, other, admin):
    (shared,) = make_rows([owner, other, admin], 1, node=node, status=TorrentStatus.QUEUED)
    client = client_for(admin)
    client.post("/torrents/bulk/", {"action": "delete", "ids": [shared.pk], "confirm": "yes"})
    assert sorted(shared.ownerships.values_list("user__email", flat=True)) == sorted(
        [owner.email, other.email]
    )  # the admin's own ownership only
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            "/torrents/bulk/",
            {"action": "delete", "ids": [shared.pk], "confirm": "yes", "everyone": "yes"},
        )
    assert not shared.ownerships.exists()
    assert statuses(shared) == ["removed"]


def test_failures_are_told_per_torrent(owner):
    (queued,) = make_rows([owner], 1, status=TorrentStatus.QUEUED)
    response = client_for(owner).post(
        "/torrents/bulk/", {"action": "pause", "ids": [queued.pk]}, follow=True
    )
    assert "not in rTorrent" in response.content.decode()


def test_a_node_that_does_not_answer_is_asked_once(owner, node, rtorrent, monkeypatch):
    rows = make_rows([owner], 5, node=node, status=TorrentStatus.SEEDING)
    rtorrent.stop()
    calls = []
    real = RTorrentClient.system_multicall
    monkeypatch.setattr(
        RTorrentClient, "system_multicall", lambda self, c: calls.append(c) or real(self, c)
    )
    response = client_for(owner).post(
        "/torrents/bulk/", {"action": "pause", "ids": [t.pk for t in rows]}, follow=True
    )
    html = response.content.decode()
    assert len(calls) == 1
    assert html.count("rTorrent did not answer for Row torrent") == 1
    assert "and 2 more" in html
    assert statuses(*rows) == ["seeding"] * 5


def test_deleting_on_a_node_that_does_not_answer_tries_one_purge(
    owner, node, rtorrent, monkeypatch
):
    rows = make_rows([owner], 4, node=node, status=TorrentStatus.SEEDING)
    rtorrent.stop()
    erases = []
    real = RTorrentClient.erase
    monkeypatch.setattr(RTorrentClient, "erase", lambda self, h: erases.append(h) or real(self, h))
    response = client_for(owner).post(
        "/torrents/bulk/",
        {"action": "delete", "ids": [t.pk for t in rows], "confirm": "yes"},
        follow=True,
    )
    assert "Deleted Row torrent" in response.content.decode()
    assert len(erases) == 1  # the others go to the purge task and the sync
    assert statuses(*rows) == ["removed"] * 4
    assert all(Torrent.objects.get(pk=t.pk).purge_pending for t in rows)


def test_nothing_selected_or_unknown_action(owner, other, client):
    (theirs,) = make_rows([other], 1)
    owner_client = client_for(owner)
    response = owner_client.post(
        "/torrents/bulk/", {"action": "pause", "ids": [theirs.pk]}, follow=True
    )
    assert "Select one or more torrents first." in response.content.decode()
    response = owner_client.post("/torrents/bulk/", {"action": "explode"}, follow=True)
    assert (
        "Choose pause, resume, recheck, reannounce, a label or delete." in response.content.decode()
    )
    assert owner_client.get("/torrents/bulk/").status_code == 405
    # Off-site "next" is not followed.
    response = owner_client.post("/torrents/bulk/", {"action": "pause", "next": "https://evil/"})
    assert response["Location"] == "/"
    anonymous = client.post("/torrents/bulk/", {"action": "pause", "ids": [theirs.pk]})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_bulk_form_needs_csrf(owner):
    from django.test import Client

    (mine,) = make_rows([owner], 1)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    response = strict.post("/torrents/bulk/", {"action": "delete", "ids": [mine.pk]})
    assert response.status_code == 403


def test_select_all_matching_pauses_the_filtered_set_in_rtorrent(seeding, owner):
    """ "All N matching" acts on what the filter matches on the server, not the ticked rows, and
    only on the caller's own: the other user's matching torrent keeps seeding."""
    one, two, theirs = seeding
    client = client_for(owner)
    response = client.post(
        "/torrents/bulk/",
        {"action": "pause", "match": "all", "q": ".bin", "ids": [one.pk], "next": "/?q=.bin"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/?q=.bin"
    assert statuses(one, two, theirs) == ["paused", "paused", "seeding"]
    # A row's own button: one torrent, through the same bulk path.
    client.post("/torrents/bulk/", {"one": f"resume:{two.pk}", "next": "/"})
    client.post("/torrents/bulk/", {"one": f"pause:{theirs.pk}", "next": "/"})  # not hers
    assert statuses(one, two, theirs) == ["paused", "seeding", "seeding"]
