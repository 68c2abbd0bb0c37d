"""`make bench`, the parts that need the whole stack: `manage.py runseedbox` on Postgres
(load_bench.Site: Redis, the managed rTorrent, Celery, gunicorn 2 x 8), a second gunicorn with
X-Accel-Redirect behind Debian's nginx (deploy/nginx/seedbox.conf.template), all started here
and stopped (their var dir and database dropped) at the end. Each measure returns table rows:
(what, figure, baseline, ratio). Run by run_all.py; not a script of its own."""

import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path

from common import running_rtorrent, tiny_torrent, wait_loaded
from create_torrent import write_random
from load_bench import Site, free_port, status, wrk

from torrents.rtorrent import RTorrentClient

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE.parent / "deploy" / "nginx" / "seedbox.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
FILES_NODE = "benchfiles"

# Run inside the site (`manage.py shell -c`): the list's rows (N torrents on a disabled node,
# owned by U users in turn, every 10th shared with the next user), a token per user, an adder
# with room for everything, and two torrents whose data is on disk (hard links of the bench's
# files) on a node of their own. Prints what the measures need as JSON.
SEED = """
import hashlib, json, os
from pathlib import Path
from django.contrib.auth import get_user_model
from django.db import connection
from accounts.services.tokens import api_token_create
from torrents.models import Node, Ownership, Torrent, TorrentFile
from torrents.storage import torrent_directory
N, USERS, FILES = {count}, {users}, Path({files!r})
User = get_user_model()
users = User.objects.bulk_create(
    User(email=f"list{{i:03d}}@bench.example", password="!") for i in range(USERS))
node = Node.objects.create(name="list-bench", rpc_url="scgi:///nonexistent.sock",
                           data_root="/nonexistent", enabled=False)
statuses = ["seeding"] * 6 + ["downloading"] * 3 + ["paused"]
Torrent.objects.bulk_create(
    [Torrent(info_hash=hashlib.sha1(f"list {{n}}".encode()).hexdigest(),
             name=f"list bench torrent {{n:05d}} {{'linux' if n % 7 == 0 else 'media'}}",
             size_bytes=1_000_000_000 + n, completed_bytes=(n * 7919) % 1_000_000_000,
             uploaded_bytes=n * 13, down_rate=n % 1000, up_rate=n % 500, peers=n % 17,
             node=node, status=statuses[n % len(statuses)], stale=True)
     for n in range(N)], batch_size=1000)
ids = list(Torrent.objects.filter(node=node).order_by("id").values_list("id", flat=True))
owned = [Ownership(torrent_id=t, user=users[i % USERS]) for i, t in enumerate(ids)]
owned += [Ownership(torrent_id=t, user=users[(i + 1) % USERS])
          for i, t in enumerate(ids) if i % 10 == 0]
Ownership.objects.bulk_create(owned, batch_size=2000)
tokens = [api_token_create(user=u, name="bench")[1] for u in users]
adder = User.objects.create_user("adder@bench.example", None, quota_bytes=1 << 50)
files_node = Node.objects.create(name={node!r}, rpc_url="scgi:///nonexistent.sock",
                                 data_root=str(FILES / "root"), enabled=False)
made = {{}}
for name in ("big", "album"):
    source = FILES / name
    paths = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    torrent = Torrent.objects.create(
        info_hash=hashlib.sha1(name.encode()).hexdigest(), name=name, node=files_node,
        size_bytes=sum(p.stat().st_size for p in paths), piece_length=1 << 20,
        metainfo=b"d4:infod4:name1:xee", added_by=adder, status="seeding")
    Ownership.objects.create(torrent=torrent, user=adder)
    base = torrent_directory(torrent)
    for index, path in enumerate(paths):
        relative = path.name if path == source else path.relative_to(source).as_posix()
        TorrentFile.objects.create(torrent=torrent, index=index, path=relative,
                                   size_bytes=path.stat().st_size)
        on_disk = base / (relative if path == source else f"{{name}}/{{relative}}")
        on_disk.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, on_disk)
    made[name] = {{"id": torrent.pk, "file": torrent.files.get(index=0).pk,
                   "disk": str(base.relative_to(FILES / "root"))}}
if connection.vendor == "postgresql":  # what autovacuum does a minute after a bulk insert
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
print(json.dumps({{"tokens": tokens, "adder": api_token_create(user=adder, name="b")[1],
                  "files": made}}))
"""


@dataclass
class Sizes:
    torrents: int
    users: int
    add: int
    download: int
    zip_files: int
    zip_size: int
    upload: int
    duration: int
    rounds: int


FULL = Sizes(10_000, 100, 2_000, 1 << 30, 100, 512 << 20, 2 << 30, 10, 3)
QUICK = Sizes(2_000, 100, 200, 128 << 20, 40, 64 << 20, 256 << 20, 4, 3)


def make_files(root: Path, sizes: Sizes) -> None:
    """The download's one big file and the zip's album (files of random bytes in two folders)."""
    write_random(root / "big", sizes.download)
    for i in range(sizes.zip_files):
        write_random(
            root / "album" / f"cd{i % 2}" / f"track-{i:03d}.bin", sizes.zip_size // sizes.zip_files
        )
    (root / "root").mkdir()


class Stack:
    """The site (runseedbox), its seed, a second gunicorn with X-Accel-Redirect and nginx."""

    def __init__(self, sizes: Sizes, postgres: str):
        self.sizes = sizes
        self.files = Path(tempfile.mkdtemp(prefix="seedbox-bench-files-"))
        # Private trackers allowed (a LAN server's setting): the bench's torrents announce to
        # 127.0.0.1:1, which nobody answers.
        self.site = Site(
            HERE.parent, postgres, extra_env={"SEEDBOX_ALLOW_PRIVATE_TRACKERS": "true"}
        )
        self.children: list[subprocess.Popen] = []

    def __enter__(self) -> "Stack":
        try:
            make_files(self.files, self.sizes)
            self.site.manage("migrate", "--no-input", "-v", "0")
            seed = SEED.format(
                count=self.sizes.torrents, users=self.sizes.users, files=str(self.files),
                node=FILES_NODE,
            )  # fmt: skip
            self.seed = json.loads(self.site.manage("shell", "-c", seed).splitlines()[-1])
            self.site.start()
            self.rtorrent_url = self.site.manage(
                "shell",
                "-c",
                "from django.conf import settings; print(settings.SEEDBOX_RTORRENT_URL)",
            ).splitlines()[-1]
            self.accel_url = self._gunicorn({"SEEDBOX_ACCEL_REDIRECT": "/protected/"})
            self.nginx_url = self._nginx(self.accel_url.removeprefix("http://"))
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        for child in reversed(self.children):
            child.terminate()
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.site.stop()
        shutil.rmtree(self.files, ignore_errors=True)

    def _gunicorn(self, env: dict) -> str:
        port = free_port()
        log = (self.site.var / f"gunicorn-{port}.log").open("ab")
        self.children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "seedbox.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "8",
                ],
                cwd=HERE.parent,
                env={**self.site.env, **env},
                stdout=log,
                stderr=log,
            )
        )
        url = f"http://127.0.0.1:{port}"
        _until(lambda: status(url + "/favicon.ico") != 0, 60, "gunicorn")
        return url

    def _nginx(self, upstream: str) -> str:
        """The production server block, plus /bench-direct/: the same files served by nginx
        with no Django (the baseline)."""
        prefix = self.site.var / "nginx"
        prefix.mkdir()
        port = free_port()
        values = {
            "SEEDBOX_UPSTREAM": upstream, "SEEDBOX_NGINX_PORT": str(port),
            "SEEDBOX_NGINX_MAX_BODY": "21g", "SEEDBOX_STATIC_ROOT": str(prefix / "static"),
            "SEEDBOX_NODE_NAME": FILES_NODE, "SEEDBOX_DATA_DIR": str(self.files / "root"),
            "SEEDBOX_HLS_DIR": str(prefix / "hls"),
        }  # fmt: skip
        site = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], TEMPLATE.read_text())
        direct = f"    location /bench-direct/ {{\n        alias {self.files}/root/;\n    }}\n\n"
        site = site.replace("    location / {", direct + "    location / {", 1)
        for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / name).mkdir()
        conf = prefix / "nginx.conf"
        conf.write_text(
            f"daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
            f"error_log {prefix}/error.log;\nevents {{ worker_connections 256; }}\n"
            f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n sendfile on;\n"
            + "".join(f" {n}_temp_path {prefix}/{n};\n" for n in ("fastcgi", "uwsgi", "scgi"))
            + f" client_body_temp_path {prefix}/body;\n proxy_temp_path {prefix}/proxy;\n"
            + site
            + "\n}\n"
        )
        if os.geteuid() == 0:
            conf.write_text("user root;\n" + conf.read_text())
        self.children.append(subprocess.Popen([NGINX, "-c", str(conf), "-p", str(prefix)]))
        url = f"http://127.0.0.1:{port}"
        _until(lambda: status(url + "/favicon.ico") != 0, 20, "nginx")
        return url


def _until(ready, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not come up in {timeout:.0f} s")
        time.sleep(0.2)


def _pct(latency: dict) -> str:
    return f"p50 {latency['p50']:.1f} / p95 {latency['p95']:.1f} ms"


# The measures. Each returns rows: (what, figure, baseline, ratio).


def list_latency(stack: Stack) -> list[tuple]:
    """One client at a time, each request as the next of the 100 users (wrk); the baseline is
    /favicon.ico (a redirect: no database, no session) on the same gunicorn."""
    url, sizes, tokens = stack.site.url, stack.sizes, tuple(stack.seed["tokens"])
    wrk(url + "/api/torrents", connections=2, duration=2, tokens=tokens)  # warm both workers
    api = wrk(url + "/api/torrents", connections=1, duration=sizes.duration, tokens=tokens)
    base = wrk(url + "/favicon.ico", connections=1, duration=sizes.duration)
    what = f"list API p50/p95, {sizes.torrents:,} torrents, {sizes.users} users, 1 client"
    return [(what, _pct(api), f"/favicon.ico {_pct(base)}", f"{api['p95'] / base['p95']:.1f}x p95")]


def list_throughput(stack: Stack) -> list[tuple]:
    url, sizes, tokens = stack.site.url, stack.sizes, tuple(stack.seed["tokens"])
    api = wrk(url + "/api/torrents", connections=20, duration=sizes.duration, tokens=tokens)
    base = wrk(url + "/favicon.ico", connections=20, duration=sizes.duration)
    error_rate = api["errors"] / max(1, api["requests"]) * 100
    return [
        (
            "list API req/s, 20 clients (wrk)",
            f"{api['rps']:.0f} req/s, {_pct(api)}",
            f"/favicon.ico {base['rps']:.0f} req/s",
            f"{api['rps'] / base['rps']:.2f}x",
        ),
        ("list API error rate, 20 clients", f"{error_rate:.2f} % of {api['requests']:,}",
         "0 %", "ok" if api["errors"] == 0 else "FAILED"),
    ]  # fmt: skip


def _multipart(field: str, filename: str, body: bytes) -> tuple[bytes, str]:
    """One file part and `paused=true` (the torrents stay stopped: rTorrent only lists them)."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="paused"\r\n\r\ntrue\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"'
        "\r\nContent-Type: application/x-bittorrent\r\n\r\n"
    ).encode()
    return (
        head + body + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


def add_torrents(stack: Stack) -> list[tuple]:
    """N .torrent files POSTed one per request by 4 clients; then until rTorrent lists them all.
    Baseline: the same N loaded straight into a fresh rTorrent, one `load.raw` each."""
    count = stack.sizes.add
    made = [tiny_torrent(70_000 + n) for n in range(count)]
    host, port = stack.site.url.removeprefix("http://").split(":")
    headers = {"Authorization": f"Token {stack.seed['adder']}"}
    failures, queue, lock = [], list(range(count)), threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        while True:
            with lock:
                if not queue:
                    return
                n = queue.pop()
            body, kind = _multipart("torrents", f"bench-{n}.torrent", made[n][0])
            connection.request("POST", "/api/torrents", body, {**headers, "Content-Type": kind})
            answer = connection.getresponse()
            text = answer.read()
            if answer.status != 201:
                failures.append(f"{answer.status} {text[:300]!r}")

    rtorrent = RTorrentClient(stack.rtorrent_url, timeout=60)
    before = len(rtorrent.hashes())
    started = time.perf_counter()
    clients = [threading.Thread(target=client) for _ in range(4)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    accepted = time.perf_counter() - started
    if failures:
        print(f"  {len(failures)} refused, the first: {failures[0]}", file=sys.stderr)
    expected = before + count - len(failures)
    listed = wait_loaded(rtorrent, expected, timeout=min(300, 10 + count / 5)) - before
    in_rtorrent = time.perf_counter() - started
    with running_rtorrent(address="127.0.0.248", port=51948) as daemon:
        direct = RTorrentClient(daemon.config.url, timeout=60)
        started = time.perf_counter()
        for metainfo, _ in made:  # one call per torrent, as the site loads them
            direct.call("load.raw", "", xmlrpc.client.Binary(metainfo))
        direct_loaded = wait_loaded(direct, count, timeout=120)
        direct_s = time.perf_counter() - started
    ok = "" if not failures and listed == count else f" ({len(failures)} refused, {listed} listed)"
    return [
        (f"add {count:,} .torrent files via POST /api/torrents, 4 clients",
         f"{count / accepted:.1f} torrents/s accepted{ok}",
         f"load.raw straight into rTorrent: {direct_loaded / direct_s:.0f}/s",
         f"{(direct_loaded / direct_s) / (count / accepted):.0f}x slower"),
        (f"add {count:,}: seconds until all are in rTorrent", f"{in_rtorrent:.1f} s",
         f"{direct_s:.1f} s", f"{in_rtorrent / direct_s:.1f}x"),
    ]  # fmt: skip


def _curl(url: str, headers: dict | None = None) -> float:
    """Seconds for curl to fetch `url` to /dev/null (fails on any status but 200)."""
    argv = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}"]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    code, seconds = subprocess.run(
        [*argv, url], capture_output=True, text=True, check=True
    ).stdout.split()
    if code != "200":
        raise SystemExit(f"GET {url}: {code}")
    return float(seconds)


def _alternating(runs: dict, rounds: int) -> dict[str, float]:
    """Median seconds of each runner, their order alternating round by round."""
    times = {name: [] for name in runs}
    for n in range(rounds):
        names = list(runs) if n % 2 == 0 else list(reversed(runs))
        for name in names:
            times[name].append(runs[name]())
    return {name: statistics.median(t) for name, t in times.items()}


def download(stack: Stack) -> list[tuple]:
    big = stack.seed["files"]["big"]
    auth = {"Authorization": f"Token {stack.seed['adder']}"}
    path = f"/api/torrents/{big['id']}/files/{big['file']}/download"
    size = stack.sizes.download
    runs = {
        "django": lambda: _curl(stack.site.url + path, auth),
        "accel": lambda: _curl(stack.nginx_url + path, auth),
        "direct": lambda: _curl(f"{stack.nginx_url}/bench-direct/{big['disk']}/big"),
    }
    runs["direct"]()  # the page cache, warm for everyone
    median = _alternating(runs, stack.sizes.rounds)
    mib = size / 2**20

    def rate(name: str) -> str:
        return f"{median[name]:.2f} s, {mib / median[name]:.0f} MiB/s"

    base = f"nginx alone {rate('direct')}"
    return [
        (f"download {mib:.0f} MiB through Django (gunicorn, FileResponse)", rate("django"), base,
         f"{median['django'] / median['direct']:.1f}x"),
        (f"download {mib:.0f} MiB through nginx + X-Accel-Redirect", rate("accel"), base,
         f"{median['accel'] / median['direct']:.2f}x"),
    ]  # fmt: skip


def zip_stream(stack: Stack) -> list[tuple]:
    album = stack.seed["files"]["album"]
    auth = {"Authorization": f"Token {stack.seed['adder']}"}
    url = f"{stack.site.url}/api/torrents/{album['id']}/download.zip"
    sizes = stack.sizes

    def zip_0() -> float:
        started = time.perf_counter()
        subprocess.run("zip -0 -q -r - album > /dev/null", shell=True, cwd=stack.files, check=True)
        return time.perf_counter() - started

    runs = {"site": lambda: _curl(url, auth), "zip": zip_0}
    zip_0()
    median = _alternating(runs, sizes.rounds)
    mib = sizes.zip_size / 2**20
    return [
        (f"zip of {sizes.zip_files} files, {mib:.0f} MiB, streamed by Django",
         f"{median['site']:.2f} s, {mib / median['site']:.0f} MiB/s",
         f"`zip -0 -r -` to /dev/null {median['zip']:.2f} s",
         f"{median['site'] / median['zip']:.2f}x"),
    ]  # fmt: skip


def _web_pids(site: Site) -> list[int]:
    """The stack's gunicorn processes (master and workers): descendants of runseedbox whose
    command line is gunicorn's."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [site.process.pid]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            todo.append(child)
            try:
                if b"gunicorn" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(child)
            except OSError:
                pass
    return found


def _rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1)) * 1024
    return total


def upload(stack: Stack) -> list[tuple]:
    """A data file POSTed as `files` (curl streams it), the web processes' RSS sampled every
    20 ms, against the same processes' RSS idle just before."""
    size = stack.sizes.upload
    source = stack.files / "upload.bin"
    with open(source, "wb") as out:  # sparse: curl reads zeros, the site writes real blocks
        out.truncate(size)
    pids = _web_pids(stack.site)
    idle = _rss(pids)
    peak, done = idle, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss(pids))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    answer = subprocess.run(
        ["curl", "-s", "-o", str(stack.files / "answer"), "-w", "%{http_code}",
         "-H", f"Authorization: Token {stack.seed['adder']}", "-H", "Expect:",
         "-F", "trackers=http://127.0.0.1:1/announce", "-F", "paused=true",
         "-F", f"files=@{source};filename=upload.bin", stack.site.url + "/api/torrents"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    source.unlink()
    gib = size / 2**30
    code = "" if answer.stdout == "201" else f", answer {answer.stdout}"
    if code:
        print(
            f"  upload: {answer.stdout} {(stack.files / 'answer').read_text()[:300]}",
            file=sys.stderr,
        )
    return [
        (f"peak RSS of the web processes ({len(pids)}) uploading {gib:g} GiB",
         f"{peak / 2**20:.0f} MiB ({elapsed:.1f} s{code})", f"idle {idle / 2**20:.0f} MiB",
         f"{peak / idle:.2f}x (+{(peak - idle) / 2**20:.0f} MiB)"),
    ]  # fmt: skip


MEASURES = {
    "list": list_latency,
    "rps": list_throughput,
    "add": add_torrents,
    "download": download,
    "zip": zip_stream,
    "upload": upload,
}


def plan(quick: bool, names: list[str]) -> str:
    sizes = QUICK if quick else FULL
    return (
        f"http ({', '.join(names)}): runseedbox on Postgres, {sizes.torrents:,} torrents, "
        f"{sizes.users} users, {sizes.add:,} adds, download {sizes.download >> 20} MiB, "
        f"zip {sizes.zip_files} files / {sizes.zip_size >> 20} MiB, upload "
        f"{sizes.upload >> 20} MiB, wrk {sizes.duration} s, {sizes.rounds} rounds"
    )


def rows(quick: bool, names: list[str], postgres: str) -> list[tuple]:
    found = []
    with Stack(QUICK if quick else FULL, postgres) as stack:
        for name in names:
            print(f"  {name}...", file=sys.stderr, flush=True)
            found += MEASURES[name](stack)
    return found
