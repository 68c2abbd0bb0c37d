"""`make bench`: one sync of 10,000 torrents against the raw multicall it makes
(sync_bench.measure, on the database run_all.py gives this process: a fresh Postgres one)."""

from sync_bench import SYNC_FIELDS, measure


def plan(quick: bool) -> str:
    torrents, repeat = sizes(quick)
    return f"sync: {torrents:,} torrents in a real rTorrent, 100 users, medians of {repeat}"


def sizes(quick: bool) -> tuple[int, int]:
    return (2_000, 2) if quick else (10_000, 3)


def rows(quick: bool) -> list[tuple]:
    torrents, repeat = sizes(quick)
    r = measure(torrents, 100, repeat, requests=20)
    raw = f"raw d.multicall2 ({len(SYNC_FIELDS)} fields) {r['raw_ms']:.0f} ms"
    return [
        (
            f"sync of {torrents:,} torrents, every row changed ({r['vendor']})",
            f"{r['changed_ms']:.0f} ms, {max(r['changed_queries'])} queries",
            raw,
            f"{r['changed_ms'] / r['raw_ms']:.2f}x",
        ),
        (
            f"sync of {torrents:,} torrents, nothing changed",
            f"{r['steady_ms']:.0f} ms, {max(r['steady_queries'])} queries",
            raw,
            f"{r['steady_ms'] / r['raw_ms']:.2f}x",
        ),
    ]
