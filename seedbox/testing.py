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


def _tracker_answers(client, info_hash: str) -> int:
    rows = client.call("t.multicall", info_hash.upper(), "", "t.success_counter=")
    return sum(row[0] for row in rows)


def announce_seeder(client, info_hash: str, timeout: float = 10.0) -> None:
    """Announce the seeding rTorrent and wait until the tracker has answered it. Do this before
    the downloader exists: the downloader then dials the seeder, and the seeder never dials back.
    Two rTorrents that dial each other at the same moment (the seeder announcing after the
    downloader did) drop both handshakes ("network error") and do not try again for minutes."""
    before = _tracker_answers(client, info_hash)
    last = float("-inf")

    def answered() -> bool:
        nonlocal last
        if _tracker_answers(client, info_hash) > before:
            return True
        if time.monotonic() - last > 2:  # refused (the whitelist not re-read yet): again
            client.announce(info_hash)
            last = time.monotonic()
        return False

    wait_until(answered, timeout=timeout, what="the tracker to answer the seeder's announce")


class Announcer:
    """While waiting for a transfer, call it: the downloading rTorrent announces again, at most
    every `every` seconds (opentracker's interval is about 30 minutes; rTorrent 0.9.8 aborts with
    "Tracker request had more than 10 requests in 10 seconds" when pushed harder). Only the
    downloader: see `announce_seeder`. A downloader that does not hold the torrent yet is skipped
    this round. `report()` describes both sides for a failure message."""

    def __init__(self, info_hash: str, downloader, *, seeder, every: float = 4.0):
        self.info_hash = info_hash
        self.downloader = downloader
        self.seeder = seeder
        self.every = every
        self.last = float("-inf")

    def __call__(self) -> None:
        if time.monotonic() - self.last < self.every:
            return
        with contextlib.suppress(RTorrentError):
            self.downloader.announce(self.info_hash)
        self.last = time.monotonic()

    def report(self) -> str:
        """What each side says of the torrent, its trackers and its peers."""
        h = self.info_hash.upper()
        lines = []
        for side, client in (("seeder", self.seeder), ("downloader", self.downloader)):
            try:
                state = [client.call(m, h) for m in ("d.state", "d.complete", "d.message")]
                trackers = client.call(
                    "t.multicall", h, "", "t.url=", "t.success_counter=", "t.failed_counter="
                )
                peers = client.call("p.multicall", h, "", "p.address=", "p.port=")
            except RTorrentError as exc:
                state, trackers, peers = exc.message, [], []
            lines.append(
                f"{side} {client.url}: state/complete/message {state}; "
                f"trackers (url, ok, failed) {trackers}; peers {peers}"
            )
        return "\n".join(lines)
