"""Where a remux through the site spends its time, against our command alone (same file and
command as hls_bench.py, alternating which goes first):

- request to launcher: the playlist request's work before ffmpeg is started (Django, the row,
  the kept ffprobe answer); launcher to ffmpeg: until `sh` is about to start it;
- ffmpeg's run: from its log file (created by the launcher's `sh` right before ffmpeg) to its
  exit status (file times: ext4's clock ticks, a few ms);
- exit noticed: from the exit status to the bench seeing it (hls_bench polls every 2 ms).

    .venv/bin/python bench/hls_timeline.py [--rounds 15]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import time

import hls_bench as bench

from media import ffmpeg
from media.models import Encode, HlsMode
from media.services.hls_cache import encode_directory

launched: dict[str, float] = {}
_launch_detached = ffmpeg.launch_detached


def _noted_launch(command: list[str], directory) -> int:
    launched["at"] = time.time()
    return _launch_detached(command, directory)


def _stamp(path) -> float:
    return os.stat(path).st_mtime_ns / 1e9


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    bench.make_sources()
    owner, node, client = bench.site()
    ffmpeg.launch_detached = _noted_launch
    rows: dict[str, list[float]] = {
        k: [] for k in ("request to launcher", "launcher to ffmpeg", "ffmpeg's run, site",
                        "exit noticed", "site total", "ffmpeg's run, alone")
    }  # fmt: skip
    for n in range(rounds):
        torrent, file = bench.torrent_of(node, owner, bench.SOURCE, n + 1)
        bench.probe_first(client, torrent, file)

        def site() -> None:
            started = time.time()
            bench.first_segment(client, torrent, file)  # noqa: B023
            encode = Encode.objects.get(file=file)  # noqa: B023
            bench.until_exit(encode)
            ended = time.time()
            directory = encode_directory(encode)
            began, status = _stamp(directory / ffmpeg.LOG), _stamp(directory / ffmpeg.EXIT)
            rows["request to launcher"].append(launched["at"] - started)
            rows["launcher to ffmpeg"].append(began - launched["at"])
            rows["ffmpeg's run, site"].append(status - began)
            rows["exit noticed"].append(ended - status)
            rows["site total"].append(ended - started)
            shutil.rmtree(directory)

        def alone() -> None:
            out = bench._scratch / "alone"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            command = ffmpeg.hls_command(ffmpeg.HlsJob(bench.SOURCE, out, HlsMode.REMUX))
            script = '"$@" </dev/null >/dev/null 2>"$0/log"; echo $? > "$0/exit"'
            subprocess.run(["sh", "-c", script, str(out), *command], check=True)
            rows["ffmpeg's run, alone"].append(_stamp(out / "exit") - _stamp(out / "log"))

        for step in (site, alone) if n % 2 == 0 else (alone, site):
            step()
    for name, values in rows.items():
        q1, _, q3 = statistics.quantiles(values, n=4)
        print(f"{name:20s} median {statistics.median(values) * 1000:6.1f} ms "
              f"(quartiles {q1 * 1000:.1f}-{q3 * 1000:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
