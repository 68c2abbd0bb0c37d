"""allauth's UserSessionsMiddleware, throttled: a browser session's address and last request are
written at most once a minute (at once when its address changes), not on every page view."""

import time

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError

RESOLUTION_SECONDS = 60
# What this process asked Redis about lately, so that a page view costs no round trip to Redis
# while its session was seen within the minute (Redis still decides across processes).
_asked: dict[tuple[str, str | None], float] = {}
_ASKED_MAX = 10_000


def _asked_lately(key: str, ip: str | None) -> bool:
    now = time.monotonic()
    if _asked.get((key, ip), 0.0) > now:
        return True
    if len(_asked) >= _ASKED_MAX:  # a bound, not an LRU: forgetting costs one Redis call each
        _asked.clear()
    _asked[(key, ip)] = now + RESOLUTION_SECONDS
    return False


class UserSessionActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.session.session_key if hasattr(request, "session") else None
        if key and request.user.is_authenticated:
            ip = get_adapter(request).get_client_ip(request)
            if _asked_lately(key, ip):
                return self.get_response(request)
            # cache.add succeeds only when no write for this session and address happened lately.
            try:
                due = cache.add(f"seedbox.session-seen:{key}:{ip}", 1, timeout=RESOLUTION_SECONDS)
            except RedisError:  # the list of sessions may lag; the page must not fail for it
                due = False
            if due:
                UserSession.objects.create_from_request(request)
        return self.get_response(request)
