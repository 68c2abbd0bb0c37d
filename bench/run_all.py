"""`make bench`: the site's figures under load, each against a baseline measured in the same
run, printed as one Markdown table.

    .venv/bin/python bench/run_all.py [--quick] [--only NAME[,NAME...]] [--dry-run]
    make bench ARGS="--quick --only download,zip"

Parts (NAME), each against real components it starts and stops (a throwaway rTorrent, Postgres
databases made on --postgres and dropped, Redis, gunicorn through `manage.py runseedbox`, nginx):

  sync      one sync of 10,000 torrents in rTorrent, against the raw d.multicall2 it makes
  list      list API p50/p95 over HTTP, 10,000 torrents, 100 users (wrk), against /favicon.ico
  rps       list API req/s and error rate, 20 clients (wrk), against /favicon.ico
  add       2,000 .torrent files through the API: accepted/s and seconds until all are in
            rTorrent, against `load.raw` of the same files straight into rTorrent
  download  1 GiB through Django and through nginx + X-Accel-Redirect, against nginx alone
  zip       a zip of 100 files (512 MiB) streamed by Django, against `zip -0 -r -`
  upload    peak RSS of the web processes while a 2 GiB file is uploaded, against their idle RSS
  creation  a .torrent of 1 GiB, against `mktorrent -t 2`
  hls       an HLS remux through the site, against plain `ffmpeg -c copy -f hls`

--quick makes everything smaller (2,000 torrents, 200 adds, 128 MiB download, 256 MiB upload and
creation, 3 rounds). Each group of parts runs in a child process of its own (Django is set up
once per process, on that part's database); its progress goes to stderr, the table to stdout.
"""

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
# Part name -> the group (module bench/suite_<group>.py) that measures it; in running order.
PARTS = {
    "sync": "sync",
    "list": "http",
    "rps": "http",
    "add": "http",
    "download": "http",
    "zip": "http",
    "upload": "http",
    "creation": "creation",
    "hls": "hls",
}
# Groups that set Django up in-process, on a Postgres database of their own.
WITH_DATABASE = {"sync", "hls"}
TOOLS = ["rtorrent", "redis-server", "psql", "wrk", "nginx", "curl", "zip", "mktorrent", "ffmpeg"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="parts: " + ", ".join(PARTS),
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for iterating")
    parser.add_argument("--only", default="", help="comma-separated parts (default: all)")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="import every part and print the plan; start nothing, measure nothing",
    )
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a Postgres server (databases are made there for the run and dropped)",
    )
    parser.add_argument("--part", help=argparse.SUPPRESS)  # the child's group
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)  # the child's answer
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(PARTS)
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        parser.error(f"unknown part {', '.join(unknown)}; parts: {', '.join(PARTS)}")
    args.names = [n for n in PARTS if n in names]
    return args


def child(args: argparse.Namespace) -> None:
    """In the child process: import the group's module (which may set Django up), then either
    its plan (--dry-run) or its rows, written to --out as JSON."""
    sys.path.insert(0, str(HERE))
    suite = importlib.import_module(f"suite_{args.part}")
    names = [n for n in args.names if PARTS[n] == args.part]
    if args.part == "http":
        plan = lambda: suite.plan(args.quick, names)  # noqa: E731
        rows = lambda: suite.rows(args.quick, names, args.postgres)  # noqa: E731
    else:
        plan, rows = (lambda: suite.plan(args.quick)), (lambda: suite.rows(args.quick))
    answer = {"plan": plan()} if args.dry_run else {"rows": rows()}
    args.out.write_text(json.dumps(answer))


def _psql(server: str, sql: str) -> None:
    subprocess.run(["psql", server, "-q", "-c", sql], check=True, capture_output=True)


def run_group(group: str, args: argparse.Namespace, out: Path) -> tuple[dict, float]:
    """The group in a child process; its answer and wall seconds. A database of its own for the
    groups that need one, dropped after."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEEDBOX_", "DJANGO_"))}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    database = None
    if group in WITH_DATABASE and not args.dry_run:
        database = f"seedbox_bench_{group}_{os.getpid()}"
        _psql(args.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        _psql(args.postgres, f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(args.postgres)._replace(path=f"/{database}"))
    argv = [sys.executable, str(HERE / "run_all.py"), "--part", group, "--out", str(out)]
    argv += ["--only", ",".join(args.names), "--postgres", args.postgres]
    argv += ["--quick"] * args.quick + ["--dry-run"] * args.dry_run
    started = time.perf_counter()
    try:
        done = subprocess.run(
            argv, cwd=HERE, env=env, stdout=sys.stderr, timeout=120 if args.dry_run else 1200
        )
        answer = json.loads(out.read_text()) if done.returncode == 0 else {}
    except subprocess.TimeoutExpired:
        answer = {}
    finally:
        if database:
            _psql(args.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return answer, time.perf_counter() - started


def table(rows: list[tuple]) -> str:
    lines = [
        "| part | what | figure | baseline (same run) | ratio |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.part:
        child(args)
        return 0
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:
        print(f"missing tools: {', '.join(missing)} (the parts that need them will fail)")
    groups = list(dict.fromkeys(PARTS[n] for n in args.names))
    load_before, started = os.getloadavg(), time.perf_counter()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows, failed = [], []
    with tempfile.TemporaryDirectory(prefix="seedbox-bench-run-") as tmp:
        for group in groups:
            print(f"{group}: {', '.join(n for n in args.names if PARTS[n] == group)}...",
                  file=sys.stderr, flush=True)  # fmt: skip
            answer, seconds = run_group(group, args, Path(tmp) / f"{group}.json")
            if args.dry_run and "plan" in answer:
                print(f"{group} ({seconds:.1f} s to import): {answer['plan']}")
            elif "rows" in answer:
                rows += [(group, *row) for row in answer["rows"]]
                print(f"{group}: done in {seconds:.0f} s", file=sys.stderr, flush=True)
            else:
                failed.append(group)
                rows.append((group, "FAILED (see the output above)", "", "", ""))
    if args.dry_run:
        return 1 if failed else 0
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
    ).stdout.strip()
    print(
        f"\nmake bench{' --quick' if args.quick else ''}: {when}, commit {commit}, "
        f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after, {time.perf_counter() - started:.0f} s\n"
    )
    print(table(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
