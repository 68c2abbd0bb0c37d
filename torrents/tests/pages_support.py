"""Helpers for the page tests: rows of torrents without a daemon (the list reads rows only),
and a logged-in Django test client per persona."""

import hashlib
import itertools
import re

from django.test import Client

from torrents.models import Node, Ownership, Torrent, TorrentStatus

_numbers = itertools.count(1)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def offline_node() -> Node:
    """A node row whose daemon is not running (for pages that must not need one)."""
    node, _ = Node.objects.get_or_create(
        name="offline", defaults={"rpc_url": "scgi:///nonexistent/rpc.sock", "data_root": "/tmp"}
    )
    return node


def make_rows(owners: list, count: int, *, node: Node | None = None, **fields) -> list[Torrent]:
    """`count` torrent rows owned by `owners` (no .torrent, no data: for list pages)."""
    node = node or offline_node()
    torrents = []
    for _ in range(count):
        n = next(_numbers)
        torrents.append(
            Torrent(
                info_hash=hashlib.sha1(f"row {n}".encode()).hexdigest(),
                name=fields.pop("name", None) or f"Row torrent {n:05d}",
                size_bytes=1000 * n,
                completed_bytes=500 * n,
                node=node,
                status=fields.get("status", TorrentStatus.DOWNLOADING),
                **{k: v for k, v in fields.items() if k != "status"},
            )
        )
    created = Torrent.objects.bulk_create(torrents)
    Ownership.objects.bulk_create(
        Ownership(torrent=t, user=u, charged_bytes=t.size_bytes) for t in created for u in owners
    )
    return created


def facet_counts(html: str, facet: str) -> dict[str, int]:
    """{value: count} of one facet of the filter sidebar ("" for "All")."""
    pattern = rf'data-facet="{facet}" data-value="([^"]*)">.*?<span class="count">(\d+)</span>'
    return {value: int(n) for value, n in re.findall(pattern, html)}
