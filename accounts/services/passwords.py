"""Password reset and change. Reset keys are allauth's (Django's token generator): they expire
after PASSWORD_RESET_TIMEOUT and stop working once the password changed, so each is single-use."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm, UserTokenForm
from allauth.account.internal.flows.password_reset import finalize_password_reset
from allauth.core import ratelimit
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.models import ApiToken, User
from accounts.services.errors import RateLimited
from accounts.services.tokens import api_tokens_revoke_all

_BAD_TOKEN = "This reset link is invalid, expired or already used."


def password_reset_request(*, request: HttpRequest, email: str) -> None:
    """Mail a reset link when an account uses this address, and say the same either way."""
    form = ResetPasswordForm(data={"email": email})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    if not ratelimit.consume(request, action="reset_password", key=email.strip().lower()):
        raise RateLimited
    form.save(request)


def password_reset_user(*, token: str) -> User:
    """The user a reset token (`<uidb36>-<key>`, as in the mailed link) belongs to."""
    uidb36, _, key = token.strip().partition("-")
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
    api_tokens_revoke_all(user=user)
    finalize_password_reset(request, user)
    return user


def user_change_password(
    *, user: User, current_password: str, password: str, keep_token: ApiToken | None = None
) -> None:
    """Change a password knowing the current one; other API tokens are revoked."""
    if not user.check_password(current_password or ""):
        raise ValidationError({"current_password": ["This is not your current password."]})
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    get_adapter().set_password(user, password)
    api_tokens_revoke_all(user=user, keep=keep_token)
