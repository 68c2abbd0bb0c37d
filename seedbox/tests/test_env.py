"""Strict settings parsing: a bad value names its variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from seedbox.env import env_bool, env_int, env_list, env_size, env_str, parse_size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10GiB", 10 * 1024**3),
        ("512 MB", 512 * 1000**2),
        ("1.5G", 1_500_000_000),
        ("4096", 4096),
        ("2tib", 2 * 1024**4),
    ],
)
def test_sizes(text, expected):
    assert parse_size(text) == expected


def test_bad_values_name_the_variable(monkeypatch):
    monkeypatch.setenv("SEEDBOX_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SEEDBOX_X='maybe': expected true or false"):
        env_bool("SEEDBOX_X", False)
    monkeypatch.setenv("SEEDBOX_X", "ten")
    with pytest.raises(ImproperlyConfigured, match="SEEDBOX_X='ten': expected a whole number"):
        env_int("SEEDBOX_X", 1)
    monkeypatch.setenv("SEEDBOX_X", "10 parsecs")
    with pytest.raises(ImproperlyConfigured, match="SEEDBOX_X: not a size"):
        env_size("SEEDBOX_X", "1GiB")
    monkeypatch.setenv("SEEDBOX_X", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("SEEDBOX_X", 5, minimum=1)


def test_defaults_and_lists(monkeypatch):
    monkeypatch.delenv("SEEDBOX_X", raising=False)
    assert env_bool("SEEDBOX_X", True) is True
    assert env_size("SEEDBOX_X", "1KiB") == 1024
    monkeypatch.setenv("SEEDBOX_X", "a.example, b.example c.example")
    assert env_list("SEEDBOX_X", []) == ["a.example", "b.example", "c.example"]


def test_secret_from_a_file(monkeypatch, tmp_path):
    (tmp_path / "secret").write_text("s3cret\n")
    monkeypatch.delenv("SEEDBOX_X", raising=False)
    monkeypatch.setenv("SEEDBOX_X_FILE", str(tmp_path / "secret"))
    assert env_str("SEEDBOX_X") == "s3cret"
    monkeypatch.setenv("SEEDBOX_X", "also")
    with pytest.raises(ImproperlyConfigured, match="both set"):
        env_str("SEEDBOX_X")


def test_a_bad_variable_stops_the_start_with_its_name(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "SEEDBOX_VAR_DIR": str(tmp_path), "DEBUG": "perhaps"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DEBUG='perhaps': expected true or false" in result.stderr


def test_an_sqlite_database_url_gets_the_same_wal_and_lock_wait_as_the_default(tmp_path):
    """A sync committing while the list is read made requests fail with "database is locked"
    (a 500) when DATABASE_URL named an SQLite file: it had none of the default's options."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SEEDBOX_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/named.sqlite3",
    }
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
        "print(connection.settings_dict['OPTIONS']['timeout'])\n"
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "seedbox.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20", "IMMEDIATE"]
