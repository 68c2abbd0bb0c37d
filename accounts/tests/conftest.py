"""Helpers for the accounts tests (the personas live in accounts.testing, for every app)."""

import re

import pytest
from django.core import mail


def link_in(message, pattern: str) -> str:
    """The first URL in a mail's text matching `pattern`."""
    urls = re.findall(r"https?://\S+", message.body)
    matching = [url for url in urls if re.search(pattern, url)]
    assert matching, f"no link matching {pattern!r} in:\n{message.body}"
    return matching[0]


def confirm_key(message) -> str:
    return link_in(message, r"/accounts/confirm-email/").rstrip("/").rsplit("/", 1)[-1]


def reset_token(message) -> str:
    return re.search(r"^token: (\S+)$", message.body, re.MULTILINE).group(1)


@pytest.fixture
def outbox():
    mail.outbox.clear()
    return mail.outbox
