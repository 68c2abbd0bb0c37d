"""The whole site as subprocesses for the browser tests, the way `runseedbox` runs it: a Redis of
its own, the managed rTorrent, a real Celery worker with beat, and gunicorn, all on a temporary
SEEDBOX_VAR_DIR with a database of their own (an SQLite file there, or a fresh Postgres database
next to DATABASE_URL's). The test process talks to it only as a browser and through `python()`.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[3]
SETTINGS = "seedbox.tests.browser.stack_settings"
# Variables of the developer's or CI's environment that must not leak into the stack.
_DROP_PREFIXES = ("SEEDBOX_", "EMAIL_", "DJANGO_")
_DROP = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "HOST", "PORT"}


class StackError(AssertionError):
    pass


def wait_for(
    predicate: Callable[[], object],
    *,
    timeout: float,
    what: str,
    stack=None,
    explain: Callable[[], str] | None = None,
):
    """Poll until `predicate()` is truthy; on timeout fail with what `explain()` says (a
    transfer's two sides: testing.Announcer.report) and the stack's recent logs."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            said = f"\n{explain()}" if explain is not None else ""
            logs = f"\n{stack.tail()}" if stack is not None else ""
            raise StackError(f"timed out after {timeout:.0f}s waiting for {what}{said}{logs}")
        time.sleep(0.1)


class PostgresDatabase:
    """A database of its own on DATABASE_URL's server, dropped afterwards."""

    def __init__(self, url: str):
        import dj_database_url
        import psycopg2

        config = dj_database_url.parse(url)
        self.name = f"{config['NAME']}_browser_{os.getpid()}"
        self._connect = lambda: psycopg2.connect(
            dbname=config["NAME"],
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
        )
        parts = urlsplit(url)
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.name}"')

    def _execute(self, sql: str) -> None:
        connection = self._connect()
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Stack:
    def __init__(self, var_dir: Path, *, web_port: int, rtorrent_address: str, peer_port: int):
        self.var_dir = var_dir
        self.url = f"http://127.0.0.1:{web_port}"
        self.web_port = web_port
        self.logs = var_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.database: PostgresDatabase | None = None
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in _DROP and not k.startswith(_DROP_PREFIXES)
        }
        env.update(
            DJANGO_SETTINGS_MODULE=SETTINGS,
            PYTHONUNBUFFERED="1",
            SEEDBOX_VAR_DIR=str(var_dir),
            SECRET_KEY="browser-tests-" + "x" * 40,
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SEEDBOX_RTORRENT_BIND=rtorrent_address,
            SEEDBOX_RTORRENT_PORT_RANGE=f"{peer_port}-{peer_port}",
            SEEDBOX_SYNC_INTERVAL="1",
            SEEDBOX_RECONCILE_INTERVAL="5",
            SEEDBOX_REQUIRE_APPROVAL="true",
            SEEDBOX_DEFAULT_QUOTA="1GiB",
        )
        if os.environ.get("DATABASE_URL"):
            self.database = PostgresDatabase(os.environ["DATABASE_URL"])
            env["DATABASE_URL"] = self.database.url
        self.env = env

    # --- running things -----------------------------------------------------------------------
    def run(self, *argv: str, timeout: float = 180) -> str:
        """Run a command in the stack's environment; its output, or a failure showing it."""
        done = subprocess.run(
            argv, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            raise StackError(f"{argv} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def python(self, code: str) -> str:
        """Run Python with Django set up against the stack's database; what it printed."""
        return self.run(sys.executable, "-c", f"import django\ndjango.setup()\n{code}")

    def spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            argv,
            cwd=REPO,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append((name, process))
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def tail(self, lines: int = 30) -> str:
        parts = []
        for name, process in self.processes:
            text = self.log(name).splitlines()[-lines:]
            state = "running" if process.poll() is None else f"exited {process.returncode}"
            parts.append(f"--- {name} ({state}) ---\n" + "\n".join(text))
        return "\n".join(parts)

    def get(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    # --- the stack's life ---------------------------------------------------------------------
    def start(self) -> None:
        python = sys.executable
        self.run(python, "manage.py", "migrate", "--no-input", "-v", "0")
        redis_socket = self.var_dir / "run" / "redis.sock"
        redis_socket.parent.mkdir(parents=True, exist_ok=True)
        self.spawn(
            "redis",
            ["redis-server", "--port", "0", "--unixsocket", str(redis_socket),
             "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
             "--dir", str(self.var_dir / "run")],
        )  # fmt: skip
        wait_for(redis_socket.exists, timeout=20, what="redis", stack=self)
        self.spawn("rtorrent", [python, "manage.py", "rtorrentd"])
        wait_for(
            lambda: "rtorrentd: rTorrent pid" in self.log("rtorrent"),
            timeout=30,
            what="rTorrent and its node row",
            stack=self,
        )
        self.spawn(
            "worker",
            [python, "-m", "celery", "-A", "seedbox", "worker", "--beat", "--loglevel", "INFO",
             "--concurrency", "2", "--schedule", str(self.var_dir / "celerybeat-schedule")],
        )  # fmt: skip
        self.spawn(
            "web",
            [python, "-m", "gunicorn", "seedbox.wsgi:application",
             "--bind", f"127.0.0.1:{self.web_port}", "--workers", "2", "--threads", "4",
             "--timeout", "60", "--access-logfile", "-"],
        )  # fmt: skip
        wait_for(lambda: " ready." in self.log("worker"), timeout=60, what="celery", stack=self)
        wait_for(lambda: self.get("/api/health") == 200, timeout=60, what="health", stack=self)

    def stop(self) -> None:
        for _, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()
        if self.database is not None:
            self.database.drop()
            self.database = None

    def check_healthy(self) -> None:
        """Every process still runs, and the site answered no request with a 500."""
        for name, process in self.processes:
            if process.poll() is not None:
                raise StackError(f"{name} exited {process.returncode}\n{self.tail()}")
        web = self.log("web")
        if "Internal Server Error" in web:
            raise StackError(f"the site answered 500:\n{web[-4000:]}")

    # --- what the site wrote ------------------------------------------------------------------
    def mails(self) -> list[str]:
        directory = self.var_dir / "mail"
        if not directory.exists():
            return []
        return [p.read_text(errors="replace") for p in sorted(directory.iterdir())]
