"""The torrent page against a real rTorrent: personas, a multi-file torrent's tree with
progress, downloads, zip, players, trackers, peers, history; actions and delete."""

import re

import pytest
from django.test import Client, TestCase

from torrents.models import Torrent, TorrentHistory, TorrentStatus
from torrents.services.sync import node_sync
from torrents.storage import torrent_directory
from torrents.tests.helpers_sync import add_torrent, wait_until
from torrents.tests.pages_support import client_for, make_rows

ALBUM = {
    "cd1/01 intro.mp3": 40_000,
    "cd1/02 song.mp3": 30_000,
    "video/clip.mp4": 20_000,
    "notes.txt": 300,
}


@pytest.fixture
def album(node, owner, tmp_path) -> Torrent:
    torrent = add_torrent(
        node, [owner], tmp_path, name="album", files=ALBUM, with_data=True, start=True
    )
    wait_until(
        lambda: (
            node_sync(node=node)
            and Torrent.objects.get(pk=torrent.pk).status == TorrentStatus.SEEDING
        ),
        what="seeding",
    )
    torrent.refresh_from_db()
    return torrent


def test_personas(album, owner, other, admin, client):
    url = f"/torrents/{album.pk}/"
    assert client_for(owner).get(url).status_code == 200
    assert client_for(other).get(url).status_code == 404
    admin_page = client_for(admin).get(url)
    assert admin_page.status_code == 200
    assert 'id="owners"' in admin_page.content.decode()
    assert owner.email in admin_page.content.decode()
    assert 'id="owners"' not in client_for(owner).get(url).content.decode()
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    for path in ("summary/", "delete/", "files/"):
        assert client_for(other).get(url + path).status_code == 404
    assert client_for(other).post(url + "action/", {"action": "pause"}).status_code == 404
    assert client_for(other).post(url + "delete/", {"confirm": "yes"}).status_code == 404
    assert Torrent.objects.get(pk=album.pk).status == TorrentStatus.SEEDING


def test_multi_file_tree_with_sizes_progress_downloads_and_players(album, owner):
    client = client_for(owner)
    html = client.get(f"/torrents/{album.pk}/").content.decode()
    paths = re.findall(r'data-path="([^"]+)"', html)
    assert paths == [
        "cd1",
        "cd1/01 intro.mp3",
        "cd1/02 song.mp3",
        "notes.txt",
        "video",
        "video/clip.mp4",
    ]
    folder = html.split('data-path="cd1"', 1)[1].split("</tr>", 1)[0]
    assert "68.4\xa0KB" in folder  # 70,000 bytes summed over the folder
    assert 'value="100"' in folder
    assert "?path=cd1" in folder  # the folder as a zip
    # Every file downloads through the session, with its bytes.
    links = re.findall(r'<a href="(/api/torrents/\d+/files/(\d+)/download)" download', html)
    assert len(links) == 4
    for link, _ in links:
        response = client.get(link)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        path = album.files.get(pk=int(link.split("/")[5])).path
        assert body == (torrent_directory(album) / "album" / path).read_bytes()
    # Range works for the players: the same URL.
    player = re.search(r'data-play="([^"]+)" data-kind="video" data-type="video/mp4"', html)[1]
    partial = client.get(player, HTTP_RANGE="bytes=0-99")
    assert partial.status_code == 206
    assert len(b"".join(partial.streaming_content)) == 100
    assert html.count('data-kind="audio" data-type="audio/mpeg"') == 2
    assert html.count('<button type="button" class="link play" hidden') == 3  # player.js
    zip_all = client.get(re.search(r'href="([^"]+)" id="download-all"', html).group(1))
    assert zip_all.status_code == 200
    assert zip_all["Content-Type"] == "application/zip"
    torrent_file = client.get(f"/api/torrents/{album.pk}/torrent")
    assert bytes(torrent_file.content) == bytes(Torrent.objects.get(pk=album.pk).metainfo)
    assert 'id="download-torrent-file"' in html


def test_trackers_peers_and_history(album, owner):
    TorrentHistory.objects.update_or_create(
        user=owner, info_hash=album.info_hash,
        defaults={"uploaded_bytes": 3000, "downloaded_bytes": 1500, "seeding_seconds": 7200},
    )  # fmt: skip
    html = client_for(owner).get(f"/torrents/{album.pk}/").content.decode()
    trackers = html.split('id="trackers"', 1)[1].split("</section>", 1)[0]
    assert "http://127.0.0.1:6969/announce" in trackers
    peers = html.split('id="peers"', 1)[1].split("</section>", 1)[0]
    assert "No peers connected right now." in peers  # rTorrent answered: nobody is there
    history = html.split('id="history"', 1)[1].split("</section>", 1)[0]
    assert "2.00" in history
    assert "2 h 0 min" in history


def test_a_node_that_does_not_answer_leaves_a_clear_page(owner, settings):
    settings.SEEDBOX_RTORRENT_QUICK_TIMEOUT = 0.5
    (torrent,) = make_rows([owner], 1, status=TorrentStatus.SEEDING)
    html = client_for(owner).get(f"/torrents/{torrent.pk}/").content.decode()
    assert 'id="peers-unavailable"' in html
    assert "rTorrent did not answer" in html


def test_pause_resume_recheck_from_the_page(album, owner):
    client = client_for(owner)
    url = f"/torrents/{album.pk}/"
    page = client.get(url).content.decode()
    assert 'id="action-pause"' in page
    actions = page.split(f'action="/torrents/{album.pk}/action/"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in actions
    response = client.post(url + "action/", {"action": "pause"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert Torrent.objects.get(pk=album.pk).status == TorrentStatus.PAUSED
    html = response.content.decode()
    assert "Paused album." in html
    assert 'id="action-resume"' in html
    client.post(url + "action/", {"action": "resume"})
    assert Torrent.objects.get(pk=album.pk).status == TorrentStatus.SEEDING
    client.post(url + "action/", {"action": "recheck"})
    assert Torrent.objects.get(pk=album.pk).status in (
        TorrentStatus.CHECKING,
        TorrentStatus.SEEDING,
    )
    summary = client.get(url + "summary/").content.decode()
    assert summary.startswith('<section class="card summary-card" id="torrent-summary"')
    assert client.get(url + "action/").status_code == 405


def test_the_files_card_fetches_itself_again_when_the_summary_sees_the_status_change(
    album, owner, admin
):
    """A page opened while the torrent was checking gets its download links once it seeds:
    the summary's poll names the status it shows, and a different one triggers the Files card."""
    client = client_for(owner)
    url = f"/torrents/{album.pk}/"
    page = client.get(url).content.decode()
    assert f'hx-get="{url}summary/?shown=seeding"' in page
    assert f'hx-get="{url}files/" hx-trigger="torrent-status-changed from:body"' in page
    assert "HX-Trigger" not in client.get(url + "summary/?shown=seeding").headers
    changed = client.get(url + "summary/?shown=checking")
    assert changed["HX-Trigger"] == "torrent-status-changed"
    assert client_for(admin).get(url + "files/").status_code == 200
    anonymous = Client().get(url + "files/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    card = client.get(url + "files/").content.decode()
    assert card.startswith('<section class="card" aria-labelledby="files-title" id="files"')
    assert card.count('data-testid="download-file"') == len(ALBUM)


def test_a_shared_torrent_says_its_actions_act_for_the_other_owners(album, owner, other, admin):
    url = f"/torrents/{album.pk}/"
    assert 'id="shared-note"' not in client_for(owner).get(url).content.decode()
    album.ownerships.create(user=other, charged_bytes=album.size_bytes)
    for page in (url, url + "summary/"):
        html = client_for(owner).get(page).content.decode()
        assert "Shared with 1 other user: it is stored and downloaded once" in html
        assert other.email not in html
    staff_view = client_for(admin).get(url).content.decode()
    assert "Owned by 2 users: pause, resume and recheck act for all of them" in staff_view


def test_delete_asks_first_then_removes_and_purges(album, owner):
    client = client_for(owner)
    url = f"/torrents/{album.pk}/delete/"
    confirm = client.get(url).content.decode()
    assert 'name="csrfmiddlewaretoken"' in confirm
    assert "cannot be undone" in confirm
    client.post(url, {})  # no confirmation: nothing happens
    assert Torrent.objects.get(pk=album.pk).status == TorrentStatus.SEEDING
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"confirm": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Deleted album." in response.content.decode()
    album.refresh_from_db()
    assert album.status == TorrentStatus.REMOVED
    assert not album.purge_pending
    assert not torrent_directory(album).exists()
    assert client.get(f"/torrents/{album.pk}/").status_code == 404


def test_the_tree_sums_folders_and_reads_progress_from_rtorrent_chunks(owner):
    from torrents.models import TorrentFile
    from torrents.views.detail_reads import Live, file_tree

    (torrent,) = make_rows([owner], 1)
    files = [
        TorrentFile(torrent=torrent, index=0, path="b/two.mkv", size_bytes=1000),
        TorrentFile(torrent=torrent, index=1, path="a.txt", size_bytes=10),
        TorrentFile(torrent=torrent, index=2, path="b/c/three.mp3", size_bytes=3000),
    ]
    tree = file_tree(torrent, files, Live(files=[[1, 4], [1, 1], [0, 3]]))
    assert [(e.path, e.depth, e.size, e.done, e.media) for e in tree] == [
        ("a.txt", 0, 10, 10, ""),
        ("b", 0, 4000, 250, ""),
        ("b/c", 1, 3000, 0, ""),
        ("b/c/three.mp3", 2, 3000, 0, "audio"),
        ("b/two.mkv", 1, 1000, 250, ""),
    ]
    assert [e.percent for e in tree] == [100, 6, 0, 0, 25]
    # Without rTorrent's answer: the rows (nothing known yet for an incomplete torrent).
    assert [e.done for e in file_tree(torrent, files, Live(error="down"))] == [0, 0, 0, 0, 0]
