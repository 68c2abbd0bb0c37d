"""Moving in: take over the torrents a daemon already has (a ruTorrent or Flood user's rTorrent),
for one owner, where their data already is.

Each torrent becomes a row with its files, owned by the owner and charged to their quota (or
refused, with the reason, when it does not fit); rTorrent's up/down totals at adoption are the
baselines of the sync's deltas, so what was transferred before is never counted as new traffic;
ruTorrent's label (`d.custom1`, URL-encoded) becomes the owner's label. Its `.torrent` is kept
when the daemon's session file can be read from here (a later re-push needs it). Adopting again
adopts nothing twice: a hash the site knows is left as it is.
"""

import logging
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from django.db import transaction
from django.utils import timezone

from torrents.models import Node, Ownership, Torrent, TorrentFile, TorrentStatus
from torrents.rtorrent import RTorrentError
from torrents.services.labels import label_name_clean, torrent_labels_set
from torrents.services.nodes import node_client
from torrents.services.quota import QuotaExceeded, quota_charge
from torrents.storage import torrent_directory

log = logging.getLogger(__name__)


class AdoptError(Exception):
    """The node cannot be read (down, or not a node of this site)."""


@dataclass
class AdoptReport:
    adopted: list[str] = field(default_factory=list)  # names
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, why): nothing to do
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name, why): the owner acts

    def lines(self) -> list[str]:
        out = [f"adopted: {name}" for name in self.adopted]
        out += [f"skipped: {name}: {why}" for name, why in self.skipped]
        out += [f"refused: {name}: {why}" for name, why in self.refused]
        return out


def _status(row: dict) -> str:
    started = int(row["state"]) == 1
    if int(row["complete"]):
        return TorrentStatus.SEEDING if started else TorrentStatus.STOPPED
    return TorrentStatus.DOWNLOADING if started else TorrentStatus.STOPPED


def _parent(row: dict) -> Path:
    """The directory rTorrent was told (d.directory.set): a multi-file torrent's d.directory
    is that directory joined with its name."""
    directory = Path(row["directory"])
    return directory.parent if int(row["is_multi_file"]) else directory


def _metainfo(row: dict) -> bytes | None:
    try:
        return Path(row["session_file"]).read_bytes() if row["session_file"] else None
    except OSError:
        return None  # the daemon's session is on another host


def _label(row: dict) -> str:
    try:
        return label_name_clean(unquote(row["custom1"] or ""))
    except ValueError:
        return ""


def _adopt_one(*, node: Node, owner, row: dict, files: list[dict]) -> Torrent:
    """Rows for one torrent; raises QuotaExceeded (nothing written) when it does not fit."""
    info_hash = row["hash"].lower()
    size = int(row["size_bytes"])
    complete = bool(int(row["complete"]))
    torrent = Torrent(
        info_hash=info_hash,
        name=row["name"],
        node=node,
        size_bytes=size,
        private=bool(int(row["is_private"])),
        metainfo=_metainfo(row),
        status=_status(row),
        added_by=owner,
        completed_bytes=int(row["completed_bytes"]),
        rtorrent_up_total=int(row["up_total"]),
        rtorrent_down_total=int(row["down_total"]),
        completed_at=timezone.now() if complete else None,
    )
    parent = _parent(row)
    if parent != torrent_directory(torrent):
        torrent.data_directory = str(parent)
    torrent.save()
    TorrentFile.objects.bulk_create(
        TorrentFile(
            torrent=torrent,
            index=index,
            path=entry["path"],
            size_bytes=int(entry["size_bytes"]),
            completed_bytes=int(entry["size_bytes"]) if complete else 0,
            priority=min(int(entry["priority"]), 2),
        )
        for index, entry in enumerate(files)
    )
    quota_charge(user_id=owner.pk, nbytes=size)
    Ownership.objects.create(torrent=torrent, user=owner, charged_bytes=size)
    label = _label(row)
    if label:
        torrent_labels_set(user=owner, torrent=torrent, names=[label])
    return torrent


def _outside(node: Node, row: dict) -> str:
    """Why the torrent's data cannot be served from this node ('' when it can)."""
    root = Path(node.data_root).resolve()
    parent = _parent(row)
    if not Path(posixpath.normpath(str(parent))).is_relative_to(root):
        return f"its data is in {parent}, outside the node's data root {root}"
    return ""


def node_adopt(*, node: Node, owner) -> AdoptReport:
    """Adopt every torrent `node`'s daemon has that the site does not know, for `owner`."""
    client = node_client(node)
    try:
        rows = client.adoptable()
    except RTorrentError as exc:
        raise AdoptError(f"{node.name} cannot be read: {exc.message}") from None
    known = set(
        Torrent.objects.filter(info_hash__in=[r["hash"].lower() for r in rows]).values_list(
            "info_hash", flat=True
        )
    )
    report = AdoptReport()
    for row in rows:
        name = row["name"]
        if row["hash"].lower() in known:
            report.skipped.append((name, "already on this site"))
            continue
        why = _outside(node, row)
        if why:
            report.refused.append((name, why))
            continue
        try:
            files = client.files(row["hash"])
            with transaction.atomic():
                _adopt_one(node=node, owner=owner, row=row, files=files)
        except QuotaExceeded as exc:
            report.refused.append((name, str(exc)))
        except RTorrentError as exc:
            report.refused.append((name, f"rTorrent did not list its files: {exc.message}"))
        else:
            report.adopted.append(name)
    log.info("adopted %d torrents of %s for %s", len(report.adopted), node.name, owner)
    return report
