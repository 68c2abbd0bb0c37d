"""The Celery worker as `runseedbox` starts it survives a Redis outage: real redis-server, real
worker; Redis is SIGKILLed and started again, and the worker answers on the new connection."""

import os
import subprocess
import sys
import tempfile
import time

from celery import Celery

from seedbox.management.commands.runseedbox import worker_argv
from seedbox.settings import _celery_url


def _ping(url: str) -> bool:
    app = Celery(broker=_celery_url(url))
    try:
        return bool(app.control.ping(timeout=1))
    except Exception:  # a connection kept from before the outage: ask again
        return False
    finally:
        app.close()


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_worker_survives_a_redis_outage_without_an_attribute_error(own_redis):
    log = tempfile.TemporaryFile()  # noqa: SIM115  (read after the worker is gone)
    worker = subprocess.Popen(
        worker_argv(sys.executable),
        env={**os.environ, "REDIS_URL": own_redis.url},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert _wait(lambda: _ping(own_redis.url), 20), "the worker never answered"

        own_redis.kill()
        time.sleep(2)
        own_redis.start()

        assert _wait(lambda: _ping(own_redis.url), 15), "the worker never came back"
        assert worker.poll() is None
    finally:
        os.killpg(worker.pid, 9)
        worker.wait()
        log.seek(0)
        output = log.read().decode(errors="replace")
    assert "Connection to broker lost" in output, "the outage was seen"
    assert "connection_errors" not in output, output[-3000:]
