"""What the torrent page shows beyond the row: the files as a tree, and what only rTorrent knows
now (per-file progress, peers), read in ONE short call with the quick timeout. When the node
does not answer, the page says so and shows what the database has. The trackers' state comes
later, in its own fragment (torrents/services/tracker_states.py)."""

import posixpath
from dataclasses import dataclass, field

from torrents.models import IN_RTORRENT, Torrent, TorrentFile
from torrents.rtorrent import RTorrentError
from torrents.services.file_priorities import NAMES, NORMAL, SKIP
from torrents.services.nodes import node_client

# What may be offered to play, by extension: (element, MIME type the browser is asked about with
# canPlayType before it shows Play; static/js/player.js). Conservative: containers browsers
# rarely play whole (.mov, .mkv, .avi, Theora's .ogv) are download-only. An extension does not
# say what the file holds: a player that cannot decode it says so and offers the download (the
# media work will decide from ffprobe instead).
PLAYABLE = {
    ".mp4": ("video", "video/mp4"), ".m4v": ("video", "video/mp4"),
    ".webm": ("video", "video/webm"),
    ".mp3": ("audio", "audio/mpeg"), ".m4a": ("audio", "audio/mp4"),
    ".ogg": ("audio", "audio/ogg"), ".oga": ("audio", "audio/ogg"),
    ".opus": ("audio", 'audio/ogg; codecs="opus"'),
    ".flac": ("audio", "audio/flac"), ".wav": ("audio", "audio/wav"),
    ".aac": ("audio", "audio/aac"),
}  # fmt: skip

_FILE_FIELDS = ("f.completed_chunks=", "f.size_chunks=")
_PEER_FIELDS = ("p.address=", "p.port=", "p.client_version=", "p.down_rate=", "p.up_rate=")


@dataclass
class Live:
    """rTorrent's answer, or `error` saying why there is none."""

    files: list[list] | None = None
    peers: list[list] = field(default_factory=list)
    error: str = ""


def torrent_live(torrent: Torrent) -> Live:
    """Files' chunks and peers of one torrent in one system.multicall (quick timeout)."""
    if torrent.status not in IN_RTORRENT:
        return Live(error=f"the torrent is {torrent.get_status_display()}")
    h = torrent.info_hash.upper()
    try:
        files, peers = node_client(torrent.node, quick=True).system_multicall(
            [("f.multicall", (h, "", *_FILE_FIELDS)), ("p.multicall", (h, "", *_PEER_FIELDS))]
        )
    except RTorrentError as exc:
        return Live(error=f"rTorrent did not answer ({exc.message})")
    failure = next((r for r in (files, peers) if isinstance(r, Exception)), None)
    if failure is not None:
        return Live(error=f"rTorrent could not tell ({failure})")
    return Live(files=files, peers=peers)


@dataclass
class TreeEntry:
    """One line of the file tree: a folder (file is None) or a file, at `depth`."""

    name: str
    path: str
    depth: int
    size: int = 0
    done: int = 0
    file: TorrentFile | None = None
    media: str = ""  # "audio" or "video": offered to play (when the browser says it can)
    mime: str = ""
    priority: str = ""  # the viewer's choice for a file: skip, normal or high
    skipped: bool = False  # skipped by the viewer, or by every owner: not offered
    extra: str = ""  # what other apps add to the file's actions (torrents/page_panels.py)

    @property
    def percent(self) -> int:
        return 100 if not self.size else int(100 * self.done / self.size)


def file_tree(
    torrent: Torrent, files: list[TorrentFile], live: Live, levels: list[int] | None = None
) -> list[TreeEntry]:
    """Folders before their contents, sizes and progress summed up the tree. Progress per file
    comes from rTorrent's chunks when it answered, else from the rows (a complete torrent's
    files are complete, but for those rTorrent skipped). `levels`: the viewer's priority per
    file index (file_priorities.file_levels_for)."""
    chunks = live.files if live.files is not None and len(live.files) == len(files) else None
    entries: list[TreeEntry] = []
    folders: dict[str, TreeEntry] = {}
    for row in sorted(files, key=lambda f: f.path.split("/")):
        if chunks is not None:
            completed, total = chunks[row.index]
            done = row.size_bytes if not total else row.size_bytes * completed // total
        elif torrent.completed_at and row.priority != SKIP:
            done = row.size_bytes
        else:
            done = row.completed_bytes
        parts = row.path.split("/")
        for depth in range(len(parts) - 1):
            folder = "/".join(parts[: depth + 1])
            if folder not in folders:
                folders[folder] = TreeEntry(name=parts[depth], path=folder, depth=depth)
                entries.append(folders[folder])
            folders[folder].size += row.size_bytes
            folders[folder].done += done
        media, mime = PLAYABLE.get(posixpath.splitext(row.path)[1].lower(), ("", ""))
        level = levels[row.index] if levels is not None and row.index < len(levels) else NORMAL
        entries.append(
            TreeEntry(
                name=parts[-1],
                path=row.path,
                depth=len(parts) - 1,
                size=row.size_bytes,
                done=min(done, row.size_bytes),
                file=row,
                media=media,
                mime=mime,
                priority=NAMES[level],
                skipped=level == SKIP or row.priority == SKIP,
            )
        )
    return entries
