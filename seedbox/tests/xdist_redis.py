"""A pytest plugin (loaded with `-p` before pytest-django reads the settings): under
pytest-xdist each worker process gets its own Redis database, so that one worker's rate limits,
queues and locks never meet another's. The environment is changed, not the settings, so the
subprocesses a test starts (workers, the web server) talk to the same database as the test.

Worker `gwN` uses database N + 1 of the same server (0 stays the developer's); Redis has 16.
Give a redis:// URL (scripts/test.sh does): kombu, Celery's transport, ignores the database
number of a socket URL."""

import os
import re

import pytest


def worker_redis_url(url: str, worker: str) -> str:
    """`url` with its database number replaced by the one of xdist worker `worker` (`gw0`...)."""
    number = int(worker.removeprefix("gw")) + 1
    if url.startswith("unix://"):
        if "db=" in url:
            return re.sub(r"db=\d+", f"db={number}", url)
        return url + ("&" if "?" in url else "?") + f"db={number}"
    scheme, rest = url.split("://", 1)
    host, _, _old = rest.partition("/")
    return f"{scheme}://{host}/{number}"


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], worker)
