"""Sign-up, confirmation and login through the JSON API."""

import time

import pytest
from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from django.core import signing
from rest_framework.test import APIClient

from accounts.models import User
from accounts.testing import PASSWORD, make_user
from accounts.tests.conftest import confirm_key

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/api/authenticate/subscribe"
CONFIRM = "/api/authenticate/confirm"
LOGIN = "/api/authenticate/login"


def subscribe(client, email="new@example.com", password=PASSWORD, **extra):
    return client.post(SUBSCRIBE, {"email": email, "password": password, **extra}, format="json")


def test_subscribe_creates_unconfirmed_user_and_mails_text_and_html_link(outbox):
    response = subscribe(APIClient(), email="New@Example.com")

    assert response.status_code == 201
    assert response.json()["user"] == {"email": "new@example.com", "email_confirmed": False}
    user = User.objects.get(email="new@example.com")
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.trusted
    assert user.quota_bytes == 10 * 1024**3
    assert not EmailAddress.objects.get(user=user).verified
    (message,) = outbox
    assert message.to == ["new@example.com"]
    assert "/accounts/confirm-email/" in message.body
    assert f"{CONFIRM}?token=" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Confirm my email address" in html


@pytest.mark.parametrize(
    "extra",
    [
        {"is_staff": True},
        {"is_superuser": True},
        {"quota_bytes": 10**15},
        {"trusted": True},
        {"is_active": False},
        {"roles": ["admin"]},
        {"roles": "admin"},
        {"groups": [1]},
    ],
)
def test_subscribe_refuses_any_field_that_grants_rights(extra, outbox):
    response = subscribe(APIClient(), **extra)

    assert response.status_code == 400
    assert set(response.json()) == set(extra)
    assert not User.objects.exists()
    assert outbox == []


def test_subscribe_with_a_taken_address_answers_the_same_and_tells_the_owner(user, outbox):
    new = subscribe(APIClient(), email="fresh@example.com")
    taken = subscribe(APIClient(), email="ALICE@example.com")

    assert taken.status_code == new.status_code == 201
    assert taken.json()["user"] == {"email": "alice@example.com", "email_confirmed": False}
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    assert User.objects.get(email="alice@example.com").check_password(PASSWORD)
    assert [m.to for m in outbox] == [["fresh@example.com"], ["alice@example.com"]]
    assert "/accounts/confirm-email/" not in outbox[1].body


def test_subscribe_applies_password_validators_and_email_format():
    weak = subscribe(APIClient(), password="123")
    bad_email = subscribe(APIClient(), email="not-an-email")

    assert weak.status_code == 400
    assert "password" in weak.json()
    assert bad_email.status_code == 400
    assert "email" in bad_email.json()
    assert not User.objects.exists()


def test_confirm_then_login_then_call_me_with_the_token(outbox):
    client = APIClient()
    subscribe(client)
    key = confirm_key(outbox[0])

    confirmed = client.get(CONFIRM, {"token": key})
    login = client.post(LOGIN, {"email": "new@example.com", "password": PASSWORD}, format="json")

    assert confirmed.status_code == 200
    assert login.status_code == 200
    body = login.json()
    assert body["user"]["email"] == "new@example.com"
    assert body["user"]["email_confirmed"]
    for scheme in ("Token", "Bearer"):
        me = APIClient().get("/api/users/me", HTTP_AUTHORIZATION=f"{scheme} {body['token']}")
        assert me.status_code == 200
        assert me.json()["email"] == "new@example.com"
    assert User.objects.get(email="new@example.com").last_login is not None


def test_confirm_refuses_a_used_a_bad_and_an_expired_key(outbox):
    client = APIClient()
    subscribe(client)
    key = confirm_key(outbox[0])
    assert client.get(CONFIRM, {"token": key}).status_code == 200

    reused = client.get(CONFIRM, {"token": key})
    bad = client.get(CONFIRM, {"token": key[:-2] + "xx"})
    missing = client.get(CONFIRM)

    assert reused.status_code == 400
    assert "token" in reused.json()
    assert bad.status_code == 400
    assert missing.status_code == 400


def test_confirm_refuses_an_expired_key(settings):
    user = make_user("late@example.com", confirmed=False)
    address = EmailAddress.objects.get(user=user)

    class EarlierSigner(signing.TimestampSigner):
        def timestamp(self):
            days = settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS
            return signing.b62_encode(int(time.time()) - days * 86400 - 60)

    expired = EarlierSigner(salt=allauth_settings.SALT).sign_object(address.pk, compress=False)
    response = APIClient().get(CONFIRM, {"token": expired})

    assert response.status_code == 400
    assert not EmailAddress.objects.get(pk=address.pk).verified


def test_login_wrong_password_is_400_and_unknown_email_the_same(user):
    wrong = APIClient().post(LOGIN, {"email": user.email, "password": "nope"}, format="json")
    unknown = APIClient().post(LOGIN, {"email": "x@example.com", "password": "x"}, format="json")

    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert "token" not in wrong.json()


def test_login_before_confirming_is_403_and_resends_the_link(outbox):
    make_user("waiting@example.com", confirmed=False)

    response = APIClient().post(
        LOGIN, {"email": "waiting@example.com", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 403
    assert "confirm" in response.json()["detail"].lower()
    assert len(outbox) == 1
    assert "/accounts/confirm-email/" in outbox[0].body


def test_login_of_a_disabled_account_is_refused(user):
    user.is_active = False
    user.save()

    right = APIClient().post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")
    wrong = APIClient().post(LOGIN, {"email": user.email, "password": "x"}, format="json")

    assert right.status_code == 403
    assert "token" not in right.json()
    assert wrong.status_code == 400
