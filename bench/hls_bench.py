"""HLS through the site against plain ffmpeg, on a 10-minute 720p H.264/AAC video made by ffmpeg
(kept in /tmp/seedbox-bench-hls between runs):

- time to the first playable segment: GET index.m3u8 (which starts the encode and waits for a
  segment) plus GET of the first segment, through Django's test client (target < 2 s), after the
  GET playback the player page makes when it loads (ffprobe runs there; timed apart);
- a whole remux through the site (playlist request to ffmpeg's exit) against our command alone
  and `ffmpeg -c copy -f hls` of the same file in the same run (target <= 1.2x), in wall time
  and in ffmpeg's CPU time (user + sys, by GNU time around each of the three ffmpeg runs alike:
  on 2 shared cores the wall time moves with the neighbours' load, the CPU time much less),
  with the bench process's own CPU time during the remux through the site (Django's requests,
  serving the first segment, polling for the exit);
- a transcode's real-time factor: our transcode command on 60 s of it (and the time to its first
  segment through the site, from a 60 s MPEG-4/MP3 AVI).

    .venv/bin/python bench/hls_bench.py [--rounds 5]
"""

import argparse
import os
import resource
import select
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from common import django_setup

# A real Redis (a throwaway one unless REDIS_URL names one), as in production: without a broker
# every 15 s a playlist request paid kombu's 2 s connection attempt for its eviction task.
_scratch = Path(django_setup("seedbox-hls-bench-", redis=True))

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from media import ffmpeg  # noqa: E402
from media.models import Encode, HlsMode  # noqa: E402
from media.services.hls_cache import encode_directory  # noqa: E402
from torrents.models import Node, Ownership, Torrent, TorrentFile  # noqa: E402
from torrents.storage import torrent_directory  # noqa: E402

CACHE = Path("/tmp/seedbox-bench-hls")
SOURCE = CACHE / "720p-600s.mp4"
AVI = CACHE / "720p-60s.avi"
# Every ffmpeg of the bench (the site's, ours alone, plain) runs under GNU time, which appends
# "wall user sys" of that ffmpeg to CPU_LOG when it exits: the site's encoder is detached (not
# our child), so this is how its CPU time is read; the same wrapper around all three is fair.
CPU_LOG = _scratch / "ffmpeg-cpu.log"
TIMED_FFMPEG = _scratch / "ffmpeg-timed"


def _make(path: Path, args: list[str]) -> None:
    if path.exists():
        return
    CACHE.mkdir(exist_ok=True)
    print(f"making {path.name} (once)...", flush=True)
    partial = path.with_name("partial-" + path.name)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args, str(partial)], check=True)
    partial.replace(path)


def make_sources() -> None:
    lavfi = ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine"]
    _make(SOURCE, [*lavfi, "-t", "600", "-c:v", "libx264", "-preset", "veryfast", "-g", "50",
                   "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart"])  # fmt: skip
    _make(AVI, [*lavfi, "-t", "60", "-c:v", "mpeg4", "-q:v", "4", "-c:a", "libmp3lame"])


def timed_ffmpeg() -> str:
    """The wrapper every ffmpeg of the bench runs through (see CPU_LOG)."""
    TIMED_FFMPEG.write_text(
        f'#!/bin/sh\nexec /usr/bin/time -a -o {CPU_LOG} -f "%e %U %S" ffmpeg "$@"\n'
    )
    TIMED_FFMPEG.chmod(0o755)
    return str(TIMED_FFMPEG)


def cpu_lines() -> int:
    try:
        return len(CPU_LOG.read_text().splitlines())
    except FileNotFoundError:
        return 0


def cpu_since(lines: int) -> float:
    """ffmpeg's CPU seconds (user + sys) of the one run GNU time noted after line `lines`."""
    new = CPU_LOG.read_text().splitlines()[lines:]
    assert len(new) == 1, new
    _, user, system = (float(x) for x in new[0].split())
    return user + system


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def torrent_of(node: Node, owner: User, source: Path, number: int) -> tuple[Torrent, TorrentFile]:
    """Rows for a one-file torrent of `source` (hard-linked into its directory)."""
    torrent = Torrent.objects.create(
        info_hash=f"{number:040x}", name=source.name, size_bytes=source.stat().st_size,
        piece_length=1 << 20, metainfo=b"d4:infod4:name1:xee", node=node, added_by=owner,
        completed_at=timezone.now(),
    )  # fmt: skip
    file = TorrentFile.objects.create(
        torrent=torrent, index=0, path=source.name, size_bytes=torrent.size_bytes
    )
    Ownership.objects.create(torrent=torrent, user=owner)
    directory = torrent_directory(torrent)
    directory.mkdir(parents=True)
    try:
        os.link(source, directory / source.name)
    except OSError:
        shutil.copy(source, directory / source.name)
    return torrent, file


def probe_first(client: Client, torrent: Torrent, file: TorrentFile) -> float:
    """GET playback (what the player page asks when it loads: ffprobe runs, its answer kept)."""
    started = time.perf_counter()
    assert client.get(f"/api/torrents/{torrent.pk}/files/{file.pk}/playback").status_code == 200
    return time.perf_counter() - started


def first_segment(client: Client, torrent: Torrent, file: TorrentFile) -> tuple[float, Encode]:
    base = f"/api/torrents/{torrent.pk}/files/{file.pk}/hls"
    started = time.perf_counter()
    playlist = client.get(f"{base}/index.m3u8")
    assert playlist.status_code == 200, playlist.content
    segment = next(x for x in playlist.content.decode().splitlines() if x.endswith(".ts"))
    body = client.get(segment)
    assert body.status_code == 200
    b"".join(body.streaming_content)
    return time.perf_counter() - started, Encode.objects.get(file=file)


def _group(group: int) -> list[int]:
    """The processes of process group `group` (the encoder's `sh` that writes the exit status,
    and ffmpeg under it)."""
    members = []
    for name in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{name}/stat").read_bytes() if name.isdigit() else b""
        except OSError:
            continue  # gone meanwhile
        if stat and int(stat.rsplit(b")", 1)[1].split()[2]) == group:
            members.append(int(name))
    return members


def until_exit(encode: Encode) -> None:
    """Until the encoder's exit status is written: a blocking wait on a pidfd of each process
    of the encoder's group (the detached encoder is not our child), like subprocess.run's wait
    for the other two. Polling for the status file every 2 ms, as this did before, cost the
    bench ~100 ms of CPU per remux (a wake-up and a failed open each time, ~200 us on these
    loaded cores), next to ffmpeg on 2 cores: charged to the site, not made by it."""
    directory = encode_directory(encode)
    for pid in _group(int((directory / ffmpeg.PID).read_text())):
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue  # already ended
        try:
            select.select([fd], [], [])  # readable once the process ended
        finally:
            os.close(fd)
    while ffmpeg.exit_status(directory) is None:  # written before its sh ends: not expected
        time.sleep(0.002)
    assert ffmpeg.exit_status(directory) == 0, ffmpeg.last_words(directory)


def plain_remux(out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run(
        [settings.SEEDBOX_FFMPEG_BIN, "-nostdin", "-v", "error", "-y", "-i", str(SOURCE), "-c",
         "copy", "-f", "hls",
         "-hls_time", "4", "-hls_playlist_type", "vod", "-hls_segment_filename",
         str(out / "seg%05d.ts"), str(out / "index.m3u8")],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def our_command(out: Path) -> float:
    """Our remux command (media/ffmpeg.py) run directly: the encoder without the site."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run(ffmpeg.hls_command(ffmpeg.HlsJob(SOURCE, out, HlsMode.REMUX)), check=True)
    return time.perf_counter() - started


def transcode_rtf(out: Path, seconds: int = 60) -> float:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = ffmpeg.hls_command(ffmpeg.HlsJob(SOURCE, out, HlsMode.TRANSCODE))
    at = command.index("-i") + 2
    command = [*command[:at], "-t", str(seconds), *command[at:]]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return seconds / (time.perf_counter() - started)


def _spread(values: list[float]) -> str:
    """(quartiles; min-max) of `values`: the machine is shared, a median alone hides how much."""
    if len(values) < 2:
        return ""
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"(quartiles {q1:.2f}-{q3:.2f}; {min(values):.2f}-{max(values):.2f})"


def site() -> tuple[User, Node, Client]:
    """The database migrated, an owner, a node on the scratch dir and a logged-in client."""
    settings.SEEDBOX_HLS_DIR = _scratch / "hls"
    settings.SEEDBOX_FFMPEG_BIN = timed_ffmpeg()
    call_command("migrate", verbosity=0)
    owner = User.objects.create_user("bench@example.com", "pw")
    node = Node.objects.create(name="bench", rpc_url="scgi:///none.sock", data_root=_scratch)
    client = Client()
    client.force_login(owner)
    return owner, node, client


def remux_rounds(owner: User, node: Node, client: Client, rounds: int) -> dict[str, list[float]]:
    """`rounds` of: the remux through the site, plain ffmpeg and our command alone, in
    alternating order; seconds of each (wall, and ffmpeg's CPU: `*_cpu`), of the first segment,
    of the playback call, and the bench process's CPU during the remux through the site."""
    names = ("firsts", "site", "plain", "command", "probes", "site_cpu", "plain_cpu",
             "command_cpu", "python_cpu")  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in names}
    plain_remux(_scratch / "plain")  # warms the page cache for everyone
    for n in range(rounds):
        torrent, file = torrent_of(node, owner, SOURCE, n + 1)

        def through_site() -> None:
            times["probes"].append(probe_first(client, torrent, file))  # noqa: B023
            lines, own = cpu_lines(), _own_cpu()
            started = time.perf_counter()
            first, encode = first_segment(client, torrent, file)  # noqa: B023
            until_exit(encode)
            times["site"].append(time.perf_counter() - started)
            times["python_cpu"].append(_own_cpu() - own)
            times["site_cpu"].append(cpu_since(lines))
            times["firsts"].append(first)
            shutil.rmtree(encode_directory(encode))

        def plain() -> None:
            lines = cpu_lines()
            times["plain"].append(plain_remux(_scratch / "plain"))
            times["plain_cpu"].append(cpu_since(lines))

        def command() -> None:
            lines = cpu_lines()
            times["command"].append(our_command(_scratch / "command"))
            times["command_cpu"].append(cpu_since(lines))

        steps = [through_site, plain, command]
        for step in steps if n % 2 == 0 else reversed(steps):  # alternate who goes first
            step()
        last = {name: values[-1] for name, values in times.items()}
        print(f"round {n + 1}: playback (ffprobe) {last['probes']:.2f} s, first segment "
              f"{last['firsts']:.2f} s, through the site {last['site']:.2f} s (ffmpeg's CPU "
              f"{last['site_cpu']:.2f} s, the bench's {last['python_cpu']:.3f} s), our command "
              f"alone {last['command']:.2f} s (CPU {last['command_cpu']:.2f} s), plain ffmpeg "
              f"{last['plain']:.2f} s (CPU {last['plain_cpu']:.2f} s)", flush=True)  # fmt: skip
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    make_sources()
    owner, node, client = site()
    times = remux_rounds(owner, node, client, rounds)
    firsts, ours, plains, commands, probes = (
        times[k] for k in ("firsts", "site", "plain", "command", "probes")
    )
    cpu = {k: times[f"{k}_cpu"] for k in ("site", "plain", "command")}
    torrent, file = torrent_of(node, owner, AVI, 99)
    probe_first(client, torrent, file)
    transcode_first, encode = first_segment(client, torrent, file)
    until_exit(encode)
    rtf = transcode_rtf(_scratch / "transcode")
    ours_m, plain_m = statistics.median(ours), statistics.median(plains)
    command_m = statistics.median(commands)
    print(f"\nsource: {SOURCE} ({SOURCE.stat().st_size / 1e6:.0f} MB, 600 s, 1280x720)")
    print(
        f"time to the first playable segment, remux (median of {rounds}): "
        f"{statistics.median(firsts):.2f} s (target < 2 s), after the playback call (ffprobe, "
        f"median {statistics.median(probes):.2f} s) the player page makes when it loads"
    )
    print(f"time to the first playable segment, transcode of an AVI: {transcode_first:.2f} s")
    print(f"whole remux through the site: {ours_m:.2f} s {_spread(ours)}; plain ffmpeg -c copy "
          f"-f hls: {plain_m:.2f} s {_spread(plains)}; ratio {ours_m / plain_m:.2f}x "
          f"(target <= 1.2x)")  # fmt: skip
    print(f"our remux command alone (no site): {command_m:.2f} s {_spread(commands)}; ratio to "
          f"plain {command_m / plain_m:.2f}x")  # fmt: skip
    paired = [o / p for o, p in zip(ours, plains, strict=True)]
    alone = [c / p for c, p in zip(commands, plains, strict=True)]
    print(f"ratios within each round (site/plain, command/plain): median "
          f"{statistics.median(paired):.2f}x {_spread(paired)}, {statistics.median(alone):.2f}x "
          f"{_spread(alone)}")  # fmt: skip
    cpu_m = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"ffmpeg's CPU time (user + sys), medians: through the site {cpu_m['site']:.3f} s, our "
          f"command alone {cpu_m['command']:.3f} s, plain {cpu_m['plain']:.3f} s; ratios to plain "
          f"{cpu_m['site'] / cpu_m['plain']:.2f}x and {cpu_m['command'] / cpu_m['plain']:.2f}x"
          )  # fmt: skip
    paired_cpu = [o / p for o, p in zip(cpu["site"], cpu["plain"], strict=True)]
    alone_cpu = [c / p for c, p in zip(cpu["command"], cpu["plain"], strict=True)]
    print(f"CPU ratios within each round (site/plain, command/plain): median "
          f"{statistics.median(paired_cpu):.2f}x {_spread(paired_cpu)}, "
          f"{statistics.median(alone_cpu):.2f}x {_spread(alone_cpu)}")  # fmt: skip
    python = statistics.median(times["python_cpu"])
    print(f"the bench process's own CPU during a remux through the site (Django's requests, the "
          f"first segment, polling for the exit): median {python * 1000:.0f} ms")  # fmt: skip
    print(f"transcode (libx264 {settings.SEEDBOX_HLS_PRESET}, <= {settings.SEEDBOX_HLS_MAX_HEIGHT}p"
          f", 60 s of 720p): {rtf:.2f}x real time")  # fmt: skip


if __name__ == "__main__":
    main()
