"""Fixtures shared by every app's tests: real rTorrent daemons, fast password hashing."""

import itertools
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from accounts.testing import (  # noqa: F401  (personas: user, other_user, admin_user, api_client_for)
    _cache_namespace_per_test,
    admin_user,
    api_client_for,
    other_user,
    user,
)
from torrents.rtorrent.daemon import DaemonConfig, ManagedRTorrent

# alice, bob and boss (quota 1 GiB; boss is staff) for the intake tests.
# owner, other and admin for the sync, control and download tests.
pytest_plugins = ["torrents.tests.intake_support", "torrents.tests.helpers_sync"]
pytest_plugins += ["media.tests.stream_support"]  # media made by ffmpeg, HLS dirs

# Each daemon gets its own loopback address (two rTorrents on one IP never connect) and a free
# port. Addresses are spread by PID so that test runs in parallel do not share them.
_daemon_numbers = itertools.cycle(range(2 + (os.getpid() % 24) * 10, 12 + (os.getpid() % 24) * 10))


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def loopback_address() -> str:
    """A 127.0.0.x address of its own for one more daemon or peer."""
    return f"127.0.0.{next(_daemon_numbers)}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_trackers_allowed(settings):
    """The tests' trackers (opentracker, canaries) listen on 127.0.0.x: allowed unless a test
    turns the setting off to check the refusal."""
    settings.SEEDBOX_ALLOW_PRIVATE_TRACKERS = True


@pytest.fixture
def rtorrent_factory(tmp_path_factory):
    """Start real rTorrent daemons: `rtorrent_factory()` returns a started ManagedRTorrent with
    its own rc, socket, session dir, data dir and 127.0.0.x address; all stop after the test."""
    started: list[ManagedRTorrent] = []

    def start(**overrides) -> ManagedRTorrent:
        address = loopback_address()
        port = free_port(address)
        base = tmp_path_factory.mktemp("rtorrent")
        config = DaemonConfig(
            base_dir=base / "rt",
            data_dir=base / "data",
            bind_address=address,
            port_range=f"{port}-{port}",
            **overrides,
        )
        config.base_dir.mkdir()
        daemon = ManagedRTorrent(config)
        daemon.start()
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.stop()


@pytest.fixture
def rtorrent(rtorrent_factory) -> ManagedRTorrent:
    return rtorrent_factory()


@pytest.fixture
def node(db, rtorrent):
    """A Node row for a real daemon."""
    from torrents.models import Node

    return Node.objects.create(
        name="test", rpc_url=rtorrent.config.url, data_root=str(rtorrent.config.data_dir)
    )


class Tracker:
    """A real BitTorrent tracker (Debian's opentracker) on its own 127.0.0.x. It serves only
    whitelisted info-hashes: `allow(hash)` adds one (whitelist file + SIGHUP)."""

    def __init__(self, directory, address: str, port: int, process):
        self.directory = directory
        self.address = address
        self.port = port
        self.process = process
        self.announce_url = f"http://{address}:{port}/announce"

    def allow(self, *info_hashes: str) -> None:
        with open(self.directory / "whitelist", "a") as f:
            f.writelines(f"{h.lower()}\n" for h in info_hashes)
        self.process.send_signal(signal.SIGHUP)
        time.sleep(0.2)  # it re-reads the list in its own time


@pytest.fixture
def tracker(tmp_path_factory):
    """opentracker on loopback (chrooted with -d, so the whitelist path is inside its dir)."""
    binary = shutil.which("opentracker")
    if not binary:
        pytest.skip("opentracker is not installed (apt-get install -y opentracker)")
    directory = tmp_path_factory.mktemp("tracker")
    directory.chmod(0o755)
    (directory / "whitelist").write_text("")
    address = loopback_address()
    port = free_port(address)
    command = [binary, "-i", address, "-p", str(port), "-P", str(port)]
    process = subprocess.Popen(
        [*command, "-d", str(directory), "-w", "/whitelist"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection((address, port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"opentracker did not start on {address}:{port}")
            time.sleep(0.05)
    yield Tracker(directory, address, port, process)
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
