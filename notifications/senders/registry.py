"""The one table of channels and their senders (each channel's module defines its Sender)."""

from notifications.channels import Channel
from notifications.senders import email, webhook
from notifications.senders.base import Sender

SENDERS: dict[str, Sender] = {
    Channel.EMAIL: email.SENDER,
    Channel.WEBHOOK: webhook.SENDER,
}
