"""Shared by the benchmarks: a real rTorrent started for the run, and tiny torrents made fast."""

import atexit
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import bencodepy
import django

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


# The list benchmarks (pages_bench, labels_bench, list_filters_bench): Django on a throwaway
# database. Call `django_setup` before importing any model (bench_rows.py writes the rows).


def django_setup(prefix: str, *, redis: bool = False) -> str:
    """A scratch directory (removed at exit), the environment the site reads (a throwaway
    SQLite file unless DATABASE_URL names an empty database; with `redis`, a throwaway
    redis-server unless REDIS_URL names one), then `django.setup()`. Returns the directory."""
    scratch = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    os.environ.setdefault("SEEDBOX_VAR_DIR", scratch)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seedbox.settings")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    if redis:
        _start_redis(scratch)
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")  # never reached without it
    django.setup()
    return scratch


def _start_redis(scratch: str) -> None:
    if os.environ.get("REDIS_URL"):
        return
    sock = Path(scratch) / "redis.sock"
    process = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", str(sock), "--save", "",
         "--appendonly", "no", "--dir", scratch],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        if sock.exists():
            break
        time.sleep(0.05)
    os.environ["REDIS_URL"] = f"unix://{sock}?db=0"
    atexit.register(process.wait, 10)
    atexit.register(process.terminate)  # runs first: atexit is last in, first out
