"""The second factor of an API login, checked by allauth.mfa itself.

The HTML login is allauth's own stage (password, then /accounts/2fa/authenticate/). An API client
gets a short-lived one-time ticket after the right password and sends it back with a code; the
code goes through allauth's form (TOTP with its replay guard, recovery codes used once) and its
rate limit on failed logins, which counts wrong codes per account and per address.
"""

import hashlib
import secrets

from allauth.core import context
from allauth.mfa import signals
from allauth.mfa.base.forms import BaseAuthenticateForm
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.models import User
from accounts.services.errors import RateLimited

_TICKET_PREFIX = "seedbox.mfa-ticket:"
# What an API client can type: WebAuthn needs a browser.
API_METHODS = ("totp", "recovery_codes")
_TICKET_GONE = "This login ticket is unknown or expired; log in again."


def _ticket_key(ticket: str) -> str:
    """The cache key of a ticket: a digest, so the key never holds what a client sent (spaces,
    control characters: memcached refuses them, and Django warns)."""
    return _TICKET_PREFIX + hashlib.sha256(ticket.encode()).hexdigest()


def mfa_ticket_create(*, user: User) -> str:
    """A one-time ticket saying "this user gave the right password just now". It is bound to the
    password hash, so changing the password meanwhile voids it."""
    ticket = secrets.token_urlsafe(32)
    cache.set(
        _ticket_key(ticket),
        (user.pk, user.get_session_auth_hash()),
        timeout=settings.SEEDBOX_MFA_TICKET_SECONDS,
    )
    return ticket


def mfa_ticket_user(*, ticket: str) -> User:
    """The user a live ticket was made for; ValidationError for an unknown or expired one."""
    found = cache.get(_ticket_key(ticket)) if 0 < len(ticket) <= 100 else None
    user = User.objects.filter(pk=found[0], is_active=True).first() if found else None
    if user is None or user.get_session_auth_hash() != found[1]:
        raise ValidationError({"ticket": [_TICKET_GONE]})
    return user


def mfa_ticket_use(*, ticket: str) -> None:
    """Spend the ticket once its code was right; two requests racing with it cannot both win."""
    if not cache.delete(_ticket_key(ticket)):
        raise ValidationError({"ticket": [_TICKET_GONE]})


def mfa_code_check(*, request: HttpRequest, user: User, code: str) -> Authenticator:
    """Check a TOTP or recovery code with allauth's form and limits; RateLimited after too many
    wrong ones, ValidationError({"code"}) for a wrong one. Records the use as allauth does."""
    with context.request_context(request):
        form = BaseAuthenticateForm(user=user, data={"code": code})
        if not form.is_valid():
            if form.has_error("code", "too_many_login_attempts"):
                raise RateLimited
            raise ValidationError({"code": form.errors["code"]})
        authenticator = form.authenticator
        # allauth.mfa's post_authentication does this and also records the login in the browser
        # session, which an API login has none of (it would start one): its two other steps here.
        authenticator.record_usage()
        signals.authenticator_used.send(
            sender=Authenticator,
            request=request,
            user=user,
            authenticator=authenticator,
            reauthenticated=False,
            passwordless=False,
        )
    return authenticator
