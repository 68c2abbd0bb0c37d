"""`.ci/run` creates the database DATABASE_URL names (real psql, real Postgres; `make` is a stub
so that the suite is not run again from inside itself)."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = "postgres://postgres@127.0.0.1:5432"


def _psql(sql: str) -> str:
    return subprocess.run(
        ["psql", f"{SERVER}/postgres", "-tAc", sql], capture_output=True, text=True, timeout=10
    ).stdout.strip()


@pytest.fixture
def postgres():
    if not shutil.which("psql"):
        pytest.skip("psql is not installed")
    if _psql("SELECT 1") != "1":
        pytest.skip(f"no Postgres at {SERVER}")


def test_ci_run_creates_the_database_the_url_names(postgres, tmp_path):
    name = f"seedbox_ci_{uuid.uuid4().hex[:8]}"
    stub = tmp_path / "make"
    stub.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/make-args\n')
    stub.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        "DATABASE_URL": f"{SERVER}/{name}",
    }
    try:
        result = subprocess.run(
            [str(ROOT / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, result.stderr
        assert _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
        assert (tmp_path / "make-args").read_text().split() == ["test", "ARGS=--create-db"]

        again = subprocess.run(
            [str(ROOT / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=30
        )
        assert again.returncode == 0, "an existing database is kept, not an error"
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{name}"')
