"""Hostile input at intake: names that would break a header, requests that fail half-way."""

from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import TestCase

from torrents.models import Node, Ownership, Torrent
from torrents.services import uploads
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import api, post, upload

EVIL_DN = "Evil\r\nSet-Cookie: sessionid=x\x00\x1b[31m"


@pytest.fixture
def node_row(db, tmp_path) -> Node:
    root = tmp_path / "node-data"
    root.mkdir()
    return Node.objects.create(name="n", rpc_url="scgi:///nowhere.sock", data_root=str(root))


def files_under(path) -> list:
    return sorted(p for p in Path(path).rglob("*") if p.is_file())


def test_control_characters_in_a_magnets_dn_never_reach_the_torrent_download(
    node_row, alice, bob, tmp_path
):
    data, info_hash, _ = make_torrent(tmp_path, "real.bin", 1000)
    magnet = (
        f"magnet:?xt=urn:btih:{info_hash}&dn={quote(EVIL_DN)}&tr=http://127.0.0.1:6969/announce"
    )
    added = post(alice, {"magnets": [magnet]})
    assert added.status_code == 201, added.data
    torrent = Torrent.objects.get(info_hash=info_hash)
    assert torrent.name == "Evil Set-Cookie: sessionid=x [31m"  # cleaned at intake
    # Bob's .torrent gives the magnet its metainfo; alice, the adder, downloads it.
    assert post(bob, {"torrents": [upload("real.torrent", data)]}).status_code == 201
    response = api(alice).get(f"/api/torrents/{torrent.pk}/torrent")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="Evil Set-Cookie: sessionid=x [31m.torrent"'
    )


def test_a_stored_name_with_cr_lf_is_percent_encoded_in_the_header(node_row, alice, tmp_path):
    data, info_hash, _ = make_torrent(tmp_path, "real.bin", 1000)
    name = EVIL_DN.replace("\x00", "")  # Postgres cannot store a NUL in text
    torrent = Torrent.objects.create(
        info_hash=info_hash, name=name, node=node_row, added_by=alice, metainfo=data
    )
    Ownership.objects.create(torrent=torrent, user=alice)
    response = api(alice).get(f"/api/torrents/{torrent.pk}/torrent")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Evil%0D%0ASet-Cookie%3A%20sessionid%3Dx%1B%5B31m.torrent"
    )
    assert response.content == data


def test_an_upload_path_component_over_255_bytes_is_refused_and_the_rest_stands(
    node_row, alice, tmp_path, settings
):
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    data, info_hash, _ = make_torrent(tmp_path / "t", "good.bin", 1000)
    long = "é" * 128 + ".bin"  # 260 bytes in UTF-8: more than a file name may be
    response = post(
        alice,
        {
            "torrents": [upload("good.torrent", data)],
            "files": [upload("x.bin", b"x" * 100)],
            "paths": [f"album/{long}"],
            "trackers": "http://127.0.0.1:6969/announce",
        },
    )
    assert response.status_code == 201
    assert [t["info_hash"] for t in response.data["added"]] == [info_hash]
    [rejected] = response.data["rejected"]
    assert rejected["field"] == "files"
    assert "is 260 bytes long in UTF-8" in rejected["reason"]
    assert "at most 255 bytes" in rejected["reason"]
    assert list(Torrent.objects.values_list("info_hash", flat=True)) == [info_hash]


def test_a_request_that_fails_half_way_leaves_nothing_behind(
    node_row, alice, tmp_path, settings, monkeypatch
):
    """An unexpected error in a later item: the client gets an error, so nothing of the earlier
    items may stay (rows, quota, files moved into place, pushes)."""
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "incoming"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    first, _, _ = make_torrent(tmp_path / "a", "first.bin", 1000)
    with_data, _, path = make_torrent(tmp_path / "b", "second.bin", 5000)
    stored = uploads._store

    def store_then_fail(upload, target):
        stored(upload, target)  # the data is in place in the torrent's directory...
        raise RuntimeError("the disk went away")  # ...and then something nobody expected

    monkeypatch.setattr(uploads, "_store", store_then_fail)
    client = api(alice)
    client.raise_request_exception = False
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        response = client.post(
            "/api/torrents/",
            {
                "torrents": [upload("first.torrent", first)],
                "torrent": upload("second.torrent", with_data),
                "files": [upload("second.bin", path.read_bytes())],
            },
            format="multipart",
        )
    assert response.status_code == 500
    assert not Torrent.objects.exists()
    alice.refresh_from_db()
    assert alice.used_bytes == 0
    assert files_under(node_row.data_root) == []
    assert callbacks == []  # no push was scheduled


def test_an_item_refused_after_its_first_file_was_stored_leaves_no_file(
    node_row, alice, tmp_path, settings, monkeypatch
):
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "incoming"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    first, first_hash, _ = make_torrent(tmp_path / "a", "first.bin", 1000)
    album, _, root = make_torrent(tmp_path / "b", "album", files={"1.bin": 3000, "2.bin": 4000})
    inside = uploads._inside
    calls = []

    def refuse_the_second(directory, relative):
        calls.append(relative)
        if len(calls) == 2:  # the first file is in place by now
            raise uploads.IntakeError("refused half-way", field="files")
        return inside(directory, relative)

    monkeypatch.setattr(uploads, "_inside", refuse_the_second)
    response = post(
        alice,
        {
            "torrents": [upload("first.torrent", first)],
            "torrent": upload("album.torrent", album),
            "files": [upload(n, (root / n).read_bytes()) for n in ("1.bin", "2.bin")],
        },
    )
    assert response.status_code == 201
    assert [t["info_hash"] for t in response.data["added"]] == [first_hash]
    assert response.data["rejected"][0]["reason"] == "refused half-way"
    assert files_under(node_row.data_root) == []  # the album's first file was taken back
    alice.refresh_from_db()
    assert alice.used_bytes == 1000
