"""What rTorrent announces a torrent to: one owner's claim never decides it for another.

Every owner's announce URLs are kept on their ownership. A public torrent announces to every
owner's (in the order they joined, at most SEEDBOX_MAX_TRACKERS_PER_TORRENT), so a dead tracker
in the first adder's magnet does not cut a later adder off. A private torrent has one owner and
announces to theirs only (their passkey). What a user may read of them is in torrents/selectors.
"""

import logging
from urllib.parse import quote

from torrents.metainfo import metainfo_with_trackers
from torrents.models import Torrent
from torrents.rtorrent import RTorrentError
from torrents.selectors import torrent_announce_urls
from torrents.services.nodes import node_client

log = logging.getLogger(__name__)


def torrent_load_metainfo(torrent: Torrent) -> bytes:
    """The .torrent to load: the kept one (the adder's), announcing to every owner's trackers
    when co-owners brought more."""
    data = bytes(torrent.metainfo)
    lists = list(torrent.ownerships.order_by("created_at", "pk").values_list("trackers", flat=True))
    urls = torrent_announce_urls(torrent)
    if not urls or urls == lists[0]:
        return data
    return metainfo_with_trackers(data, trackers=urls)


def magnet_link(*, info_hash: str, trackers: list[str]) -> str:
    """A magnet link rTorrent reads exactly as the site did: the info-hash and the checked
    announce URLs only (no name: rTorrent takes it from the metadata)."""
    return f"magnet:?xt=urn:btih:{info_hash}" + "".join(
        f"&tr={quote(url, safe='')}" for url in trackers
    )


def torrent_load_magnet(torrent: Torrent) -> str:
    """The magnet link to load: rebuilt from what the site checked (what rTorrent parses is
    then what the tracker check saw), announcing to every owner's trackers."""
    urls = torrent_announce_urls(torrent)
    if not urls:
        return torrent.magnet_uri
    return magnet_link(info_hash=torrent.info_hash, trackers=urls)


def torrent_trackers_extend(*, torrent_id: int, urls: list[str]) -> int:
    """A co-owner joined a public torrent already in rTorrent: add their announce URLs to it
    there (the next push carries them anyway). Returns how many were added; a node that does
    not answer is logged, not raised (the torrent keeps announcing to the others)."""
    torrent = Torrent.objects.select_related("node").filter(pk=torrent_id).first()
    if torrent is None or torrent.private or torrent.node.is_up is False:
        return 0  # a node the last sync found down is not waited on in a request
    wanted = torrent_announce_urls(torrent)
    client = node_client(torrent.node, quick=True)  # runs after a request's commit
    try:
        present = {row["url"] for row in client.trackers(torrent.info_hash)}
        added = 0
        for url in urls:
            if url in wanted and url not in present:
                client.tracker_insert(torrent.info_hash, url)
                added += 1
        if added:
            client.announce(torrent.info_hash)
    except RTorrentError as exc:
        log.warning("trackers of %s not extended: %s", torrent.info_hash, exc)
        return 0
    return added


def torrent_trackers_restrict(*, torrent_id: int) -> int:
    """A magnet turned out private and kept one owner: rTorrent stops announcing to the URLs
    of the others (their passkeys). Returns how many were turned off; a node that does not
    answer is logged (the next push loads the kept owner's URLs only)."""
    torrent = Torrent.objects.select_related("node").filter(pk=torrent_id).first()
    if torrent is None:
        return 0
    wanted = set(torrent_announce_urls(torrent))
    if not wanted:
        return 0
    client = node_client(torrent.node)
    try:
        rows = client.trackers(torrent.info_hash)
        off = [i for i, row in enumerate(rows) if row["url"] not in wanted and row["is_enabled"]]
        for index in off:
            client.tracker_enable(torrent.info_hash, index, False)
    except RTorrentError as exc:
        log.warning("trackers of %s not restricted: %s", torrent.info_hash, exc)
        return 0
    return len(off)
