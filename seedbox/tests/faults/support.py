"""What the fault tests share: the test database's URL for processes of their own, and the
pool processes of a Celery worker (to SIGKILL the one running a task)."""

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from seedbox.management.commands.runseedbox import worker_argv


def database_url() -> str:
    """The test database (a server: an SQLite test database is in this process's memory)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def children(pid: int) -> list[int]:
    """The direct children of `pid` (Linux: /proc/<pid>/task/<tid>/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


class Worker:
    """A Celery worker in a session of its own (killed with its group), its output kept for
    failure messages: by default exactly as `runseedbox` starts it (prefork, 2 pool processes)."""

    def __init__(self, env: dict[str, str], argv: list[str] | None = None):
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (read after the worker is gone)
        self.process = subprocess.Popen(
            argv or worker_argv(sys.executable),
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def pool(self) -> list[int]:
        return children(self.process.pid)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]
