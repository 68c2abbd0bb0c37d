"""Whatever path changes a password, every API token and every other session of the user ends
(the API change keeps the token that made the request, as documented)."""

import io

import pytest
from django.contrib.auth.management.commands import changepassword
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.testing import PASSWORD
from accounts.tests.conftest import link_in, reset_token

pytestmark = pytest.mark.django_db

NEW = "fresh-Tulip-9090"


@pytest.fixture
def elsewhere(user, api_client_for):
    """What a thief (or the user's other devices) hold: two API tokens and a browser session."""
    browser = Client()
    browser.force_login(user)
    assert browser.get("/accounts/").status_code == 200
    return {"tokens": [api_client_for(user), api_client_for(user)], "browser": browser}


def assert_all_ended(elsewhere):
    for client in elsewhere["tokens"]:
        assert client.get("/api/users/me").status_code == 401
    assert elsewhere["browser"].get("/accounts/").status_code == 302  # to the login page


def test_allauth_change_page(user, elsewhere):
    browser = Client()
    browser.force_login(user)

    changed = browser.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": NEW, "password2": NEW}
    )

    assert changed.status_code == 302
    assert_all_ended(elsewhere)
    assert browser.get("/accounts/").status_code == 200  # the page that changed it stays in


def test_allauth_reset_page(user, elsewhere, outbox):
    Client().post("/accounts/password/reset/", {"email": user.email})
    browser = Client()
    form = browser.get(link_in(outbox[-1], r"/accounts/password/reset/key/"), follow=True)

    done = browser.post(form.redirect_chain[-1][0], {"password1": NEW, "password2": NEW})

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert_all_ended(elsewhere)


def test_api_reset(user, elsewhere, outbox):
    APIClient().post("/api/authenticate/forgot", {"email": user.email}, format="json")

    done = APIClient().patch(
        "/api/authenticate/password",
        {"token": reset_token(outbox[-1]), "password": NEW},
        format="json",
    )

    assert done.status_code == 200
    assert_all_ended(elsewhere)


def test_api_change_keeps_only_the_token_that_asked(user, elsewhere, api_client_for):
    client = api_client_for(user)

    done = client.patch(
        "/api/users/me", {"password": NEW, "current_password": PASSWORD}, format="json"
    )

    assert done.status_code == 200
    assert_all_ended(elsewhere)
    assert client.get("/api/users/me").status_code == 200
    assert ApiToken.objects.filter(user=user).count() == 1


def test_api_change_from_a_browser_session_keeps_that_session(user, elsewhere):
    browser = Client(enforce_csrf_checks=False)
    browser.force_login(user)

    done = browser.patch(
        "/api/users/me",
        {"password": NEW, "current_password": PASSWORD},
        content_type="application/json",
    )

    assert done.status_code == 200
    assert_all_ended(elsewhere)
    assert browser.get("/accounts/").status_code == 200


def test_django_admin_password_form(user, admin_user, elsewhere):
    admin = Client()
    admin.force_login(admin_user)

    done = admin.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "true", "password1": NEW, "password2": NEW},
    )

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert_all_ended(elsewhere)
    assert admin.get("/admin/").status_code == 200


def test_django_admin_disabling_password_login(user, admin_user, elsewhere):
    admin = Client()
    admin.force_login(admin_user)

    done = admin.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"usable_password": "false", "unset-password": "1"},
    )

    assert done.status_code == 302
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert_all_ended(elsewhere)


def test_manage_py_changepassword(user, elsewhere, monkeypatch):
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="": NEW)

    call_command("changepassword", user.email, stdout=io.StringIO())

    user.refresh_from_db()
    assert user.check_password(NEW)
    assert_all_ended(elsewhere)


def test_an_unchanged_password_leaves_tokens_alone(user, elsewhere):
    user.quota_bytes = 5
    user.save()

    for client in elsewhere["tokens"]:
        assert client.get("/api/users/me").status_code == 200
