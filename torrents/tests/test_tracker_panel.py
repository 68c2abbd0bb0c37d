"""Why is it stuck: rTorrent's message on the row and the page, the live tracker panel (page
fragment and `GET /api/torrents/<id>/trackers`) and reannounce, against a real rTorrent and a
real tracker (opentracker), with the personas owner / another user / admin / anonymous."""

import time

import pytest

from torrents.models import Ownership, Torrent, TorrentStatus
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
from torrents.tests.helpers_sync import add_torrent, api, seed_announced, wait_until
from torrents.tests.pages_support import client_for, make_rows

REFUSED = "Requested download is not authorized for use with this tracker"


def _successes(node, torrent) -> int:
    rows, _ = node_client(node).tracker_states(torrent.info_hash)
    return sum(row["success_counter"] for row in rows)


@pytest.fixture
def refused(node, owner, tracker, tmp_path) -> Torrent:
    """A torrent the tracker refuses (its hash is not whitelisted), synced: what the issue saw,
    "downloading 0 %, 0 peers" with rTorrent's message only in the database."""
    torrent = add_torrent(
        node, [owner], tmp_path, name="refused.bin", trackers=[tracker.announce_url], start=True
    )
    h = torrent.info_hash.upper()
    wait_until(lambda: REFUSED in node_client(node).call("d.message", h), what="the refusal")
    node_sync(node=node)
    torrent.refresh_from_db()
    assert torrent.status == TorrentStatus.DOWNLOADING
    return torrent


def test_the_refusal_shows_on_the_row_the_page_and_the_panel_for_the_owner(refused, owner):
    client = client_for(owner)
    row = client.get("/").content.decode().split(f'id="t-{refused.pk}"', 1)[1].split("</tr>")[0]
    assert 'data-testid="rtorrent-message"' in row
    assert REFUSED in row
    page = client.get(f"/torrents/{refused.pk}/").content.decode()
    assert REFUSED in page.split('id="rtorrent-message"', 1)[1].split("</p>", 1)[0]
    # The page does not wait on the trackers: their panel comes from its own URL.
    assert f'hx-get="/torrents/{refused.pk}/trackers/"' in page
    panel = client.get(f"/torrents/{refused.pk}/trackers/").content.decode()
    assert 'data-testid="tracker-result">failed<' in panel
    assert REFUSED in panel.split('id="trackers-message"', 1)[1]
    row = api(owner).get("/api/torrents").json()["results"][0]
    assert REFUSED in row["rtorrent_message"]
    assert row["stalled"] is False  # not for SEEDBOX_STALLED_AFTER yet


def test_trackers_api_personas(refused, owner, other, admin, tracker, client):
    url = f"/api/torrents/{refused.pk}/trackers"
    mine = api(owner).get(url)
    assert mine.status_code == 200
    (state,) = mine.json()["trackers"]
    assert state["url"] == tracker.announce_url  # the owner's own URL, in full
    assert state["full_url"] is True
    assert state["last_result"] == "failed"
    assert state["failures"] >= 1
    assert state["last_failure_at"] is not None
    assert REFUSED in mine.json()["message"]
    assert api(admin).get(url).status_code == 200
    assert api(other).get(url).status_code == 404
    assert api(None).get(url).status_code == 401
    assert client_for(other).get(f"/torrents/{refused.pk}/trackers/").status_code == 404
    assert client_for(admin).get(f"/torrents/{refused.pk}/trackers/").status_code == 200
    anonymous = client.get(f"/torrents/{refused.pk}/trackers/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_reannounce_reaches_the_tracker_from_the_api_the_page_and_in_bulk(
    node, owner, other, admin, tracker, tmp_path, settings
):
    """A seeder that announced once is next due in about 30 minutes: every further answer the
    tracker gives is one of ours."""
    settings.SEEDBOX_REANNOUNCE_GAP = 1
    seed = seed_announced(node, [owner], tmp_path, tracker=tracker, name="re.bin", size=32 * 1024)
    node_sync(node=node)
    before = _successes(node, seed)
    url = f"/api/torrents/{seed.pk}/reannounce"
    assert api(other).post(url).status_code == 404
    assert api(None).post(url).status_code == 401
    answer = api(owner).post(url)
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {"id": seed.pk, "status": "seeding"}
    wait_until(lambda: _successes(node, seed) > before, what="the tracker's second answer")
    # Asked again at once: refused, rTorrent is not pushed towards its 10-in-10-s abort.
    again = api(owner).post(url)
    assert again.status_code == 409
    assert "announced less than" in again.json()["detail"]
    panel = api(owner).get(f"/api/torrents/{seed.pk}/trackers").json()["trackers"][0]
    assert panel["last_result"] == "ok"
    assert panel["successes"] >= 2
    assert panel["next_announce_at"] is not None

    time.sleep(1.1)
    before = _successes(node, seed)
    page = client_for(owner).post(
        f"/torrents/{seed.pk}/action/", {"action": "reannounce"}, follow=True
    )
    assert "Announced re.bin" in page.content.decode()
    wait_until(lambda: _successes(node, seed) > before, what="the page's reannounce")

    time.sleep(1.1)
    before = _successes(node, seed)
    bulk = client_for(admin).post(
        "/torrents/bulk/", {"action": "reannounce", "ids": [seed.pk]}, follow=True
    )
    assert "Announced re.bin" in bulk.content.decode()
    wait_until(lambda: _successes(node, seed) > before, what="the bulk reannounce")


def test_a_stopped_torrent_is_not_reannounced(node, owner, tmp_path):
    torrent = add_torrent(node, [owner], tmp_path, name="stopped.bin")
    answer = api(owner).post(f"/api/torrents/{torrent.pk}/reannounce")
    assert answer.status_code == 409
    assert "resume it first" in answer.json()["detail"]


def test_a_node_that_does_not_answer_is_said_in_the_panel_and_the_api(owner, settings):
    settings.SEEDBOX_RTORRENT_QUICK_TIMEOUT = 0.5
    (torrent,) = make_rows([owner], 1, status=TorrentStatus.SEEDING)
    panel = client_for(owner).get(f"/torrents/{torrent.pk}/trackers/")
    assert panel.status_code == 200
    assert "rTorrent did not answer" in panel.content.decode()
    assert 'id="trackers-unavailable"' in panel.content.decode()
    for path in ("trackers", "reannounce"):
        method = api(owner).get if path == "trackers" else api(owner).post
        answer = method(f"/api/torrents/{torrent.pk}/{path}")
        assert answer.status_code == 503, answer.json()
        assert "rTorrent did not" in answer.json()["detail"]
    (queued,) = make_rows([owner], 1, status=TorrentStatus.QUEUED)
    assert api(owner).get(f"/api/torrents/{queued.pk}/trackers").status_code == 409
    assert (
        "not in rTorrent"
        in client_for(owner).get(f"/torrents/{queued.pk}/trackers/").content.decode()
    )


ALICE_URL = "http://127.0.0.1:9/ALICE-PASSKEY-0123/announce"
BOB_URL = "http://127.0.0.1:7/announce?passkey=BOBPASSKEY99"


def test_a_co_owner_never_reads_anothers_passkey(node, owner, other, admin, tmp_path):
    """A shared public torrent announces to both owners' URLs: each reads their own in full and
    the other's origin only, in the panel, the API and rTorrent's message."""
    torrent = add_torrent(
        node, [owner, other], tmp_path, name="shared.bin", trackers=[ALICE_URL], start=True
    )
    node_client(node).tracker_insert(torrent.info_hash, BOB_URL)
    Ownership.objects.filter(torrent=torrent, user=owner).update(trackers=[ALICE_URL])
    Ownership.objects.filter(torrent=torrent, user=other).update(trackers=[BOB_URL])
    echoed = 'Tracker: [Failure reason "passkey BOBPASSKEY99 is unknown"]'
    Torrent.objects.filter(pk=torrent.pk).update(rtorrent_message=echoed)

    def seen(user) -> str:
        return "\n".join(
            [
                client_for(user).get(f"/torrents/{torrent.pk}/trackers/").content.decode(),
                client_for(user).get(f"/torrents/{torrent.pk}/").content.decode(),
                client_for(user).get("/").content.decode(),
                api(user).get(f"/api/torrents/{torrent.pk}/trackers").content.decode(),
                api(user).get("/api/torrents").content.decode(),
                api(user).get(f"/api/torrents/{torrent.pk}").content.decode(),
            ]
        )

    alice = seen(owner)
    assert "ALICE-PASSKEY-0123" in alice
    assert "BOBPASSKEY99" not in alice
    assert "http://127.0.0.1:7<" in alice  # Bob's tracker by its origin only
    assert "passkey … is unknown" in alice
    bob = seen(other)
    assert "BOBPASSKEY99" in bob
    assert "ALICE-PASSKEY-0123" not in bob
    assert "http://127.0.0.1:9<" in bob
    boss = seen(admin)
    assert "ALICE-PASSKEY-0123" in boss
    assert "BOBPASSKEY99" in boss
