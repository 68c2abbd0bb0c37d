"""Run the whole stack in the foreground: Redis (when REDIS_URL is unset), the managed rTorrent,
a Celery worker, Celery beat and the web server. A child that dies is restarted (see
seedbox/supervisor.py); one Ctrl-C stops them all."""

import os
import shutil
import socket
import sys
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from seedbox.admin_hint import admin_hint
from seedbox.env import env_int, env_str
from seedbox.sizes import human_size
from seedbox.supervisor import ChildSpec, RestartPolicy, Supervisor
from torrents.rtorrent import RTorrentClient, RTorrentError
from torrents.services.incoming import incoming_clean
from torrents.services.nodes import node_ensure_managed


def _redis_ready() -> bool:
    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _rtorrent_ready() -> bool:
    try:
        RTorrentClient(settings.SEEDBOX_RTORRENT_URL, timeout=1).version()
    except RTorrentError:
        return False
    return True


def _port_ready(host: str, port: int) -> Callable:
    def ready() -> bool:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
        except OSError:
            return False
        return True

    return ready


def worker_argv(python: str) -> list[str]:
    """Without gossip and mingle: they only talk to other workers (there is one), and gossip's
    consumer is what celery fails to cancel when the broker drops (kombu's `ignore_errors`
    gets the connection celery already set to None: "'NoneType' object has no attribute
    'connection_errors'"). Beat is a separate child, so that its death is seen and healed."""
    return [
        python,
        "-m",
        "celery",
        "-A",
        "seedbox",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        "2",
        "--without-gossip",
        "--without-mingle",
    ]


def beat_argv(python: str) -> list[str]:
    return [
        python,
        "-m",
        "celery",
        "-A",
        "seedbox",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        settings.CELERY_BEAT_SCHEDULE_FILENAME,
    ]


class Command(BaseCommand):
    help = "Run Redis, rTorrent, a Celery worker, beat and the web server; Ctrl-C stops all."

    def handle(self, *args, **options):
        host = env_str("HOST", "127.0.0.1")
        port = env_int("PORT", 8000, minimum=1)
        python = sys.executable
        settings.RUN_DIR.mkdir(parents=True, exist_ok=True)
        specs = []
        if settings.REDIS_IS_LOCAL:
            if not shutil.which("redis-server"):
                raise CommandError("redis-server not found: apt-get install -y redis-server")
            redis_dir = settings.VAR_DIR / "redis"
            redis_dir.mkdir(parents=True, exist_ok=True)
            specs.append(
                ChildSpec(
                    "redis",
                    [
                        "redis-server",
                        "--port",
                        "0",
                        "--unixsocket",
                        str(settings.REDIS_SOCKET),
                        "--unixsocketperm",
                        "700",
                        "--dir",
                        str(redis_dir),
                        "--save",
                        "60 1",
                        "--appendonly",
                        "no",
                    ],
                    ready=_redis_ready,
                )
            )
        if settings.SEEDBOX_RTORRENT_MANAGED:
            specs.append(
                ChildSpec("rtorrent", [python, "manage.py", "rtorrentd"], ready=_rtorrent_ready)
            )
        node_ensure_managed()
        # The web server is not running yet, so no upload is in flight: whatever a killed one
        # left behind goes now (beat repeats it, for files untouched for an hour).
        cleaned = incoming_clean(stale_after=0)
        if cleaned.removed:
            self.stdout.write(
                f"Removed {cleaned.removed} temporary uploads left by an earlier run "
                f"({human_size(cleaned.freed_bytes)})."
            )
        specs += [
            ChildSpec("worker", worker_argv(python), stop_timeout=30),
            ChildSpec("beat", beat_argv(python)),
            ChildSpec(
                "web",
                [
                    python,
                    "-m",
                    "gunicorn",
                    "seedbox.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(settings.SEEDBOX_WEB_WORKERS),
                    "--threads",
                    str(settings.SEEDBOX_WEB_THREADS),
                    "--access-logfile",
                    "-",
                ],
                ready=_port_ready(host, port),
            ),
        ]

        def banner() -> None:
            url = f"http://{host}:{port}/"
            supervisor.say("")
            supervisor.say(f"Seedbox is running at {url}  (health: {url}api/health)")
            for line in admin_hint(environ=os.environ, python=python, base_dir=settings.BASE_DIR):
                supervisor.say(line)
            supervisor.say(f"Mails are written as files to {settings.VAR_DIR / 'mail'}/")
            supervisor.say("Press Ctrl-C once to stop everything.")

        supervisor = Supervisor(
            specs,
            out=self.stdout,
            policy=RestartPolicy(
                max_deaths=settings.SEEDBOX_SUPERVISOR_MAX_DEATHS,
                window=settings.SEEDBOX_SUPERVISOR_WINDOW,
            ),
            status_path=settings.SEEDBOX_SUPERVISOR_STATUS,
        )
        code = supervisor.run(on_ready=banner)
        if code:
            raise CommandError("a process of the stack failed; see the lines above")
