"""The list's slowest pages after a status change, in-process, for an A/B of two checkouts:
run it from each, one after the other, each on an empty database (the rows are
list_filters_bench.py's: 10,000 torrents, the user owns all, an admin sees them).

    ../.venv/bin/python list_ab.py LABEL [--repeat 100] [--rounds 2]

Fewer cases than list_filters_bench.py and more requests each, so that alternating runs of
the two checkouts (A, B, A, B) show a change through this VM's minute-to-minute noise.
Prints p50 / p95 (wall and this process's CPU) and each p50 against the baseline's, the
unfiltered API first page, measured in the same round.
"""

import argparse

import list_filters_bench as b
from common import median_ms, percentile_ms

STATUS = "after a status change"
CASES = [
    ("user", "baseline: API first page, unfiltered", "/api/torrents", "api", "kept"),
    ("user", "search + tracker", "/?q=linux&tracker=tracker-3.example", "page", STATUS),
    ("user", "label + status", "/?label=linux&status=seeding", "page", STATUS),
    ("user", "status + tracker", "/?status=seeding&tracker=tracker-3.example", "page", STATUS),
    ("admin", "search + tracker", "/?q=linux&tracker=tracker-3.example", "page", STATUS),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("label", help="what this checkout is (before, after, a commit)")
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    user, admin, pk = b.seed(10_000)
    targets = {"user": b.InProcess(user), "admin": b.InProcess(admin)}
    print("| run | who | page (after a status change) | p50 / p95 | CPU p50 / p95 | / baseline |")
    print("| --- | --- | --- | --- | --- | --- |")
    for number in range(args.rounds):
        base = None
        for who, name, path, kind, before in CASES:
            wall, cpu = b.measure(targets[who], path, kind, args.repeat, before=before, pk=pk)
            base = base or median_ms(wall)
            print(
                f"| {args.label} {number + 1} | {who} | {name} "
                f"| {median_ms(wall):.1f} / {percentile_ms(wall, 95):.1f} ms "
                f"| {median_ms(cpu):.1f} / {percentile_ms(cpu, 95):.1f} ms "
                f"| {median_ms(wall) / base:.2f}x |",
                flush=True,
            )


if __name__ == "__main__":
    main()
