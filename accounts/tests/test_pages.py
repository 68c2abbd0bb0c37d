"""The HTML pages, as a newcomer uses them: sign up, open the mail, confirm, log in, get a token,
call the API with it. Plus the layout, the account page and the browsable API."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.services.tokens import api_token_create
from accounts.testing import PASSWORD
from accounts.tests.conftest import link_in

pytestmark = pytest.mark.django_db


def test_newcomer_signs_up_confirms_logs_in_and_calls_the_api_with_a_token(outbox):
    browser = Client(enforce_csrf_checks=False)
    signup = browser.post(
        "/accounts/signup/",
        {"email": "newcomer@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert signup.status_code == 302
    assert signup["Location"] == "/accounts/confirm-email/"
    assert not browser.get("/").context["user"].is_authenticated

    confirm_url = link_in(outbox[0], "/accounts/confirm-email/")
    page = browser.get(confirm_url)
    assert page.status_code == 200
    assert b"newcomer@example.com" in page.content
    assert browser.post(confirm_url).status_code == 302

    login = browser.post(
        "/accounts/login/", {"login": "newcomer@example.com", "password": PASSWORD}
    )
    assert login.status_code == 302
    assert login["Location"] == "/"

    account = browser.post("/accounts/tokens/", {"name": "my script"})
    assert account.status_code == 200
    key = account.context["new_key"]
    assert key.encode() in account.content
    assert b"my script" in account.content

    me = APIClient().get("/api/users/me", HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200
    assert me.json()["email"] == "newcomer@example.com"
    # Shown once: the account page lists the token without its key.
    assert key.encode() not in browser.get("/accounts/").content


def test_signup_form_cannot_grant_rights(outbox):
    Client().post(
        "/accounts/signup/",
        {
            "email": "sneaky@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "is_staff": "on",
            "is_superuser": "on",
            "trusted": "on",
            "quota_bytes": "999999999999999",
            "roles": "admin",
        },
    )

    user = User.objects.get(email="sneaky@example.com")
    assert not (user.is_staff)
    assert not (user.is_superuser)
    assert not (user.trusted)
    assert user.quota_bytes == 10 * 1024**3


def test_login_before_confirmation_is_held_back(outbox):
    User.objects.create_user(email="early@example.com", password=PASSWORD)
    browser = Client()

    response = browser.post(
        "/accounts/login/", {"login": "early@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert browser.get("/accounts/").status_code == 302  # still not logged in


def test_forgot_and_reset_in_the_browser(user, outbox):
    browser = Client()
    assert browser.post("/accounts/password/reset/", {"email": user.email}).status_code == 302
    unknown = browser.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert unknown.status_code == 302  # the same answer: no enumeration

    link = link_in(outbox[0], "/accounts/password/reset/key/")
    form_page = browser.get(link, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0]
    done = browser.post(action, {"password1": "fresh-Tulip-9090", "password2": "fresh-Tulip-9090"})
    assert done.status_code == 302

    assert Client().login(email=user.email, password="fresh-Tulip-9090")
    reused = Client().get(link, follow=True)
    assert b"invalid" in reused.content.lower() or b"bad token" in reused.content.lower()


def test_change_password_and_email_pages(user, outbox):
    browser = Client()
    browser.force_login(user)

    assert browser.get("/accounts/password/change/").status_code == 200
    changed = browser.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "fresh-Tulip-9090", "password2": "fresh-Tulip-9090"},
    )
    assert changed.status_code == 302
    user.refresh_from_db()
    assert user.check_password("fresh-Tulip-9090")

    assert browser.get("/accounts/email/").status_code == 200
    browser.post(
        "/accounts/email/",
        {"action_add": "", "email": "alice2@example.com", "current_password": "fresh-Tulip-9090"},
    )
    assert outbox[-1].to == ["alice2@example.com"]
    assert b"alice2@example.com" in browser.get("/accounts/").content  # shown as pending


def test_logout_page_logs_out_by_post_only(user):
    browser = Client()
    browser.force_login(user)

    assert browser.get("/accounts/logout/").status_code == 200
    assert browser.get("/accounts/").status_code == 200
    assert browser.post("/accounts/logout/").status_code == 302
    assert browser.get("/accounts/").status_code == 302


def test_home_page_logged_out_and_in(user):
    anonymous = Client().get("/")
    browser = Client()
    browser.force_login(user)
    logged_in = browser.get("/")

    assert anonymous.status_code == 200
    assert b'href="/accounts/signup/"' in anonymous.content
    assert b'href="/accounts/login/"' in anonymous.content
    assert logged_in.status_code == 200
    assert b'href="/accounts/"' in logged_in.content
    assert user.email.encode() in logged_in.content
    for page in (anonymous, logged_in):
        html = page.content.decode()
        assert '<link rel="stylesheet" href="/static/css/site.css">' in html
        assert "<header" in html
        assert "<main" in html
        assert "<footer" in html


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/confirm-email/",
    ],
)
def test_allauth_pages_use_the_site_layout(path):
    html = Client().get(path).content.decode()

    assert "site.css" in html
    assert 'class="site-header"' in html
    assert re.search(r"<title>[^<]+ · Seedbox</title>", html)


def test_account_page_shows_quota_and_tokens_and_revokes(user, other_user):
    user.used_bytes = 3 * 1024**3
    user.save()
    mine, _ = api_token_create(user=user, name="phone")
    theirs, _ = api_token_create(user=other_user, name="theirs")
    browser = Client()
    browser.force_login(user)

    page = browser.get("/accounts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "3.0\xa0GB of 10.0\xa0GB used" in html
    assert 'value="30"' in html
    assert "phone" in html
    assert "theirs" not in html

    assert browser.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert browser.get(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 405
    assert browser.post(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.filter(pk=mine.pk).exists()


def test_account_pages_need_login_and_csrf(user):
    assert Client().get("/accounts/")["Location"].startswith("/accounts/login/")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    assert browser.post("/accounts/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_browsable_api_after_a_session_login(user):
    browser = Client()
    browser.force_login(user)

    page = browser.get("/api/users/me", HTTP_ACCEPT="text/html")

    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert user.email.encode() in page.content


def test_session_writes_to_the_api_need_the_csrf_token(user):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(user)

    response = browser.patch("/api/users/me", {"email": "x@example.com"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_schema_and_docs_describe_the_accounts_api():
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = Client().get("/api/docs/")

    assert schema.status_code == 200
    body = schema.json()
    for path in (
        "/api/authenticate/subscribe",
        "/api/authenticate/login",
        "/api/authenticate/password",
        "/api/users/{id}",
        "/api/users/me/tokens",
    ):
        assert path in body["paths"], path
    assert body["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    assert docs.status_code == 200
