"""Direct play: the file itself, inline, with Range so the browser's player seeks.

Incomplete torrents: the stream serves what is on disk, as downloads do. rTorrent fetches pieces
in rarest-first order, not from the start, so "the downloaded part plays" holds only as far as
the pieces are there: a browser reading a hole gets zeros (a glitch, or a stop), and an MP4 whose
index (moov) is at the end plays only once that end arrived. We chose that over refusing: it is
what a user of put.io expects (press play, it plays as far as it can) and it never needs a second
copy. HLS, which would cache an encode of the holes, is made only from complete files (hls.py).

The Content-Type is what ffprobe's container and codecs say a browser plays it as
(media.playability.browser_type), never the file name; octet-stream otherwise.
"""

import os
from pathlib import Path

from django.http import Http404, HttpResponse

from media.models import ShareLink, ViewVia
from media.services.playback import playback_probe
from media.services.views import view_record
from seedbox.file_serving import OCTET_STREAM, file_response
from torrents.models import Torrent, TorrentFile
from torrents.services.downloads import NotAvailable, data_accel_path, file_offered, file_path


def stream_path(*, torrent: Torrent, file: TorrentFile, user=None) -> Path:
    """The file's path on disk, or Http404 (skipped by `user`, not there, outside the torrent)."""
    try:
        if user is not None and user.is_authenticated:
            file_offered(torrent=torrent, file=file, user=user)
        return file_path(torrent=torrent, file=file)
    except NotAvailable as exc:
        raise Http404(str(exc)) from None


def stream_response(
    request,
    *,
    torrent: Torrent,
    file: TorrentFile,
    via: str = ViewVia.SITE,
    share: ShareLink | None = None,
) -> HttpResponse:
    """`file` inline with Range; a view of the requesting user (or of the share link) counted
    when the body starts from the first byte (a player's later ranges are the same viewing)."""
    user = getattr(request, "user", None)
    path = stream_path(torrent=torrent, file=file, user=user)
    playback = playback_probe(file=file, path=path)
    served = file_response(
        request,
        path,
        filename=os.path.basename(file.path) or torrent.name,
        inline=True,
        content_type=playback.browser_type or OCTET_STREAM,
        accel=data_accel_path(torrent=torrent, path=path),
    )
    if served.from_start:
        view_record(file=file, user=user, via=via, share=share)
    return served.response
