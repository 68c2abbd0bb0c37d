"""A torrent's status from rTorrent's flags: the one mapping, for the sync and for the controls
(which read the state back in the same request as the action)."""

from torrents.models import TorrentStatus


def wanted_done(remote: dict) -> bool:
    """Complete, or every file the owners want is (the rest skipped): rTorrent's `d.complete`
    stays 0 with files skipped, but `d.wanted_chunks` (chunks of wanted files still missing)
    is 0. Only for a started, active torrent: a closed one counts no wanted chunks at all."""
    if remote["complete"]:
        return True
    wanted = remote.get("wanted_chunks")
    return (
        wanted is not None
        and int(wanted) == 0
        and bool(remote["state"])
        and bool(remote["is_active"])
        and not remote["hashing"]
        and not remote.get("is_meta")
    )


def torrent_status(remote: dict) -> str:
    """rTorrent's flags as one status: hashing wins; state 0 is stopped; state 1 but inactive is
    paused (`d.pause`); otherwise seeding when complete (or all its wanted files are: see
    `wanted_done`), downloading when not."""
    if remote["hashing"]:
        return TorrentStatus.CHECKING
    if not remote["state"]:
        return TorrentStatus.STOPPED
    if not remote["is_active"]:
        return TorrentStatus.PAUSED
    return TorrentStatus.SEEDING if wanted_done(remote) else TorrentStatus.DOWNLOADING
