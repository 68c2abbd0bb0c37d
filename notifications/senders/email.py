"""Email: one target per user (their address). The mail says what happened and links to it."""

from django.conf import settings
from django.core.mail import EmailMessage

from notifications.senders.base import DeliveryFailed, Sender


def _targets(user) -> list[int]:
    return [0] if user.email else []


def _send(delivery) -> None:
    link = (
        f"{settings.SEEDBOX_SITE_URL}{delivery.url}" if delivery.url else settings.SEEDBOX_SITE_URL
    )
    body = "\n\n".join(part for part in (delivery.body, link) if part)
    message = EmailMessage(
        subject=f"[Seedbox] {delivery.title}", body=body, to=[delivery.user.email]
    )
    try:
        message.send()
    except OSError as exc:  # SMTP down, refused: try again later
        raise DeliveryFailed(f"mail not sent: {exc}") from exc


SENDER = Sender(targets=_targets, send=_send)
