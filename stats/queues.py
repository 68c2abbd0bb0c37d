"""How many Celery tasks wait in the broker: LLEN of the queue's lists in Redis (kombu keeps a
queue as one list per priority step: `celery`, `celery\\x06\\x163`, ...)."""

import functools

import redis
from celery import current_app
from django.conf import settings

# kombu's Redis transport: default priority steps and the separator of a step's list name.
PRIORITY_STEPS = (0, 3, 6, 9)
PRIORITY_SEP = "\x06\x16"


@functools.cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def queue_names() -> list[str]:
    conf = current_app.conf
    names = {conf.task_default_queue}
    names.update(q.name for q in conf.task_queues or ())
    return sorted(names)


def celery_queue_lengths() -> dict[str, int]:
    """{queue: tasks waiting}; raises redis.RedisError when the broker does not answer."""
    client = _redis()
    lengths = {}
    for name in queue_names():
        keys = [name if step == 0 else f"{name}{PRIORITY_SEP}{step}" for step in PRIORITY_STEPS]
        with client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.llen(key)
            lengths[name] = sum(pipe.execute())
    return lengths
