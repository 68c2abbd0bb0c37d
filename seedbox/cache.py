"""The default cache: Redis, so that rate limits hold across web workers, or a local-memory cache
of the process's own while Redis does not answer, so that logging in and browsing never need
the broker. Limits are not dropped during an outage: they are counted per process (a little
looser with several workers, never open), and Redis counts again once it is back.

After a failed call Redis is left alone for FALLBACK_RETRY seconds (top-level key of the CACHES
entry, default 5): a request pays at most one short connect timeout (OPTIONS
socket_connect_timeout), not one per cache call."""

import functools
import logging
import threading
import time

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

logger = logging.getLogger(__name__)

_REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# Every call of Django's RedisCache that talks to the server (the others are built on them).
_METHODS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class RedisCache(DjangoRedisCache):
    """Django's RedisCache with a per-process local-memory fallback while Redis is down."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._retry_after = float(params.get("FALLBACK_RETRY", 5.0))
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.fallback = LocMemCache(
            f"seedbox-fallback-{server}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": 10000},
            },
        )

    @property
    def redis_up(self) -> bool:
        return time.monotonic() >= self._down_until

    def _redis_failed(self, exc: Exception) -> None:
        with self._lock:
            if self.redis_up:
                logger.warning(
                    "cache: Redis does not answer (%s); using this process's local memory, "
                    "trying Redis again in %.0fs",
                    exc,
                    self._retry_after,
                )
            self._down_until = time.monotonic() + self._retry_after


def _with_fallback(name: str):
    redis_method = getattr(DjangoRedisCache, name)

    @functools.wraps(redis_method)
    def method(self, *args, **kwargs):
        if self.redis_up:
            try:
                return redis_method(self, *args, **kwargs)
            except _REDIS_DOWN as exc:
                self._redis_failed(exc)
        return getattr(self.fallback, name)(*args, **kwargs)

    return method


for _name in _METHODS:
    setattr(RedisCache, _name, _with_fallback(_name))
