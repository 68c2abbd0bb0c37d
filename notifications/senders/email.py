"""Email: one target per user, their address once confirmed. The mail says what happened and
links to it, in plain text with a small HTML part, and carries a one-click unsubscribe from
that kind of mail (in the body, and in `List-Unsubscribe` with RFC 8058's one-click POST).

An address that is not confirmed gets nothing: it may be someone else's (a sign-up typo, or an
address typed by whoever signed up), and mail there would tell them about another's torrents.
With mandatory confirmation only accounts made by an operator can have one."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.selectors import user_email_confirmed
from notifications.channels import USER_KINDS
from notifications.senders.base import DeliveryFailed, Sender
from notifications.services.unsubscribe import unsubscribe_url


def _targets(user) -> list[int]:
    return [0] if user.email and user_email_confirmed(user) else []


def _one_line(text: str) -> str:
    """A header holds one line (a torrent's name may hold a newline)."""
    return " ".join(text.split())


def _message(delivery) -> EmailMultiAlternatives:
    user = delivery.user
    site = settings.SEEDBOX_SITE_URL
    # The test event is sent on demand: it has nothing to unsubscribe from.
    unsubscribe = (
        unsubscribe_url(user_id=user.pk, kind=delivery.kind) if delivery.kind in USER_KINDS else ""
    )
    context = {
        "title": delivery.title,
        "body": delivery.body,
        "link": f"{site}{delivery.url}" if delivery.url else "",
        "site": site,
        "preferences": f"{site}{reverse('account')}#notifications",
        "unsubscribe": unsubscribe,
    }
    headers = {}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=_one_line(f"[Seedbox] {delivery.title}"),
        body=render_to_string("notifications/email/notification.txt", context),
        to=[user.email],
        headers=headers,
    )
    message.attach_alternative(
        render_to_string("notifications/email/notification.html", context), "text/html"
    )
    return message


def _send(delivery) -> None:
    if not user_email_confirmed(delivery.user):
        raise DeliveryFailed("the address is not confirmed", permanent=True)
    try:
        _message(delivery).send()
    except OSError as exc:  # SMTP down, refused: try again later
        raise DeliveryFailed(f"mail not sent: {exc}") from exc


SENDER = Sender(targets=_targets, send=_send)
