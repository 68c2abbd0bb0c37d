"""Mail the site sends to an address on someone else's request is limited per target address and
per caller (counted in Redis like allauth's limits), on the API and the pages alike."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.testing import PASSWORD, make_user
from accounts.tests.conftest import confirm_key

pytestmark = pytest.mark.django_db

PER_ADDRESS = 5  # ACCOUNT_RATE_LIMITS["mail_to_address"]
VICTIM = "victim@example.com"


@pytest.fixture
def victim(db):
    return make_user(VICTIM)


def mails_to(outbox, address: str) -> int:
    return sum(1 for m in outbox if address in m.to)


def test_a_burst_of_email_changes_to_a_taken_address(user, victim, api_client_for, outbox):
    client = api_client_for(user)

    answers = [
        client.patch(
            "/api/users/me", {"email": VICTIM, "current_password": PASSWORD}, format="json"
        ).status_code
        for _ in range(30)
    ]

    assert mails_to(outbox, VICTIM) <= PER_ADDRESS
    assert answers[0] == 200
    assert answers[-1] == 429


def test_a_burst_of_sign_ups_to_a_taken_address_from_many_addresses(victim, outbox):
    answers = [
        APIClient(REMOTE_ADDR=f"127.0.4.{n}")
        .post(
            "/api/authenticate/subscribe",
            {"email": VICTIM, "password": "some-Long-pass-77"},
            format="json",
        )
        .status_code
        for n in range(20)
    ]

    assert mails_to(outbox, VICTIM) <= PER_ADDRESS
    assert answers[-1] == 429


def test_sign_ups_to_new_and_taken_addresses_are_limited_alike(victim, outbox):
    def burst(email):
        return [
            APIClient(REMOTE_ADDR=f"127.0.5.{n}")
            .post(
                "/api/authenticate/subscribe",
                {"email": email, "password": "some-Long-pass-77"},
                format="json",
            )
            .status_code
            for n in range(8)
        ]

    assert burst(VICTIM) == burst("nobody@example.com")


def test_the_target_count_is_shared_by_every_action(user, victim, api_client_for, outbox):
    client = api_client_for(user)
    for n in range(2):
        APIClient(REMOTE_ADDR=f"127.0.6.{n}").post(
            "/api/authenticate/forgot", {"email": VICTIM}, format="json"
        )
    for n in range(2):
        APIClient(REMOTE_ADDR=f"127.0.7.{n}").post(
            "/api/authenticate/subscribe",
            {"email": VICTIM, "password": "some-Long-pass-77"},
            format="json",
        )
    client.patch("/api/users/me", {"email": VICTIM, "current_password": PASSWORD}, format="json")

    sixth = Client(REMOTE_ADDR="127.0.8.1").post("/accounts/password/reset/", {"email": VICTIM})

    assert sixth.status_code == 429
    assert mails_to(outbox, VICTIM) == PER_ADDRESS


def test_one_caller_cannot_mail_many_addresses(user, api_client_for, outbox):
    client = api_client_for(user)

    answers = [
        client.patch(
            "/api/users/me",
            {"email": f"target{n}@example.com", "current_password": PASSWORD},
            format="json",
        ).status_code
        for n in range(12)
    ]

    assert answers.count(200) == 5  # ACCOUNT_RATE_LIMITS["mail_by_user"]
    assert len(outbox) == 5


def test_page_sign_ups_to_a_taken_address(victim, outbox):
    answers = [
        Client(REMOTE_ADDR=f"127.0.9.{n}")
        .post(
            "/accounts/signup/",
            {"email": VICTIM, "password1": "some-Long-pass-77", "password2": "some-Long-pass-77"},
        )
        .status_code
        for n in range(10)
    ]

    assert mails_to(outbox, VICTIM) <= PER_ADDRESS
    assert answers[-1] == 429


def test_page_email_changes_and_resends(user, victim, outbox):
    browser = Client()
    browser.force_login(user)
    post = {"action_add": "", "email": VICTIM, "current_password": PASSWORD}

    answers = [browser.post("/accounts/email/", post).status_code for _ in range(4)]
    answers += [
        browser.post("/accounts/email/", {"action_send": "", "email": VICTIM}).status_code
        for _ in range(4)
    ]

    assert mails_to(outbox, VICTIM) <= PER_ADDRESS
    assert answers[-1] == 429


def test_the_notice_to_the_old_address_is_never_held_back(user, api_client_for, outbox):
    """A flood first must not silence the mail that tells the owner their address changed."""
    for n in range(10):
        APIClient(REMOTE_ADDR=f"127.0.10.{n}").post(
            "/api/authenticate/forgot", {"email": user.email}, format="json"
        )
    api_client_for(user).patch(
        "/api/users/me", {"email": "new@example.com", "current_password": PASSWORD}, format="json"
    )
    (confirmation,) = [m for m in outbox if m.to == ["new@example.com"]]
    APIClient().get("/api/authenticate/confirm", {"token": confirm_key(confirmation)})

    assert any("/accounts/email/undo/" in m.body for m in outbox if m.to == [user.email])
