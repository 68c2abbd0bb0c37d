"""The admin command `runseedbox` prints works as printed: run from another directory, in a
shell that lacks the stack's environment, it reaches the stack's own database (no missing
table, no stray `var/`) and makes an admin who can log in."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from seedbox.admin_hint import admin_hint

REPO = Path(settings.BASE_DIR)
# The test run's own variables must not reach the commands: they would hide a missing one.
_CLEAN = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("SEEDBOX_", "DJANGO_", "DATABASE_", "REDIS_", "EMAIL_", "SECRET_"))
}


def test_the_printed_command_reaches_the_stacks_database(tmp_path):
    var_dir = tmp_path / "stack-var"
    stack_env = {**_CLEAN, "SEEDBOX_VAR_DIR": str(var_dir), "SEEDBOX_SYNC_INTERVAL": "3"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=REPO, env=stack_env, check=True, timeout=300,
    )  # fmt: skip
    repo_var_before = (REPO / "var").exists()

    [line] = admin_hint(environ=stack_env, python=sys.executable, base_dir=REPO)
    command = line.removeprefix("Create an admin:  ")
    assert f"SEEDBOX_VAR_DIR={var_dir}" in command
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    operator_env = {
        **_CLEAN,
        "DJANGO_SUPERUSER_EMAIL": "root@example.com",
        "DJANGO_SUPERUSER_PASSWORD": "plum-Orchard-1947",
    }
    done = subprocess.run(
        ["bash", "-c", command + " --noinput"],
        cwd=elsewhere, env=operator_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    with sqlite3.connect(var_dir / "db.sqlite3") as db:
        rows = db.execute(
            "SELECT u.email, u.is_superuser, e.verified, e.[primary] FROM accounts_user u "
            "JOIN account_emailaddress e ON e.user_id = u.id"
        ).fetchall()
    assert rows == [("root@example.com", 1, 1, 1)]
    assert (REPO / "var").exists() == repo_var_before
    assert not (elsewhere / "var").exists()


def test_secrets_are_not_printed():
    environ = {
        "DATABASE_URL": "postgres://seedbox:hunter2@db.internal:5432/seedbox",
        "SEEDBOX_SMTP_PASSWORD": "mail-secret",
        "SECRET_KEY": "k" * 50,
        "DJANGO_SETTINGS_MODULE": "seedbox.settings",
        "HOME": "/root",
    }
    lines = admin_hint(environ=environ, python=".venv/bin/python", base_dir=Path("/srv/seedbox"))
    text = "\n".join(lines)
    for secret in ("hunter2", "mail-secret", "kkkk"):
        assert secret not in text
    assert "DATABASE_URL='postgres://seedbox:****@db.internal:5432/seedbox'" in text
    for needless in ("DJANGO_SETTINGS_MODULE", "HOME"):
        assert needless not in text
    assert lines[0].startswith("Create an admin:  cd /srv/seedbox && DATABASE_URL=")
    assert "password back" in lines[1]
