"""Reads for the player: what kind of media a file is (its MediaFile, else its name), the folder
it sits in as a play order (episodes by guessit's season and episode, else names in natural
order), and where the user stopped in it."""

import posixpath
import re
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from media.models import MediaFile, MediaKind, PlaybackPosition
from torrents.models import Torrent, TorrentFile

# Names that look like media before ffprobe has read the file (HLS plays what browsers do not).
VIDEO_EXTENSIONS = frozenset({
    ".mp4", ".m4v", ".mkv", ".webm", ".avi", ".mov", ".wmv", ".flv", ".ts", ".m2ts", ".mpg",
    ".mpeg", ".ogv", ".3gp",
})  # fmt: skip
AUDIO_EXTENSIONS = frozenset({
    ".mp3", ".flac", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wav", ".wma", ".alac", ".ape",
})  # fmt: skip
PLAYABLE_KINDS = (MediaKind.VIDEO, MediaKind.AUDIO)
SKIPPED = 0  # TorrentFile.priority when every owner skipped the file: it never arrives


@dataclass(frozen=True)
class Playable:
    file: TorrentFile
    kind: str  # video or audio
    media: MediaFile | None

    @property
    def name(self) -> str:
        return posixpath.basename(self.file.path)


@dataclass(frozen=True)
class Folder:
    """The current file's folder as a play order of files of its kind."""

    items: list[Playable]
    index: int

    @property
    def current(self) -> Playable:
        return self.items[self.index]

    @property
    def next(self) -> Playable | None:
        return self.items[self.index + 1] if self.index + 1 < len(self.items) else None

    @property
    def previous(self) -> Playable | None:
        return self.items[self.index - 1] if self.index > 0 else None


def kind_by_name(path: str) -> str:
    extension = posixpath.splitext(path)[1].lower()
    if extension in VIDEO_EXTENSIONS:
        return MediaKind.VIDEO
    if extension in AUDIO_EXTENSIONS:
        return MediaKind.AUDIO
    return ""


def playable_kind(file: TorrentFile, media: MediaFile | None) -> str:
    """video, audio, or '' (what ffprobe said wins over the name once it has read the file)."""
    if media is not None and media.probed_at is not None:
        return media.kind if media.kind in PLAYABLE_KINDS else ""
    if media is not None and media.kind in PLAYABLE_KINDS:
        return media.kind
    return kind_by_name(file.path)


def playable_kinds(*, files: list[TorrentFile]) -> dict[int, str]:
    """{file id: video or audio} for the files that play, in one query."""
    # By torrent, not by a list of file ids: a torrent of 50,000 files is one short query too.
    torrents = {f.torrent_id for f in files}
    media = {m.file_id: m for m in MediaFile.objects.filter(file__torrent_id__in=torrents)}
    kinds = {f.pk: playable_kind(f, media.get(f.pk)) for f in files}
    return {pk: kind for pk, kind in kinds.items() if kind}


def natural_key(path: str) -> tuple:
    """'Track 2' before 'Track 10': digits compare as numbers, the rest without case."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", path)
        if part
    )


def play_order(items: list[Playable]) -> list[Playable]:
    """By season and episode when guessit found an episode in every file, else by name."""
    if items and all(i.media is not None and i.media.episode is not None for i in items):
        return sorted(
            items,
            key=lambda i: (i.media.season or 0, i.media.episode, natural_key(i.file.path)),
        )
    return sorted(items, key=lambda i: natural_key(i.file.path))


def _media_of(file: TorrentFile) -> MediaFile | None:
    try:
        return file.media
    except ObjectDoesNotExist:
        return None


def folder_files(*, torrent: Torrent, folder: str):
    """The files directly inside `folder` ('' for the torrent's top level), with their media."""
    files = torrent.files.select_related("media")
    if folder:
        files = files.filter(path__startswith=folder + "/")
    return [f for f in files if posixpath.dirname(f.path) == folder]


def folder_of(*, torrent: Torrent, file: TorrentFile) -> Folder | None:
    """The play order of `file`'s folder (files of its kind), or None when it does not play."""
    kind = playable_kind(file, _media_of(file))
    if not kind:
        return None
    items = []
    for row in folder_files(torrent=torrent, folder=posixpath.dirname(file.path)):
        media = _media_of(row)
        if playable_kind(row, media) == kind and (row.pk == file.pk or row.priority != SKIPPED):
            items.append(Playable(file=row, kind=kind, media=media))
    ordered = play_order(items)
    index = next(i for i, item in enumerate(ordered) if item.file.pk == file.pk)
    return Folder(items=ordered, index=index)


def position_of(*, user, file: TorrentFile) -> PlaybackPosition | None:
    return PlaybackPosition.objects.filter(user=user, file=file).first()
