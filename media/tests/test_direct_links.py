"""Direct links used by a real curl (no cookie) against a live server: a file with Range, a
folder's zip, its playlist.m3u with working URLs; dead after revoke, expiry and a password
change; a skipped file and what lies outside the link are 404; counted; rate-limited."""

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from urllib.parse import unquote

import pytest
from django.utils import timezone

from media.models import DirectLink
from media.services.direct_links import direct_link_create
from media.tests import links_support
from media.tests.links_support import file_id, on_disk
from torrents.models import Torrent, TorrentFile
from torrents.services.file_priorities import SKIP

pytestmark = pytest.mark.django_db(transaction=True)
library, media_samples = links_support.library, links_support.media_samples


@pytest.fixture
def site(live_server, settings):
    settings.SEEDBOX_SITE_URL = live_server.url
    return live_server.url


def curl(url: str, *args: str) -> subprocess.CompletedProcess:
    """curl as a download tool runs it: no cookie jar, the status code on the last line."""
    return subprocess.run(
        ["curl", "-sS", "--max-time", "20", *args, "-w", "\n%{http_code}", url],
        capture_output=True,
        check=True,
    )


def fetched(url: str, *args: str) -> tuple[int, bytes]:
    out = curl(url, *args).stdout
    body, _, code = out.rpartition(b"\n")
    return int(code), body


def make(owner, torrent, **kw) -> tuple[DirectLink, str]:
    link, key = direct_link_create(user=owner, torrent_id=torrent.pk, **kw)
    return link, key


def test_a_file_link_works_with_curl_and_no_cookie_with_range(site, library, owner, tmp_path):
    fid = file_id(library, "top.bin")
    link, key = make(owner, library, file_id=fid)
    data = on_disk(library, "top.bin").read_bytes()
    assert fetched(f"{site}/d/{key}/top.bin") == (200, data)
    # The name part is only for clients that name the file from the URL: the key decides.
    assert fetched(f"{site}/d/{key}/anything-else.bin") == (200, data)
    assert fetched(f"{site}/d/{key}/top.bin", "-r", "0-99") == (206, data[:100])
    assert fetched(f"{site}/d/{key}/top.bin", "-r", "100-199") == (206, data[100:200])
    link.refresh_from_db()
    # Two whole bodies and one range from the first byte counted; the later range did not.
    assert link.use_count == 3
    assert link.last_used_at is not None
    assert TorrentFile.objects.get(pk=fid).download_count == 3
    assert Torrent.objects.get(pk=library.pk).download_count == 3
    # curl -O names the file from the URL; a HEAD (rclone's listing) is not a download.
    headers = curl(f"{site}/d/{key}/top.bin", "-I").stdout.decode()
    assert 'filename="top.bin"' in headers
    assert "Content-Length: 70000" in headers
    assert "Set-Cookie" not in headers
    link.refresh_from_db()
    assert link.use_count == 3
    # wget too, with no cookie, naming the file from the URL.
    (tmp_path / "wget").mkdir()
    subprocess.run(["wget", "-q", f"{site}/d/{key}/top.bin"], cwd=tmp_path / "wget", check=True)
    assert (tmp_path / "wget" / "top.bin").read_bytes() == data


def test_a_folder_link_gives_its_zip_and_a_playlist_vlc_opens(site, library, owner):
    _, key = make(owner, library, folder="album")
    code, body = fetched(f"{site}/d/{key}/album.zip")
    assert code == 200
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert sorted(names) == [
        "library/album/notes.txt",
        "library/album/one.mp4",
        "library/album/two.mp3",
    ]
    code, playlist = fetched(f"{site}/d/{key}/playlist.m3u")
    assert code == 200
    lines = playlist.decode().splitlines()
    assert lines[0] == "#EXTM3U"
    urls = [line for line in lines if line.startswith("http")]
    assert len(urls) == 2  # the media files only, not notes.txt
    for url, path in zip(urls, ["album/one.mp4", "album/two.mp3"], strict=True):
        assert url.startswith(f"{site}/d/{key}/f/")
        assert fetched(url) == (200, on_disk(library, path).read_bytes())
    # A file of the torrent outside the folder is not reachable under the key.
    outside = file_id(library, "extras/secret.txt")
    assert fetched(f"{site}/d/{key}/f/{outside}/secret.txt")[0] == 404
    tricked = f"{site}/d/{key}/f/{outside}/../../secret.txt"
    assert fetched(tricked, "--path-as-is")[0] == 404
    # Normalised by curl, that is the folder link's own URL: its zip, not the secret.
    code, body = fetched(tricked)
    assert code == 200
    assert "library/extras/secret.txt" not in zipfile.ZipFile(io.BytesIO(body)).namelist()


def test_a_whole_torrent_link_zips_everything(site, library, owner):
    _, key = make(owner, library)
    code, body = fetched(f"{site}/d/{key}/library.zip")
    assert code == 200
    assert len(zipfile.ZipFile(io.BytesIO(body)).namelist()) == 5
    assert Torrent.objects.get(pk=library.pk).download_count == 1


def test_dead_after_revoke_expiry_and_a_password_change(site, library, owner):
    fid = file_id(library, "top.bin")
    revoked, revoked_key = make(owner, library, file_id=fid)
    expired, expired_key = make(owner, library, file_id=fid)
    _, changed_key = make(owner, library, folder="album")
    for key in (revoked_key, expired_key):
        assert fetched(f"{site}/d/{key}/top.bin", "-r", "0-0")[0] == 206
    assert fetched(f"{site}/d/{changed_key}/playlist.m3u")[0] == 200

    DirectLink.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    DirectLink.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert fetched(f"{site}/d/{revoked_key}/top.bin")[0] == 404
    assert fetched(f"{site}/d/{expired_key}/top.bin")[0] == 404
    assert fetched(f"{site}/d/{changed_key}/playlist.m3u")[0] == 200

    owner.set_password("a new password")
    owner.save()
    assert fetched(f"{site}/d/{changed_key}/playlist.m3u")[0] == 404
    assert fetched(f"{site}/d/{changed_key}/album.zip")[0] == 404
    # A link made after the change works.
    _, fresh = make(owner, library, folder="album")
    assert fetched(f"{site}/d/{fresh}/playlist.m3u")[0] == 200
    # A made-up key, and a key's hash (what the database holds), are not keys.
    assert fetched(f"{site}/d/{'A' * 43}/top.bin")[0] == 404
    assert fetched(f"{site}/d/{revoked.key}/top.bin")[0] == 404


def test_a_file_skipped_later_or_gone_from_disk_is_404(site, library, owner):
    fid = file_id(library, "top.bin")
    _, key = make(owner, library, file_id=fid)
    TorrentFile.objects.filter(pk=fid).update(priority=SKIP)
    assert fetched(f"{site}/d/{key}/top.bin")[0] == 404
    other_fid = file_id(library, "album/notes.txt")
    _, key = make(owner, library, file_id=other_fid)
    on_disk(library, "album/notes.txt").unlink()
    assert fetched(f"{site}/d/{key}/notes.txt")[0] == 404


def test_a_link_dies_when_its_user_no_longer_owns_the_torrent(site, library, owner):
    _, key = make(owner, library, file_id=file_id(library, "top.bin"))
    library.ownerships.filter(user=owner).delete()
    assert fetched(f"{site}/d/{key}/top.bin")[0] == 404


def test_rate_limited_per_link(site, library, owner, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "direct_link": "3/m/key"}
    _, key = make(owner, library, file_id=file_id(library, "album/notes.txt"))
    _, other_key = make(owner, library, file_id=file_id(library, "album/notes.txt"))
    codes = [fetched(f"{site}/d/{key}/notes.txt")[0] for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert fetched(f"{site}/d/{other_key}/notes.txt")[0] == 200  # per link


def test_names_with_spaces_and_accents_and_a_single_file_torrent(
    site, node, owner, tmp_path, media_samples
):
    files = {"Saison 1/Épisode 1.mp3": 1000, "Saison 1/Épisode 2.mp3": 1000}
    show = links_support.add_torrent(
        node, [owner], tmp_path, name="Show", files=files, with_data=True
    )
    for path in files:
        shutil.copy(media_samples["album/two.mp3"], on_disk(show, path))
    _, key = make(owner, show, folder="Saison 1")
    lines = fetched(f"{site}/d/{key}/playlist.m3u")[1].decode().splitlines()
    assert lines[1] == "#EXTINF:-1,Saison 1/Épisode 1.mp3"
    assert lines[2].endswith("/%C3%89pisode%201.mp3")  # percent-encoded for VLC
    assert fetched(lines[2]) == (200, media_samples["album/two.mp3"].read_bytes())
    assert fetched(f"{site}/d/{key}/Saison 1.zip".replace(" ", "%20"))[0] == 200

    single = links_support.add_torrent(
        node, [owner], tmp_path / "s", name="lone.bin", size=5000, with_data=True
    )
    _, whole = make(owner, single)
    code, body = fetched(f"{site}/d/{whole}/lone.bin.zip")
    assert code == 200
    assert zipfile.ZipFile(io.BytesIO(body)).namelist() == ["lone.bin"]
    _, one = make(owner, single, file_id=single.files.get().pk)
    assert fetched(f"{site}/d/{one}/lone.bin", "-r", "0-9")[0] == 206


def crawl(url: str) -> dict[str, bytes]:
    """What rclone's http backend does with a folder URL: read the index's links, descend into
    those ending in /, fetch the others. {path below `url`: bytes}."""
    found: dict[str, bytes] = {}
    code, page = fetched(url)
    assert code == 200
    assert page.startswith(b"<!DOCTYPE html>")
    for href in re.findall(r'href="([^"]+)"', page.decode()):
        assert "/" not in href.rstrip("/")  # relative, one level
        if href.endswith("/"):
            found.update({href + k: v for k, v in crawl(url + href).items()})
        else:
            code, body = fetched(url + href)
            assert code == 200
            found[unquote(href)] = body
    return found


def test_a_folder_link_is_browsable_like_a_web_servers_index(site, library, owner):
    _, key = make(owner, library)
    tree = crawl(f"{site}/d/{key}/")
    assert tree == {path: on_disk(library, path).read_bytes() for path in links_support.FILES}
    _, album = make(owner, library, folder="album")
    assert sorted(crawl(f"{site}/d/{album}/")) == ["notes.txt", "one.mp4", "two.mp3"]
    one = on_disk(library, "album/one.mp4").read_bytes()
    assert fetched(f"{site}/d/{album}/one.mp4", "-r", "0-99") == (206, one[:100])
    assert fetched(f"{site}/d/{album}/nowhere/")[0] == 404
    assert fetched(f"{site}/d/{album}/../extras/secret.txt", "--path-as-is")[0] == 404
    assert fetched(f"{site}/d/{album}/./one.mp4", "--path-as-is")[0] == 404
    # A file link has no index: its URL with or without a name is the file.
    _, single = make(owner, library, file_id=file_id(library, "top.bin"))
    assert fetched(f"{site}/d/{single}/")[1] == on_disk(library, "top.bin").read_bytes()
