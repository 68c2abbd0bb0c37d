"""Sign-up, email confirmation and login for API clients, through django-allauth's own flows.

The HTML pages are allauth's views; these functions give the JSON API the same rules: the same
confirmation keys, the same mails and the same rate limits (counted in the shared cache).
"""

from allauth.account import signals
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.email_verification import (
    send_verification_email_for_user,
    send_verification_email_to_address,
)
from allauth.account.internal.flows.manage_email import assess_unique_email
from allauth.account.models import EmailAddress, get_emailconfirmation_model
from allauth.core import ratelimit
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts.models import User
from accounts.selectors import user_email_confirmed, user_has_mfa, user_must_set_up_mfa
from accounts.services.errors import (
    AccountDisabled,
    EmailNotConfirmed,
    MfaRequired,
    MfaSetupRequired,
    RateLimited,
)
from accounts.services.mail_limits import mail_to_address_consume
from accounts.services.mfa import (
    mfa_code_check,
    mfa_ticket_create,
    mfa_ticket_use,
    mfa_ticket_user,
)
from accounts.services.tokens import api_token_create


def user_subscribe(*, request: HttpRequest, email: str, password: str) -> User | None:
    """Create an unconfirmed user and mail the confirmation link. Returns None when the address
    is taken: its owner gets a mail saying so, and the caller answers exactly as for a new user."""
    if not ratelimit.consume(request, action="signup"):
        raise RateLimited
    email = get_adapter(request).clean_email(email.strip().lower())
    try:
        validate_password(password, user=User(email=email))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    mail_to_address_consume(request=request, email=email)
    if assess_unique_email(email) is not True:
        signup_taken_address_work(password=password)
        get_adapter(request).send_account_already_exists_mail(email)
        return None
    try:
        with transaction.atomic():
            # Only email and password come from the request: no field can grant rights.
            user = User.objects.create_user(email=email, password=password)
            address = EmailAddress.objects.create(user=user, email=email, primary=True)
    except IntegrityError:  # the same address signed up at the same moment
        return None
    signals.user_signed_up.send(sender=User, request=request, user=user)
    send_verification_email_to_address(request, address, signup=True)
    return user


def signup_taken_address_work(*, password: str) -> None:
    """Hash the password for nothing, as making the account would: without it, a sign-up for an
    address that has an account answers many times faster, which tells that it has one."""
    make_password(password)


def user_confirm_email(*, request: HttpRequest, key: str) -> EmailAddress:
    """Confirm the address the key was mailed to; a bad, expired or used key is refused."""
    confirmation = get_emailconfirmation_model().from_key(key.strip())
    address = confirmation.confirm(request) if confirmation else None
    if address is None:
        raise ValidationError(
            {"token": ["This confirmation link is invalid, expired or already used."]}
        )
    return address


def user_login(
    *, request: HttpRequest, email: str, password: str, code: str = ""
) -> tuple[User, str]:
    """Check the password with allauth (which counts failures per address and per account), then
    the second factor if the account has one, and make an API token. Raises ValidationError,
    RateLimited, AccountDisabled, EmailNotConfirmed, MfaRequired (no code given: the answer
    carries a ticket for user_login_second_factor) or MfaSetupRequired."""
    if not ratelimit.consume(request, action="login"):
        raise RateLimited
    adapter = get_adapter(request)
    try:
        user = adapter.authenticate(request, email=email.strip().lower(), password=password)
    except ValidationError as exc:  # allauth's "too_many_login_attempts"
        raise RateLimited from exc
    if user is None:
        raise ValidationError("Wrong email or password.", code="invalid_login")
    if not user.is_active:  # allauth hands back a disabled user whose password matched
        raise AccountDisabled
    if not user_email_confirmed(user):
        send_verification_email_for_user(request, user)  # allauth spaces these out by itself
        raise EmailNotConfirmed
    if user_must_set_up_mfa(user):
        raise MfaSetupRequired
    if user_has_mfa(user):
        if not code:
            raise MfaRequired(mfa_ticket_create(user=user))
        mfa_code_check(request=request, user=user, code=code)
    update_last_login(None, user)
    _, key = api_token_create(user=user, name="login")
    return user, key


def user_login_second_factor(*, request: HttpRequest, ticket: str, code: str) -> tuple[User, str]:
    """The second step of an API login: the ticket from user_login and a TOTP or recovery code.
    Wrong codes count towards allauth's failed-login limit; the ticket works once."""
    if not ratelimit.consume(request, action="login"):
        raise RateLimited
    user = mfa_ticket_user(ticket=ticket)
    mfa_code_check(request=request, user=user, code=code)
    mfa_ticket_use(ticket=ticket)
    update_last_login(None, user)
    _, key = api_token_create(user=user, name="login")
    return user, key
