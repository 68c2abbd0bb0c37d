"""The tracker host of a list of announce URLs: what the torrent list filters and counts by."""

from urllib.parse import urlsplit

HOST_MAX_LENGTH = 255


def announce_host(urls: list[str] | None) -> str:
    """The lowercase host of the first announce URL that has one ('' for none). One host per
    owner: a private tracker gives one URL, and a public torrent's first is its main one."""
    for url in urls or ():
        try:
            host = urlsplit(str(url).strip()).hostname
        except ValueError:
            continue
        if host:
            return host.lower()[:HOST_MAX_LENGTH]
    return ""
