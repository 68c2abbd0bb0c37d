"""Wrong `current_password` guesses count in the per-account failure limit of logins."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change",
    [{"password": "brand-New-1234"}, {"email": "thief@example.com"}],
    ids=["password", "email"],
)
def test_the_right_current_password_is_refused_after_5_wrong_ones(change, user, api_client_for):
    client = api_client_for(user)

    wrong = [
        client.patch(
            "/api/users/me", {**change, "current_password": f"guess-{n}"}, format="json"
        ).status_code
        for n in range(5)
    ]
    right = client.patch("/api/users/me", {**change, "current_password": PASSWORD}, format="json")

    assert wrong == [400] * 5
    assert right.status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.email == "alice@example.com"


def test_guesses_with_a_token_and_logins_share_one_count(user, api_client_for):
    client = api_client_for(user)
    for n in range(3):
        client.patch(
            "/api/users/me",
            {"password": "brand-New-1234", "current_password": f"guess-{n}"},
            format="json",
        )
    for n in range(2):
        APIClient(REMOTE_ADDR=f"127.0.3.{n}").post(
            "/api/authenticate/login", {"email": user.email, "password": "wrong"}, format="json"
        )

    login = APIClient(REMOTE_ADDR="127.0.3.9").post(
        "/api/authenticate/login", {"email": user.email, "password": PASSWORD}, format="json"
    )

    assert login.status_code == 429


def test_a_right_current_password_does_not_use_up_the_count(user, api_client_for):
    client = api_client_for(user)
    for _ in range(8):
        answer = client.patch(
            "/api/users/me",
            {"password": PASSWORD, "current_password": PASSWORD},
            format="json",
        )
        assert answer.status_code == 200


def test_the_change_password_page_counts_wrong_old_passwords_too(user):
    browser = Client()
    browser.force_login(user)
    for n in range(5):
        browser.post(
            "/accounts/password/change/",
            {"oldpassword": f"guess-{n}", "password1": "x-Fresh-9090", "password2": "x-Fresh-9090"},
        )

    login = APIClient(REMOTE_ADDR="127.0.3.20").post(
        "/api/authenticate/login", {"email": user.email, "password": PASSWORD}, format="json"
    )

    assert login.status_code == 429


def test_a_user_without_an_allauth_address_row_can_still_change_password(api_client_for):
    admin = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    answer = api_client_for(admin).patch(
        "/api/users/me", {"password": "brand-New-1234", "current_password": PASSWORD}, format="json"
    )

    assert answer.status_code == 200
