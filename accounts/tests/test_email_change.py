"""An email change needs the current password, tells the old address once applied, and that mail
carries a link that undoes it (and ends every token and session: the account may be stolen)."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import signing
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services.email_undo import email_change_undo_token
from accounts.testing import PASSWORD
from accounts.tests.conftest import confirm_key, link_in

pytestmark = pytest.mark.django_db

OLD, NEW = "alice@example.com", "thief@example.com"


def change_by_api(client) -> None:
    answer = client.patch(
        "/api/users/me", {"email": NEW, "current_password": PASSWORD}, format="json"
    )
    assert answer.status_code == 200, answer.content


def confirm_latest(outbox) -> None:
    (message,) = [m for m in outbox if m.to == [NEW]]
    confirmed = APIClient().get("/api/authenticate/confirm", {"token": confirm_key(message)})
    assert confirmed.status_code == 200


def undo_link(outbox) -> str:
    (notice,) = [m for m in outbox if m.to == [OLD]]
    return link_in(notice, r"/accounts/email/undo/")


def test_api_email_change_needs_the_current_password(user, api_client_for, outbox):
    client = api_client_for(user)

    missing = client.patch("/api/users/me", {"email": NEW}, format="json")
    wrong = client.patch(
        "/api/users/me", {"email": NEW, "current_password": "guess"}, format="json"
    )

    assert missing.status_code == wrong.status_code == 400
    assert "current_password" in missing.json()
    assert "current_password" in wrong.json()
    assert outbox == []
    assert not EmailAddress.objects.filter(email=NEW).exists()


def test_the_old_address_is_told_once_the_change_is_applied(user, api_client_for, outbox):
    change_by_api(api_client_for(user))
    assert [m.to for m in outbox] == [[NEW]]  # nothing applied yet: only the confirmation

    confirm_latest(outbox)

    (notice,) = [m for m in outbox if m.to == [OLD]]
    assert NEW in notice.body
    assert "/accounts/email/undo/" in notice.body
    assert "7 days" in notice.body


def test_the_undo_link_restores_the_old_address_and_ends_every_credential(
    user, api_client_for, outbox
):
    thief = api_client_for(user)
    thief_browser = Client()
    thief_browser.force_login(user)
    change_by_api(thief)
    confirm_latest(outbox)
    link = undo_link(outbox)
    owner = Client()

    page = owner.get(link)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200
    assert b"<form" in page.content
    user.refresh_from_db()
    assert user.email == NEW

    done = owner.post(link)

    assert done.status_code == 200
    user.refresh_from_db()
    assert user.email == OLD
    assert list(
        EmailAddress.objects.filter(user=user).values_list("email", "primary", "verified")
    ) == [(OLD, True, True)]
    assert thief.get("/api/users/me").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()
    assert thief_browser.get("/accounts/").status_code == 302
    assert not user.has_usable_password()  # the thief knew it; the owner sets a new one
    reset = [m for m in outbox if m.to == [OLD] and "/accounts/password/reset/key/" in m.body]
    assert reset, [m.subject for m in outbox]


def test_the_undo_link_works_once(user, api_client_for, outbox):
    change_by_api(api_client_for(user))
    confirm_latest(outbox)
    link = undo_link(outbox)
    assert Client().post(link).status_code == 200

    again = Client().post(link)

    assert again.status_code == 400


def test_the_undo_link_expires(user, api_client_for, outbox, settings):
    change_by_api(api_client_for(user))
    confirm_latest(outbox)
    link = undo_link(outbox)
    settings.SEEDBOX_EMAIL_UNDO_DAYS = 0

    expired = Client().post(link)

    assert expired.status_code == 400
    user.refresh_from_db()
    assert user.email == NEW


def test_a_forged_undo_link_is_refused(user, other_user):
    forged = signing.dumps({"user": user.pk, "old": "evil@example.com", "new": user.email})
    tampered = email_change_undo_token(user=user, old_email="x@example.com", new_email=user.email)
    tampered = re.sub(r".$", lambda m: "A" if m.group() != "A" else "B", tampered)

    for token in (forged, tampered, "garbage"):
        assert Client().post(f"/accounts/email/undo/{token}/").status_code == 400
    user.refresh_from_db()
    assert user.email == OLD


def test_undo_does_not_take_an_address_someone_else_has_now(user, other_user, api_client_for):
    token = email_change_undo_token(user=user, old_email=other_user.email, new_email=user.email)

    answer = Client().post(f"/accounts/email/undo/{token}/")

    assert answer.status_code == 400
    user.refresh_from_db()
    assert user.email == OLD


def test_the_email_page_asks_for_the_current_password(user, outbox):
    browser = Client()
    browser.force_login(user)

    page = browser.get("/accounts/email/")
    missing = browser.post("/accounts/email/", {"action_add": "", "email": NEW})
    wrong = browser.post(
        "/accounts/email/", {"action_add": "", "email": NEW, "current_password": "guess"}
    )

    assert b'name="current_password"' in page.content
    assert missing.status_code == wrong.status_code == 200  # the form again, with its error
    assert b"not your current password" in wrong.content
    assert outbox == []

    done = browser.post(
        "/accounts/email/", {"action_add": "", "email": NEW, "current_password": PASSWORD}
    )

    assert done.status_code == 302
    (confirmation,) = outbox
    assert Client().post(link_in(confirmation, r"/accounts/confirm-email/")).status_code == 302
    user.refresh_from_db()
    assert user.email == NEW
    assert undo_link(outbox)


def test_email_and_password_in_one_patch_are_checked_once_then_both_applied(
    user, api_client_for, outbox
):
    client = api_client_for(user)

    answer = client.patch(
        "/api/users/me",
        {"email": NEW, "password": "brand-New-1234", "current_password": PASSWORD},
        format="json",
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["email_pending"] == NEW
    user.refresh_from_db()
    assert user.check_password("brand-New-1234")


def test_a_refused_password_in_the_same_patch_sends_no_mail(user, api_client_for, outbox):
    answer = api_client_for(user).patch(
        "/api/users/me",
        {"email": NEW, "password": "12345678", "current_password": PASSWORD},
        format="json",
    )

    assert answer.status_code == 400
    assert "password" in answer.json()
    assert outbox == []
    assert not EmailAddress.objects.filter(email=NEW).exists()


def test_the_undo_link_removes_a_second_factor_the_thief_added(user, api_client_for, outbox):
    change_by_api(api_client_for(user))
    confirm_latest(outbox)
    TOTP.activate(user, generate_totp_secret())  # the thief locks the owner out of a login
    assert Authenticator.objects.filter(user=user).exists()

    assert Client().post(undo_link(outbox)).status_code == 200

    assert not Authenticator.objects.filter(user=user).exists()
