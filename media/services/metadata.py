"""What a completed torrent's media files are: each one read by ffprobe (container, duration,
resolution, codecs, bit rate, audio and subtitle tracks; playability from media/playability.py),
its poster frame made by ffmpeg, its path read by guessit, all kept on its MediaFile row; then
the torrent's MediaTitle (services/titles.py).

The work is bounded: only files whose name suggests media are tried (ffprobe then decides what
they are), the largest first, at most SEEDBOX_MEDIA_PROBE_MAX_FILES of them. Skipped files and
files not on disk are left alone. Running it again probes again and keeps the posters made."""

import logging
import posixpath
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from media.guess import name_guess
from media.models import MediaFile
from media.services.playback import probe_fields
from media.services.posters import PosterError, poster_frame_make
from media.services.titles import torrent_title_update
from seedbox.queue import enqueue_after_commit
from torrents.models import Torrent, TorrentFile, TorrentStatus
from torrents.services.downloads import NotAvailable, file_path
from torrents.services.file_priorities import SKIP

log = logging.getLogger(__name__)

METADATA_TASK = "media.tasks.metadata.torrent_metadata"

# Names worth asking ffprobe about. The name only preselects: ffprobe says what a file is.
MEDIA_EXTENSIONS = frozenset(
    {
        # video
        "mkv", "mp4", "m4v", "avi", "mov", "wmv", "webm", "mpg", "mpeg", "ts", "m2ts", "mts",
        "vob", "flv", "ogv", "3gp", "divx", "rmvb",
        # audio
        "mp3", "flac", "m4a", "aac", "ogg", "oga", "opus", "wav", "wma", "alac", "ape", "mka",
    }
)  # fmt: skip


@dataclass(frozen=True)
class ProbeSummary:
    probed: int = 0  # ffprobe read them
    failed: int = 0  # ffprobe refused them (the reason is on the row)
    unavailable: int = 0  # skipped, or not on disk

    def __str__(self) -> str:
        return f"{self.probed} probed, {self.failed} unreadable, {self.unavailable} not on disk"


def metadata_queue(*, torrent_id: int) -> None:
    """Read the torrent's media in a task once the current transaction commits."""
    enqueue_after_commit(METADATA_TASK, torrent_id)


def media_candidates(files: list[TorrentFile]) -> list[TorrentFile]:
    """The files to probe: media-named, not skipped, the largest first, within the cap."""
    named = [
        f
        for f in files
        if f.priority != SKIP
        and posixpath.splitext(f.path)[1].lstrip(".").lower() in MEDIA_EXTENSIONS
    ]
    named.sort(key=lambda f: (-f.size_bytes, f.index))
    return named[: settings.SEEDBOX_MEDIA_PROBE_MAX_FILES]


def file_media_probe(*, torrent: Torrent, file: TorrentFile) -> MediaFile | None:
    """Probe one file into its MediaFile row (made or updated); None when it is not on disk."""
    try:
        path = file_path(torrent=torrent, file=file)
    except NotAvailable:
        return None
    guess = name_guess(file.path)
    fields = {
        "probed_at": timezone.now(),
        "title": guess.title,
        "year": guess.year,
        "season": guess.season,
        "episode": guess.episode,
        "media_type": guess.media_type,
    }
    probed, found = probe_fields(path)
    fields.update(probed, poster="")
    if found is not None and (
        found.video is not None or any(s.attached_picture for s in found.streams)
    ):
        try:
            fields["poster"] = poster_frame_make(
                source=path, probe=found, torrent_id=torrent.pk, file_id=file.pk
            )
        except PosterError as exc:
            log.warning("no poster for file %s of torrent %s: %s", file.pk, torrent.pk, exc)
    media, _ = MediaFile.objects.update_or_create(file=file, defaults=fields)
    return media


def torrent_media_probe(*, torrent: Torrent) -> ProbeSummary:
    """Probe the torrent's media files (media_candidates) into MediaFile rows."""
    probed = failed = unavailable = 0
    for file in media_candidates(list(torrent.files.all())):
        media = file_media_probe(torrent=torrent, file=file)
        if media is None:
            unavailable += 1
        elif media.error:
            failed += 1
        else:
            probed += 1
    return ProbeSummary(probed, failed, unavailable)


def torrent_metadata_read(*, torrent_id: int) -> str:
    """The task's work: probe the files, then write the MediaTitle. Safe to run twice."""
    torrent = (
        Torrent.objects.select_related("node")
        .defer("metainfo")
        .filter(pk=torrent_id, completed_at__isnull=False)
        .exclude(status=TorrentStatus.REMOVED)
        .first()
    )
    if torrent is None:
        return "not a completed torrent"
    summary = torrent_media_probe(torrent=torrent)
    title = torrent_title_update(torrent=torrent)
    return f"{summary}; title {title.title!r} ({title.source})"


def torrents_without_media(*, limit: int | None = None) -> list[int]:
    """Ids of completed torrents none of whose files has a MediaFile row (the backfill's)."""
    probed = MediaFile.objects.filter(file__torrent=OuterRef("pk"))
    ids = (
        Torrent.objects.filter(completed_at__isnull=False)
        .exclude(status=TorrentStatus.REMOVED)
        .exclude(Exists(probed))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(ids[:limit] if limit else ids)


def media_files_of(*, torrent: Torrent) -> list[MediaFile]:
    """The torrent's probed files (with their TorrentFile), in the torrent's order."""
    return list(
        MediaFile.objects.filter(file__torrent=torrent)
        .select_related("file")
        .order_by("file__index")
    )
