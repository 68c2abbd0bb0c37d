"""The sync's follow-ups, as handlers of its internal events (events/registry.py): the sync
records what it saw in its transaction and hands these events to their handlers after its
commit, so it imports neither the controls nor the magnets.

A failure is logged and the handler returns: the next sync sees the torrent again and records
the event again (as it retried before), and a stop or a resolution asked for later than that
could act on a torrent its owner changed meanwhile.
"""

import logging

from events.kinds import EventKind
from events.registry import handles
from events.services import event_record
from torrents.models import Ownership, Torrent, TorrentStatus
from torrents.rtorrent import RTorrentError
from torrents.services.control import ControlError, torrent_stop_for_rule
from torrents.services.magnets import magnet_resolve
from torrents.services.nodes import node_client

log = logging.getLogger(__name__)

# A magnet in one of these is out of rTorrent: its metadata is nobody's business any more.
_RELEASED = (TorrentStatus.REMOVED, TorrentStatus.REJECTED, TorrentStatus.EXPIRED)


@handles(EventKind.TORRENT_SEEDING_RULE_MET)
def seeding_rule_stop(event) -> None:
    """Stop the torrent its owners' seeding rule says is done, keep why, and tell them."""
    torrent = Torrent.objects.select_related("node").filter(pk=event.torrent_id).first()
    if torrent is None or torrent.status != TorrentStatus.SEEDING or torrent.seed_rules_suspended:
        return  # handed over late (the sweep): its owner or rTorrent acted meanwhile
    rule = event.payload["rule"]
    try:
        torrent_stop_for_rule(torrent=torrent, message=rule)
    except (ControlError, RTorrentError) as exc:  # the next sync tries again
        log.warning("torrent %s not stopped by its seeding rule: %s", torrent.info_hash, exc)
        return
    owners = Ownership.objects.filter(torrent=torrent).values_list("user_id", flat=True)
    event_record(
        EventKind.TORRENT_SEEDING_STOPPED,
        torrent=torrent,
        users=owners,
        payload={"name": torrent.name, "torrent_id": torrent.pk, "rule": rule[:200]},
    )


@handles(EventKind.TORRENT_METADATA_ARRIVED)
def magnet_metadata_read(event) -> None:
    """A magnet's metadata arrived in rTorrent: record and charge it (services/magnets.py)."""
    torrent = (
        Torrent.objects.filter(pk=event.torrent_id, size_bytes__isnull=True)
        .exclude(status__in=_RELEASED)
        .select_related("node")
        .first()
    )
    if torrent is None:
        return
    try:
        magnet_resolve(torrent=torrent, client=node_client(torrent.node))
    except RTorrentError as exc:  # the next sync sees it again
        log.warning("metadata of magnet %s not read: %s", torrent.info_hash, exc.message)
