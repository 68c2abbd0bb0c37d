"""System checks stop a start that cannot work, with a hint."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_missing_rtorrent_binary_fails_the_check(tmp_path):
    env = {**os.environ, "SEEDBOX_VAR_DIR": str(tmp_path), "SEEDBOX_RTORRENT_BIN": "no-rtorrent"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "seedbox.E001" in result.stderr
    assert "apt-get install -y rtorrent" in result.stderr


def test_an_unmanaged_node_needs_no_local_binary(tmp_path):
    env = {
        **os.environ,
        "SEEDBOX_VAR_DIR": str(tmp_path),
        "SEEDBOX_RTORRENT_BIN": "no-rtorrent",
        "SEEDBOX_RTORRENT_MANAGED": "false",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
