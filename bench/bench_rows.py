"""Rows for the list benchmarks, written in bulk: torrents on an offline node, their owners,
labels. Import after `common.django_setup()`."""

import hashlib

from django.db import connection

from torrents.models import Label, Node, Ownership, OwnershipLabel, Torrent


def write_torrents(count: int, *, scratch: str, row, owners=(), enabled: bool = True) -> list[int]:
    """`count` torrent rows on one offline node, `row(n)` giving each one's fields, owned by
    every user of `owners` (each with tracker host ""); returns their ids in order."""
    node = Node.objects.create(
        name="bench", rpc_url="scgi:///nonexistent", data_root=scratch, enabled=enabled
    )
    Torrent.objects.bulk_create(
        (
            Torrent(info_hash=hashlib.sha1(f"bench {n}".encode()).hexdigest(), node=node, **row(n))
            for n in range(count)
        ),
        batch_size=1000,
    )
    ids = list(Torrent.objects.order_by("id").values_list("id", flat=True))
    for owner in owners:
        Ownership.objects.bulk_create((Ownership(torrent_id=i, user=owner) for i in ids), 1000)
    return ids


def write_labels(owner, torrent_ids: list[int]) -> dict:
    """`owner`'s labels on their torrents: "l0".."l19" one each in turn, "linux" on every 7th,
    "rare" on 30. Returns {name: Label}."""
    labels = {
        name: Label.objects.create(user=owner, name=name, colour="#1f77b4")
        for name in [f"l{i}" for i in range(20)] + ["linux", "rare"]
    }
    ownerships = dict(Ownership.objects.filter(user=owner).values_list("torrent_id", "id"))
    rare_every = max(1, len(torrent_ids) // 30)
    links = []
    for n, torrent_id in enumerate(torrent_ids):
        ownership = ownerships[torrent_id]
        links.append(OwnershipLabel(ownership_id=ownership, label=labels[f"l{n % 20}"]))
        if n % 7 == 0:
            links.append(OwnershipLabel(ownership_id=ownership, label=labels["linux"]))
        if n % rare_every == 1:
            links.append(OwnershipLabel(ownership_id=ownership, label=labels["rare"]))
    OwnershipLabel.objects.bulk_create(links, batch_size=2000)
    return labels


def analyze() -> None:
    """Statistics for the planner (Postgres has none for fresh rows; SQLite none at all)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
