"""Undoing an email change from the link mailed to the old address.

A change needs the current password, so whoever made it knows it: undoing restores the old
address (primary, confirmed), removes the password (which ends every session by Django's
session auth hash, and every API token by accounts.password_hooks) and every second factor (the
thief may have added one: a reset link alone would not get the owner past it), and mails the
owner a reset link. The link is a signed token (django.core.signing) that works for
SEEDBOX_EMAIL_UNDO_DAYS, and only while the account still has the address it was changed to,
so once.
"""

from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts.models import User

_SALT = "accounts.email-change-undo"
_BAD_LINK = "This link is invalid, expired or already used."


def email_change_undo_token(*, user: User, old_email: str, new_email: str) -> str:
    return signing.dumps(
        {"user": user.pk, "old": old_email.lower(), "new": new_email.lower()}, salt=_SALT
    )


def _undo_target(token: str, *, lock: bool = False) -> tuple[User, str]:
    """The user and the address to restore, or ValidationError."""
    try:
        data = signing.loads(
            token, salt=_SALT, max_age=settings.SEEDBOX_EMAIL_UNDO_DAYS * 24 * 3600
        )
        users = User.objects.select_for_update() if lock else User.objects
        user = users.get(pk=data["user"])
        old, new = data["old"], data["new"]
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        raise ValidationError(_BAD_LINK) from None
    if user.email.lower() != new:  # undone already, or changed again since
        raise ValidationError(_BAD_LINK)
    if User.objects.filter(email__iexact=old).exclude(pk=user.pk).exists():
        raise ValidationError(f"{old} belongs to another account now; write to the admins.")
    return user, old


def email_change_undo_check(*, token: str) -> str:
    """The address the link would restore (for the page that asks to confirm)."""
    return _undo_target(token)[1]


def email_change_undo(*, request: HttpRequest, token: str) -> User:
    """Restore the old address, end every session, token and second factor, and mail a reset
    link to it."""
    with transaction.atomic():
        user, old = _undo_target(token, lock=True)  # locked: two clicks at once undo once
        EmailAddress.objects.filter(user=user).delete()
        EmailAddress.objects.create(user=user, email=old, primary=True, verified=True)
        Authenticator.objects.filter(user=user).delete()
        user.email = old
        user.set_unusable_password()
        user.save(update_fields=["email", "password"])
    reset = ResetPasswordForm(data={"email": old})
    if reset.is_valid():
        reset.save(request)
    return user
