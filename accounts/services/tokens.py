"""API tokens: random keys of which only a SHA-256 digest is kept.

A key has 256 bits of randomness, so a fast digest is enough (no one can guess a pre-image) and a
lookup is one indexed query. Revoking deletes the row: a revoked key is unknown from then on.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User

KEY_PREFIX = "sbx_"
# Updating last_used on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *, user: User, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token and its key; the key is never stored and cannot be shown again."""
    days = settings.SEEDBOX_API_TOKEN_DAYS if days is None else days
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=key[: len(KEY_PREFIX) + 6],
        digest=_digest(key),
        expires=timezone.now() + timedelta(days=days) if days else None,
    )
    return token, key


def api_token_authenticate(*, key: str, ip: str | None = None) -> ApiToken | None:
    """The live token for this key, or None when it is unknown, revoked or expired. Its last use
    and the client address `ip` are recorded (at most once a minute, or when the address
    changes)."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    try:  # get(), not first(): no ORDER BY to build, a third of this lookup's time
        token = ApiToken.objects.select_related("user").get(digest=_digest(key))
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.expires is not None and token.expires <= now:
        token.delete()
        return None
    stale = token.last_used is None or token.last_used < now - LAST_USED_RESOLUTION
    if stale or (ip and ip != token.last_ip):
        ApiToken.objects.filter(pk=token.pk).update(last_used=now, last_ip=ip or token.last_ip)
        token.last_used, token.last_ip = now, ip or token.last_ip
    return token


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


def api_tokens_revoke_all(*, user: User, keep: ApiToken | None = None) -> int:
    """Revoke every token of the user (after a password change or reset), but `keep`."""
    tokens = ApiToken.objects.filter(user=user)
    if keep is not None:
        tokens = tokens.exclude(pk=keep.pk)
    with transaction.atomic():
        deleted, _ = tokens.delete()
    return deleted
