"""Rate limits, counted by allauth in the real Redis cache (scripts/test.sh starts one)."""

import pytest
from django.core.cache import caches
from django.test import Client
from rest_framework.test import APIClient

from accounts.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/api/authenticate/login"


def test_the_limits_are_counted_in_redis():
    cache = caches["default"]
    assert cache.__class__.__name__ == "RedisCache"
    cache.set("probe", 1)
    assert cache.get("probe") == 1


def test_api_the_11th_wrong_password_in_a_minute_from_one_address_gets_429(db):
    # Ten different accounts, so the per-account limit (5 in 5 minutes) is not what trips.
    users = [make_user(f"u{n}@example.com") for n in range(11)]
    client = APIClient()

    answers = [
        client.post(LOGIN, {"email": u.email, "password": "wrong"}, format="json").status_code
        for u in users
    ]

    assert answers == [400] * 10 + [429]
    # Even the right password is refused now, from this address...
    right = client.post(LOGIN, {"email": users[0].email, "password": PASSWORD}, format="json")
    assert right.status_code == 429
    # ...but another address is not affected.
    elsewhere = APIClient(REMOTE_ADDR="127.0.0.9").post(
        LOGIN, {"email": users[0].email, "password": PASSWORD}, format="json"
    )
    assert elsewhere.status_code == 200


def test_api_one_account_locks_after_5_wrong_passwords_from_any_addresses(user):
    answers = [
        APIClient(REMOTE_ADDR=f"127.0.1.{n}")
        .post(LOGIN, {"email": user.email, "password": "wrong"}, format="json")
        .status_code
        for n in range(6)
    ]

    assert answers == [400] * 5 + [429]


def test_api_successful_logins_do_not_count_as_failures(user):
    client = APIClient()
    for _ in range(12):
        response = client.post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")
        assert response.status_code == 200


def test_html_the_11th_wrong_password_in_a_minute_from_one_address_gets_429(db):
    users = [make_user(f"h{n}@example.com") for n in range(11)]
    client = Client()

    answers = [
        client.post("/accounts/login/", {"login": u.email, "password": "wrong"}).status_code
        for u in users
    ]

    assert answers == [200] * 10 + [429]
    right = client.post("/accounts/login/", {"login": users[0].email, "password": PASSWORD})
    assert right.status_code == 429
    assert b"Too many failed login attempts" in right.content


def test_api_and_html_share_one_count(db):
    users = [make_user(f"s{n}@example.com") for n in range(11)]
    api, browser = APIClient(), Client()
    for u in users[:5]:
        api.post(LOGIN, {"email": u.email, "password": "wrong"}, format="json")
    for u in users[5:10]:
        browser.post("/accounts/login/", {"login": u.email, "password": "wrong"})

    response = api.post(LOGIN, {"email": users[10].email, "password": "wrong"}, format="json")

    assert response.status_code == 429


def test_forgot_is_limited_per_address_without_telling_accounts_apart(user):
    client = APIClient()
    known = [
        client.post("/api/authenticate/forgot", {"email": user.email}, format="json").status_code
        for _ in range(6)
    ]
    unknown = [
        client.post(
            "/api/authenticate/forgot", {"email": "no@example.com"}, format="json"
        ).status_code
        for _ in range(6)
    ]

    assert known == unknown == [200] * 5 + [429]


def test_forgot_is_limited_per_client_address(db):
    client = APIClient()
    answers = [
        client.post(
            "/api/authenticate/forgot", {"email": f"x{n}@example.com"}, format="json"
        ).status_code
        for n in range(21)
    ]

    assert answers == [200] * 20 + [429]


def test_html_forgot_is_limited_too(user):
    client = Client()
    answers = [
        client.post("/accounts/password/reset/", {"email": user.email}).status_code
        for _ in range(6)
    ]

    assert answers == [302] * 5 + [429]
