"""Password reset and change. Reset keys are allauth's (Django's token generator): they expire
after PASSWORD_RESET_TIMEOUT and stop working once the password changed, so each is single-use.
Any password change ends the user's API tokens (accounts.password_hooks) and other sessions."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm, UserTokenForm
from allauth.account.internal.flows.password_reset import finalize_password_reset
from allauth.core import ratelimit
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts.models import ApiToken, User
from accounts.services.errors import RateLimited
from accounts.services.mail_limits import mail_to_address_consume

_BAD_TOKEN = "This reset link is invalid, expired or already used."


def password_reset_request(*, request: HttpRequest, email: str) -> None:
    """Mail a reset link when an account uses this address, and say the same either way."""
    form = ResetPasswordForm(data={"email": email})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    if not ratelimit.consume(request, action="reset_password", key=email.strip().lower()):
        raise RateLimited
    mail_to_address_consume(request=request, email=email)
    form.save(request)


def password_reset_user(*, token: str) -> User:
    """The user a reset token (`<uidb36>-<key>`, as in the mailed link) belongs to."""
    uidb36, _, key = token.strip().partition("-")
    if not (uidb36 and key):  # allauth's form raises TypeError on an empty uid (a 500)
        raise ValidationError({"token": [_BAD_TOKEN]})
    form = UserTokenForm(data={"uidb36": uidb36, "key": key})
    if not form.is_valid():
        raise ValidationError({"token": [_BAD_TOKEN]})
    return form.reset_user


def password_reset_complete(*, request: HttpRequest, token: str, password: str) -> User:
    """Set the new password; the token, every session and every API token stop working."""
    if not ratelimit.consume(request, action="reset_password_from_key"):
        raise RateLimited
    user = password_reset_user(token=token)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    get_adapter(request).set_password(user, password)
    finalize_password_reset(request, user)
    return user


def user_check_password(
    *, request: HttpRequest, user: User, password: str, field: str = "current_password"
) -> None:
    """Check a logged-in user's password through allauth, so that a wrong one counts in the
    same failure limits as a failed login (per address and per account): a stolen token or
    session cannot guess it. Raises ValidationError on `field`, or RateLimited."""
    if not password:
        raise ValidationError({field: ["Give your current password."]})
    try:  # keyed by the login address, as allauth counts a login's failures
        checked = get_adapter(request).authenticate(request, email=user.email, password=password)
    except ValidationError as exc:  # allauth's "too_many_login_attempts"
        raise RateLimited from exc
    if checked is None or checked.pk != user.pk:
        raise ValidationError({field: ["This is not your current password."]})


def user_set_password(
    *, request: HttpRequest, user: User, password: str, keep_token: ApiToken | None = None
) -> None:
    """Set a new password (the caller checked the current one). Every API token ends but
    `keep_token` (the one that asked, so that a script can go on), and so does every other
    session."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    with transaction.atomic():
        get_adapter(request).set_password(user, password)  # ends every token
        if keep_token is not None:
            keep_token.save(force_insert=True)  # the same row (same digest) back
