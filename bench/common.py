"""Shared by the benchmarks: a real rTorrent started for the run, and tiny torrents made fast."""

import hashlib
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import bencodepy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from torrents.rtorrent.daemon import DaemonConfig, ManagedRTorrent


@contextmanager
def running_rtorrent(address: str = "127.0.0.250", port: int = 51950):
    """A throwaway rTorrent with its own dirs, stopped (and its dirs removed) afterwards."""
    with tempfile.TemporaryDirectory(prefix="seedbox-bench-") as tmp:
        config = DaemonConfig(
            base_dir=Path(tmp) / "rt",
            data_dir=Path(tmp) / "data",
            bind_address=address,
            port_range=f"{port}-{port}",
            max_open_files=8192,
        )
        config.base_dir.mkdir()
        daemon = ManagedRTorrent(config)
        daemon.start()
        try:
            yield daemon
        finally:
            daemon.stop(timeout=60)


def tiny_torrent(number: int, piece_length: int = 16384) -> tuple[bytes, str]:
    """A valid single-file metainfo (pieces of random hashes: never downloaded), its info-hash."""
    size = piece_length * 2 + number % 1000
    pieces = os.urandom(20 * ((size + piece_length - 1) // piece_length))
    info = {
        b"name": f"bench-{number:05d}.bin".encode(),
        b"length": size,
        b"piece length": piece_length,
        b"pieces": pieces,
    }
    info_bytes = bencodepy.encode(info)
    metainfo = bencodepy.encode({b"announce": b"http://127.0.0.1:1/announce", b"info": info})
    return metainfo, hashlib.sha1(info_bytes).hexdigest()


def timed(fn, repeat: int) -> list[float]:
    """Wall seconds of `repeat` calls of fn."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def percentile_ms(times: list[float], pct: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))] * 1000


def wait_loaded(client, expected: int, timeout: float = 30.0) -> int:
    """rTorrent takes loads in asynchronously: wait until it lists `expected` torrents."""
    deadline = time.monotonic() + timeout
    while (count := len(client.hashes())) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return count
