"""What other apps add to the request of a `.torrent` fetched by URL, without torrents importing
them (feeds: the feed's cookie, for an item's link on the feed's own site). An app registers
`func(fetch: TorrentFetch) -> {header: value}` with `@fetch_headers` from its AppConfig.ready();
the worker asks them at fetch time, so no secret is written on the fetch's row or in the task's
message, and the fetcher sends them to the URL's origin only (seedbox/fetch.py)."""

from collections.abc import Callable

_PROVIDERS: list[Callable] = []


def fetch_headers(func: Callable) -> Callable:
    if func not in _PROVIDERS:
        _PROVIDERS.append(func)
    return func


def fetch_headers_for(fetch) -> dict[str, str]:
    """The headers every registered function gives for this fetch."""
    headers: dict[str, str] = {}
    for func in _PROVIDERS:
        headers.update(func(fetch) or {})
    return headers
