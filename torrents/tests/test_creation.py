"""Making .torrent files from data: same info-hash as Debian's mktorrent, seeds in real rTorrent."""

import hashlib
import os
import subprocess
import threading
import time
import tracemalloc
from pathlib import Path

import bencodepy
import pytest
import torf

from torrents import piece_hashing
from torrents.creation import TorrentCreationError, choose_piece_size, create_torrent
from torrents.piece_hashing import DataChangedError, piece_hashes
from torrents.rtorrent import RTorrentClient

TRACKER = "http://127.0.0.1:6969/announce"
PIECE = 32 * 1024  # mktorrent's smallest piece size (-l 15)


def decode(metainfo: bytes) -> dict:
    return bencodepy.decode(metainfo)


def info_hash(metainfo: bytes) -> str:
    return hashlib.sha1(bencodepy.encode(decode(metainfo)[b"info"])).hexdigest()


def mktorrent(path: Path, piece_size: int, *options: str, trackers=(TRACKER,)) -> bytes:
    out = path.parent / f"{path.name}.mktorrent"
    out.unlink(missing_ok=True)
    announce = [arg for url in trackers for arg in ("-a", url)]
    command = ["mktorrent", "-l", str(piece_size.bit_length() - 1), *announce, *options]
    subprocess.run([*command, "-o", str(out), str(path)], check=True, capture_output=True)
    return out.read_bytes()


def write(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path


@pytest.fixture
def folder(tmp_path) -> Path:
    """Nested folders, an empty file, a hidden file, names whose byte order differs from their
    folder order (`a-b` < `a/...`), upper case, UTF-8, and sizes that are not piece multiples."""
    root = tmp_path / "Payload"
    write(root / "a" / "z" / "deep.bin", 3 * PIECE + 17)
    write(root / "a-b.txt", 1000)
    write(root / "a" / "Capital.nfo", 10_001)
    write(root / "B" / "x.bin", PIECE)
    write(root / ".hidden", 20_000)
    write(root / "été" / "ça.bin", 77_777)
    write(root / "a" / "empty.txt", 0)
    return root


@pytest.fixture(params=["defaults", "tiny batches and reads"])
def read_sizes(request, monkeypatch):
    """Also with batches and reads smaller than a piece and not dividing it, so that pieces span
    reads, batches and files in every way."""
    if request.param != "defaults":
        monkeypatch.setattr(piece_hashing, "BATCH_BYTES", 2 * PIECE)
        monkeypatch.setattr(piece_hashing, "READ_BYTES", 7_000)


def test_single_file_info_hash_equals_mktorrent(tmp_path, read_sizes):
    data = write(tmp_path / "movie.mkv", 11 * PIECE + 12_345)

    ours = create_torrent(data, trackers=[TRACKER], piece_size=PIECE)

    assert info_hash(ours) == info_hash(mktorrent(data, PIECE))
    info = decode(ours)[b"info"]
    assert info[b"name"] == b"movie.mkv"
    assert info[b"length"] == 11 * PIECE + 12_345
    assert b"private" not in info


@pytest.mark.parametrize("threads", [1, 3])
def test_multi_file_info_hash_equals_mktorrent(folder, read_sizes, threads):
    ours = create_torrent(folder, trackers=[TRACKER], piece_size=PIECE, threads=threads)

    assert info_hash(ours) == info_hash(mktorrent(folder, PIECE))
    files = decode(ours)[b"info"][b"files"]
    assert [b"/".join(f[b"path"]) for f in files] == [
        b".hidden",
        b"B/x.bin",
        b"a-b.txt",
        b"a/Capital.nfo",
        b"a/empty.txt",
        b"a/z/deep.bin",
        "été/ça.bin".encode(),
    ]
    assert files[4][b"length"] == 0


def test_same_info_hash_as_torf_where_torf_keeps_every_file(tmp_path):
    """torf 4.3 drops hidden and empty files; without those the three tools agree."""
    root = tmp_path / "plain"
    write(root / "one.bin", 5 * PIECE + 3)
    write(root / "sub" / "two.bin", 99_999)
    reference = torf.Torrent(path=root, trackers=[TRACKER], piece_size=PIECE)
    reference.generate()

    assert info_hash(create_torrent(root, trackers=[TRACKER], piece_size=PIECE)) == (
        reference.infohash
    )


def test_private_comment_name_and_trackers(folder):
    trackers = [TRACKER, "http://tracker.example.org:8080/announce", "udp://open.example:1337"]

    ours = create_torrent(
        folder,
        trackers=trackers,
        name="Renamed",
        private=True,
        comment="uploaded by alice",
        piece_size=PIECE,
    )

    theirs = mktorrent(folder, PIECE, "-p", "-n", "Renamed", trackers=trackers)
    assert info_hash(ours) == info_hash(theirs)
    meta = decode(ours)
    assert meta[b"info"][b"private"] == 1
    assert meta[b"info"][b"name"] == b"Renamed"
    assert meta[b"comment"] == b"uploaded by alice"
    assert meta[b"announce"] == TRACKER.encode()
    assert meta[b"announce-list"] == [[url.encode()] for url in trackers]
    assert abs(meta[b"creation date"] - time.time()) < 60
    assert info_hash(ours) != info_hash(create_torrent(folder, trackers=trackers, piece_size=PIECE))


def test_one_tracker_is_the_announce_url_alone(tmp_path):
    meta = decode(create_torrent(write(tmp_path / "f", 100), trackers=[TRACKER]))

    assert meta[b"announce"] == TRACKER.encode()
    assert b"announce-list" not in meta
    assert b"comment" not in meta


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (1, 16 * 1024),
        (1500 * 16 * 1024, 16 * 1024),
        (1500 * 16 * 1024 + 1, 32 * 1024),
        (2**30, 2**20),
        (2**31, 2 * 2**20),
        (10 * 2**40, 16 * 2**20),
    ],
)
def test_piece_size_is_chosen_from_the_total(total, expected):
    assert choose_piece_size(total) == expected


def test_piece_size_defaults_to_the_choice(tmp_path):
    data = write(tmp_path / "f.bin", 30 * 1024 * 1024)

    info = decode(create_torrent(data, trackers=[TRACKER]))[b"info"]

    assert info[b"piece length"] == choose_piece_size(30 * 1024 * 1024) == 32 * 1024
    assert len(info[b"pieces"]) == 20 * 960


def test_concurrent_calls_give_the_same_torrents(tmp_path):
    datas = [write(tmp_path / f"f{i}.bin", 400_000 + i) for i in range(4)]
    expected = [info_hash(create_torrent(d, trackers=[TRACKER], piece_size=PIECE)) for d in datas]
    results: dict[int, str] = {}

    def create(i: int) -> None:
        results[i] = info_hash(create_torrent(datas[i], trackers=[TRACKER], piece_size=PIECE))

    threads = [threading.Thread(target=create, args=(i % 4,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [results[i] for i in range(4)] == expected


def test_large_data_is_never_read_whole_into_memory(tmp_path):
    data = write(tmp_path / "big.bin", 64 * 1024 * 1024)
    tracemalloc.start()
    try:
        create_torrent(data, trackers=[TRACKER], piece_size=4 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 8 * 1024 * 1024


@pytest.mark.parametrize("case", ["missing", "empty folder", "only empty files", "empty file"])
def test_no_data_is_a_clear_error(tmp_path, case):
    path = tmp_path / "thing"
    if case == "empty folder":
        (path / "sub").mkdir(parents=True)
    elif case == "only empty files":
        write(path / "a", 0)
        write(path / "sub" / "b", 0)
    elif case == "empty file":
        write(path, 0)

    with pytest.raises(TorrentCreationError, match="thing"):
        create_torrent(path, trackers=[TRACKER])


def test_links_are_refused_not_skipped(folder):
    (folder / "link").symlink_to(folder / "a-b.txt")

    with pytest.raises(TorrentCreationError, match="link is not a plain file"):
        create_torrent(folder, trackers=[TRACKER])


@pytest.mark.parametrize("piece_size", [8 * 1024, 48 * 1024])
def test_bad_piece_size_is_refused(tmp_path, piece_size):
    with pytest.raises(TorrentCreationError, match="power of two"):
        create_torrent(write(tmp_path / "f", 100), trackers=[TRACKER], piece_size=piece_size)


def test_special_files_are_refused(folder):
    os.mkfifo(folder / "a" / "pipe")

    with pytest.raises(TorrentCreationError, match="pipe is not a plain file"):
        create_torrent(folder, trackers=[TRACKER])


def test_data_shorter_than_listed_is_detected(tmp_path):
    data = write(tmp_path / "f.bin", 100_000)

    with pytest.raises(DataChangedError, match=r"f\.bin"):
        piece_hashes([(data, 100_001)], PIECE)


def wait_complete(client: RTorrentClient, key: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while client.call("d.complete", key) != 1:
        assert time.monotonic() < deadline, "the hash check never completed"
        time.sleep(0.05)


@pytest.mark.parametrize("layout", ["single file", "folder"])
def test_created_torrent_seeds_in_rtorrent_without_downloading(rtorrent, tmp_path, layout):
    if layout == "folder":
        data = tmp_path / "Show"
        write(data / "s01" / "e01.mkv", 300_001)
        write(data / "s01" / "e02.mkv", 123_457)
        write(data / "empty.txt", 0)
        write(data / ".nfo", 999)
        size = 300_001 + 123_457 + 999
    else:
        size = 700_003
        data = write(tmp_path / "film.mkv", size)
    metainfo = create_torrent(data, trackers=[TRACKER])
    key = info_hash(metainfo).upper()
    client = RTorrentClient(rtorrent.config.url, timeout=5)

    client.load(metainfo, key, commands=[f"d.directory.set={data.parent}"])

    wait_complete(client, key)
    assert client.call("d.completed_bytes", key) == size == client.call("d.size_bytes", key)
    assert client.call("d.down.total", key) == 0
    assert client.call("d.base_path", key) == str(data)


def test_errors_are_still_torf_errors_for_callers_written_for_torf(tmp_path):
    with pytest.raises(torf.TorfError):
        create_torrent(tmp_path / "missing", trackers=[TRACKER])
