"""The Django admin's login is allauth's: the same rate limits as the pages and the API."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.testing import PASSWORD

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/?next=/admin/"


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_25_wrong_passwords_on_the_admin_login_leave_the_26th_refused(admin_user):
    attacker = Client()
    answers = [
        attacker.post(
            ADMIN_LOGIN, {"username": admin_user.email, "password": f"wrong-{n}"}
        ).status_code
        for n in range(25)
    ]

    right = attacker.post(ADMIN_LOGIN, {"username": admin_user.email, "password": PASSWORD})

    assert 200 not in answers  # the admin never checks a password itself any more
    assert not _logged_in(attacker)
    assert attacker.get("/admin/").status_code == 302
    assert right.status_code == 302
    assert right["Location"].startswith("/accounts/login/")


def test_the_admin_login_sends_to_allauths_login_which_counts_failures(admin_user):
    attacker = Client()
    form = attacker.get(ADMIN_LOGIN, follow=True)
    assert form.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    login_url = form.redirect_chain[-1][0]

    answers = [
        attacker.post(login_url, {"login": admin_user.email, "password": "wrong"}).status_code
        for _ in range(5)
    ]
    sixth = attacker.post(login_url, {"login": admin_user.email, "password": PASSWORD})

    assert answers == [200] * 5
    assert sixth.status_code == 429
    assert not _logged_in(attacker)


def test_admin_and_api_share_the_per_account_count(admin_user):
    for n in range(5):
        APIClient(REMOTE_ADDR=f"127.0.2.{n}").post(
            "/api/authenticate/login",
            {"email": admin_user.email, "password": "wrong"},
            format="json",
        )
    browser = Client(REMOTE_ADDR="127.0.2.99")
    login_url = browser.get(ADMIN_LOGIN)["Location"]

    right = browser.post(login_url, {"login": admin_user.email, "password": PASSWORD})

    assert right.status_code == 429
    assert browser.get("/admin/").status_code == 302


def test_staff_log_in_to_the_admin_through_the_site_login(admin_user, user):
    browser = Client()
    login_url = browser.get(ADMIN_LOGIN)["Location"]

    done = browser.post(login_url, {"login": admin_user.email, "password": PASSWORD})

    assert done.status_code == 302
    assert done["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200
    # A logged-in user who is not staff is refused, not sent round a login loop.
    visitor = Client()
    visitor.force_login(user)
    assert visitor.get("/admin/login/").status_code == 403
