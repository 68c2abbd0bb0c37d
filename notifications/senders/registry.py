"""The one table of channels and their senders (each channel's module defines its Sender)."""

from notifications.channels import Channel
from notifications.senders import email, push, webhook
from notifications.senders.base import Sender

SENDERS: dict[str, Sender] = {
    Channel.EMAIL: email.SENDER,
    Channel.PUSH: push.SENDER,
    Channel.WEBHOOK: webhook.SENDER,
}
