"""The command `runseedbox` prints for creating an admin, with the environment the stack was
started with: run in another terminal, it must reach the same database (SEEDBOX_VAR_DIR or
DATABASE_URL), or it fails on a missing table and leaves a stray `var/` behind."""

import shlex
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SETTINGS = "seedbox.settings"
# Never printed: they are secrets and the command does not need them.
_SECRET = ("PASSWORD", "SECRET", "TOKEN")
_PLAIN = ("DATABASE_URL", "DATABASE_URL_FILE", "DJANGO_SETTINGS_MODULE")


def _wanted(name: str, value: str) -> bool:
    if any(word in name for word in _SECRET):
        return False
    if name == "DJANGO_SETTINGS_MODULE":
        return value != DEFAULT_SETTINGS
    return name.startswith("SEEDBOX_") or name in _PLAIN


def _without_password(url: str) -> tuple[str, bool]:
    parts = urlsplit(url)
    if not parts.password:
        return url, False
    netloc = f"{parts.username}:****@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc)), True


def admin_hint(*, environ: Mapping[str, str], python: str, base_dir: Path) -> list[str]:
    """Lines to print: the command, with the variables it needs set as the stack has them."""
    assignments, masked = [], False
    for name in sorted(environ):
        value = environ[name]
        if not _wanted(name, value):
            continue
        if name == "DATABASE_URL":
            value, masked = _without_password(value)
        assignments.append(f"{name}={shlex.quote(value)}")
    where = f"cd {shlex.quote(str(base_dir))} &&"
    command = " ".join([where, *assignments, shlex.quote(python), "manage.py", "createsuperuser"])
    lines = [f"Create an admin:  {command}"]
    if masked:
        lines.append("  (put DATABASE_URL's password back in place of ****)")
    return lines
