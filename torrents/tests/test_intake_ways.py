"""The four ways in, each ending in a real rTorrent."""

import hashlib

import pytest
import torf

from torrents.models import Torrent, TorrentStatus
from torrents.services.nodes import node_client
from torrents.services.push import torrent_verify_data
from torrents.storage import torrent_directory
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import api, post, push_queued, upload, wait_until


def rt_field(torrent: Torrent, method: str):
    return node_client(torrent.node).call(method, torrent.info_hash.upper())


def test_torrent_files_end_in_rtorrent_in_their_own_directory(node, alice, tmp_path):
    one, hash_one, _ = make_torrent(tmp_path / "a", "one.bin", 40_000)
    two, hash_two, _ = make_torrent(tmp_path / "b", "album", files={"x/1.bin": 30_000, "2": 9})
    response = post(
        alice,
        {
            "torrents": [
                upload("one.torrent", one),
                upload("two.torrent", two),
                upload("junk.torrent", b"<html>not a torrent</html>"),
            ]
        },
    )
    assert response.status_code == 201, response.data
    assert sorted(t["info_hash"] for t in response.data["added"]) == sorted([hash_one, hash_two])
    assert response.data["rejected"] == [
        {
            "name": "junk.torrent",
            "reason": "not a torrent file (it must be a bencoded dictionary)",
            "field": None,  # about the item itself
        }
    ]
    assert push_queued() == ["loaded", "loaded"]
    client = node_client(node)
    assert set(client.hashes()) == {hash_one, hash_two}
    for torrent in Torrent.objects.all():
        assert torrent.status == TorrentStatus.CHECKING
        assert torrent.push_attempts == 1
        assert rt_field(torrent, "d.directory").startswith(str(torrent_directory(torrent)))
    album = Torrent.objects.get(info_hash=hash_two)
    assert sorted(album.files.values_list("path", flat=True)) == ["2", "x/1.bin"]
    alice.refresh_from_db()
    assert alice.used_bytes == 40_000 + 30_009


def test_nothing_added_is_400_with_the_reasons(node, alice):
    response = post(alice, {"torrents": [upload("junk.torrent", b"d4:spam")]})
    assert response.status_code == 400
    assert response.data["detail"] == "nothing was added"
    assert "is it complete" in response.data["rejected"][0]["reason"]
    assert post(alice, {}).status_code == 400


def test_magnet_appears_and_is_charged_when_its_metadata_arrives(node, alice, tracker):
    from torrents.services.magnets import torrent_metadata_resolved

    info_hash = hashlib.sha1(b"some torrent").hexdigest()
    magnet = f"magnet:?xt=urn:btih:{info_hash}&dn=Some+Name&tr={tracker.announce_url}"
    no_tracker = f"magnet:?xt=urn:btih:{'2' * 40}"
    response = post(alice, {"magnets": f"{magnet}\n{no_tracker}\nnot-a-magnet"})
    assert response.status_code == 201, response.data
    reasons = [r["reason"] for r in response.data["rejected"]]
    assert "it has no tracker" in reasons[0]
    assert "not a usable magnet link" in reasons[1]
    torrent = Torrent.objects.get()
    assert (torrent.name, torrent.size_bytes) == ("Some Name", None)
    assert push_queued() == ["magnet loaded"]
    assert node_client(node).has(info_hash)

    files = [{"path": "a.bin", "size_bytes": 1000}, {"path": "b/c.bin", "size_bytes": 24}]
    assert torrent_metadata_resolved(torrent=torrent, name="Real", size_bytes=1024, files=files)
    assert not torrent_metadata_resolved(torrent=torrent, name="Real", size_bytes=1, files=[])
    torrent.refresh_from_db()
    alice.refresh_from_db()
    assert (torrent.name, torrent.size_bytes, alice.used_bytes) == ("Real", 1024, 1024)
    assert list(torrent.files.values_list("path", flat=True)) == ["a.bin", "b/c.bin"]


def test_magnet_too_big_for_the_quota_is_stopped_with_a_message(node, alice, tracker):
    from torrents.services.magnets import torrent_metadata_resolved

    info_hash = hashlib.sha1(b"big").hexdigest()
    post(alice, {"magnets": f"magnet:?xt=urn:btih:{info_hash}&tr={tracker.announce_url}"})
    push_queued()
    torrent = Torrent.objects.get()
    assert rt_field(torrent, "d.state") == 1
    resolved = torrent_metadata_resolved(
        torrent=torrent, name="huge", size_bytes=2 << 30, files=[("huge.iso", 2 << 30)]
    )
    assert resolved is False
    torrent.refresh_from_db()
    alice.refresh_from_db()
    assert torrent.status == TorrentStatus.ERROR
    assert "do not fit the free quota of any owner" in torrent.status_message
    assert alice.email not in torrent.status_message
    assert alice.used_bytes == 0
    assert rt_field(torrent, "d.state") == 0  # stopped in rTorrent


def test_torrent_with_its_data_is_complete_after_the_hash_check(node, alice, tmp_path):
    files = {"cd1/a.bin": 70_000, "cd2/b.bin": 20_000, "notes.txt": 300}
    data, info_hash, path = make_torrent(tmp_path, "album", files=files)
    response = post(
        alice,
        {
            "torrent": upload("album.torrent", data),
            "files": [upload(p.rsplit("/", 1)[-1], (path / p).read_bytes()) for p in files],
            "paths": [f"album/{p}" for p in files],  # with the torrent's name in front
        },
    )
    assert response.status_code == 201, response.data
    torrent = Torrent.objects.get(info_hash=info_hash)
    for rel in files:
        stored = torrent_directory(torrent) / "album" / rel
        assert stored.read_bytes() == (path / rel).read_bytes()
    assert push_queued() == ["loaded with data"]
    wait_until(lambda: rt_field(torrent, "d.complete") == 1, what="complete after hash check")
    assert wait_until(lambda: torrent_verify_data(torrent_id=torrent.pk) is not None)
    torrent.refresh_from_db()
    assert torrent.status_message == ""


def test_data_that_does_not_match_is_reported_after_the_check(node, alice, tmp_path):
    data, _, _ = make_torrent(tmp_path, "one.bin", 64 * 1024)
    response = post(
        alice, {"torrent": upload("one.torrent", data), "files": [upload("one.bin", b"x" * 65536)]}
    )
    assert response.status_code == 201, response.data
    push_queued()
    torrent = Torrent.objects.get()
    result = wait_until(
        lambda: (r := torrent_verify_data(torrent_id=torrent.pk)) is not None and (r,)
    )
    assert result == (False,)
    torrent.refresh_from_db()
    assert "the uploaded data does not match the torrent: 0 bytes of 64.0 KB" in (
        torrent.status_message
    )


@pytest.mark.parametrize(
    ("fields", "reason", "field"),
    [
        ({"paths": ["../../etc/passwd"]}, "'..' is not allowed", "files"),
        ({"paths": ["/abs/one.bin"]}, "absolute paths are not allowed", "files"),
        ({"paths": ["one.bin", "two"]}, "1 files but 2 paths", "paths"),
        (
            {"files_override": [upload("one.bin", b"short")]},
            "is 5 bytes but the torrent's file",
            "files",
        ),
        (
            {"files_override": [upload("other", b"x" * 10)], "paths": ["a/other"]},
            "not a file",
            "files",
        ),
    ],
)
def test_torrent_with_data_refuses_bad_files(node, alice, tmp_path, fields, reason, field):
    data, _, path = make_torrent(tmp_path, "folder", files={"one.bin": 100, "two.bin": 10})
    files = fields.pop("files_override", [upload("one.bin", (path / "one.bin").read_bytes())])
    response = post(alice, {"torrent": upload("t.torrent", data), "files": files, **fields})
    assert response.status_code == 400
    assert reason in response.data["rejected"][0]["reason"]
    assert response.data["rejected"][0]["field"] == field
    assert not Torrent.objects.exists()


def test_data_only_makes_a_torrent_that_seeds(node, alice, tmp_path, tracker):
    contents = {"docs/a.txt": b"a" * 50_000, "docs/sub/b.bin": bytes(range(256)) * 300}
    response = post(
        alice,
        {
            "files": [upload(p.rsplit("/", 1)[-1], d) for p, d in contents.items()],
            "paths": list(contents),
            "trackers": tracker.announce_url,
            "private": "true",
            "comment": "made here",
        },
    )
    assert response.status_code == 201, response.data
    torrent = Torrent.objects.get()
    assert (torrent.name, torrent.size_bytes, torrent.private) == ("docs", 126_800, True)
    # The same data and piece size through torf gives the same info-hash.
    for rel, blob in contents.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(blob)
    reference = torf.Torrent(
        path=tmp_path / "docs", trackers=[tracker.announce_url], private=True,
        piece_size=torrent.piece_length, comment="made here", created_by="Seedbox",
    )  # fmt: skip
    reference.generate()
    assert torrent.info_hash == reference.infohash
    assert (torrent_directory(torrent) / "docs/sub/b.bin").read_bytes() == contents[
        "docs/sub/b.bin"
    ]
    push_queued()
    wait_until(lambda: rt_field(torrent, "d.complete") == 1, what="seeding")
    metainfo = api(alice).get(f"/api/torrents/{torrent.pk}/torrent")
    assert metainfo.status_code == 200
    assert metainfo["Content-Type"] == "application/x-bittorrent"
    assert b"".join(metainfo.streaming_content if metainfo.streaming else [metainfo.content]) == (
        bytes(torrent.metainfo)
    )


def test_data_only_single_file_uses_the_default_trackers(node, alice, settings):
    settings.SEEDBOX_DEFAULT_TRACKERS = ["http://127.0.0.1:6969/announce"]
    response = post(alice, {"files": [upload("song.ogg", b"o" * 5000)]})
    assert response.status_code == 201, response.data
    torrent = Torrent.objects.get()
    assert torrent.name == "song.ogg"
    assert (torrent_directory(torrent) / "song.ogg").read_bytes() == b"o" * 5000


def test_data_only_without_any_tracker_is_refused_clearly(node, alice, settings):
    settings.SEEDBOX_DEFAULT_TRACKERS = []
    response = post(alice, {"files": [upload("song.ogg", b"o" * 5000)]})
    assert response.status_code == 400
    assert "no tracker" in response.data["rejected"][0]["reason"]
    assert response.data["rejected"][0]["field"] == "trackers"
    response = post(
        alice, {"files": [upload("a", b"1"), upload("b", b"2")], "trackers": "http://t/a"}
    )
    assert "several files need a 'name'" in response.data["rejected"][0]["reason"]
    assert response.data["rejected"][0]["field"] == "name"


def test_request_limits(node, alice, settings, tmp_path):
    settings.SEEDBOX_MAX_TORRENTS_PER_REQUEST = 2
    magnets = "\n".join(f"magnet:?xt=urn:btih:{str(i) * 40}&tr=http://t/a" for i in range(3))
    response = post(alice, {"magnets": magnets})
    assert response.status_code == 400
    assert response.data["detail"] == "3 torrents in one request; at most 2 allowed"
    settings.SEEDBOX_UPLOAD_MAX_SIZE = 1000
    response = post(alice, {"files": [upload("big.bin", b"x" * 5000)], "trackers": "http://t/a"})
    assert response.status_code == 413
    assert "at most 1000 bytes are accepted" in response.data["detail"]
    settings.SEEDBOX_METAINFO_MAX_SIZE = 100
    data, _, _ = make_torrent(tmp_path, "x.bin", 1000)
    response = post(alice, {"torrents": [upload("x.torrent", data)]})
    assert response.status_code == 413  # stopped while it arrived, not read whole
    assert response.data["detail"] == "a .torrent file is larger than 100 bytes, the limit"


def test_anonymous_cannot_add(node):
    assert post(None, {"magnets": "magnet:?xt=urn:btih:" + "1" * 40}).status_code in (401, 403)
