"""`make bench` (bench/run_all.py) is never run by the suite (15 minutes); its dry run is: every
part's module is imported in a child process of its own, as the real run does, so a renamed
function or a broken import in the benchmarks fails here instead of on the next `make bench`."""

import subprocess
import sys
from pathlib import Path

import pytest

RUN_ALL = Path(__file__).resolve().parents[2] / "bench" / "run_all.py"


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RUN_ALL), *argv], capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_the_dry_run_imports_every_part_and_prints_its_plan():
    done = _run("--dry-run", "--quick")
    assert done.returncode == 0, done.stdout + done.stderr
    for plan in ("sync: 2,000 torrents", "http (list, rps, add, download, zip, upload)",
                 "creation: 256 MiB", "hls: 3 rounds"):  # fmt: skip
        assert plan in done.stdout, done.stdout


def test_an_unknown_part_is_refused_with_the_list_of_parts():
    done = _run("--only", "sync,nope")
    assert done.returncode == 2
    assert "unknown part nope" in done.stderr
    assert "sync, list, rps, add, download, zip, upload, creation, hls" in done.stderr
