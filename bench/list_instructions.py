"""Instructions per request of the torrent list's pages after a status change, counted by
callgrind, against the unfiltered API first page counted the same way: a figure that does not
move with the machine's speed (this VM's wall times of one page moved by 30% from one minute
to the next, and by 2x from one day to another).

    ../.venv/bin/python list_instructions.py [--torrents 10000] [--requests 10]

Writes list_filters_bench.py's rows (the user who owns 10,000 torrents, 22 labels, an admin)
into a throwaway SQLite file: SQLite runs in the web process, so callgrind counts the queries'
work too (on Postgres the server's share would not be counted). Each case is a child process
under `valgrind --tool=callgrind`, run twice: with 2 requests and with 2 + `--requests` (each
after a row's status changed: every count taken anew); the difference, per request, is the
request's own cost, setting up Django and the client cancelling out. Needs valgrind.
Prints instructions per request (millions) and the ratio to the baseline's.
"""

import argparse
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve()
CASES = [
    ("baseline: API first page, unfiltered", "/api/torrents", "api", "user"),
    ("user, search + tracker", "/?q=linux&tracker=tracker-3.example", "page", "user"),
    ("user, live search (htmx)", "/?q=linux", "hx", "user"),
    ("user, label + status", "/?label=linux&status=seeding", "page", "user"),
    ("user, status + tracker", "/?status=seeding&tracker=tracker-3.example", "page", "user"),
    ("admin, search + tracker", "/?q=linux&tracker=tracker-3.example", "page", "admin"),
]
EMAILS = {"user": "filters@bench.example", "admin": "admin@bench.example"}


def measure(path: str, kind: str, who: str, requests: int) -> None:
    """In the child under callgrind: `requests` requests, each after a status change."""
    import list_filters_bench as b

    user = b.User.objects.get(email=EMAILS[who])
    pk = b.Torrent.objects.order_by("id").values_list("id", flat=True).first()
    target = b.InProcess(user)
    target.get(path, kind)  # warm: templates, the search's kept reads
    for n in range(requests):
        b.change("after a status change", pk, n)
        target.get(path, kind)


def setup(directory: str, torrents: int) -> None:
    import list_filters_bench as b
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user = b.User.objects.create_user(EMAILS["user"], "pw", quota_bytes=1 << 50)
    other = b.User.objects.create_user("other@bench.example", "pw", quota_bytes=1 << 50)
    b.User.objects.create_user(EMAILS["admin"], "pw", is_staff=True)
    b.write_rows(torrents, user, other)


def _environment(directory: str) -> dict:
    return {**os.environ, "SEEDBOX_VAR_DIR": directory,
            "DATABASE_URL": f"sqlite:///{directory}/bench.sqlite3"}  # fmt: skip


def counted(directory: str, case: tuple, requests: int) -> int:
    """Instructions callgrind counted in a child making `requests` requests of `case`."""
    _, path, kind, who = case
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         str(HERE), "--measure", path, kind, who, str(requests)],
        env=_environment(directory), capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(line for line in done.stderr.splitlines() if "Collected :" in line)
    return int(line.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--torrents", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--measure", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure or args.setup:
        from common import django_setup

        django_setup("seedbox-instructions-", redis=True)
        if args.setup:
            setup(args.setup, args.torrents)
        else:
            path, kind, who, requests = args.measure
            measure(path, kind, who, int(requests))
        return
    scratch = tempfile.mkdtemp(prefix="seedbox-instructions-")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    few_dir, more_dir = f"{scratch}/few", f"{scratch}/more"
    os.mkdir(few_dir)
    subprocess.run(
        [sys.executable, str(HERE), "--setup", few_dir, "--torrents", str(args.torrents)],
        env=_environment(few_dir), check=True,
    )  # fmt: skip
    shutil.copytree(few_dir, more_dir)  # a file each: the two children never wait on a lock
    print(f"{args.torrents:,} torrents, SQLite, {args.requests} requests a case, callgrind")
    per_request = {}
    with ThreadPoolExecutor(max_workers=2) as pool:  # a core each; counts do not depend on it
        for case in CASES:
            few = pool.submit(counted, few_dir, case, 2)
            more = pool.submit(counted, more_dir, case, 2 + args.requests)
            per_request[case[0]] = (more.result() - few.result()) / args.requests
    base = per_request[CASES[0][0]]
    print("| what (after a status change) | instructions / request | / baseline |")
    print("| --- | --- | --- |")
    for name, n in per_request.items():
        print(f"| {name} | {n / 1e6:.1f} M | {n / base:.2f}x |")


if __name__ == "__main__":
    main()
