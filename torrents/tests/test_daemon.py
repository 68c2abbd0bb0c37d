"""The managed daemon: rc from config, one daemon per session dir, clean stop."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import free_port, loopback_address
from torrents.rtorrent import RTorrentClient, RTorrentError
from torrents.rtorrent.daemon import DaemonConfig, DaemonError, ManagedRTorrent, render_rc
from torrents.services.nodes import managed_daemon_config

REPO = Path(__file__).resolve().parents[2]


def test_rc_holds_what_a_headless_daemon_needs(tmp_path):
    config = DaemonConfig(base_dir=tmp_path, data_dir=tmp_path / "data", bind_address="127.0.0.9")
    rc = render_rc(config)
    assert "system.daemon.set = true" in rc
    assert f"network.scgi.open_local = {tmp_path}/rpc.sock" in rc
    assert f"execute.nothrow = chmod,770,{tmp_path}/rpc.sock" in rc
    assert "network.xmlrpc.size_limit.set = 16M" in rc
    assert "dht.mode.set = disable" in rc
    assert "network.bind_address.set = 127.0.0.9" in rc


def test_socket_is_group_only(rtorrent):
    time.sleep(0.2)  # the chmod runs right after the socket opens
    assert oct(rtorrent.config.socket_path.stat().st_mode & 0o777) == "0o770"


def test_second_daemon_on_the_same_session_dir_is_refused(rtorrent):
    second = ManagedRTorrent(rtorrent.config)
    with pytest.raises(DaemonError, match="already running"):
        second.start()
    # The first one still answers on its socket.
    assert RTorrentClient(rtorrent.config.url, timeout=2).version() == "0.9.8"


def test_stop_ends_the_process(rtorrent):
    pid = rtorrent.process.pid
    assert rtorrent.stop() == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_missing_binary_is_a_clear_error(tmp_path):
    daemon = ManagedRTorrent(
        DaemonConfig(base_dir=tmp_path, data_dir=tmp_path / "d", binary="no-such-rtorrent")
    )
    with pytest.raises(DaemonError, match="apt-get install -y rtorrent"):
        daemon.start()


def _command_env(tmp_path: Path) -> dict:
    address = loopback_address()
    port = free_port(address)
    env = {
        **os.environ,
        "SEEDBOX_VAR_DIR": str(tmp_path / "var"),
        "SEEDBOX_RTORRENT_BIND": address,
        "SEEDBOX_RTORRENT_PORT_RANGE": f"{port}-{port}",
    }
    env.pop("DATABASE_URL", None)  # the command keeps its own SQLite under its var dir
    return env


def _rtorrentd(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "rtorrentd"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_rtorrentd_command_runs_refuses_a_twin_and_stops_on_sigterm(tmp_path):
    env = _command_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO, env=env, check=True
    )
    first = _rtorrentd(env)
    try:
        client = RTorrentClient(f"scgi://{tmp_path}/var/rtorrent/rpc.sock", timeout=1)
        deadline = time.monotonic() + 20
        while not client_answers(client):
            assert first.poll() is None, first.stderr.read()
            assert time.monotonic() < deadline, "rtorrentd never answered"
            time.sleep(0.1)

        twin = _rtorrentd(env)
        _, err = twin.communicate(timeout=20)
        assert twin.returncode != 0
        assert "already running" in err
        assert client.version() == "0.9.8", "the twin must not take over the socket"

        first.send_signal(signal.SIGTERM)
        out, _ = first.communicate(timeout=20)
        assert first.returncode == 0
        assert "rTorrent stopped" in out
        assert not client_answers(client)
    finally:
        if first.poll() is None:
            first.kill()


def client_answers(client: RTorrentClient) -> bool:
    try:
        client.version()
    except RTorrentError:
        return False
    return True


def test_a_node_for_another_host_listens_on_tcp_from_settings(tmp_path, settings):
    """SEEDBOX_RTORRENT_SCGI_TCP: `rtorrentd` on a second host opens SCGI on the private address
    the site reaches it at (docker-compose.node2.yml, README), and no socket."""
    address = loopback_address()
    settings.SEEDBOX_RTORRENT_SCGI_TCP = f"{address}:{free_port(address)}"
    settings.SEEDBOX_RTORRENT_DIR, settings.SEEDBOX_DATA_DIR = tmp_path / "rt", tmp_path / "data"
    settings.SEEDBOX_RTORRENT_BIND = address
    peer = free_port(address)
    settings.SEEDBOX_RTORRENT_PORT_RANGE = f"{peer}-{peer}"
    config = managed_daemon_config()
    config.base_dir.mkdir()
    daemon = ManagedRTorrent(config)
    daemon.start()
    try:
        assert config.url == f"scgi://{settings.SEEDBOX_RTORRENT_SCGI_TCP}"
        assert RTorrentClient(config.url, timeout=2).version() == "0.9.8"
        assert not config.socket_path.exists()
    finally:
        daemon.stop()
