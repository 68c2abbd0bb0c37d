"""Small helpers every app's tests use: API clients, after-commit callbacks, waiting on a
condition (rTorrent and Celery work asynchronously)."""

import time
from collections.abc import Callable

from django.test import TestCase
from rest_framework.test import APIClient


def api_client(user=None) -> APIClient:
    """A DRF client authenticated as `user` (None: anonymous)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def committed(action: Callable[[], object]):
    """Run `action`, then its after-commit callbacks, as a real commit would (pytest-django wraps
    each test in a transaction that never commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return action()


def wait_until(predicate: Callable[[], object], timeout: float = 20.0, what: str = "condition"):
    """Poll `predicate` until it returns something truthy (returned), or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
