"""The suite's test processes each get their own Redis database of the same server."""

import os

import pytest
from django.conf import settings

from seedbox.tests.xdist_redis import worker_redis_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/2"),
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379/2"),
        ("redis://:secret@redis:6379/5", "redis://:secret@redis:6379/2"),
        ("unix:///run/redis.sock?db=0", "unix:///run/redis.sock?db=2"),
        ("unix:///run/redis.sock", "unix:///run/redis.sock?db=2"),
    ],
)
def test_worker_gw1_takes_database_2(url, expected):
    assert worker_redis_url(url, "gw1") == expected


def test_this_worker_and_its_subprocesses_share_one_database():
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        pytest.skip("not run by pytest-xdist")
    assert os.environ["REDIS_URL"] == settings.REDIS_URL
    assert worker_redis_url(settings.REDIS_URL, worker) == settings.REDIS_URL
