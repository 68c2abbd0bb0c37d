"""Temporary uploads left by a killed web worker are cleaned (issue 10, item 6).

The leak is reproduced for real: a child process opens Django's temporary upload file (as a
web worker does mid-upload) and is killed with SIGKILL, which leaves the file behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from torrents.services.incoming import incoming_clean
from torrents.tasks.maintenance import clean_incoming

HOUR = 3600

_MID_UPLOAD = """
import django, os, sys, time
django.setup()
from django.core.files.uploadedfile import TemporaryUploadedFile
upload = TemporaryUploadedFile("big.iso", "application/octet-stream", 0, None)
upload.write(b"x" * 1_000_000)
upload.flush()
print(upload.temporary_file_path(), flush=True)
time.sleep(60)
"""


@pytest.fixture
def incoming(settings, tmp_path) -> Path:
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "incoming"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    return settings.FILE_UPLOAD_TEMP_DIR


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(item, (past, past))


def _killed_mid_upload(incoming: Path) -> Path:
    env = {**os.environ, "SEEDBOX_UPLOAD_TEMP_DIR": str(incoming)}
    child = subprocess.Popen(
        [sys.executable, "-c", _MID_UPLOAD], stdout=subprocess.PIPE, text=True, env=env
    )
    path = Path(child.stdout.readline().strip())
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    child.stdout.close()
    return path


def test_an_upload_killed_mid_way_leaves_its_file_and_the_clean_up_removes_it(incoming):
    leaked = _killed_mid_upload(incoming)
    assert leaked.parent == incoming
    assert leaked.stat().st_size == 1_000_000  # the leak is real
    _age(leaked, 2 * HOUR)

    report = clean_incoming.run()

    assert not leaked.exists()
    assert report == {"removed": 1, "freed_bytes": 1_000_000, "kept": 0}


def test_uploads_still_being_written_and_other_files_are_kept(incoming):
    fresh = incoming / "tmpfresh.upload.bin"
    fresh.write_bytes(b"in flight")
    staging = incoming / "create-abc"
    (staging / "album").mkdir(parents=True)
    (staging / "album" / "01.flac").write_bytes(b"a" * 10)
    _age(staging, 2 * HOUR)
    (staging / "album" / "02.flac").write_bytes(b"b" * 10)  # still being written
    other = incoming / "notes.txt"
    other.write_text("not ours")
    _age(other, 2 * HOUR)

    report = incoming_clean()

    assert report.removed == 0
    assert report.kept == 2
    assert fresh.exists()
    assert staging.exists()
    assert other.exists()


def test_a_stale_staging_folder_goes_whole(incoming):
    staging = incoming / "create-old"
    (staging / "a" / "b").mkdir(parents=True)
    (staging / "a" / "b" / "f.bin").write_bytes(b"z" * 100)
    _age(staging, 2 * HOUR)

    assert incoming_clean().removed == 1
    assert not staging.exists()


def test_at_start_everything_left_behind_goes(incoming):
    leaked = _killed_mid_upload(incoming)  # just now: fresh, but nothing is in flight at start
    assert incoming_clean(stale_after=0).removed == 1
    assert not leaked.exists()


def test_the_clean_up_is_on_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["torrents-clean-incoming"]
    assert entry["task"] == clean_incoming.name
    call_command("check")  # the settings it reads exist and parse
