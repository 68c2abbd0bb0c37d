"""A private tracker's passkey lives in the announce URL: it must never reach another user.
Private torrents are not shared between accounts; for shared public ones, only the user who
added the torrent (and admins) see announce URLs, the magnet link and the .torrent; what one user
sent is never handed to another as theirs (a co-owner's .torrent, a revival)."""

from django.test import Client

from torrents.metainfo import parse_metainfo
from torrents.models import Torrent
from torrents.services.control import torrent_remove
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import api, post, upload

ALICE_URL = "https://tracker.example.org/ALICE-SECRET-PASSKEY/announce"
BOB_URL = "https://tracker.example.org/BOB-PASSKEY/announce"


def _private_torrent_of(tmp_path, announce: str) -> tuple[bytes, str]:
    import torf

    path = tmp_path / "payload.bin"
    if not path.exists():
        path.write_bytes(b"x" * 50_000)
    torrent = torf.Torrent(path=path, trackers=[announce], private=True, piece_size=16 * 1024)
    torrent.generate()
    return torrent.dump(), torrent.infohash


def test_a_private_torrent_is_not_shared_with_another_account(node, alice, bob, tmp_path):
    alices, info_hash = _private_torrent_of(tmp_path, ALICE_URL)
    bobs, same_hash = _private_torrent_of(tmp_path, BOB_URL)
    assert same_hash == info_hash  # the passkey is outside the info dict

    assert post(alice, {"torrents": upload("a.torrent", alices)}).status_code == 201
    response = post(bob, {"torrents": upload("b.torrent", bobs)})
    magnet = post(bob, {"magnets": f"magnet:?xt=urn:btih:{info_hash}&tr={BOB_URL}"})

    for refused in (response, magnet):
        assert refused.status_code == 400, refused.data
        assert "private" in refused.data["rejected"][0]["reason"]
    torrent = Torrent.objects.get(info_hash=info_hash)
    assert list(torrent.owners.all()) == [alice]
    bob.refresh_from_db()
    assert bob.used_bytes == 0


def test_co_owners_see_tracker_hosts_but_not_the_adders_urls(node, alice, bob, boss, tmp_path):
    metainfo, info_hash, _ = make_torrent(tmp_path, trackers=[ALICE_URL])
    assert post(alice, {"torrents": upload("a.torrent", metainfo)}).status_code == 201
    magnet = f"magnet:?xt=urn:btih:{info_hash}&tr=http://127.0.0.1:6969/announce"
    assert post(bob, {"magnets": magnet}).status_code == 201
    torrent = Torrent.objects.get(info_hash=info_hash)
    url = f"/api/torrents/{torrent.pk}"

    as_bob = api(bob).get(url).data
    # rTorrent announces to both (the torrent is public); Bob reads his own URL only.
    assert as_bob["trackers"] == ["tracker.example.org", "http://127.0.0.1:6969/announce"]
    assert as_bob["magnet_uri"] == ""
    assert as_bob["has_metainfo"] is False
    assert api(bob).get(f"{url}/torrent").status_code == 404
    for adder_or_admin in (alice, boss):
        data = api(adder_or_admin).get(url).data
        assert data["trackers"][0] == ALICE_URL
        assert data["has_metainfo"] is True
        assert api(adder_or_admin).get(f"{url}/torrent").content == metainfo

    page = Client()
    page.force_login(bob)
    html = page.get(f"/torrents/{torrent.pk}/").content.decode()
    assert "ALICE-SECRET-PASSKEY" not in html
    assert "tracker.example.org" in html
    assert 'id="download-torrent-file"' not in html


def _trackers(torrent: Torrent) -> list[str]:
    return parse_metainfo(bytes(torrent.metainfo), max_size=1 << 20, max_files=10).trackers


def test_a_revived_torrent_carries_nothing_of_the_earlier_adder(node, alice, bob, tmp_path):
    metainfo, info_hash, _ = make_torrent(tmp_path, trackers=[ALICE_URL])
    assert post(alice, {"torrents": upload("a.torrent", metainfo)}).status_code == 201
    torrent = Torrent.objects.get()
    torrent_remove(torrent=torrent, by=alice, purge=False)

    magnet = f"magnet:?xt=urn:btih:{info_hash}&tr={BOB_URL}"
    assert post(bob, {"magnets": magnet}).status_code == 201

    torrent.refresh_from_db()
    assert torrent.added_by == bob
    assert torrent.magnet_uri == magnet
    assert _trackers(torrent) == [BOB_URL]  # the files are kept, announcing as Bob
    assert b"ALICE" not in bytes(torrent.metainfo)
    assert api(bob).get(f"/api/torrents/{torrent.pk}/torrent").content == bytes(torrent.metainfo)


def test_a_co_owners_torrent_file_announces_as_the_adders_magnet(node, alice, bob, tmp_path):
    metainfo, info_hash, _ = make_torrent(tmp_path, trackers=[BOB_URL])
    magnet = f"magnet:?xt=urn:btih:{info_hash}&tr={ALICE_URL}"
    assert post(alice, {"magnets": magnet}).status_code == 201
    assert post(bob, {"torrents": upload("b.torrent", metainfo)}).status_code == 201

    torrent = Torrent.objects.get()
    assert torrent.added_by == alice
    assert _trackers(torrent) == [ALICE_URL]
    assert b"BOB" not in bytes(torrent.metainfo)


def test_a_private_torrent_is_refused_without_saying_who_holds_it(node, alice, bob, tmp_path):
    alices, _info_hash = _private_torrent_of(tmp_path, ALICE_URL)
    bobs, _ = _private_torrent_of(tmp_path, BOB_URL)
    assert post(alice, {"torrents": upload("a.torrent", alices)}).status_code == 201
    reason = post(bob, {"torrents": upload("b.torrent", bobs)}).data["rejected"][0]["reason"]
    assert "user" not in reason
    assert "already" not in reason
    assert reason.startswith("this private torrent cannot be added here")
