"""Write .env.example from seedbox/settings.py: every setting read from the environment, with
the comment above it and its default, after the values a production deployment sets.

    .venv/bin/python scripts/env_example.py   # rewrites .env.example

seedbox/tests/test_deploy.py fails when a setting is missing from the file."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "seedbox" / "settings.py", ROOT / "seedbox" / "mail_env.py"]

PRODUCTION = """\
# Seedbox's settings for docker-compose.yml (README "Production"): copy to .env and edit.
# The first block is what a deployment sets; everything after it is commented out at its
# default. A setting NAME can also be read from a file: NAME_FILE=/run/secrets/name.

POSTGRES_PASSWORD=change-me
ALLOWED_HOSTS=seedbox.example.com
SEEDBOX_SITE_URL=https://seedbox.example.com
# TLS ends at nginx or at a proxy in front of it (README "Production", "TLS in front").
SEEDBOX_HTTPS=true
CSRF_TRUSTED_ORIGINS=https://seedbox.example.com
SECURE_HSTS_PRELOAD=true
SEEDBOX_MAIL_FROM=Seedbox <seedbox@example.com>
EMAIL_URL=smtp+tls://user:password@smtp.example.com:587
"""
SET_ABOVE = {
    "POSTGRES_PASSWORD", "ALLOWED_HOSTS", "SEEDBOX_SITE_URL", "SEEDBOX_HTTPS",
    "CSRF_TRUSTED_ORIGINS", "SECURE_HSTS_PRELOAD", "SEEDBOX_MAIL_FROM", "EMAIL_URL",
}  # fmt: skip
# Set by docker-compose.yml itself (paths inside the containers, the services' addresses).
SET_BY_COMPOSE = {
    "DATABASE_URL", "REDIS_URL", "SEEDBOX_RTORRENT_MANAGED", "SEEDBOX_RTORRENT_DIR",
    "SEEDBOX_RTORRENT_URL", "SEEDBOX_DATA_DIR", "SEEDBOX_VAR_DIR", "STATIC_ROOT",
    "SEEDBOX_ACCEL_REDIRECT", "SEEDBOX_TRUSTED_PROXIES", "SECRET_KEY",
}  # fmt: skip


def settings_read(path: Path) -> list[tuple[str, str, list[str]]]:
    """(name, default as written, comment lines above) for every env_*("NAME", ...) call."""
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for statement in ast.parse(source).body:
        comment = []
        line = statement.lineno - 2
        while line >= 0 and lines[line].lstrip().startswith("#"):
            comment.insert(0, lines[line].strip())
            line -= 1
        for node in ast.walk(statement):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if not node.func.id.startswith("env_") or not node.args:
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            default = ast.get_source_segment(source, node.args[1]) if len(node.args) > 1 else ""
            found.append((first.value, default or "", comment))
            comment = []  # said once per statement
    return found


def names() -> set[str]:
    return {name for path in SOURCES for name, _, _ in settings_read(path)}


def example() -> str:
    out = [PRODUCTION, "", "# --- Everything else, at its default " + "-" * 56]
    seen = set(SET_ABOVE)
    for path in SOURCES:
        for name, default, comment in settings_read(path):
            if name in seen:
                continue
            seen.add(name)
            out.extend(["", *comment] if comment else [""])
            where = " (docker-compose.yml sets it)" if name in SET_BY_COMPOSE else ""
            shown = default.strip("\"'") if default.startswith(('"', "'")) else default
            out.append(f"# {name}={shown}" + (f"  # {where.strip(' ()')}" if where else ""))
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"


if __name__ == "__main__":
    (ROOT / ".env.example").write_text(example())
    sys.stdout.write(f"wrote .env.example: {len(names())} settings\n")
