"""Mails: what happened with a link to it, plain text and HTML, a one-click unsubscribe per kind
(in the body and in List-Unsubscribe, RFC 8058) that needs no login and turns off that kind
only; a tampered link is refused; an address not confirmed gets nothing."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import signing
from django.test import Client

from accounts.testing import make_user
from events.kinds import EventKind
from notifications.models import Delivery, Preference
from notifications.services.unsubscribe import unsubscribe_token
from notifications.tests.support import dispatched, run_deliveries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("broker")]
SITE = "http://127.0.0.1:8000"


def mail_of(user, kind=EventKind.TORRENT_COMPLETED, **payload):
    payload = {"name": "Big.Buck.Bunny", "torrent_id": 7, **payload}
    dispatched(kind, [user], **payload)
    assert run_deliveries() == ["sent"]


def unsubscribe_link(message) -> str:
    match = re.search(r"one click\): (\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_mail_says_what_happened_and_links_to_it(user, mailoutbox, settings):
    settings.SEEDBOX_SITE_URL = "https://seedbox.example.org"
    mail_of(user, EventKind.TORRENT_REJECTED, reason="no trackers\nallowed")
    (message,) = mailoutbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "[Seedbox] Rejected: Big.Buck.Bunny"
    assert "Reason: no trackers" in message.body
    assert "See it: https://seedbox.example.org/torrents/7/" in message.body
    assert "https://seedbox.example.org/accounts/#notifications" in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert '<a href="https://seedbox.example.org/torrents/7/">' in html
    assert "<h1" in html
    assert "Rejected: Big.Buck.Bunny" in html

    link = unsubscribe_link(message)
    assert link.startswith("https://seedbox.example.org/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f'href="{link}"' in html
    # The header as sent (a long one is folded; unfolded it is the link).
    sent = message.message()["List-Unsubscribe"]
    assert re.sub(r"\s+", "", str(sent)) == f"<{link}>"


def test_a_name_with_a_newline_makes_a_one_line_subject(user, mailoutbox):
    mail_of(user, name="two\nlines")
    assert mailoutbox[0].subject == "[Seedbox] Downloaded: two lines"


def test_the_html_part_escapes_the_name(user, mailoutbox):
    mail_of(user, name="<b>bold</b>")
    html = mailoutbox[0].alternatives[0][0]
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_one_click_turns_off_that_kind_only_without_login(user, mailoutbox):
    mail_of(user)
    path = unsubscribe_link(mailoutbox[0]).removeprefix(SITE)
    mail_client = Client(enforce_csrf_checks=True)  # a mail client: no cookie, no CSRF token

    page = mail_client.get(path)
    assert page.status_code == 200
    assert "alice@example.com" in page.content.decode()
    assert "download completed" in page.content.decode()
    assert not Preference.objects.exists()  # opening the link (a scanner) changes nothing

    done = mail_client.post(path, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert done.status_code == 200
    assert 'id="unsubscribed"' in done.content.decode()
    assert list(Preference.objects.values_list("user", "kind", "channel", "wanted")) == [
        (user.pk, "torrent.completed", "email", False)
    ]
    assert mail_client.post(path).status_code == 200  # twice: still off, no error

    mailoutbox.clear()
    dispatched(EventKind.TORRENT_COMPLETED, [user], name="quiet", torrent_id=8)
    assert run_deliveries() == []  # no mail for that kind any more...
    mail_of(user, EventKind.TORRENT_REJECTED, reason="r")  # ...other kinds still mailed
    assert [m.subject for m in mailoutbox] == ["[Seedbox] Rejected: Big.Buck.Bunny"]


def test_the_token_names_one_user(user, other_user, mailoutbox):
    mail_of(user)
    Client().post(unsubscribe_link(mailoutbox[0]).removeprefix(SITE))
    assert not Preference.objects.filter(user=other_user).exists()


@pytest.mark.parametrize(
    "token",
    [
        "tampered",
        "x" * 300,
        # Right user, kind changed after signing.
        "TAMPER",
        # Signed, but not with the unsubscribe salt (another of the site's signed things).
        signing.dumps({"u": 1, "k": "torrent.completed"}),
        # Signed right, but for a kind that is not one.
        "BADKIND",
        "UNKNOWNUSER",
    ],
    # Fixed ids: a signed token changes every second, and the test processes must collect alike.
    ids=["tampered", "too-long", "kind-changed", "other-salt", "bad-kind", "unknown-user"],
)
def test_a_bad_token_is_refused_never_a_500(user, token):
    good = unsubscribe_token(user_id=user.pk, kind="torrent.completed")
    token = {
        "TAMPER": good.replace(
            signing.b64_encode(b'{"u":%d,"k":"torrent.completed"}' % user.pk).decode(),
            signing.b64_encode(b'{"u":%d,"k":"torrent.rejected"}' % user.pk).decode(),
        ),
        "BADKIND": unsubscribe_token(user_id=user.pk, kind="nope"),
        "UNKNOWNUSER": unsubscribe_token(user_id=987654, kind="torrent.completed"),
    }.get(token, token)
    assert token != good
    for method in ("get", "post"):
        answer = getattr(Client(), method)(f"/notifications/unsubscribe/{token}/")
        assert answer.status_code == 400, (method, token)
        assert 'id="unsubscribe-error"' in answer.content.decode()
    assert not Preference.objects.exists()


def test_an_address_not_confirmed_is_not_mailed(db, mailoutbox):
    unconfirmed = make_user("carol@example.com", confirmed=False)
    dispatched(EventKind.TORRENT_COMPLETED, [unconfirmed], name="x", torrent_id=1)
    assert not Delivery.objects.exists()
    assert mailoutbox == []


def test_an_address_unconfirmed_since_the_event_is_not_mailed(user, mailoutbox):
    dispatched(EventKind.TORRENT_COMPLETED, [user], name="x", torrent_id=1)
    EmailAddress.objects.filter(user=user).update(verified=False)
    assert run_deliveries() == ["failed"]
    assert Delivery.objects.get().last_error == "the address is not confirmed"
    assert mailoutbox == []


def test_the_test_event_has_no_unsubscribe(user, mailoutbox):
    dispatched(EventKind.TEST, [user], channel="email", message="Hello")
    assert run_deliveries() == ["sent"]
    (message,) = mailoutbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "one click" not in message.body
