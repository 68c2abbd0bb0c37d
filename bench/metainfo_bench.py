"""What a hostile .torrent costs: a bencode bomb decoded by plain bencode.py against our bounded
parse refusing it, and a real large torrent parsed by both.

    .venv/bin/python bench/metainfo_bench.py [--items 3400000] [--files 20000] [--rounds 5]

The bomb is what the attack sent: a 10 MiB dictionary whose `info` hides a list of 3.4 million
tiny integers. The large torrent has `--files` files (SEEDBOX_METAINFO_MAX_FILES by default) in
nested folders. CPU time (process time) medians over `--rounds`; the peak memory of one decode is
measured apart with tracemalloc (which slows the decode, so its time is not used).
"""

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import bencodepy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from torrents.metainfo import MetainfoError, parse_metainfo

MiB = 1 << 20
PIECE = 256 * 1024


def bomb(items: int, item: bytes = b"i0e") -> bytes:
    """A torrent whose `info` hides a list of `items` copies of `item` (3 bytes each)."""
    info = {b"name": b"x", b"piece length": PIECE, b"pieces": b"\0" * 20, b"length": 10}
    data = bencodepy.encode({b"announce": b"http://t/a", b"info": {**info, b"x": [0]}})
    return data.replace(b"1:xli0ee", b"1:xl" + item * items + b"e")


def large_torrent(files: int) -> bytes:
    entries = [
        {b"length": 1000 + i, b"path": [b"disc%d" % (i // 500), b"track %05d.flac" % i]}
        for i in range(files)
    ]
    size = sum(e[b"length"] for e in entries)
    info = {
        b"name": b"a large album",
        b"piece length": PIECE,
        b"pieces": b"\0" * 20 * -(-size // PIECE),
        b"files": entries,
    }
    return bencodepy.encode({b"announce": b"http://t/a", b"info": info})


def cpu(action, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return statistics.median(times)


def peak_memory(action) -> int:
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def refused(data: bytes, max_files: int) -> str:
    try:
        parse_metainfo(data, max_size=len(data) + 1, max_files=max_files)
    except MetainfoError as exc:
        return str(exc)
    raise SystemExit("the bomb was accepted")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=3_400_000)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    for label, item in (("integers", b"i0e"), ("strings", b"1:a")):
        data = bomb(args.items, item)
        print(f"bomb of {label}: {len(data) / MiB:.1f} MiB, {args.items:,} items")
        plain = cpu(lambda data=data: bencodepy.decode(data), args.rounds)
        bounded = cpu(lambda data=data: refused(data, args.files), args.rounds)
        print(f"  plain bencodepy.decode: {plain * 1000:,.1f} ms CPU, ", end="")
        print(f"peak {peak_memory(lambda data=data: bencodepy.decode(data)) / MiB:,.0f} MiB")
        print(f"  parse_metainfo (refuses): {bounded * 1000:,.2f} ms CPU, ", end="")
        print(f"peak {peak_memory(lambda data=data: refused(data, args.files)) / MiB:,.1f} MiB")
        print(f"  refusal: {refused(data, args.files)}")
        print(f"  ratio plain / bounded: {plain / bounded:,.0f}x")

    real = large_torrent(args.files)
    print(f"large torrent: {len(real) / MiB:.1f} MiB, {args.files:,} files")
    plain = cpu(lambda: bencodepy.decode(real), args.rounds)
    bounded = cpu(
        lambda: parse_metainfo(real, max_size=len(real) + 1, max_files=args.files), args.rounds
    )
    print(f"  plain bencodepy.decode: {plain * 1000:,.1f} ms CPU")
    print(f"  parse_metainfo (scan, decode, every check): {bounded * 1000:,.1f} ms CPU")
    print(f"  ratio bounded / plain: {bounded / plain:.2f}x")


if __name__ == "__main__":
    main()
