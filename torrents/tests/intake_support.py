"""Helpers for the intake tests: personas with quotas, API clients, running pushes, waiting on
rTorrent. Fixtures are imported by the test modules that use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from seedbox.celery import app as celery_app
from seedbox.testing import api_client as api
from seedbox.testing import committed, wait_until  # noqa: F401  (re-exported to the tests)
from torrents.tasks.fetch import fetch_torrent_url
from torrents.tasks.push import push_torrent

GiB = 1 << 30


@pytest.fixture
def alice(db) -> User:
    return User.objects.create_user("alice.intake@example.com", "pw", quota_bytes=GiB)


@pytest.fixture
def bob(db) -> User:
    return User.objects.create_user("bob.intake@example.com", "pw", quota_bytes=GiB)


@pytest.fixture
def boss(db) -> User:
    return User.objects.create_user(
        "boss.intake@example.com", "pw", is_staff=True, is_superuser=True
    )


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def post(user: User | None, data: dict):
    """POST /api/torrents/ (multipart); the pushes it schedules go to the real broker."""
    return committed(lambda: api(user).post("/api/torrents/", data, format="multipart"))


def _broker_messages() -> list[tuple[str, list, dict]]:
    """Take every message waiting in the real broker's default queue: (task, args, kwargs)."""
    taken = []
    with celery_app.connection_for_read() as connection:
        queue = connection.SimpleQueue(celery_app.conf.task_default_queue)
        try:
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    break
                args, kwargs, _ = message.payload
                taken.append((message.headers["task"], args, kwargs))
                message.ack()
        finally:
            queue.close()
    return taken


def clear_broker() -> None:
    _broker_messages()


def push_queued() -> list[str]:
    """Run the push tasks the broker holds, with the arguments they were published with, as a
    worker would (the verify tasks are left to the tests, which call the service)."""
    return [
        push_torrent.run(*args, **kwargs)
        for task, args, kwargs in _broker_messages()
        if task == push_torrent.name
    ]


def fetch_and_push_queued() -> tuple[list[str], list[str]]:
    """Run the fetch and push tasks the broker holds (as a worker would), then the pushes the
    fetches queued: (fetch outcomes, push outcomes). Other messages are dropped."""
    messages = _broker_messages()
    pushed = [push_torrent.run(*a, **k) for task, a, k in messages if task == push_torrent.name]
    fetched = [
        committed(lambda a=args, k=kwargs: fetch_torrent_url.run(*a, **k))
        for task, args, kwargs in messages
        if task == fetch_torrent_url.name
    ]
    return fetched, pushed + push_queued()


@pytest.fixture(autouse=True)
def _empty_broker_queue(request):
    """Messages left by an earlier test must not be run by this one."""
    if "node" in request.fixturenames:
        clear_broker()
