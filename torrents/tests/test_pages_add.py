"""The add page, each way in through its own form, against a real rTorrent: per-item results,
errors next to the field that caused them, nothing typed lost, moderation, limits."""

import re

import pytest
from django.test import TestCase

from torrents.models import Torrent, TorrentStatus
from torrents.services.nodes import node_client
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import push_queued, upload, wait_until
from torrents.tests.pages_support import client_for


def submit(user, data: dict):
    """POST the add page's form as a browser would; the pushes go to the real broker."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client_for(user).post("/torrents/add/", data)


def form_of(html: str, form_id: str) -> str:
    return html.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]


def outcomes(html: str) -> list[tuple[str, str]]:
    return re.findall(
        r'data-outcome="(\w+)">\s*<span[^>]*>[^<]*</span>\s*(?:<a [^>]*>|<strong>)([^<]+)', html
    )


def test_the_page_has_four_forms_with_csrf_and_labels(alice, client):
    html = client_for(alice).get("/torrents/add/").content.decode()
    for form in ("form-torrents", "form-magnets", "form-with-data", "form-data"):
        body = form_of(html, form)
        assert 'name="csrfmiddlewaretoken"' in body
        tag = re.search(rf'<form [^>]*id="{form}"[^>]*>', html).group(0)
        assert 'method="post"' in tag
        assert ('enctype="multipart/form-data"' in tag) is (form != "form-magnets")
        # htmx posts it, to follow the upload; the way is in the URL for a refusal before the
        # body is read.
        assert f'hx-post="/torrents/add/?way={form.removeprefix("form-")}"' in tag
    for field in (
        "id_torrents",
        "id_magnets",
        "id_with_torrent",
        "id_with_files",
        "id_data_files",
        "id_data_name",
        "id_data_trackers",
    ):
        assert f'<label for="{field}"' in html
    anonymous = client.get("/torrents/add/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_torrent_files_are_added_and_a_bad_one_refused_next_to_its_field(node, alice, tmp_path):
    one, hash_one, _ = make_torrent(tmp_path / "a", "one.bin", 40_000)
    two, hash_two, _ = make_torrent(tmp_path / "b", "album", files={"x/1.bin": 30_000, "2": 9})
    response = submit(
        alice,
        {
            "way": "torrents",
            "torrents": [
                upload("one.torrent", one),
                upload("two.torrent", two),
                upload("junk.torrent", b"<html>"),
            ],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert outcomes(html) == [("added", "one.bin"), ("added", "album"), ("refused", "junk.torrent")]
    errors = form_of(html, "form-torrents")
    assert "junk.torrent: not a torrent file" in errors
    assert push_queued() == ["loaded", "loaded"]
    assert set(node_client(node).hashes()) == {hash_one, hash_two}
    # Each added item links to its page.
    album = Torrent.objects.get(info_hash=hash_two)
    assert f'href="/torrents/{album.pk}/"' in html


def test_magnets_and_what_was_typed_stays_when_one_is_refused(node, alice, tracker):
    good = f"magnet:?xt=urn:btih:{'ab' * 20}&dn=Good+One&tr={tracker.announce_url}"
    response = submit(alice, {"way": "magnets", "magnets": f"{good}\nnot-a-magnet"})
    assert response.status_code == 200
    html = response.content.decode()
    assert outcomes(html)[0] == ("added", "Good One")
    assert outcomes(html)[1][0] == "refused"
    form = form_of(html, "form-magnets")
    assert "not a usable magnet link" in form
    assert "not-a-magnet</textarea>" in form  # nothing typed is lost
    assert push_queued() == ["magnet loaded"]


def test_a_torrent_with_its_data_seeds_at_once(node, alice, tmp_path):
    files = {"cd1/a.bin": 70_000, "notes.txt": 300}
    data, info_hash, path = make_torrent(tmp_path, "album", files=files)
    response = submit(
        alice,
        {
            "way": "with-data",
            "torrent": upload("album.torrent", data),
            "files": [upload(p.rsplit("/", 1)[-1], (path / p).read_bytes()) for p in files],
            "paths": [f"album/{p}" for p in files],  # as a chosen folder gives them
        },
    )
    assert response.status_code == 200, response.content.decode()[-2000:]
    assert outcomes(response.content.decode()) == [("added", "album")]
    assert push_queued() == ["loaded with data"]
    torrent = Torrent.objects.get(info_hash=info_hash)
    wait_until(
        lambda: node_client(node).call("d.complete", info_hash.upper()) == 1, what="complete"
    )
    assert torrent.files.count() == 2


def test_a_torrent_with_wrong_data_is_refused_next_to_the_files(node, alice, tmp_path):
    data, _, _ = make_torrent(tmp_path, "folder", files={"one.bin": 100, "two.bin": 10})
    response = submit(
        alice,
        {
            "way": "with-data",
            "torrent": upload("t.torrent", data),
            "files": [upload("one.bin", b"short")],
        },
    )
    assert response.status_code == 400
    assert "is 5 bytes but the torrent" in form_of(response.content.decode(), "form-with-data")
    assert not Torrent.objects.exists()


def test_data_only_makes_a_seeding_torrent(node, alice, tracker):
    response = submit(
        alice,
        {
            "way": "data",
            "files": [upload("a.txt", b"a" * 50_000), upload("b.bin", b"b" * 3000)],
            "paths": ["docs/a.txt", "docs/sub/b.bin"],
            "trackers": tracker.announce_url,
            "private": "true",
        },
    )
    assert response.status_code == 200
    assert outcomes(response.content.decode()) == [("added", "docs")]
    torrent = Torrent.objects.get()
    assert torrent.private
    push_queued()
    wait_until(
        lambda: node_client(node).call("d.complete", torrent.info_hash.upper()) == 1, what="seeding"
    )


def test_data_only_errors_sit_next_to_name_and_trackers(node, alice, settings):
    settings.SEEDBOX_DEFAULT_TRACKERS = []
    response = submit(
        alice,
        {
            "way": "data",
            "files": [upload("a", b"1"), upload("b", b"2")],
            "trackers": "http://t/a",
            "comment": "keep me",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    name_errors = html.split('id="err-data-name"', 1)[1].split("</ul>", 1)[0]
    assert "several files need a &#x27;name&#x27;" in name_errors
    assert 'value="keep me"' in html  # what was typed comes back
    response = submit(alice, {"way": "data", "files": [upload("song.ogg", b"o" * 50)]})
    tracker_errors = (
        response.content.decode().split('id="err-data-trackers"', 1)[1].split("</ul>", 1)[0]
    )
    assert "no tracker" in tracker_errors


def test_nothing_sent_or_too_much(node, alice, settings):
    response = submit(alice, {"way": "torrents"})
    assert response.status_code == 400
    assert "nothing to add" in form_of(response.content.decode(), "form-torrents")
    settings.SEEDBOX_UPLOAD_MAX_SIZE = 1000
    response = submit(
        alice, {"way": "data", "files": [upload("big.bin", b"x" * 5000)], "trackers": "http://t/a"}
    )
    assert response.status_code == 413  # refused from the declared size: the form is unknown
    assert "at most 1000 bytes are accepted" in response.content.decode()
    assert submit(alice, {"way": "nonsense"}).status_code == 400


def test_with_moderation_the_result_says_waiting_for_approval(node, alice, settings, tmp_path):
    settings.SEEDBOX_REQUIRE_APPROVAL = True
    data, _, _ = make_torrent(tmp_path, "one.bin", 1000)
    html = submit(
        alice, {"way": "torrents", "torrents": [upload("one.torrent", data)]}
    ).content.decode()
    assert outcomes(html) == [("pending", "one.bin")]
    assert "waiting for approval" in html
    assert Torrent.objects.get().status == TorrentStatus.PENDING_APPROVAL
    assert push_queued() == []


@pytest.mark.parametrize("way", ["torrents", "magnets"])
def test_add_needs_csrf(alice, way):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/torrents/add/", {"way": way, "magnets": "x"}).status_code == 403
