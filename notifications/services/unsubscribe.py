"""The one-click unsubscribe of a mail: a signed token naming a user and a kind, good without
logging in (a mail client may POST it, RFC 8058), that turns off that kind's mails only.

The token carries no expiry (a mail read a year later still unsubscribes) and no secret but
the signature: it can only ever turn mails off."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.models import User
from notifications.channels import USER_KINDS, Channel
from notifications.services.preferences import preference_set

_SALT = "notifications.unsubscribe"


class UnsubscribeError(ValueError):
    """The link was altered, cut short or is not one of ours."""


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=_SALT, compress=False)


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    path = reverse("notification-unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)])
    return f"{settings.SEEDBOX_SITE_URL}{path}"


def unsubscribe_check(*, token: str) -> tuple[User, str]:
    """(user, kind) the token names, or UnsubscribeError."""
    try:
        data = signing.loads(token, salt=_SALT)
        user_id, kind = int(data["u"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise UnsubscribeError("This link is not valid (altered or cut short).") from None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or kind not in USER_KINDS:
        raise UnsubscribeError("This unsubscribe link is no longer valid.")
    return user, kind


def unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn off the mails of the token's kind for its user; (user, kind)."""
    user, kind = unsubscribe_check(token=token)
    preference_set(user=user, kind=kind, channel=Channel.EMAIL, wanted=False)
    return user, kind
