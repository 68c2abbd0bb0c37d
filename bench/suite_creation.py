"""`make bench`: making a .torrent of 1 GiB (one file of random bytes, page cache warm) with
`torrents.creation.create_torrent` against `mktorrent -t 2`, same piece size, alternating who
goes first (create_torrent.rounds_of). The data is made in a temporary directory, removed after."""

import statistics
import tempfile
from pathlib import Path

from create_torrent import choose_piece_size, make_single, rounds_of, run_mktorrent, run_ours, warm


def sizes(quick: bool) -> tuple[int, int]:
    return (256 << 20, 3) if quick else (1 << 30, 5)


def plan(quick: bool) -> str:
    size, rounds = sizes(quick)
    return f"creation: {size >> 20} MiB, {rounds} rounds each, ours against mktorrent -t 2"


def rows(quick: bool) -> list[tuple]:
    size, rounds = sizes(quick)
    runners = {"mktorrent": run_mktorrent, "ours": run_ours}
    with tempfile.TemporaryDirectory(prefix="seedbox-bench-creation-") as tmp:
        path = make_single(Path(tmp), size)
        warm(path)
        times, hashes = rounds_of(runners, path, choose_piece_size(size), Path(tmp), rounds)
    ours, mk = (statistics.median(times[name]) for name in ("ours", "mktorrent"))
    same = "same info-hash" if hashes["ours"] == hashes["mktorrent"] else "INFO-HASH DIFFERS"
    return [
        (
            f"create a .torrent of {size >> 20} MiB (warm cache)",
            f"{ours * 1000:.0f} ms ({same})",
            f"mktorrent -t 2 {mk * 1000:.0f} ms",
            f"{ours / mk:.2f}x",
        )
    ]
