"""Limits on the mail the site sends to an address at someone's request (sign-up, password
reset, email change, resent confirmation), so that no one can flood another person's inbox.

Counted by allauth's rate limiter in the shared cache, per target address ("mail_to_address")
and per caller: the client address ("mail_by_client") and, when logged in, the account
("mail_by_user"); see ACCOUNT_RATE_LIMITS. The count is taken before the service looks at
whether the address has an account, so the answer (429 or not) tells nothing about that.
Notices to a user's own address about their account (allauth's notification mails, such as the
one that lets the old address undo an email change) are never held back.
"""

from allauth.core import ratelimit
from django.http import HttpRequest

from accounts.services.errors import RateLimited


def mail_to_address_consume(*, request: HttpRequest, email: str, by=None) -> None:
    """Count one mail to `email` asked for by this request; RateLimited when over a limit (and
    then nothing is counted)."""
    limits = [
        {"action": "mail_to_address", "key": email.strip().lower()},
        {"action": "mail_by_client"},
    ]
    if by is not None and by.is_authenticated:
        limits.append({"action": "mail_by_user", "user": by})
    if not all(ratelimit.consume(request, dry_run=True, **limit) for limit in limits):
        raise RateLimited
    for limit in limits:
        ratelimit.consume(request, **limit)
