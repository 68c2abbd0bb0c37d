"""allauth's UserSessionsMiddleware, throttled: a browser session's address and last request are
written at most once a minute (at once when its address changes), not on every page view."""

from allauth.account.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError

RESOLUTION_SECONDS = 60


class UserSessionActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.session.session_key if hasattr(request, "session") else None
        if key and request.user.is_authenticated:
            ip = get_adapter(request).get_client_ip(request)
            # cache.add succeeds only when no write for this session and address happened lately.
            try:
                due = cache.add(f"seedbox.session-seen:{key}:{ip}", 1, timeout=RESOLUTION_SECONDS)
            except RedisError:  # the list of sessions may lag; the page must not fail for it
                due = False
            if due:
                UserSession.objects.create_from_request(request)
        return self.get_response(request)
