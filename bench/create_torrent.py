"""Creating a .torrent from data: our `create_torrent` against `mktorrent -t 2` on the same data.

    .venv/bin/python bench/create_torrent.py [--size 1GiB] [--files 200] [--multi-size 256MiB]
                                             [--rounds 7] [--dir /tmp/seedbox-bench-creation]

Two cases: one file of `--size` random bytes, and `--files` files in nested folders (sizes not
multiples of the piece size) totalling `--multi-size`. The data is made once in `--dir` and reused.
Both tools hash the same data with the same piece size, alternating which goes first, for several
rounds. The page cache is warm for both (all data is read once before the rounds), so this
compares hashing and reading from memory, not the disk; `--cold` evicts the data before every
run instead. Prints medians, the ratio ours/mktorrent, torf 4.3 alone for reference, and fails
when our info-hash differs from mktorrent's.
"""

import argparse
import hashlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bencodepy
import torf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from seedbox.env import parse_size
from torrents.creation import choose_piece_size, create_torrent

TRACKER = "http://127.0.0.1:6969/announce"
CHUNK = 16 * 1024 * 1024


def write_random(path: Path, size: int) -> None:
    """`size` random bytes, written in chunks (never whole in memory); kept when already there."""
    if path.is_file() and path.stat().st_size == size:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        left = size
        while left:
            out.write(os.urandom(min(CHUNK, left)))
            left -= min(CHUNK, left)


def make_single(root: Path, size: int) -> Path:
    path = root / f"single-{size}" / "data.bin"
    write_random(path, size)
    return path


def make_multi(root: Path, files: int, total: int) -> Path:
    """`files` files in 3 levels of folders, deterministic odd sizes summing to about `total`."""
    folder = root / f"multi-{files}x{total}" / "payload"
    rng = random.Random(4)
    weights = [rng.uniform(0.2, 1.8) for _ in range(files)]
    scale = total / sum(weights)
    for i, weight in enumerate(weights):
        write_random(folder / f"d{i % 4}" / f"s{i % 7}" / f"file-{i:04d}.bin", int(weight * scale))
    return folder


def files_under(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())


def warm(path: Path) -> int:
    """Read every byte under `path` once, so both tools then read from the page cache."""
    total = 0
    for file in files_under(path):
        with open(file, "rb", buffering=0) as f:
            while chunk := f.read(CHUNK):
                total += len(chunk)
    return total


def evict(path: Path) -> None:
    """Drop the data's pages from the page cache (this data only), for --cold runs."""
    for file in files_under(path):
        fd = os.open(file, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def info_hash(metainfo: bytes) -> str:
    return hashlib.sha1(bencodepy.encode(bencodepy.decode(metainfo)[b"info"])).hexdigest()


def run_mktorrent(path: Path, piece_size: int, out: Path) -> bytes:
    out.unlink(missing_ok=True)
    exponent = piece_size.bit_length() - 1
    command = ["mktorrent", "-t", "2", "-l", str(exponent), "-a", TRACKER, "-o", str(out)]
    subprocess.run([*command, str(path)], check=True, stdout=subprocess.DEVNULL)
    return out.read_bytes()


def run_ours(path: Path, piece_size: int, out: Path) -> bytes:
    metainfo = create_torrent(path, trackers=[TRACKER], piece_size=piece_size)
    out.write_bytes(metainfo)
    return metainfo


def run_torf(path: Path, piece_size: int, out: Path) -> bytes:
    torrent = torf.Torrent(path=path, trackers=[TRACKER], piece_size=piece_size)
    torrent.generate(threads=2)
    return torrent.dump()


def rounds_of(
    runners: dict, path: Path, piece_size: int, workdir: Path, rounds: int, *, cold: bool = False
) -> tuple[dict[str, list[float]], dict[str, set[str]]]:
    """Each runner on `path` `rounds` times, which one goes first alternating: the seconds of
    every run and the info-hashes each runner made."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    hashes: dict[str, set[str]] = {name: set() for name in runners}
    for round_number in range(rounds):
        order = list(runners) if round_number % 2 == 0 else list(reversed(runners))
        for name in order:
            if cold:
                evict(path)
            started = time.perf_counter()
            metainfo = runners[name](path, piece_size, workdir / "out.torrent")
            times[name].append(time.perf_counter() - started)
            hashes[name].add(info_hash(metainfo))  # outside the timing: our check, not the tool
    return times, hashes


def bench_case(label: str, path: Path, size: int, args: argparse.Namespace, workdir: Path) -> bool:
    piece_size = choose_piece_size(size)
    runners = {"mktorrent -t 2": run_mktorrent, "ours": run_ours, "torf 4.3 alone": run_torf}
    if args.no_torf:
        del runners["torf 4.3 alone"]
    rounds = args.rounds
    times, hashes = rounds_of(runners, path, piece_size, workdir, rounds, cold=args.cold)

    mk, ours = statistics.median(times["mktorrent -t 2"]), statistics.median(times["ours"])
    print(
        f"\n{label}: {size / 2**20:.0f} MiB, piece size {piece_size // 1024} KiB, {rounds} rounds"
    )
    for name in runners:
        spread = f"{min(times[name]) * 1000:.0f}-{max(times[name]) * 1000:.0f}"
        print(f"  {name:16} median {statistics.median(times[name]) * 1000:7.0f} ms  ({spread} ms)")
    print(f"  ratio ours / mktorrent: {ours / mk:.2f}x (bar: 1.10x)")
    same = hashes["ours"] == hashes["mktorrent -t 2"] and len(hashes["ours"]) == 1
    print(f"  info-hash ours == mktorrent: {same} ({next(iter(hashes['ours']))})")
    if not args.no_torf:
        print(f"  info-hash torf == ours: {hashes['torf 4.3 alone'] == hashes['ours']}")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("1GiB"))
    parser.add_argument("--files", type=int, default=200, help="0 skips the multi-file case")
    parser.add_argument("--multi-size", type=parse_size, default=parse_size("256MiB"))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cold", action="store_true", help="evict the data before every run")
    parser.add_argument("--no-torf", action="store_true", help="skip the torf reference")
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "seedbox-bench-creation"
    )
    args = parser.parse_args()

    cases = [("one file", make_single(args.dir, args.size))]
    if args.files:
        cases.append((f"{args.files} files", make_multi(args.dir, args.files, args.multi_size)))
    cache = "cold (data evicted before every run)" if args.cold else "warm (data read once first)"
    print(f"{os.cpu_count()} CPUs; page cache {cache} for every tool")
    ok = True
    with tempfile.TemporaryDirectory(prefix="seedbox-bench-out-") as out:
        for label, path in cases:
            size = warm(path)
            ok &= bench_case(label, path, size, args, Path(out))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
