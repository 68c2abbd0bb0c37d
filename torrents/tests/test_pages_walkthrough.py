"""Defects seen in the walk-through, on the pages (rows only, no daemon): the two ratios of a
torrent page say whose they are; the moderation queue shows when each user asked and opens a
waiting torrent's files."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from torrents.models import Node, Ownership, Torrent, TorrentFile, TorrentHistory, TorrentStatus
from torrents.tests.pages_support import client_for, make_rows
from torrents.views.detail_reads import Live, file_tree

pytestmark = pytest.mark.django_db


def section(html: str, marker: str) -> str:
    return html.split(marker, 1)[1].split("</section>", 1)[0]


def test_the_torrents_ratio_and_yours_are_labelled_and_a_seed_only_ratio_says_why(user):
    (torrent,) = make_rows([user], 1, status=TorrentStatus.SEEDING)
    Torrent.objects.filter(pk=torrent.pk).update(completed_bytes=1000, uploaded_bytes=190)
    TorrentHistory.objects.create(
        user=user, info_hash=torrent.info_hash, name=torrent.name, uploaded_bytes=190
    )  # added with its data: uploaded, never downloaded
    html = client_for(user).get(f"/torrents/{torrent.pk}/").content.decode()

    summary = section(html, 'id="torrent-summary"')
    assert "<dt>Torrent's ratio</dt>" in summary
    assert "0.19" in summary
    history = section(html, 'id="history"')
    assert "Your ratio" in history
    assert "∞ (nothing downloaded)" in history


def test_a_ratio_with_nothing_moved_is_a_dash(user):
    (torrent,) = make_rows([user], 1, status=TorrentStatus.SEEDING)
    TorrentHistory.objects.create(user=user, info_hash=torrent.info_hash, name=torrent.name)
    html = client_for(user).get(f"/torrents/{torrent.pk}/").content.decode()
    history = section(html, 'id="history"')
    assert '<td class="num" data-testid="history-ratio">\N{EN DASH}</td>' in history


@pytest.fixture
def offline(db) -> Node:
    return Node.objects.create(
        name="offline", rpc_url="scgi:///nonexistent/rpc.sock", data_root="/"
    )


def test_the_queue_shows_when_this_user_asked_and_opens_the_files(
    user, other_user, admin_user, offline
):
    long_ago = timezone.now() - dt.timedelta(days=400)
    # Bob's upload, rejected long ago; Alice asks for the same torrent today.
    torrent = Torrent.objects.create(
        info_hash=hashlib.sha1(b"again").hexdigest(), name="again.iso", size_bytes=10,
        node=offline, status=TorrentStatus.PENDING_APPROVAL, added_by=user,
    )  # fmt: skip
    Torrent.objects.filter(pk=torrent.pk).update(created_at=long_ago)
    Ownership.objects.create(torrent=torrent, user=user)
    TorrentFile.objects.create(torrent=torrent, index=0, path="disc/setup.exe", size_bytes=10)
    # An older request of Bob's for another torrent comes first.
    earlier = Torrent.objects.create(
        info_hash=hashlib.sha1(b"earlier").hexdigest(), name="earlier.iso", size_bytes=10,
        node=offline, status=TorrentStatus.PENDING_APPROVAL, added_by=other_user,
    )  # fmt: skip
    ownership = Ownership.objects.create(torrent=earlier, user=other_user)
    Ownership.objects.filter(pk=ownership.pk).update(created_at=timezone.now() - dt.timedelta(1))

    staff = client_for(admin_user)
    html = staff.get("/staff/moderation/").content.decode()
    assert html.index("earlier.iso") < html.index("again.iso")
    row = html.split(f'data-torrent="{torrent.pk}"', 1)[1].split("</tr>", 1)[0]
    asked = Ownership.objects.get(torrent=torrent).created_at
    assert timezone.localtime(asked).strftime("%Y-%m-%d %H:%M") in row
    assert timezone.localtime(long_ago).strftime("%Y-%m-%d") not in row
    assert user.email in row
    assert f'href="/torrents/{torrent.pk}/#files"' in row
    assert "1 file" in row
    files = section(staff.get(f"/torrents/{torrent.pk}/").content.decode(), 'id="files"')
    assert "setup.exe" in files


def test_play_is_offered_only_for_types_browsers_play(user):
    (torrent,) = make_rows([user], 1)
    names = ["a.flac", "b.mov", "c.mkv", "d.ogv", "e.mp4", "f.opus", "g.avi"]
    files = [
        TorrentFile(torrent=torrent, index=i, path=name, size_bytes=1)
        for i, name in enumerate(names)
    ]
    tree = file_tree(torrent, files, Live(error="down"))
    assert {e.path: (e.media, e.mime) for e in tree if e.media} == {
        "a.flac": ("audio", "audio/flac"),
        "e.mp4": ("video", "video/mp4"),
        "f.opus": ("audio", 'audio/ogg; codecs="opus"'),
    }
