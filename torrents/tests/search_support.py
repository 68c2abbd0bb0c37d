"""Helpers for the search tests: a torrent row with files, and the names a search lists."""

import re

from seedbox.testing import api_client as api
from torrents.models import Torrent, TorrentFile
from torrents.tests.pages_support import client_for, make_rows


def with_files(owners: list, name: str, paths: list[str] = (), **fields) -> Torrent:
    """One torrent row called `name`, owned by `owners`, with these file paths."""
    (torrent,) = make_rows(owners, 1, name=name, **fields)
    TorrentFile.objects.bulk_create(
        TorrentFile(torrent=torrent, index=i, path=path, size_bytes=1)
        for i, path in enumerate(paths)
    )
    return torrent


def api_names(user, q: str, **params) -> list[str]:
    """The names `GET /api/torrents?q=` lists, in its order."""
    response = api(user).get("/api/torrents", {"q": q, **params})
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def page_names(user, q: str, **params) -> list[str]:
    """The names the list page shows for `q`, in its order."""
    html = client_for(user).get("/", {"q": q, **params}).content.decode()
    return re.findall(r'<th scope="row" class="name"[^>]*>\s*<a [^>]+>([^<]+)</a>', html)
