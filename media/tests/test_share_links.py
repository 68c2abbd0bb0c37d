"""Share links as a visitor sees them: only the shared folder's (or file's) files, downloads
with Range, media played inline with ffprobe's type and counted as share views, the zip; a
password (CSRF-protected, rate-limited per link and per address); expiry and revoke; visits
counted once per visitor session and window; nothing of the owner's account on the page."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from media.models import MediaView, ShareLink, ViewVia
from media.services.share_links import share_link_create
from media.tests import links_support
from media.tests.links_support import file_id, on_disk
from torrents.models import TorrentFile

library, media_samples = links_support.library, links_support.media_samples


def share(owner, torrent, **kw) -> tuple[ShareLink, str]:
    return share_link_create(user=owner, torrent_id=torrent.pk, **kw)


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_the_page_shows_only_the_shared_folder_and_nothing_of_the_owner(library, owner):
    _, key = share(owner, library, folder="album")
    page = Client().get(f"/s/{key}/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("one.mp4", "two.mp3", "notes.txt"):
        assert name in html
    assert "secret.txt" not in html
    assert "top.bin" not in html
    assert owner.email not in html
    assert "Log out" not in html
    assert "Log in" not in html
    assert "/accounts/" not in html
    # Media the browser plays directly gets a player fed by the inline stream.
    mp4, mp3 = file_id(library, "album/one.mp4"), file_id(library, "album/two.mp3")
    assert (
        f'<video class="share-player" controls preload="none" src="/s/{key}/files/{mp4}/stream"'
        in html
    )
    assert (
        f'<audio class="share-player" controls preload="none" src="/s/{key}/files/{mp3}/stream"'
        in html
    )
    assert "<video" not in html.split("notes.txt")[1].split("</li>")[0]


def test_a_logged_in_visitor_sees_no_site_navigation_either(library, owner, other):
    _, key = share(owner, library, folder="album")
    client = Client()
    client.force_login(other)
    html = client.get(f"/s/{key}/").content.decode()
    assert other.email not in html
    assert owner.email not in html
    assert "Log out" not in html


def test_downloads_with_range_stream_inline_and_the_counts(library, owner):
    link, key = share(owner, library, folder="album")
    client = Client()
    notes = file_id(library, "album/notes.txt")
    whole = client.get(f"/s/{key}/files/{notes}")
    assert whole.status_code == 200
    assert body(whole) == on_disk(library, "album/notes.txt").read_bytes()
    assert whole["Content-Disposition"] == 'attachment; filename="notes.txt"'
    part = client.get(f"/s/{key}/files/{notes}", HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206
    assert body(part) == on_disk(library, "album/notes.txt").read_bytes()[10:20]

    mp4 = file_id(library, "album/one.mp4")
    stream = client.get(f"/s/{key}/files/{mp4}/stream", HTTP_RANGE="bytes=0-")
    assert stream.status_code == 206
    assert stream["Content-Type"] == "video/mp4"
    assert stream["Content-Disposition"].startswith("inline")
    client.get(f"/s/{key}/files/{mp4}/stream", HTTP_RANGE="bytes=0-")  # the same viewing
    views = MediaView.objects.filter(file_id=mp4)
    assert [(v.via, v.share_id, v.user_id) for v in views] == [(ViewVia.SHARE, link.pk, None)]
    mp3 = file_id(library, "album/two.mp3")
    assert client.get(f"/s/{key}/files/{mp3}/stream")["Content-Type"] == "audio/mpeg"

    archive = client.get(f"/s/{key}/download.zip")
    assert archive.status_code == 200
    assert archive["Content-Type"] == "application/zip"
    link.refresh_from_db()
    assert link.download_count == 2  # the whole file and the zip (not the range from byte 10)
    assert TorrentFile.objects.get(pk=notes).download_count == 1


def test_only_files_inside_the_share_are_reachable(library, owner, other, node, tmp_path):
    _, key = share(owner, library, folder="album")
    client = Client()
    outside = file_id(library, "extras/secret.txt")
    theirs = links_support.add_torrent(node, [other], tmp_path / "o", name="t.bin", with_data=True)
    for fid in (outside, file_id(library, "top.bin"), theirs.files.get().pk):
        assert client.get(f"/s/{key}/files/{fid}").status_code == 404
        assert client.get(f"/s/{key}/files/{fid}/stream").status_code == 404
    for trick in (
        f"/s/{key}/files/{outside}/../{outside}",
        f"/s/{key}/files/../../extras/secret.txt",
        f"/s/{key}/..%2fextras/secret.txt",
        f"/s/{key}/files/%2e%2e/secret.txt",
    ):
        assert client.get(trick).status_code == 404, trick
    # A skipped file of the folder is not offered either.
    TorrentFile.objects.filter(path="album/notes.txt", torrent=library).update(priority=0)
    assert client.get(f"/s/{key}/files/{file_id(library, 'album/notes.txt')}").status_code == 404
    assert "notes.txt" not in client.get(f"/s/{key}/").content.decode()


def test_a_shared_file_is_all_there_is(library, owner):
    mp4 = file_id(library, "album/one.mp4")
    _, key = share(owner, library, file_id=mp4)
    client = Client()
    html = client.get(f"/s/{key}/").content.decode()
    assert "one.mp4" in html
    assert "two.mp3" not in html
    assert client.get(f"/s/{key}/files/{mp4}").status_code == 200
    assert client.get(f"/s/{key}/files/{file_id(library, 'album/two.mp3')}").status_code == 404
    assert client.get(f"/s/{key}/download.zip").status_code == 404


def test_expired_revoked_unknown_and_no_longer_owned_are_404(library, owner):
    links = [share(owner, library) for _ in range(3)]
    client = Client()
    for _, key in links:
        assert client.get(f"/s/{key}/").status_code == 200
    ShareLink.objects.filter(pk=links[0][0].pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    ShareLink.objects.filter(pk=links[1][0].pk).update(revoked_at=timezone.now())
    assert client.get(f"/s/{links[0][1]}/").status_code == 404
    assert client.get(f"/s/{links[1][1]}/").status_code == 404
    fid = file_id(library, "top.bin")
    assert client.get(f"/s/{links[1][1]}/files/{fid}").status_code == 404
    assert client.get(f"/s/{'x' * 43}/").status_code == 404
    assert client.get(f"/s/{links[2][0].key}/").status_code == 404  # the stored hash is no key
    library.ownerships.filter(user=owner).delete()
    assert client.get(f"/s/{links[2][1]}/").status_code == 404


def test_a_password_keeps_the_files_until_it_is_given(library, owner):
    link, key = share(owner, library, folder="album", password="open sesame")
    assert link.password.startswith("md5$")  # hashed (the tests' fast hasher), never plain
    client = Client()
    page = client.get(f"/s/{key}/")
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()
    assert "one.mp4" not in page.content.decode()
    mp4 = file_id(library, "album/one.mp4")
    assert client.get(f"/s/{key}/files/{mp4}").status_code == 404
    assert client.get(f"/s/{key}/download.zip").status_code == 404

    wrong = client.post(f"/s/{key}/", {"password": "guess"})
    assert wrong.status_code == 403
    assert "not the password" in wrong.content.decode()
    right = client.post(f"/s/{key}/", {"password": "open sesame"})
    assert right.status_code == 302
    assert "one.mp4" in client.get(f"/s/{key}/").content.decode()
    assert client.get(f"/s/{key}/files/{mp4}").status_code == 200
    # Another visitor still has to give it.
    assert Client().get(f"/s/{key}/files/{mp4}").status_code == 404


def test_the_password_form_is_csrf_protected(library, owner):
    _, key = share(owner, library, password="pw")
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/s/{key}/", {"password": "pw"}).status_code == 403
    page = client.get(f"/s/{key}/")
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    answer = client.post(f"/s/{key}/", {"password": "pw", "csrfmiddlewaretoken": token})
    assert answer.status_code == 302


def test_wrong_passwords_are_rate_limited_per_link_and_per_address(library, owner):
    _, key = share(owner, library, password="right")
    client = Client()
    codes = [client.post(f"/s/{key}/", {"password": f"no{i}"}).status_code for i in range(6)]
    assert codes == [403] * 5 + [429]
    # Even the right password waits now: the limit is checked first.
    assert client.post(f"/s/{key}/", {"password": "right"}).status_code == 429
    # From another address the link is limited too (5 in 5 minutes per link).
    assert (
        Client(REMOTE_ADDR="10.1.2.3").post(f"/s/{key}/", {"password": "right"}).status_code == 429
    )

    # Per address: 10 wrong a minute over any links, then 429 on a fresh link.
    here = Client(REMOTE_ADDR="10.9.9.9")
    keys = [share(owner, library, password="right")[1] for _ in range(3)]
    codes = [here.post(f"/s/{keys[i % 2]}/", {"password": "x"}).status_code for i in range(10)]
    assert codes == [403] * 10
    assert here.post(f"/s/{keys[2]}/", {"password": "right"}).status_code == 429
    assert (
        Client(REMOTE_ADDR="10.9.9.8").post(f"/s/{keys[2]}/", {"password": "right"}).status_code
        == 302
    )


def test_a_new_password_asks_again(library, owner):
    link, key = share(owner, library, password="first")
    client = Client()
    client.post(f"/s/{key}/", {"password": "first"})
    assert "top.bin" in client.get(f"/s/{key}/").content.decode()
    links_support.share_link_update(link=link, password="second")
    assert "top.bin" not in client.get(f"/s/{key}/").content.decode()


def test_visits_are_counted_once_per_visitor_session_and_window(library, owner, settings):
    settings.SEEDBOX_VIEW_WINDOW = 600
    link, key = share(owner, library)
    first, second = Client(), Client()
    for _ in range(3):
        first.get(f"/s/{key}/")
    second.get(f"/s/{key}/")
    link.refresh_from_db()
    assert link.visit_count == 2
    settings.SEEDBOX_VIEW_WINDOW = 0  # as if the window had passed
    first.get(f"/s/{key}/")
    link.refresh_from_db()
    assert link.visit_count == 3


def test_too_many_requests_for_one_link_are_429(library, owner, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "share_link": "3/m/key"}
    _, key = share(owner, library)
    _, other_key = share(owner, library)
    client = Client()
    assert [client.get(f"/s/{key}/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get(f"/s/{other_key}/").status_code == 200
