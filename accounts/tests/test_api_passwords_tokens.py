"""Forgot/reset password, logout and API tokens through the JSON API."""

from datetime import datetime, timedelta

import pytest
from allauth.account import app_settings as allauth_settings
from allauth.account.utils import user_pk_to_url_str
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services.tokens import api_token_create
from accounts.testing import PASSWORD
from accounts.tests.conftest import link_in, reset_token

pytestmark = pytest.mark.django_db

FORGOT = "/api/authenticate/forgot"
PASSWORD_URL = "/api/authenticate/password"
LOGIN = "/api/authenticate/login"
LOGOUT = "/api/authenticate/logout"
NEW_PASSWORD = "quiet-Harbour-2081"


def forgot(email: str):
    return APIClient().post(FORGOT, {"email": email}, format="json")


def login(email: str, password: str):
    return APIClient().post(LOGIN, {"email": email, "password": password}, format="json")


def test_forgot_answers_the_same_for_known_and_unknown_addresses(user, outbox):
    known = forgot(user.email)
    unknown = forgot("nobody@example.com")

    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()
    # The account's owner gets a reset link; the unknown address gets a "no account here" note.
    assert [m.to for m in outbox] == [[user.email], ["nobody@example.com"]]
    assert "/accounts/password/reset/key/" in outbox[0].body
    assert "/accounts/password/reset/key/" not in outbox[1].body
    assert outbox[0].alternatives[0][1] == "text/html"


def test_reset_with_the_mailed_token_is_single_use_and_revokes_api_tokens(user, outbox):
    _, old_key = api_token_create(user=user)
    forgot(user.email)
    token = reset_token(outbox[0])
    assert token in link_in(outbox[0], "/accounts/password/reset/key/")

    valid = APIClient().get(PASSWORD_URL, {"token": token})
    reset = APIClient().patch(PASSWORD_URL, {"token": token, "password": NEW_PASSWORD}, "json")
    again = APIClient().patch(PASSWORD_URL, {"token": token, "password": "other-Pass-77"}, "json")
    check_again = APIClient().get(PASSWORD_URL, {"token": token})

    assert valid.status_code == 200
    assert reset.status_code == 200
    assert again.status_code == 400
    assert "token" in again.json()
    assert check_again.status_code == 400
    assert login(user.email, PASSWORD).status_code == 400
    assert login(user.email, NEW_PASSWORD).status_code == 200
    stale = APIClient().get("/api/users/me", HTTP_AUTHORIZATION=f"Token {old_key}")
    assert stale.status_code == 401


def test_reset_applies_password_validators_and_keeps_the_token_usable(user, outbox):
    forgot(user.email)
    token = reset_token(outbox[0])

    weak = APIClient().patch(PASSWORD_URL, {"token": token, "password": "password"}, "json")

    assert weak.status_code == 400
    assert "password" in weak.json()
    assert APIClient().get(PASSWORD_URL, {"token": token}).status_code == 200
    assert login(user.email, PASSWORD).status_code == 200


def test_reset_refuses_an_expired_or_forged_token(user, settings):
    generator = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR()
    long_ago = datetime.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    generator._now = lambda: long_ago
    expired = f"{user_pk_to_url_str(user)}-{generator.make_token(user)}"
    forged = f"{user_pk_to_url_str(user)}-abc-0123456789abcdef"

    for token in (expired, forged, "garbage", ""):
        assert APIClient().get(PASSWORD_URL, {"token": token}).status_code == 400
        response = APIClient().patch(
            PASSWORD_URL, {"token": token, "password": NEW_PASSWORD}, "json"
        )
        assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_logout_revokes_only_the_token_used(user, api_client_for):
    first = api_client_for(user)
    second = api_client_for(user)

    assert first.post(LOGOUT).status_code == 200

    assert first.get("/api/users/me").status_code == 401  # the same token, reused
    assert first.post(LOGOUT).status_code == 401
    assert second.get("/api/users/me").status_code == 200


def test_logout_by_get_revokes_the_token_too(user, api_client_for):
    client = api_client_for(user)

    assert client.get(LOGOUT).status_code == 200
    assert client.get("/api/users/me").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()


def test_logout_of_a_browser_session_needs_post(user):
    client = APIClient()
    client.force_login(user)

    assert client.get(LOGOUT).status_code == 400
    assert client.get("/api/users/me").status_code == 200
    assert client.post(LOGOUT).status_code == 200
    assert client.get("/api/users/me").status_code == 401


def test_anonymous_logout_is_harmless():
    assert APIClient().post(LOGOUT).status_code == 200


def test_expired_token_is_refused_and_removed(user):
    token, key = api_token_create(user=user)
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))

    response = APIClient().get("/api/users/me", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_token_of_a_disabled_user_is_refused(user, api_client_for):
    client = api_client_for(user)
    user.is_active = False
    user.save()

    assert client.get("/api/users/me").status_code == 401


@pytest.mark.parametrize(
    "header", ["Token", "Token a b", "Token nope", "Bearer sbx_" + "x" * 43, "Token sbx_é"]
)
def test_malformed_or_unknown_keys_are_401(header, user):
    response = APIClient().get("/api/users/me", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401


def test_keys_are_stored_only_as_digests(user):
    token, key = api_token_create(user=user, name="script")

    assert key.startswith("sbx_")
    assert len(key) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values_list(flat=False).get()
    assert all(key not in str(value) for value in stored)
    assert token.prefix == key[:10]


def test_a_user_lists_creates_and_revokes_own_tokens(user, other_user, api_client_for):
    client = api_client_for(user)
    theirs, _ = api_token_create(user=other_user, name="theirs")

    created = client.post("/api/users/me/tokens", {"name": "laptop"}, format="json")
    listed = client.get("/api/users/me/tokens")

    assert created.status_code == 201
    new = created.json()
    assert new["name"] == "laptop"
    assert new["key"].startswith("sbx_")
    names = [t["name"] for t in listed.json()["results"]]
    assert sorted(names) == ["laptop", "test"]
    assert all("key" not in t and "digest" not in t for t in listed.json()["results"])
    other_client = APIClient()
    other_client.credentials(HTTP_AUTHORIZATION=f"Token {new['key']}")
    assert other_client.get("/api/users/me").json()["email"] == user.email

    assert client.delete(f"/api/users/me/tokens/{theirs.pk}").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert client.delete(f"/api/users/me/tokens/{new['id']}").status_code == 204
    assert other_client.get("/api/users/me").status_code == 401


def test_tokens_need_authentication():
    assert APIClient().get("/api/users/me/tokens").status_code == 401
    assert APIClient().post("/api/users/me/tokens", {}, format="json").status_code == 401
