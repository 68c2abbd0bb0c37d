"""The rTorrent client against real rTorrent daemons (no mocks)."""

import socket
import threading
import time
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from conftest import free_port
from seedbox.testing import wait_until
from torrents.rtorrent import (
    RTorrentClient,
    RTorrentError,
    RTorrentFault,
    RTorrentUnavailable,
    TorrentNotFound,
    TorrentNotLoaded,
)
from torrents.tests.factories import make_torrent


@pytest.fixture
def client(rtorrent):
    return RTorrentClient(rtorrent.config.url, timeout=5)


def test_version_and_methods_are_detected(client):
    assert client.version() == "0.9.8"
    methods = client.methods()
    assert "system.multicall" in methods
    assert client.multicall_method() == "d.multicall2"


def test_load_then_read_back_with_one_multicall(client, tmp_path):
    loaded = {}
    for i in range(3):
        raw, info_hash, _ = make_torrent(tmp_path / str(i), f"file{i}.bin", 20_000 + i)
        client.load(raw, info_hash, start=False, commands=[f"d.directory.set={tmp_path}/dl{i}"])
        loaded[info_hash] = f"file{i}.bin"

    rows = client.torrents()

    assert {row["hash"].lower(): row["name"] for row in rows} == loaded
    row = next(r for r in rows if r["name"] == "file1.bin")
    assert row["size_bytes"] == 20_001
    assert row["directory"] == f"{tmp_path}/dl1"
    assert row["state"] == 0
    assert sorted(client.hashes()) == sorted(loaded)


def test_load_start_with_data_in_place_completes(client, tmp_path):
    raw, info_hash, data = make_torrent(tmp_path, "seed.bin", 300_000)

    client.load(raw, info_hash, start=True, commands=[f"d.directory.set={data.parent}"])

    deadline = time.monotonic() + 10
    while client.call("d.complete", info_hash.upper()) != 1:
        assert time.monotonic() < deadline, "hash check never completed"
        time.sleep(0.05)
    assert client.call("d.state", info_hash.upper()) == 1


def test_stop_start_pause_resume_erase(client, tmp_path):
    raw, info_hash, data = make_torrent(tmp_path)
    client.load(raw, info_hash, start=True, commands=[f"d.directory.set={data.parent}"])
    # While its first hash check runs, a resumed torrent becomes active only once the check ends.
    wait_until(lambda: client.call("d.complete", info_hash.upper()) == 1, what="the hash check")

    client.stop(info_hash)
    assert client.call("d.state", info_hash.upper()) == 0
    client.start(info_hash)
    assert client.call("d.state", info_hash.upper()) == 1
    client.pause(info_hash)
    assert client.call("d.is_active", info_hash.upper()) == 0
    client.resume(info_hash)
    assert client.call("d.is_active", info_hash.upper()) == 1

    client.erase(info_hash)

    assert not client.has(info_hash)
    assert data.exists(), "d.erase keeps the data; deleting it is the caller's job"


def test_files_trackers_and_system_multicall(client, tmp_path):
    raw, info_hash, _ = make_torrent(
        tmp_path,
        "album",
        files={"cd1/a.flac": 10_000, "cd2/b.flac": 5_000},
        trackers=["http://127.0.0.1:6969/announce"],
    )
    client.load(raw, info_hash, start=False)

    assert [(f["path"], f["size_bytes"]) for f in client.files(info_hash)] == [
        ("cd1/a.flac", 10_000),
        ("cd2/b.flac", 5_000),
    ]
    assert [t["url"] for t in client.trackers(info_hash)] == ["http://127.0.0.1:6969/announce"]
    name, missing = client.system_multicall(
        [("d.name", [info_hash.upper()]), ("d.name", ["0" * 40])]
    )
    assert name == "album"
    assert isinstance(missing, TorrentNotFound)


def test_unknown_hash_is_a_permanent_fault_with_rtorrents_message(client):
    with pytest.raises(TorrentNotFound) as caught:
        client.start("ab" * 20)
    assert caught.value.code == -501
    assert "Could not find info-hash" in str(caught.value)
    assert caught.value.transient is False


def test_unknown_method_is_permanent(client):
    with pytest.raises(RTorrentFault) as caught:
        client.call("no.such.method")
    assert caught.value.code == -506
    assert not caught.value.transient


def test_garbage_load_is_reported_although_rtorrent_answers_zero(client):
    assert client.call("load.raw", "", xmlrpc.client.Binary(b"not bencode")) == 0
    with pytest.raises(TorrentNotLoaded):
        client.load(b"not bencode", "cd" * 20, confirm_timeout=0.3)


def test_daemon_down_is_transient(rtorrent):
    client = RTorrentClient(rtorrent.config.url, timeout=2)
    assert client.version()
    rtorrent.stop()

    with pytest.raises(RTorrentUnavailable) as caught:
        client.version()
    assert caught.value.transient is True


def test_missing_socket_and_closed_tcp_port_are_transient(tmp_path):
    with pytest.raises(RTorrentUnavailable):
        RTorrentClient(f"scgi://{tmp_path}/none.sock", timeout=1).version()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RTorrentUnavailable):
        RTorrentClient(f"scgi://127.0.0.1:{port}", timeout=1).version()


def test_timeout_is_transient(tmp_path):
    path = str(tmp_path / "silent.sock")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen()  # accepts, never answers
    try:
        started = time.monotonic()
        with pytest.raises(RTorrentUnavailable, match="timed out"):
            RTorrentClient(f"scgi://{path}", timeout=0.3).version()
        assert time.monotonic() - started < 2
    finally:
        server.close()


def test_scgi_over_tcp(rtorrent_factory):
    port = free_port()
    daemon = rtorrent_factory(scgi_tcp=f"127.0.0.1:{port}")
    assert daemon.config.url == f"scgi://127.0.0.1:{port}"
    client = RTorrentClient(daemon.config.url, timeout=3)
    assert client.version() == "0.9.8"
    assert client.torrents() == []


def test_startup_failure_says_why(rtorrent_factory):
    from torrents.rtorrent.daemon import DaemonError

    with pytest.raises(DaemonError, match="SCGI already enabled"):
        rtorrent_factory(extra_lines=["network.scgi.open_port = 127.0.0.1:1"])


class _ScgiToHttp(BaseHTTPRequestHandler):
    """rTorrent behind an HTTP front (what nginx's scgi_pass does), for the HTTP transport."""

    socket_path = ""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = _raw_scgi(self.socket_path, body)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def _raw_scgi(path: str, body: bytes) -> bytes:
    headers = b"CONTENT_LENGTH\x00%d\x00SCGI\x001\x00" % len(body)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(path)
        sock.sendall(b"%d:%s," % (len(headers), headers) + body)
        data = b"".join(iter(lambda: sock.recv(65536), b""))
    return data.partition(b"\r\n\r\n")[2]


def test_http_transport_through_a_front(rtorrent):
    _ScgiToHttp.socket_path = str(rtorrent.config.socket_path)
    server = HTTPServer(("127.0.0.1", 0), _ScgiToHttp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = RTorrentClient(f"http://127.0.0.1:{server.server_port}/RPC2", timeout=3)
        assert client.version() == "0.9.8"
        assert client.multicall_method() == "d.multicall2"
    finally:
        server.shutdown()


def test_http_error_statuses():
    class Failing(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(502 if self.path == "/bad-gateway" else 401)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        with pytest.raises(RTorrentUnavailable):
            RTorrentClient(f"{base}/bad-gateway", timeout=2).version()
        with pytest.raises(RTorrentError) as caught:
            RTorrentClient(f"{base}/RPC2", timeout=2).version()
        assert not caught.value.transient
    finally:
        server.shutdown()
