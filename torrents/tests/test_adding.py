"""Adding, before and around the upload: the check without data (the same verdicts as the
intake's), the preview of a .torrent, a .torrent by URL fetched by the worker path into a real
rTorrent, and "start paused" reaching rTorrent stopped."""

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from seedbox.tests.fetch_servers import http_server
from torrents.models import Torrent, TorrentFetch, TorrentStatus, TrackerRule
from torrents.services.nodes import node_client
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import (
    GiB,
    api,
    fetch_and_push_queued,
    post,
    push_queued,
    upload,
)
from torrents.tests.pages_support import client_for

TRACKER = "http://tracker.example.org/announce"
MAGNET = "magnet:?xt=urn:btih:" + "ab" * 20 + "&dn=some&tr=" + TRACKER


def check(user, body: dict):
    return api(user).post("/api/torrents/check", body, format="json")


def rt_state(torrent: Torrent) -> tuple[int, int]:
    client = node_client(torrent.node)
    h = torrent.info_hash.upper()
    return client.call("d.state", h), client.call("d.is_active", h)


def test_the_check_refuses_bad_labels_as_the_intake_does(alice):
    folder = [{"path": "album/a.flac", "size": 1}, {"path": "album/b.flac", "size": 1}]
    eleven = ",".join(f"l{n}" for n in range(11))  # a torrent carries at most 10
    answer = check(alice, {"files": folder, "trackers": [TRACKER], "labels": eleven})
    assert answer.status_code == 200, answer.data
    assert answer.data["ok"] is False
    assert answer.data["detail"].startswith("labels: ")
    sent = post(
        alice,
        {
            "files": [upload("album/a.flac", b"a"), upload("album/b.flac", b"b")],
            "paths": ["album/a.flac", "album/b.flac"],
            "trackers": [TRACKER],
            "labels": eleven,
        },
    )
    assert sent.status_code == 400
    assert sent.data["detail"] == answer.data["detail"]
    ok = check(alice, {"files": folder, "trackers": [TRACKER], "labels": "linux, later"})
    assert ok.data["ok"] is True


def test_the_check_refuses_what_the_intake_would_before_any_data(alice, settings):
    settings.SEEDBOX_MAX_TORRENTS_PER_REQUEST = 3
    files = [{"path": "a.flac", "size": 10_000_000}, {"path": "b.flac", "size": 19_000_000}]
    answer = check(alice, {"files": files, "trackers": [TRACKER], "skip_files": [1]})
    assert answer.status_code == 200, answer.data
    assert answer.data["ok"] is False
    [verdict] = answer.data["verdicts"]
    assert verdict == {
        "name": "a.flac",
        "ok": False,
        "reason": "several files need a 'name' for the torrent's folder",
        "field": "name",
    }
    # The intake itself says the same, through the same function.
    sent = post(
        alice,
        {
            "files": [upload("a.flac", b"a"), upload("b.flac", b"b")],
            "trackers": [TRACKER],
        },
    )
    assert sent.data["rejected"][0]["reason"] == verdict["reason"]
    # A folder gives the name; then the quota against the sizes the browser knows.
    folder = [{"path": "album/a.flac", "size": 1}, {"path": "album/b.flac", "size": 1}]
    assert check(alice, {"files": folder, "trackers": [TRACKER]}).data["ok"] is True
    huge = [{"path": "album/a.flac", "size": 2 * GiB}]
    [over] = check(alice, {"files": huge, "trackers": [TRACKER]}).data["verdicts"]
    assert over["ok"] is False
    assert "free quota" in over["reason"]
    assert over["field"] == "files"
    # Trackers against the tracker rules and the safety check.
    TrackerRule.objects.create(pattern="example.org", action=TrackerRule.Action.DENY)
    [denied] = check(alice, {"files": folder, "trackers": [TRACKER]}).data["verdicts"]
    assert "rule: deny example.org" in denied["reason"]
    assert denied["field"] == "trackers"
    settings.SEEDBOX_ALLOW_PRIVATE_TRACKERS = False
    lan_magnet = "magnet:?xt=urn:btih:" + "cd" * 20 + "&tr=http://127.0.0.1/a"
    [private] = check(alice, {"magnets": [lan_magnet]}).data["verdicts"]
    assert not private["ok"]
    assert "loopback, private" in private["reason"]
    # Count, .torrent sizes, URLs.
    too_many = check(alice, {"magnets": [MAGNET] * 4})
    assert too_many.data["ok"] is False
    assert too_many.data["detail"] == "4 torrents in one request; at most 3 allowed"
    settings.SEEDBOX_METAINFO_MAX_SIZE = 1000
    body = {
        "torrents": [{"path": "big.torrent", "size": 1001}],
        "url": ["ftp://example.org/x.torrent", "http://127.0.0.1/x.torrent"],
    }
    verdicts = check(alice, body).data["verdicts"]
    assert [v["ok"] for v in verdicts] == [False, False, False]
    assert "at most 1000 bytes allowed" in verdicts[0]["reason"]
    assert "only http:// and https://" in verdicts[1]["reason"]
    assert "loopback, private" in verdicts[2]["reason"]
    # Bad shapes are a clear 400, never a 500.
    assert check(alice, {"files": [{"path": "x"}]}).status_code == 400
    assert check(alice, {"files": "nope"}).status_code == 400


def test_the_check_needs_a_user_and_csrf_with_a_session(alice):
    assert APIClient().post("/api/torrents/check", {}, format="json").status_code == 401
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(alice)
    answer = browser.post("/api/torrents/check", {"magnets": [MAGNET]}, format="json")
    assert answer.status_code == 403
    assert "CSRF" in answer.data["detail"]


def test_preview_lists_the_files_and_the_verdicts(alice, tmp_path):
    data, info_hash, _ = make_torrent(
        tmp_path, "album", files={"cd1/01.flac": 3000, "cd1/02.flac": 2000, "cover.jpg": 10},
        trackers=[TRACKER],
    )  # fmt: skip
    answer = api(alice).post(
        "/api/torrents/preview", {"torrent": upload("album.torrent", data)}, format="multipart"
    )
    assert answer.status_code == 200, answer.data
    assert answer.data["name"] == "album"
    assert answer.data["info_hash"] == info_hash
    assert answer.data["size_bytes"] == 5010
    assert [(f["index"], f["path"]) for f in answer.data["files"]] == [
        (0, "cd1/01.flac"),
        (1, "cd1/02.flac"),
        (2, "cover.jpg"),
    ]
    assert answer.data["ok"]
    assert answer.data["trackers"]["ok"]
    assert answer.data["quota"]["ok"]
    assert not Torrent.objects.exists()  # nothing added
    alice.quota_bytes = 5000
    alice.save()
    TrackerRule.objects.create(pattern="example.org", action=TrackerRule.Action.DENY)
    answer = api(alice).post(
        "/api/torrents/preview", {"torrent": upload("album.torrent", data)}, format="multipart"
    )
    assert answer.data["ok"] is False
    assert "rule: deny example.org" in answer.data["trackers"]["reason"]
    assert "needs 4.9 KB (5,010 bytes)" in answer.data["quota"]["reason"]
    junk = api(alice).post(
        "/api/torrents/preview", {"torrent": upload("x.torrent", b"<html>")}, format="multipart"
    )
    assert junk.status_code == 400
    assert "not a torrent file" in junk.data["detail"]


@pytest.fixture
def private_urls(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True  # the test's server is on loopback


def test_a_torrent_by_url_is_fetched_by_the_worker_and_added_paused(
    node, alice, bob, boss, tmp_path, private_urls
):
    data, info_hash, _ = make_torrent(tmp_path, "by-url.bin", 40_000, trackers=[TRACKER])
    with http_server(payload=data) as server:
        answer = post(
            alice, {"url": [f"{server.url}/file"], "paused": "true", "labels": "linux, later"}
        )
        assert answer.status_code == 201, answer.data
        assert answer.data["added"] == []
        [fetch] = answer.data["fetches"]
        assert fetch["state"] == "fetching"
        assert fetch["torrent"] is None
        fetched, pushed = fetch_and_push_queued()
    assert fetched == ["added"]
    assert pushed == ["loaded"]
    row = TorrentFetch.objects.get(pk=fetch["id"])
    assert row.state == TorrentFetch.State.ADDED
    assert row.error == ""
    torrent = Torrent.objects.get(info_hash=info_hash)
    assert row.torrent == torrent
    assert torrent.start_paused
    assert rt_state(torrent) == (0, 0)  # loaded, not started
    # The labels asked for at add reach the torrent the fetch became.
    assert api(alice).get(f"/api/torrents/{torrent.pk}").data["labels"] == ["later", "linux"]
    seen = api(alice).get(f"/api/torrents/fetches/{row.pk}")
    assert seen.status_code == 200
    assert seen.data["torrent"] == torrent.pk
    assert api(bob).get(f"/api/torrents/fetches/{row.pk}").status_code == 404
    assert api(boss).get(f"/api/torrents/fetches/{row.pk}").status_code == 200  # an admin
    assert api(None).get(f"/api/torrents/fetches/{row.pk}").status_code == 401


def test_a_failed_fetch_says_what_failed(node, alice, tmp_path, private_urls, settings):
    with http_server() as server:
        answer = post(alice, {"url": [f"{server.url}/missing.torrent", f"{server.url}/file"]})
        assert answer.status_code == 201
        fetched, pushed = fetch_and_push_queued()
    assert fetched == ["failed", "failed"]
    assert pushed == []
    errors = dict(TorrentFetch.objects.values_list("url", "error"))
    assert "answered HTTP 404" in errors[f"{server.url}/missing.torrent"]
    assert "the fetched file was refused: not a torrent file" in errors[f"{server.url}/file"]
    assert not Torrent.objects.exists()
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = False
    refused = post(alice, {"url": [f"{server.url}/file"]})
    assert refused.status_code == 400
    assert "loopback, private" in refused.data["rejected"][0]["reason"]


def test_start_paused_reaches_rtorrent_stopped_and_resumes(node, alice, tmp_path):
    paused_data, paused_hash, _ = make_torrent(tmp_path / "p", "p.bin", 20_000, trackers=[TRACKER])
    running_data, running_hash, _ = make_torrent(
        tmp_path / "r", "r.bin", 20_000, trackers=[TRACKER]
    )
    sent = post(alice, {"torrents": [upload("p.torrent", paused_data)], "paused": "true"})
    assert sent.status_code == 201
    assert post(alice, {"torrents": [upload("r.torrent", running_data)]}).status_code == 201
    assert push_queued() == ["loaded", "loaded"]
    paused = Torrent.objects.get(info_hash=paused_hash)
    running = Torrent.objects.get(info_hash=running_hash)
    assert rt_state(paused) == (0, 0)
    assert rt_state(running)[0] == 1
    resumed = api(alice).post(f"/api/torrents/{paused.pk}/resume")
    assert resumed.status_code == 200, resumed.data
    assert rt_state(paused)[0] == 1


def test_a_magnet_without_metadata_reads_fetching_metadata():
    magnet = Torrent(status=TorrentStatus.CHECKING, size_bytes=None)
    assert magnet.status_label == "fetching metadata"
    assert Torrent(status=TorrentStatus.CHECKING, size_bytes=10).status_label == "checking"
    assert Torrent(status=TorrentStatus.ERROR, size_bytes=None).status_label == "error"


def test_the_page_without_script_takes_urls_and_paused_and_keeps_only_refused_magnets(
    node, alice, tmp_path, private_urls
):
    data, info_hash, _ = make_torrent(tmp_path, "page-url.bin", 30_000, trackers=[TRACKER])
    bad = "magnet:?xt=urn:btih:nothex"
    with http_server(payload=data) as server:
        text = f"{MAGNET}\n{server.url}/file\n{bad}"
        with TestCase.captureOnCommitCallbacks(execute=True):
            page = client_for(alice).post(
                "/torrents/add/", {"way": "magnets", "magnets": text, "paused": "true"}
            )
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-outcome="fetching"' in html
        # The magnet that went in and the URL leave the box; the refused one stays.
        box = html.split('id="id_magnets"', 1)[1].split("</textarea>", 1)[0]
        assert bad in box
        assert MAGNET.replace("&", "&amp;") not in box
        assert server.url not in box
        fetched, pushed = fetch_and_push_queued()
    assert fetched == ["added"]
    assert sorted(pushed) == ["loaded", "magnet loaded"]
    assert Torrent.objects.filter(start_paused=True).count() == 2
    assert rt_state(Torrent.objects.get(info_hash=info_hash)) == (0, 0)
    listed = client_for(alice).get("/torrents/add/").content.decode()
    assert 'data-fetch-state="added"' in listed
    assert 'id="drop"' in listed  # the drop zone, shown by its script
    magnet_row = Torrent.objects.get(info_hash="ab" * 20)
    assert (
        client_for(alice)
        .get(f"/torrents/{magnet_row.pk}/")
        .content.decode()
        .count("fetching metadata")
    )
