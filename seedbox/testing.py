"""Small helpers every app's tests use: API clients, after-commit callbacks, waiting on a
condition (rTorrent and Celery work asynchronously)."""

import contextlib
import time
from collections.abc import Callable

from django.test import TestCase
from rest_framework.test import APIClient

from torrents.rtorrent import RTorrentError


def api_client(user=None) -> APIClient:
    """A DRF client authenticated as `user` (None: anonymous)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def committed(action: Callable[[], object]):
    """Run `action`, then its after-commit callbacks, as a real commit would (pytest-django wraps
    each test in a transaction that never commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return action()


def wait_until(
    predicate: Callable[[], object],
    timeout: float = 20.0,
    what: str = "condition",
    explain: Callable[[], str] | None = None,
):
    """Poll `predicate` until it returns something truthy (returned), or fail after `timeout`,
    with what `explain()` says about the state of things in the failure message."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            detail = f"\n{explain()}" if explain else ""
            raise AssertionError(f"timed out waiting for {what}{detail}")
        time.sleep(0.05)


class Announcer:
    """Announce one info-hash by hand from several rTorrents, in order, at most every `every`
    seconds: call it while waiting for a transfer.

    opentracker's interval is about 30 minutes, so a peer that announced before the other side
    did (or before the tracker re-read its whitelist) hears of no one until it announces again.
    Rarely, though: rTorrent 0.9.8 aborts with "Tracker request had more than 10 requests in 10
    seconds" when pushed harder. A client that does not hold the torrent yet is skipped this round.
    """

    def __init__(self, info_hash: str, *clients, every: float = 4.0):
        self.info_hash = info_hash
        self.clients = clients
        self.every = every
        self.last = float("-inf")

    def __call__(self) -> None:
        if time.monotonic() - self.last < self.every:
            return
        for client in self.clients:
            with contextlib.suppress(RTorrentError):
                client.announce(self.info_hash)
            time.sleep(0.3)  # the first peer's announce reaches the tracker first
        self.last = time.monotonic()

    def report(self) -> str:
        """What each client says of the torrent, its trackers and its peers (for failures)."""
        h = self.info_hash.upper()
        lines = []
        for client in self.clients:
            try:
                state = [client.call(m, h) for m in ("d.state", "d.complete", "d.message")]
                trackers = client.call(
                    "t.multicall", h, "", "t.url=", "t.success_counter=", "t.failed_counter="
                )
                peers = client.call("p.multicall", h, "", "p.address=", "p.port=")
            except RTorrentError as exc:
                state, trackers, peers = exc.message, [], []
            lines.append(
                f"{client.url}: state/complete/message {state}; trackers (url, ok, failed) "
                f"{trackers}; peers {peers}"
            )
        return "\n".join(lines)
