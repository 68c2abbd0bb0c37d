"""Rows for the player's tests: a torrent owned by `owner` with files (no rTorrent: the player
page and positions read the database only), and MediaFile rows as ffprobe/guessit would leave."""

from django.utils import timezone

from media.models import MediaFile
from torrents.models import Torrent, TorrentFile
from torrents.tests.pages_support import make_rows


def torrent_with_files(owner, paths: list[str], **fields) -> tuple[Torrent, dict[str, TorrentFile]]:
    (torrent,) = make_rows([owner], 1, **fields)
    files = TorrentFile.objects.bulk_create(
        TorrentFile(torrent=torrent, index=i, path=path, size_bytes=1000)
        for i, path in enumerate(paths)
    )
    return torrent, {f.path: f for f in files}


def probed(file: TorrentFile, kind: str = "video", **fields) -> MediaFile:
    return MediaFile.objects.create(file=file, kind=kind, probed_at=timezone.now(), **fields)
