"""File priorities: each owner's choice, rTorrent getting the highest of them, quota charged for
what an owner selected (refunded on skip, un-skip past the quota refused), skipped files not
offered, the API with its personas, the page, and the choice applied to a real rTorrent."""

import pytest
from django.urls import reverse

from accounts.models import User
from seedbox.testing import committed
from torrents.models import Torrent, TorrentStatus
from torrents.services.control import torrent_remove
from torrents.services.file_priorities import (
    APPLY_TASK,
    PriorityQuotaExceeded,
    highest_levels,
    levels_decode,
    levels_encode,
    torrent_priorities_apply,
    torrent_set_file_priorities,
)
from torrents.services.magnets import torrent_metadata_resolved
from torrents.services.nodes import node_client
from torrents.services.push import node_reconcile
from torrents.services.sync import torrent_status
from torrents.tests.factories import make_torrent
from torrents.tests.helpers_sync import add_torrent, api
from torrents.tests.intake_support import _broker_messages, post, upload

# Sorted by path, as add_torrent and the .torrent list them: index 0, 1, 2.
FILES = {"a.bin": 1000, "b.bin": 2000, "c.bin": 3000}
TOTAL = 6000


@pytest.fixture
def shared(node, owner, other, tmp_path) -> Torrent:
    """Owned by `owner` and `other`, each charged the whole; loaded (stopped) in rTorrent."""
    return add_torrent(node, [owner, other], tmp_path, name="trio", files=FILES, with_data=True)


def _levels(torrent: Torrent) -> list[int]:
    return list(torrent.files.order_by("index").values_list("priority", flat=True))


def _used(user: User) -> int:
    return User.objects.get(pk=user.pk).used_bytes


def _set(torrent, user, priorities):
    return committed(
        lambda: torrent_set_file_priorities(torrent=torrent, user=user, priorities=priorities)
    )


def test_stored_form_is_compact_and_reads_back():
    assert levels_encode([1, 1, 1]) == ""
    assert levels_encode([0, 1, 2]) == "012"
    assert levels_decode("", 3) == [1, 1, 1]
    assert levels_decode("02", 4) == [0, 2, 1, 1]  # files beyond the stored ones: normal
    assert highest_levels(["0", "201", ""], 3) == [2, 1, 1]
    assert highest_levels([], 2) == [1, 1]


def test_rtorrent_gets_the_highest_choice_of_all_owners(shared, owner, other):
    _set(shared, owner, {0: "skip", 1: "high"})
    assert _levels(shared) == [1, 2, 1]  # `other` still wants a.bin
    _set(shared, other, {0: "skip", 2: "skip"})
    assert _levels(shared) == [0, 2, 1]  # nobody wants a.bin; `owner` wants c.bin
    # And rTorrent has them (the service's task, run as a worker would).
    assert torrent_priorities_apply(torrent_id=shared.pk) == "applied"
    assert node_client(shared.node).file_priorities(shared.info_hash) == [0, 2, 1]
    # The owner who alone wanted c.bin leaves: nobody wants it any more.
    committed(lambda: torrent_remove(torrent=shared, by=owner))
    assert _levels(shared) == [0, 1, 0]


def test_each_owner_is_charged_for_what_they_selected(shared, owner, other):
    before_mine, before_theirs = _used(owner), _used(other)
    change = _set(shared, owner, {1: "skip"})
    assert change.charged_bytes == TOTAL - 2000
    assert _used(owner) == before_mine - 2000  # refunded
    assert _used(other) == before_theirs  # the co-owner's choice is their own
    _set(shared, owner, {1: "high"})
    assert _used(owner) == before_mine
    assert shared.ownerships.get(user=owner).charged_bytes == TOTAL


def test_unskipping_past_the_quota_is_refused_and_changes_nothing(shared, owner):
    _set(shared, owner, {2: "skip"})
    used = _used(owner)
    User.objects.filter(pk=owner.pk).update(quota_bytes=used + 1000)  # 1,000 free, 3,000 asked
    with pytest.raises(PriorityQuotaExceeded) as refused:
        _set(shared, owner, {2: "normal", 0: "high"})
    assert "2.9 KB more and 1000 bytes are free" in str(refused.value)
    assert _used(owner) == used
    ownership = shared.ownerships.get(user=owner)
    assert ownership.file_priorities == "110"  # unchanged: c.bin still skipped
    assert ownership.charged_bytes == TOTAL - 3000


def test_sync_counts_a_torrent_whose_wanted_files_are_done_as_seeding():
    base = {"hashing": 0, "state": 1, "is_active": 1, "complete": 0, "is_meta": 0}
    assert torrent_status({**base, "wanted_chunks": 3}) == TorrentStatus.DOWNLOADING
    assert torrent_status({**base, "wanted_chunks": 0}) == TorrentStatus.SEEDING
    # A stopped torrent counts no wanted chunks at all: not "done" for that.
    assert torrent_status({**base, "state": 0, "is_active": 0, "wanted_chunks": 0}) == (
        TorrentStatus.STOPPED
    )


# --- API ------------------------------------------------------------------------------------


def _files_url(torrent) -> str:
    return f"/api/torrents/{torrent.pk}/files"


def _file_url(torrent, index: int) -> str:
    return f"{_files_url(torrent)}/{torrent.files.get(index=index).pk}"


def test_personas_on_the_priority_endpoints(node, owner, other, admin, tmp_path):
    mine = add_torrent(node, [owner], tmp_path, name="mine", files=FILES, load=False)
    patch = _file_url(mine, 0)
    bulk = f"{_files_url(mine)}/priorities"
    # Someone else: 404, as for anything not theirs. Anonymous: 401.
    assert api(other).patch(patch, {"priority": "skip"}, format="json").status_code == 404
    assert api(other).post(bulk, {"all": "skip"}, format="json").status_code == 404
    assert api(None).patch(patch, {"priority": "skip"}, format="json").status_code == 401
    assert api(None).post(bulk, {"all": "skip"}, format="json").status_code == 401
    # A file of another torrent, through one the caller owns: not found either.
    theirs = add_torrent(node, [other], tmp_path / "x", name="theirs", files=FILES, load=False)
    foreign = f"{_files_url(mine)}/{theirs.files.get(index=0).pk}"
    assert api(owner).patch(foreign, {"priority": "skip"}, format="json").status_code == 404
    # An admin sees it but has no choice of their own to make on it.
    refused = api(admin).patch(patch, {"priority": "skip"}, format="json")
    assert refused.status_code == 403
    assert "each owner's own" in refused.json()["detail"]
    assert mine.ownerships.get().file_priorities == ""
    # The owner.
    answer = committed(lambda: api(owner).patch(patch, {"priority": "skip"}, format="json"))
    assert answer.status_code == 200, answer.content
    assert answer.json()["charged_bytes"] == TOTAL - 1000
    rows = api(owner).get(_files_url(mine)).json()
    assert [r["priority"] for r in rows] == ["skip", "normal", "normal"]
    # The admin reads what rTorrent is asked for.
    assert [r["priority"] for r in api(admin).get(_files_url(mine)).json()] == [
        "skip",
        "normal",
        "normal",
    ]


def test_bulk_form_by_index_by_id_and_all(node, owner, tmp_path):
    mine = add_torrent(node, [owner], tmp_path, name="mine", files=FILES, load=False)
    bulk = f"{_files_url(mine)}/priorities"
    client = api(owner)
    c_id = mine.files.get(index=2).pk
    body = {"files": [{"index": 0, "priority": "high"}, {"id": c_id, "priority": "skip"}]}
    answer = committed(lambda: client.post(bulk, body, format="json"))
    assert answer.status_code == 200, answer.content
    assert mine.ownerships.get().file_priorities == "210"
    assert committed(lambda: client.post(bulk, {"all": "skip"}, format="json")).json() == {
        "charged_bytes": 0,
        "detail": "saved",
    }
    assert mine.ownerships.get().file_priorities == "000"
    committed(lambda: client.post(bulk, {"all": "normal"}, format="json"))
    assert mine.ownerships.get().file_priorities == ""
    # Bad input: a clear 400, nothing changed.
    for bad in (
        {"files": [{"index": 9, "priority": "skip"}]},
        {"files": [{"id": 999999, "priority": "skip"}]},
        {"files": [{"index": 0, "id": c_id, "priority": "skip"}]},
        {"files": [{"index": 0, "priority": "urgent"}]},
        {"all": "skip", "files": []},
        {},
    ):
        answer = client.post(bulk, bad, format="json")
        assert answer.status_code == 400, (bad, answer.content)
    assert client.patch(_file_url(mine, 0), {"priority": 2}, format="json").status_code == 400
    assert mine.ownerships.get().file_priorities == ""


def test_a_node_that_is_down_keeps_the_choice_and_says_so(node, owner, tmp_path):
    mine = add_torrent(node, [owner], tmp_path, name="mine", files=FILES)
    real_url = node.rpc_url
    node.rpc_url, node.is_up, node.last_error = "scgi:///nonexistent/rpc.sock", False, "refused"
    node.save()
    answer = committed(
        lambda: api(owner).patch(_file_url(mine, 1), {"priority": "skip"}, format="json")
    )
    assert answer.status_code == 202
    assert "saved" in answer.json()["detail"]
    assert "does not answer" in answer.json()["detail"]
    mine.refresh_from_db()
    assert mine.priorities_pending
    assert _levels(mine) == [1, 0, 1]
    # The task was queued for a worker (which would retry while the node is down).
    assert (APPLY_TASK, [mine.pk], {}) in _broker_messages()
    # Back up: the reconcile applies what was left pending.
    node.rpc_url, node.is_up = real_url, True
    node.save()
    assert node_reconcile(node=node)["priorities"] == 1
    assert node_client(node).file_priorities(mine.info_hash) == [1, 0, 1]
    mine.refresh_from_db()
    assert not mine.priorities_pending


# --- downloads -------------------------------------------------------------------------------


def test_a_skipped_file_is_not_offered_to_who_skipped_it(shared, owner, other):
    _set(shared, owner, {0: "skip"})
    url = f"{_file_url(shared, 0)}/download"
    assert api(owner).get(url).status_code == 404
    assert api(other).get(url).status_code == 200  # the co-owner wants it: on disk, theirs
    zipped = api(owner).get(f"/api/torrents/{shared.pk}/download.zip")
    assert zipped.status_code == 200
    names = b"".join(zipped.streaming_content)
    assert b"trio/b.bin" in names
    assert b"trio/a.bin" not in names
    # Once nobody wants it, nobody gets it (what is on disk is at most shared boundary pieces).
    _set(shared, other, {0: "skip"})
    assert api(other).get(url).status_code == 404


def test_the_page_has_a_priority_select_per_file_and_sets_it(client, shared, owner, other):
    client.force_login(owner)
    page = client.get(reverse("torrent-page", args=[shared.pk]))
    html = page.content.decode()
    assert html.count('data-testid="file-priority"') == 3
    assert 'id="skip-all-files"' in html
    assert 'id="select-all-files"' in html
    url = reverse("torrent-file-priorities", args=[shared.pk])
    # htmx: the Files card alone, with the new choice; the skipped file is offered no download
    # (the others, loaded stopped and unchecked, are "not downloaded yet").
    card = committed(
        lambda: client.post(url, {"index": "0", "priority": "skip"}, HTTP_HX_REQUEST="true")
    )
    body = card.content.decode()
    assert card.status_code == 200
    assert body.lstrip().startswith("<section")
    assert "Priorities saved." in body
    assert body.count("not downloaded yet") == 2
    assert body.count('<span class="muted">skipped</span>') == 1
    assert '<option value="skip" selected>' in body
    # Without JS: back to the page, with the outcome; skip all.
    answer = committed(lambda: client.post(url, {"all": "skip"}))
    assert answer.status_code == 302
    assert shared.ownerships.get(user=owner).file_priorities == "000"
    # Un-skipping past the quota: refused in human sizes, nothing changed.
    User.objects.filter(pk=owner.pk).update(quota_bytes=_used(owner) + 10)
    card = committed(lambda: client.post(url, {"all": "normal"}, HTTP_HX_REQUEST="true"))
    assert "Nothing changed: not enough quota" in card.content.decode()
    assert shared.ownerships.get(user=owner).file_priorities == "000"
    # Someone who does not own it: 404; anonymous: to the login page.
    client.force_login(User.objects.create_user("x.prio@example.com", "pw"))
    assert client.post(url, {"all": "skip"}).status_code == 404
    client.logout()
    assert client.post(url, {"all": "skip"}).status_code == 302


# --- picking at add ------------------------------------------------------------------------


def test_skip_files_at_add_charges_what_is_kept(node, alice, bob, tmp_path):
    metainfo, info_hash, _ = make_torrent(tmp_path, "album", files=FILES)
    answer = post(alice, {"torrents": [upload("a.torrent", metainfo)], "skip_files": "0, 2"})
    assert answer.status_code == 201, answer.content
    torrent = Torrent.objects.get(info_hash=info_hash)
    mine = torrent.ownerships.get(user=alice)
    assert (mine.file_priorities, mine.charged_bytes) == ("010", 2000)
    assert _used(alice) == 2000
    assert _levels(torrent) == [0, 1, 0]
    # A co-owner adding it with every file wants them all: rTorrent fetches all, bob pays all.
    answer = post(bob, {"torrents": [upload("a.torrent", metainfo)]})
    assert answer.status_code == 201, answer.content
    assert torrent.ownerships.get(user=bob).charged_bytes == TOTAL
    assert _levels(torrent) == [1, 1, 1]


def test_skip_files_refusals_are_clear(node, alice, tmp_path):
    metainfo, _, _ = make_torrent(tmp_path, "album", files=FILES)
    bad_index = post(alice, {"torrents": [upload("a.torrent", metainfo)], "skip_files": "3"})
    assert bad_index.status_code == 400
    assert bad_index.json()["rejected"][0]["field"] == "skip_files"
    assert "0 to 2" in bad_index.json()["rejected"][0]["reason"]
    not_numbers = post(alice, {"torrents": [upload("a.torrent", metainfo)], "skip_files": "a"})
    assert not_numbers.status_code == 400
    assert "file indexes" in not_numbers.json()["detail"]
    other, _, _ = make_torrent(tmp_path / "2", "other.bin")
    two = post(
        alice,
        {"torrents": [upload("a.torrent", metainfo), upload("o.torrent", other)], "skip_files": 0},
    )
    assert two.status_code == 400
    assert "exactly one" in two.json()["detail"]
    assert _used(alice) == 0


def test_skip_files_for_a_magnet_held_hash_is_charged_when_the_metadata_arrives(
    node, alice, bob, tmp_path, tracker
):
    metainfo, info_hash, _ = make_torrent(
        tmp_path, "album", files=FILES, trackers=[tracker.announce_url]
    )
    magnet = f"magnet:?xt=urn:btih:{info_hash}&tr={tracker.announce_url}"
    assert post(bob, {"magnets": magnet}).status_code == 201
    answer = post(alice, {"torrents": [upload("a.torrent", metainfo)], "skip_files": "2"})
    assert answer.status_code == 201, answer.content
    torrent = Torrent.objects.get(info_hash=info_hash)
    assert torrent.size_bytes is None  # nobody is charged yet
    assert _used(alice) == 0
    committed(
        lambda: torrent_metadata_resolved(
            torrent=torrent, name="album", size_bytes=TOTAL, files=sorted(FILES.items())
        )
    )
    assert _used(alice) == TOTAL - 3000
    assert _used(bob) == TOTAL
    assert _levels(torrent) == [1, 1, 1]  # bob wants c.bin
