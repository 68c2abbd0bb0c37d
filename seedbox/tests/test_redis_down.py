"""Logging in and browsing while Redis is down (a redis-server of the test's own, SIGKILLed):
the cache falls back to the process's local memory, and the rate limits still hold there."""

import time

import pytest
from django.core.cache import caches
from django.test import Client
from rest_framework.test import APIClient

from accounts.testing import PASSWORD, make_user
from torrents.tests.helpers_sync import add_torrent, api

pytestmark = pytest.mark.django_db

LOGIN = "/api/authenticate/login"


@pytest.fixture
def cache_on_own_redis(settings, own_redis):
    default = settings.CACHES["default"]
    settings.CACHES = {
        **settings.CACHES,
        "default": {**default, "LOCATION": own_redis.url, "FALLBACK_RETRY": 0.5},
    }
    return own_redis


def test_login_and_pages_work_while_redis_is_down(cache_on_own_redis):
    user = make_user("down@example.com")
    cache_on_own_redis.kill()

    started = time.monotonic()
    answer = APIClient().post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")
    assert answer.status_code == 200, answer.content
    assert time.monotonic() - started < 3, "no long wait on a Redis that is gone"

    browser = Client()
    assert browser.login(email=user.email, password=PASSWORD)
    assert browser.get("/").status_code == 200


def test_rate_limits_still_hold_while_redis_is_down(cache_on_own_redis):
    users = [make_user(f"d{n}@example.com") for n in range(11)]
    cache_on_own_redis.kill()
    client = APIClient()

    answers = [
        client.post(LOGIN, {"email": u.email, "password": "wrong"}, format="json").status_code
        for u in users
    ]

    assert answers == [400] * 10 + [429], "counted in this process's memory, not failed open"


def test_the_cache_uses_redis_again_once_it_is_back(cache_on_own_redis):
    cache = caches["default"]
    cache_on_own_redis.kill()
    cache.set("during", 1)
    assert cache.get("during") == 1, "kept in local memory meanwhile"

    cache_on_own_redis.start()
    time.sleep(0.6)  # FALLBACK_RETRY
    cache.set("after", 2)

    assert cache.get("after") == 2
    assert cache.fallback.get("after") is None, "written to Redis, not to local memory"


def test_downloads_work_and_health_names_the_broker_while_redis_is_down(
    cache_on_own_redis, settings, node, owner, tmp_path
):
    settings.REDIS_URL = cache_on_own_redis.url
    torrent = add_torrent(
        node, [owner], tmp_path, name="f.bin", files={"f.bin": 5000}, with_data=True
    )
    file = torrent.files.get()
    cache_on_own_redis.kill()

    download = api(owner).get(f"/api/torrents/{torrent.pk}/files/{file.pk}/download")
    assert download.status_code == 200
    assert len(b"".join(download.streaming_content)) == 5000

    health = Client().get("/api/health")
    assert health.status_code == 503
    assert health.json()["broker"].startswith("down:")
    assert health.json()["database"] == "ok"
