"""`make bench`: an HLS remux of a 10-minute 720p H.264 MP4 through the site (Django's test
client: the playback call, the playlist that starts ffmpeg, until its exit status) against plain
`ffmpeg -c copy -f hls` of the same file (hls_bench.remux_rounds). The sources are kept in
/tmp/seedbox-bench-hls between runs (made once, about a minute)."""

import statistics

from hls_bench import make_sources, remux_rounds, site


def rounds(quick: bool) -> int:
    return 3 if quick else 5


def plan(quick: bool) -> str:
    return f"hls: {rounds(quick)} rounds of remux through the site, plain ffmpeg alternating"


def rows(quick: bool) -> list[tuple]:
    make_sources()
    owner, node, client = site()
    times = remux_rounds(owner, node, client, rounds(quick))
    ours, plain, first, command = (
        statistics.median(times[name]) for name in ("site", "plain", "firsts", "command")
    )
    return [
        (
            "HLS remux, 10 min of 720p, through the site (to ffmpeg's exit)",
            f"{ours:.2f} s (first segment {first:.2f} s; our command alone {command:.2f} s)",
            f"ffmpeg -c copy -f hls {plain:.2f} s",
            f"{ours / plain:.2f}x",
        )
    ]
