import shutil
import tempfile
from pathlib import Path

import pytest

from seedbox.tests.redis_server import RedisServer


@pytest.fixture
def own_redis():
    """A started redis-server on a short socket path (AF_UNIX paths are limited to 107 bytes)."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    with tempfile.TemporaryDirectory(prefix="sb-redis-") as directory:
        server = RedisServer(Path(directory))
        server.start()
        yield server
        server.kill()
