"""One error family for everything rTorrent answers or fails to answer.

`transient` says whether trying again later can help: a daemon that is down, restarting or slow is
transient; a fault rTorrent returned (unknown info-hash, bad method, bad argument) is permanent.
Celery tasks retry on `RTorrentUnavailable` only.
"""


class RTorrentError(Exception):
    transient = False

    def __init__(self, message: str, *, url: str = ""):
        super().__init__(message)
        self.message = message
        self.url = url


class RTorrentUnavailable(RTorrentError):
    """Refused, timed out, reset, socket missing, or a 5xx from a proxy in front of rTorrent."""

    transient = True


class RTorrentFault(RTorrentError):
    """rTorrent answered with an XML-RPC fault; its code and message are kept."""

    def __init__(self, message: str, *, code: int, url: str = ""):
        super().__init__(message, url=url)
        self.code = code


class TorrentNotFound(RTorrentFault):
    """Fault -501: rTorrent has no torrent with that info-hash."""


class RequestTooLarge(RTorrentError):
    """The call would be larger than rTorrent's SCGI server reads (see client.SCGI_MAX_REQUEST):
    it would hang up on it, which looks like an outage but is not one. Permanent."""


class TorrentNotLoaded(RTorrentError):
    """`load.raw*` answered, but the info-hash never appeared (rTorrent answers 0 even for
    garbage and logs the reason)."""
