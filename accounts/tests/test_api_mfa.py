"""Two-factor login through the JSON API: the password, then a TOTP or recovery code, checked by
allauth.mfa itself (real codes from pyotp; allauth's own rate limits on wrong ones)."""

import warnings

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import CacheKeyWarning
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/api/authenticate/login"
SECOND_STEP = "/api/authenticate/2fa"


@pytest.fixture
def totp_user(user):
    """alice with an authenticator app and recovery codes; `user.totp` makes her codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.recovery_codes = RecoveryCodes.activate(user).generate_codes()
    user.totp = pyotp.TOTP(secret)
    return user


def login(client, user, **extra):
    return client.post(LOGIN, {"email": user.email, "password": PASSWORD, **extra}, format="json")


def test_password_alone_asks_for_the_second_factor_and_makes_no_token(totp_user):
    response = login(APIClient(), totp_user)

    assert response.status_code == 401
    body = response.json()
    assert body["mfa_required"] is True
    assert body["ticket"]
    assert set(body["methods"]) >= {"totp", "recovery_codes"}
    assert "token" not in body
    assert not ApiToken.objects.filter(user=totp_user).exists()


def test_second_step_with_a_real_totp_code_gives_a_token_that_works(totp_user):
    client = APIClient()
    ticket = login(client, totp_user).json()["ticket"]

    response = client.post(
        SECOND_STEP, {"ticket": ticket, "code": totp_user.totp.now()}, format="json"
    )

    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert response.json()["user"]["email"] == totp_user.email
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/users/me").status_code == 200
    totp = Authenticator.objects.get(user=totp_user, type=Authenticator.Type.TOTP)
    assert totp.last_used_at is not None


def test_the_ticket_works_once(totp_user):
    client = APIClient()
    ticket = login(client, totp_user).json()["ticket"]
    code = totp_user.totp.now()
    first = client.post(SECOND_STEP, {"ticket": ticket, "code": code}, format="json")
    assert first.status_code == 200

    again = client.post(
        SECOND_STEP, {"ticket": ticket, "code": totp_user.recovery_codes[0]}, format="json"
    )

    assert again.status_code == 400
    assert "ticket" in again.json()


def test_code_in_the_first_request_logs_in_at_once(totp_user):
    response = login(APIClient(), totp_user, code=totp_user.totp.now())

    assert response.status_code == 200, response.content
    assert response.json()["token"].startswith("sbx_")


def test_a_totp_code_is_refused_the_second_time(totp_user):
    code = totp_user.totp.now()
    assert login(APIClient(), totp_user, code=code).status_code == 200

    replay = login(APIClient(), totp_user, code=code)

    assert replay.status_code == 400
    assert replay.json()["code"] == ["Incorrect code."]


def test_a_recovery_code_works_once(totp_user):
    code = totp_user.recovery_codes[0]
    first = login(APIClient(), totp_user, code=code)
    assert first.status_code == 200, first.content

    second = login(APIClient(), totp_user, code=code)

    assert second.status_code == 400
    assert login(APIClient(), totp_user, code=totp_user.recovery_codes[1]).status_code == 200


def test_wrong_code_is_refused_with_no_token(totp_user):
    client = APIClient()
    ticket = login(client, totp_user).json()["ticket"]
    wrong = "000000" if totp_user.totp.now() != "000000" else "111111"

    response = client.post(SECOND_STEP, {"ticket": ticket, "code": wrong}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == ["Incorrect code."]
    assert not ApiToken.objects.filter(user=totp_user).exists()


def test_wrong_codes_are_rate_limited_then_even_the_right_one_waits(totp_user):
    """allauth's limit on failed logins counts wrong codes per account (5 in 5 minutes)."""
    client = APIClient()
    ticket = login(client, totp_user).json()["ticket"]
    answers = [
        client.post(SECOND_STEP, {"ticket": ticket, "code": f"{n:06d}"}, format="json").status_code
        for n in range(100000, 100007)
        if f"{n:06d}" != totp_user.totp.now()
    ]

    assert 429 in answers
    assert set(answers[: answers.index(429)]) == {400}
    right_code = {"ticket": ticket, "code": totp_user.totp.now()}
    right = client.post(SECOND_STEP, right_code, format="json")
    assert right.status_code == 429
    assert not ApiToken.objects.filter(user=totp_user).exists()


def test_wrong_codes_from_fresh_tickets_share_the_limit(totp_user):
    """A new ticket (a new password login) does not reset the count of wrong codes."""
    answers = [
        login(APIClient(), totp_user, code=f"{n:06d}").status_code
        for n in range(200000, 200007)
        if f"{n:06d}" != totp_user.totp.now()
    ]

    assert 429 in answers


@pytest.mark.parametrize(
    "body",
    [
        {"ticket": "no-such-ticket", "code": "123456"},
        {"ticket": "", "code": "123456"},
        {"code": "123456"},
        {"ticket": "x"},
        ["not", "an", "object"],
    ],
)
def test_bad_second_step_is_a_clear_400(totp_user, body):
    response = APIClient().post(SECOND_STEP, body, format="json")

    assert response.status_code == 400
    assert response.json()


def test_a_ticket_of_any_characters_never_reaches_the_cache_as_sent(totp_user):
    # The fuzzer's ticket made Django warn that memcached would refuse the cache key: the key
    # is the ticket's digest, whatever a client sends.
    body = {"ticket": "Ln\u00bc\u00b4\x0f ticket\n", "code": "123456"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response = APIClient().post(SECOND_STEP, body, format="json")

    assert response.status_code == 400
    assert "ticket" in response.json()


def test_wrong_password_with_a_right_code_is_refused(totp_user):
    response = APIClient().post(
        LOGIN,
        {"email": totp_user.email, "password": "wrong-" + PASSWORD, "code": totp_user.totp.now()},
        format="json",
    )

    assert response.status_code == 400
    assert "mfa_required" not in response.json()


def test_user_without_2fa_logs_in_with_the_password_alone(user):
    response = login(APIClient(), user)

    assert response.status_code == 200
    assert response.json()["token"]


def test_the_login_and_second_step_are_in_the_schema():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "post" in schema["paths"]["/api/authenticate/2fa"]
    login_answers = schema["paths"]["/api/authenticate/login"]["post"]["responses"]
    assert {"200", "400", "401", "429"} <= set(login_answers)
